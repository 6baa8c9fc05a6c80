using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Core.Tests.Golden;

/// <summary>
/// End to end from signed transactions to ordering witnesses: every fixture stream, cut into batches,
/// under every policy. Each witness document is pinned by a snapshot, and checked against invariants
/// that hold whatever the snapshot says, so a wrongly accepted snapshot cannot hide a broken witness.
/// </summary>
public class WitnessGoldenTests
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var c in GoldenCase.All)
        {
            data.Add(c.Stream, c.Cut, c.Policy);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_batch_witness_matches_its_golden_snapshot(string stream, string cut, string policyLabel)
    {
        var golden = new GoldenCase(stream, cut, policyLabel);
        var fixture = FixtureStream.Load(stream);
        var log = fixture.LogEntries();
        var policy = golden.PolicyFor(fixture);
        var segments = golden.Segments(log);
        Assert.Equal(golden.BatchCount(log.Length), segments.Count);

        var head = ReceiptChain.Genesis(fixture.ChainId, fixture.Inbox);
        var prevLastArrival = 0UL;
        for (var index = 0; index < segments.Count; index++)
        {
            var segment = segments[index];
            var capacity = golden.CapacityFor(segment.Length);
            var beacon = GoldenCase.BeaconFor(policy, index);
            var json = OrderingWitness.FromBatch(
                BatchBuilder.Build((ulong)index, head, segment, policy, fixture.ChainId, fixture.Inbox, capacity, prevLastArrival, beacon)).ToJson();

            // Check the document as a prover receives it: read back from its JSON, untrusted.
            var witness = OrderingWitness.FromJson(json);
            Assert.Null(witness.Validate());
            Assert.Equal(json, witness.ToJson());

            Assert.Equal((ulong)index, witness.BatchIndex);
            Assert.Equal(policy.ToString(), witness.Policy.Spec);
            Assert.Equal(head, witness.PrevHead);
            Assert.Equal(segment[0].Seq, witness.FirstSeq);
            Assert.Equal(prevLastArrival, witness.PrevLastArrivalMs);
            Assert.Equal(beacon, witness.Beacon);
            if (beacon is { } drawn)
            {
                // The pool's path: the batch is cut without its order, and ordered once its beacon is drawn.
                var undrawn = OrderingWitness.FromBatch(BatchBuilder.Build((ulong)index, head, segment, policy, fixture.ChainId, fixture.Inbox, capacity, prevLastArrival));
                Assert.False(undrawn.IsOrdered);
                Assert.Equal(json, undrawn.WithBeacon(drawn).ToJson());
            }

            Assert.Equal(
                segment.Select(e => Keccak256.Hash(e.Tx.Raw).ToString()).Order(StringComparer.Ordinal),
                witness.OrderedTxHashes.Select(h => h.ToString()).Order(StringComparer.Ordinal));
            AssertPolicyOrder(policy, witness);

            GoldenSnapshots.MatchJson(json, golden.SnapshotName(index));
            head = witness.NewHead;
            prevLastArrival = segment[^1].ArrivalMs;
        }

        // However the log is cut, the last batch closes at the head of the whole log.
        Assert.Equal(HeadAfter(fixture, log), head);
    }

    /// <summary>The log head after every entry, stepped here rather than taken from any batch.</summary>
    private static Fr HeadAfter(FixtureStream fixture, LogEntry[] log)
    {
        var head = ReceiptChain.Genesis(fixture.ChainId, fixture.Inbox);
        foreach (var entry in log)
        {
            head = ReceiptChain.Step(head, entry.Leaf);
        }

        return head;
    }

    /// <summary>
    /// The output order checked from the raw entry values, without the library's policy keys: fcfs in log
    /// order, priority-fee by descending fee, timeboost by effective time, ties in log order.
    /// (The shuffle's keys are Poseidon hashes; <see cref="OrderingWitness.Validate"/> recomputes those.)
    /// </summary>
    private static void AssertPolicyOrder(OrderingPolicy policy, OrderingWitness witness)
    {
        Func<WitnessEntry, (ulong Primary, bool Descending)>? key = policy switch
        {
            FcfsPolicy => e => (e.Seq, false),
            PriorityFeePolicy => e => (e.Fee, true),
            TimeboostPolicy t => e => (e.Sender == t.Controller ? e.ArrivalMs : e.ArrivalMs + t.DelayMs, false),
            _ => null,
        };
        if (key is null)
        {
            Assert.NotNull(witness.ShuffleSeed);
            return;
        }

        var ordered = witness.Permutation.Select(i => witness.Entries[i]).ToArray();
        for (var i = 1; i < ordered.Length; i++)
        {
            var (a, descending) = key(ordered[i - 1]);
            var (b, _) = key(ordered[i]);
            var before = descending ? a > b : a < b;
            Assert.True(
                before || (a == b && ordered[i - 1].Seq < ordered[i].Seq),
                $"{policy}: seq {ordered[i - 1].Seq} (key {a}) is placed before seq {ordered[i].Seq} (key {b}).");
        }

        Assert.Null(witness.ShuffleSeed);
    }
}
