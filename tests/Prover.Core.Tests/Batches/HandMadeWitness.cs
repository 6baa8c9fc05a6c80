using Prover.Core.Batches;
using Prover.Core.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

/// <summary>
/// A witness assembled without Poseidon: encodings, permutation and keys are real, the hashes (heads,
/// domain, commitments) are made-up constants. Validate reaches the hashes only after every check these
/// tests tamper with, so they exercise the hash-free checks on their own.
/// </summary>
internal static class HandMadeWitness
{
    public static readonly OrderingPolicy Policy = new TimeboostPolicy(Alice, 200);

    public static LogEntry[] Segment() =>
        Prover.Core.Tests.Ordering.TestEntries.Segment(100, (1_000, Bob, 5), (1_050, Alice, 1), (1_300, Carol, 5), (1_300, Dave, 9));

    public static OrderingWitness Build(OrderingPolicy? policy = null)
    {
        policy ??= Policy;
        var segment = Segment();
        var newHead = Fr.FromUInt64(9_000 + (ulong)segment.Length - 1);
        var order = policy.Order(segment, newHead);
        return new OrderingWitness
        {
            ChainId = 42161,
            Inbox = Inbox,
            BatchIndex = 7,
            Policy = new WitnessPolicy(policy.Id, policy.NumericId, policy.ToString(), policy.Parameters, Fr.FromUInt64(555)),
            Domain = Fr.FromUInt64(666),
            PrevHead = Fr.FromUInt64(8_999),
            NewHead = newHead,
            FirstSeq = segment[0].Seq,
            Count = segment.Length,
            Capacity = 8,
            Entries = [.. segment.Select((e, i) => WitnessEntry.From(e, Fr.FromUInt64(9_000 + (ulong)i)))],
            Permutation = order.Permutation,
            OrderedTxHashes = [.. order.Permutation.Select(i => segment[i].Tx.Hash)],
            SortKeys = [.. order.Keys.Select(k => k.ToField())],
            OutputCommitment = Fr.FromUInt64(888),
        };
    }
}
