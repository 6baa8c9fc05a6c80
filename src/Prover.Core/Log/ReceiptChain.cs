using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Log;

/// <summary>
/// The receipt log's hash chain. Each accepted entry advances the head:
/// <c>head' = Poseidon(head, txId, senderNonce, feeArrival)</c>, circomlib's <c>Poseidon(4)</c>.
/// Hashing the head and the entry's three leaf fields in one permutation, rather than
/// <c>Poseidon(head, Poseidon(leaf))</c>, halves what the ordering circuits pay per transaction.
/// </summary>
public static class ReceiptChain
{
    /// <summary>
    /// The head before the first entry, bound to the rollup: <c>Poseidon(chainId, inbox)</c>. Two rollups'
    /// logs never share a head, so a receipt from one cannot be replayed against another.
    /// </summary>
    public static Fr Genesis(ulong chainId, EthAddress inbox) =>
        Poseidon.Hash([Fr.FromUInt64(chainId), inbox.ToField()]);

    public static Fr Step(Fr head, in LeafFields leaf) =>
        Poseidon.Hash([head, leaf.TxId, leaf.SenderNonce, leaf.FeeArrival]);
}
