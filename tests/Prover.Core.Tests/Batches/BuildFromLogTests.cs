using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

public class BuildFromLogTests
{
    private const ulong ChainId = 31337;

    [Fact]
    public void A_batch_built_from_the_logs_heads_equals_one_that_rehashes_the_chain()
    {
        LogEntry[] segment = [Entry(0, 10, Alice, fee: 3), Entry(1, 10, Bob, fee: 9), Entry(2, 12, Carol, fee: 3)];
        var prev = ReceiptChain.Genesis(ChainId, Inbox);
        var heads = new List<Fr>();
        var head = prev;
        foreach (var e in segment)
        {
            head = ReceiptChain.Step(head, e.Leaf);
            heads.Add(head);
        }

        var rehashed = BatchBuilder.Build(0, prev, segment, PriorityFeePolicy.Instance, ChainId, Inbox, capacity: 8, prevLastArrivalMs: 0);
        var fromLog = BatchBuilder.BuildFromLog(0, prev, segment, heads, PriorityFeePolicy.Instance, ChainId, Inbox, capacity: 8, prevLastArrivalMs: 0);

        Assert.Equal(OrderingWitness.FromBatch(rehashed).ToJson(), OrderingWitness.FromBatch(fromLog).ToJson());
        Assert.Null(OrderingWitness.FromBatch(fromLog).Validate());
    }

    [Fact]
    public void Heads_that_do_not_match_the_log_produce_a_witness_that_fails_its_self_check()
    {
        LogEntry[] segment = [Entry(0, 10, Alice), Entry(1, 11, Bob)];
        var prev = ReceiptChain.Genesis(ChainId, Inbox);
        Fr[] wrongHeads = [Fr.FromUInt64(1), Fr.FromUInt64(2)];

        var batch = BatchBuilder.BuildFromLog(0, prev, segment, wrongHeads, FcfsPolicy.Instance, ChainId, Inbox, capacity: 8, prevLastArrivalMs: 0);

        Assert.NotNull(OrderingWitness.FromBatch(batch).Validate());
    }

    [Fact]
    public void A_head_count_that_differs_from_the_entry_count_is_refused()
    {
        LogEntry[] segment = [Entry(0, 10, Alice), Entry(1, 11, Bob)];
        Assert.Throws<ArgumentException>(() =>
            BatchBuilder.BuildFromLog(0, Fr.Zero, segment, [Fr.One], FcfsPolicy.Instance, ChainId, Inbox, capacity: 8, prevLastArrivalMs: 0));
    }

    [Fact]
    public void A_shuffle_batch_built_from_the_log_is_cut_without_its_order_and_keeps_its_continuation()
    {
        LogEntry[] segment = [Entry(0, 10, Alice), Entry(1, 11, Bob)];
        var prev = ReceiptChain.Genesis(ChainId, Inbox);
        var heads = new[] { ReceiptChain.Step(prev, segment[0].Leaf) };
        heads = [heads[0], ReceiptChain.Step(heads[0], segment[1].Leaf)];

        var batch = BatchBuilder.BuildFromLog(0, prev, segment, heads, ShufflePolicy.Instance, ChainId, Inbox, capacity: 8, prevLastArrivalMs: 7);

        Assert.False(batch.IsOrdered);
        Assert.Equal(7UL, batch.PrevLastArrivalMs);
        var witness = OrderingWitness.FromBatch(batch);
        Assert.Null(witness.Validate());
        Assert.Equal(
            OrderingWitness.FromBatch(BatchBuilder.Build(0, prev, segment, ShufflePolicy.Instance, ChainId, Inbox, 8, 7, Fr.One)).ToJson(),
            witness.WithBeacon(Fr.One).ToJson());
    }
}
