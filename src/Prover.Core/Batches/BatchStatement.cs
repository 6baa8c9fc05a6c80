using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Batches;

/// <summary>
/// What a batch's proof proves, as its eight public signals in the circuits' order (docs/circuits.md):
/// the domain, the log heads around the batch, the output commitment, the header word and the posted
/// list's challenge, digest and multiset. The inbox builds the same values from its state and the call.
/// </summary>
public sealed record BatchStatement(
    Fr Domain, Fr PrevHead, Fr NewHead, Fr OutputCommitment, Fr Header, Fr ListChallenge, Fr ListDigest, Fr ListMultiset)
{
    /// <summary>The signal names in the circuits' order, as snarkjs writes their values to public.json.</summary>
    public static IReadOnlyList<string> SignalNames { get; } =
        ["domain", "prevHead", "newHead", "outputCommitment", "header", "listChallenge", "listDigest", "listMultiset"];

    /// <summary>The signals in <see cref="SignalNames"/> order.</summary>
    public IReadOnlyList<Fr> Signals => [Domain, PrevHead, NewHead, OutputCommitment, Header, ListChallenge, ListDigest, ListMultiset];

    /// <summary>The statement of a batch from its parts, as the inbox and a light client rebuild it.</summary>
    /// <param name="prevLastArrivalMs">The previous batch's last arrival (0 before the first batch).</param>
    /// <param name="beacon">The shuffle's beacon, zero for the other policies.</param>
    /// <param name="orderedTxHashes">The posted list, in output order.</param>
    /// <param name="capacity">The circuit's capacity.</param>
    public static BatchStatement For(
        Fr domain, Fr prevHead, Fr newHead, Fr outputCommitment, ulong prevLastArrivalMs, ulong lastArrivalMs, Fr beacon,
        IReadOnlyList<Hash32> orderedTxHashes, int capacity)
    {
        ArgumentNullException.ThrowIfNull(orderedTxHashes);
        var header = BatchHeader.Pack(orderedTxHashes.Count, prevLastArrivalMs, lastArrivalMs, beacon);
        var challenge = PostedList.Challenge(domain, prevHead, newHead, outputCommitment, header, PostedList.Hash(orderedTxHashes));
        return new BatchStatement(
            domain, prevHead, newHead, outputCommitment, header, challenge,
            PostedList.Digest(orderedTxHashes, challenge), PostedList.Multiset(orderedTxHashes, challenge, capacity));
    }

    /// <summary>The statement of an ordered witness.</summary>
    /// <exception cref="InvalidOperationException">The witness has no order yet (a shuffle batch whose beacon is not drawn).</exception>
    public static BatchStatement Of(OrderingWitness witness)
    {
        ArgumentNullException.ThrowIfNull(witness);
        var output = witness.OutputCommitment ?? throw new InvalidOperationException(
            $"Batch {witness.BatchIndex} has no order yet: its shuffle beacon is drawn on chain once the batch is committed (docs/policies.md).");
        return For(
            witness.Domain, witness.PrevHead, witness.NewHead, output, witness.PrevLastArrivalMs, witness.Entries[^1].ArrivalMs,
            witness.Beacon ?? Fr.Zero, witness.OrderedTxHashes, witness.Capacity);
    }
}
