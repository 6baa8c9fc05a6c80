using System.Numerics;
using Nethereum.Model;
using Prover.Core.Ethereum;
using SignedTransaction = Prover.Core.Ethereum.SignedTransaction;

namespace Prover.Benchmarks;

/// <summary>
/// Real signed EIP-1559 transactions for load runs, from several senders with varied fees. Signing is
/// the slow part of a load generator, so they are made once, in parallel, before any clock starts.
/// </summary>
internal static class LoadTransactions
{
    public const ulong ChainId = 31337;

    // anvil's default accounts 1..8: public test keys.
    private static readonly string[] Keys =
    [
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
        "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
        "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
        "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    ];

    /// <summary>Raw signed transactions, <paramref name="count"/> of them, nonces unique per sender.</summary>
    public static byte[][] Raw(int count)
    {
        var raw = new byte[count][];
        var keys = Keys.Select(k => NBitcoin.Secp256k1.ECPrivKey.Create(Convert.FromHexString(k[2..]))).ToArray();
        Parallel.For(0, count, i =>
        {
            var sender = i % Keys.Length;
            var nonce = (ulong)(i / Keys.Length);
            var fee = 1_000_000_000UL + ((ulong)i * 7919 % 50) * 100_000_000UL;
            var tx = new Transaction1559(
                new BigInteger(ChainId), new BigInteger(nonce), new BigInteger(fee), new BigInteger(fee * 3), new BigInteger(21_000),
                "0x00000000000000000000000000000000000000aa", BigInteger.One, "", []);
            // Nethereum's own signer is far too slow to make a load of 10^5 (milliseconds each);
            // sign its signing hash with libsecp256k1's port instead, as the sequencer itself does.
            Span<byte> sig = stackalloc byte[65];
            Secp256k1.Sign(keys[sender], tx.RawHash, sig);
            tx.SetSignature(new Signature(sig[..32].ToArray(), sig[32..64].ToArray(), [(byte)(sig[64] - 27)]));
            raw[i] = tx.GetRLPEncoded();
        });
        return raw;
    }

    public static SignedTransaction[] Decoded(byte[][] raw)
    {
        var decoded = new SignedTransaction[raw.Length];
        Parallel.For(0, raw.Length, i => decoded[i] = TransactionDecoder.Decode(raw[i], ChainId));
        return decoded;
    }
}
