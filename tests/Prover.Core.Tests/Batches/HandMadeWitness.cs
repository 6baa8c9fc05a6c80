using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

/// <summary>
/// A witness assembled without Poseidon: encodings, permutation and keys are real, the hashes (heads,
/// domain, commitments) are made-up constants. Validate reaches the hashes only after every check these
/// tests tamper with, so they exercise the hash-free checks on their own. (A shuffle witness drawn with a
/// beacon is the exception: its keys are Poseidon hashes, computed here like any other key.)
/// </summary>
internal static class HandMadeWitness
{
    public static readonly OrderingPolicy Policy = new TimeboostPolicy(Alice, 200);

    public static LogEntry[] Segment() =>
        Prover.Core.Tests.Ordering.TestEntries.Segment(100, (1_000, Bob, 5), (1_050, Alice, 1), (1_300, Carol, 5), (1_300, Dave, 9));

    /// <summary>The previous batch's last arrival: 10 ms before this one's first.</summary>
    public const ulong PrevLastArrivalMs = 990;

    public static OrderingWitness Build(OrderingPolicy? policy = null, Fr? beacon = null)
    {
        policy ??= Policy;
        var segment = Segment();
        var newHead = Fr.FromUInt64(9_000 + (ulong)segment.Length - 1);
        var order = policy.Order(segment, newHead, beacon);
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
            PrevLastArrivalMs = PrevLastArrivalMs,
            Entries = [.. segment.Select((e, i) => WitnessEntry.From(e, Fr.FromUInt64(9_000 + (ulong)i)))],
            Permutation = order.Permutation,
            OrderedTxHashes = [.. order.Permutation.Select(i => segment[i].Tx.Hash)],
            SortKeys = [.. order.Keys.Select(k => k.ToField())],
            Beacon = beacon,
            ShuffleSeed = order.ShuffleSeed,
            OutputCommitment = Fr.FromUInt64(888),
        };
    }

    /// <summary>A shuffle batch as it is cut, before its beacon is drawn: no order, no output commitment.</summary>
    public static OrderingWitness Undrawn()
    {
        var shuffle = ShufflePolicy.Instance;
        return Build(FcfsPolicy.Instance) with
        {
            Policy = new WitnessPolicy(shuffle.Id, shuffle.NumericId, shuffle.ToString(), shuffle.Parameters, Fr.Zero),
            Permutation = [],
            OrderedTxHashes = [],
            SortKeys = [],
            OutputCommitment = null,
        };
    }
}
