// An ethers v6 client, used as a user's application would use it: it signs an EIP-1559 transfer,
// broadcasts it with the provider (which also asks the node for eth_chainId and eth_blockNumber),
// and fetches the sequencer's receipt. Prints the broadcast hash and the receipt's seq.
// Usage: node ethers-client.mjs URL PRIVATE_KEY CHAIN_ID TO NONCE
import { JsonRpcProvider, Wallet } from "ethers";

const [url, key, chainId, to, nonce] = process.argv.slice(2);
const provider = new JsonRpcProvider(url);
const wallet = new Wallet(key);
const signed = await wallet.signTransaction({
  type: 2,
  chainId: BigInt(chainId),
  nonce: Number(nonce),
  to,
  value: 1n,
  gasLimit: 21000n,
  maxFeePerGas: 2_000_000_000n,
  maxPriorityFeePerGas: 1_000_000_000n,
});
const sent = await provider.broadcastTransaction(signed);
const receipt = await provider.send("prover_getReceipt", [sent.hash]);
console.log(sent.hash);
console.log(receipt.seq);
provider.destroy();
