using Prover.Core.Field;
using Prover.Core.Log;

namespace Prover.Core.Batches;

/// <summary>
/// The commitment to a batch's output order: a Poseidon chain over the ordered entries,
/// <c>c_0 = 0</c>, <c>c_{i+1} = Poseidon(c_i, txId, senderNonce, feeArrival)</c> of the i-th ordered entry
/// (circomlib <c>Poseidon(4)</c>, the same shape as the receipt chain so a circuit reuses one gadget).
/// The result is <c>c_n</c>; an empty output commits to 0.
/// </summary>
public static class OutputCommitment
{
    public static Fr Step(Fr previous, in LeafFields leaf) =>
        Poseidon.Hash([previous, leaf.TxId, leaf.SenderNonce, leaf.FeeArrival]);

    public static Fr Compute(IEnumerable<LeafFields> orderedLeaves)
    {
        ArgumentNullException.ThrowIfNull(orderedLeaves);
        var c = Fr.Zero;
        foreach (var leaf in orderedLeaves)
        {
            c = Step(c, leaf);
        }

        return c;
    }
}
