using System.Numerics;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

public class BatchBuilderTests
{
    private const ulong ChainId = 42161;
    private static readonly Fr PrevHead = Fr.FromUInt64(777);

    [Fact]
    public void An_empty_segment_is_refused()
    {
        var e = Assert.Throws<EmptySegmentException>(() => BatchBuilder.Build(3, PrevHead, [], FcfsPolicy.Instance, ChainId, Inbox));
        Assert.Equal(3UL, e.BatchIndex);
    }

    [Fact]
    public void A_segment_with_a_sequence_gap_is_refused()
    {
        LogEntry[] segment = [Entry(10, 0, Alice), Entry(11, 0, Bob), Entry(13, 0, Carol)];
        var e = Assert.Throws<SequenceGapException>(() => BatchBuilder.Build(0, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox));
        Assert.Equal((2, 12UL, 13UL), (e.Position, e.ExpectedSeq, e.ActualSeq));
    }

    [Fact]
    public void A_segment_listed_out_of_log_order_is_refused()
    {
        LogEntry[] segment = [Entry(11, 0, Alice), Entry(10, 0, Bob)];
        var e = Assert.Throws<SequenceGapException>(() => BatchBuilder.Build(0, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox));
        Assert.Equal((1, 12UL, 10UL), (e.Position, e.ExpectedSeq, e.ActualSeq));
    }

    [Fact]
    public void A_segment_whose_sequence_numbers_would_wrap_is_refused()
    {
        LogEntry[] segment = [Entry(ulong.MaxValue, 0, Alice), Entry(0, 0, Bob)];
        Assert.Throws<SequenceGapException>(() => BatchBuilder.Build(0, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox));
    }

    [Fact]
    public void A_segment_whose_arrival_time_goes_backwards_is_refused()
    {
        LogEntry[] segment = [Entry(5, 100, Alice), Entry(6, 100, Bob), Entry(7, 99, Carol)];
        var e = Assert.Throws<ArrivalRegressionException>(() => BatchBuilder.Build(0, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox));
        Assert.Equal((2, 7UL, 100UL, 99UL), (e.Position, e.Seq, e.PreviousArrivalMs, e.ArrivalMs));
    }

    [Fact]
    public void Segment_errors_share_one_exception_base()
    {
        Assert.True(typeof(InvalidSegmentException).IsAssignableFrom(typeof(SequenceGapException)));
        Assert.True(typeof(InvalidSegmentException).IsAssignableFrom(typeof(ArrivalRegressionException)));
        Assert.True(typeof(ProverException).IsAssignableFrom(typeof(InvalidSegmentException)));
    }

    [Fact]
    public void Policies_without_parameters_commit_to_zero()
    {
        Assert.Equal(Fr.Zero, Domain.ParamsCommitment(FcfsPolicy.Instance));
        Assert.Equal(Fr.Zero, Domain.ParamsCommitment(PriorityFeePolicy.Instance));
    }

    [Fact]
    public void A_first_arrival_past_48_bits_is_refused_with_the_limit()
    {
        var segment = Segment(0, (1UL << 48, Alice, 1));
        var e = Assert.Throws<ValueOutOfRangeException>(() => BatchBuilder.Build(0, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox));
        Assert.Contains("48 bits", e.Message);
    }

    [Fact]
    public void Consecutive_arrivals_4096_ms_apart_are_refused_and_4095_ms_are_fine()
    {
        LogEntry[] tooFar = [Entry(0, 1_000, Alice), Entry(1, 1_000 + 4_096, Bob)];
        var e = Assert.Throws<ValueOutOfRangeException>(() => BatchBuilder.Build(0, PrevHead, tooFar, FcfsPolicy.Instance, ChainId, Inbox));
        Assert.Contains("arrival gap before batch entry 1", e.Message);

        LogEntry[] justFits = [Entry(0, 1_000, Alice), Entry(1, 1_000 + 4_095, Bob)];
        Assert.Equal(2, BatchBuilder.Build(0, PrevHead, justFits, FcfsPolicy.Instance, ChainId, Inbox).Count);
    }

    [Fact]
    public void A_capacity_below_the_batch_size_is_refused()
    {
        var segment = Segment(0, (1, Alice, 1), (2, Bob, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchBuilder.Build(0, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox, capacity: 1));
    }

    // ---- The tests below hash with Poseidon. ----

    [Fact]
    public void Batch_heads_are_the_receipt_chain_from_the_previous_head()
    {
        var segment = Segment(20, (1, Alice, 3), (2, Bob, 9), (2, Carol, 1));
        var batch = BatchBuilder.Build(4, PrevHead, segment, PriorityFeePolicy.Instance, ChainId, Inbox);

        var head = PrevHead;
        for (var i = 0; i < segment.Length; i++)
        {
            head = ReceiptChain.Step(head, segment[i].Leaf);
            Assert.Equal(head, batch.Heads[i]);
        }

        Assert.Equal(head, batch.NewHead);
        Assert.Equal(PrevHead, batch.PrevHead);
        Assert.Equal((4UL, 20UL, 22UL, 3), (batch.Index, batch.FirstSeq, batch.LastSeq, batch.Count));
        Assert.Equal(segment, batch.Entries);
    }

    [Fact]
    public void Batch_orders_its_entries_by_the_policy_and_commits_to_that_order()
    {
        var segment = Segment(20, (1, Alice, 3), (2, Bob, 9), (2, Carol, 1));
        var batch = BatchBuilder.Build(0, PrevHead, segment, PriorityFeePolicy.Instance, ChainId, Inbox);

        Assert.Equal([1, 0, 2], batch.Permutation);
        Assert.Equal([segment[1], segment[0], segment[2]], batch.Ordered);
        Assert.Null(batch.ShuffleSeed);

        // The commitment written out by hand (docs/circuits.md): capacity 3, so 2 index bits and
        // 64 + 2 = 66-bit steps; composites (2^64 − 1 − fee)·4 + log index in output order. The stream:
        // the first composite, each difference minus one (bits 0–197), each log slot's output position
        // (2 bits each: Alice 1, Bob 0, Carol 2, at 198–203), the first arrival (48 bits at 204), the
        // gaps (12 bits each at 252: arrivals 1, 2, 2 give 1 and 0), cut into 253-bit elements, hashed
        // from newHead.
        BigInteger Composite(ulong fee, int index) => ((BigInteger)(ulong.MaxValue - fee) << 2) + index;
        var o = new[] { Composite(9, 1), Composite(3, 0), Composite(1, 2) };
        var positions = (BigInteger.One << 198) + (new BigInteger(2) << 202);
        var stream = o[0] + ((o[1] - o[0] - 1) << 66) + ((o[2] - o[1] - 1) << 132) + positions + (BigInteger.One << 204) + (BigInteger.One << 252);
        var low = stream & ((BigInteger.One << 253) - 1);
        var expected = Poseidon.HashWithInitialState(batch.NewHead, [Fr.FromBigInteger(low), Fr.FromBigInteger(stream >> 253)]);
        Assert.Equal(3, batch.Capacity);
        Assert.Equal(expected, batch.OutputCommitment);
    }

    [Fact]
    public void Output_commitment_refuses_an_order_or_arrivals_no_circuit_can_commit_to()
    {
        ulong[] arrivals = [10, 10, 11];
        UInt128[] descending = [5, 3, 7];
        Assert.Throws<ArgumentException>(() => OutputCommitment.Sponge(PrevHead, descending, 8, null, arrivals));
        UInt128[] tooWide = [1, 2, 256];
        Assert.Throws<ArgumentException>(() => OutputCommitment.Sponge(PrevHead, tooWide, 8, null, arrivals));
        UInt128[] fits = [1, 2, 255];
        Assert.Throws<ValueOutOfRangeException>(() => OutputCommitment.Sponge(PrevHead, fits, 8, null, [10, 9, 11]));
        Assert.Throws<ValueOutOfRangeException>(() => OutputCommitment.Sponge(PrevHead, fits, 8, null, [10, 4_106, 4_106]));
        Assert.Throws<ArgumentException>(() => OutputCommitment.Sponge(PrevHead, fits, 8, null, [10, 10]));
        Assert.Throws<ArgumentException>(() => OutputCommitment.Sponge(PrevHead, fits, 8, [0, 0, 2], arrivals));
        Assert.Throws<ArgumentException>(() => OutputCommitment.Sponge(PrevHead, fits, 8, [0, 1, 3], arrivals));
        Assert.Throws<ArgumentException>(() => OutputCommitment.Sponge(PrevHead, fits, 8, [0, 1], arrivals));
        Assert.Equal(OutputCommitment.SpongeOfSteps(PrevHead, fits, 8, null, arrivals), OutputCommitment.Sponge(PrevHead, fits, 8, null, arrivals));
        Assert.Equal(OutputCommitment.SpongeOfSteps(PrevHead, fits, 8, [2, 0, 1], arrivals), OutputCommitment.Sponge(PrevHead, fits, 8, [2, 0, 1], arrivals));
    }

    [Fact]
    public void Output_commitment_fields_straddle_elements_and_the_sponge_chains_calls()
    {
        // 64 slots of 70-bit steps, 48 bits of first arrival and 63 gaps of 12 bits: 5,284 bits, 21
        // elements, so the sponge takes 16 in its first call and 5 in a second, from the first's output.
        var ordered = Enumerable.Range(0, 64).Select(i => ((UInt128)(ulong)(i * 3 + 1) << 60) + (uint)i).ToArray();
        var arrivals = Enumerable.Range(0, 64).Select(i => 1_764_300_000_000UL + (ulong)(i * i)).ToArray();
        var stream = BigInteger.Zero;
        var at = 0;
        void Append(BigInteger value, int bits)
        {
            stream += value << at;
            at += bits;
        }

        for (var t = 0; t < 64; t++)
        {
            Append(t == 0 ? (BigInteger)ordered[0] : (BigInteger)ordered[t] - ordered[t - 1] - 1, 70);
        }

        Append(arrivals[0], 48);
        for (var j = 0; j < 63; j++)
        {
            Append(arrivals[j + 1] - arrivals[j], 12);
        }

        var mask = (BigInteger.One << 253) - 1;
        var elements = Enumerable.Range(0, 21).Select(e => Fr.FromBigInteger((stream >> (253 * e)) & mask)).ToArray();
        Assert.Equal(5_284, at);
        var first = Poseidon.HashWithInitialState(PrevHead, elements[..16]);
        var expected = Poseidon.HashWithInitialState(first, elements[16..]);
        Assert.Equal(expected, OutputCommitment.Sponge(PrevHead, ordered, 70, null, arrivals));
    }

    [Fact]
    public void Output_commitment_streams_each_slots_position_after_the_steps_and_fcfs_streams_none()
    {
        // Two entries at capacity 4 (B = 2), Bob's fee first: output [Bob, Alice, padding 2, padding 3].
        // fcfs keeps the log order and its circuit checks no permutation, so its stream has no positions.
        var segment = Segment(0, (7, Alice, 1), (9, Bob, 5));
        var byFee = BatchBuilder.Build(0, PrevHead, segment, PriorityFeePolicy.Instance, ChainId, Inbox, capacity: 4);
        var fcfs = BatchBuilder.Build(0, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox, capacity: 4);
        Assert.Equal([1, 0, 2, 3], OutputCommitment.Positions(byFee.Permutation, 4));

        // Steps of 66 bits (bits 0–263), then for priority-fee the positions 1, 0, 2, 3 (2 bits each,
        // 264–271), the first arrival (48 bits) and three gaps of 12 bits: 2, then 0 for each padding slot.
        BigInteger Composite(BigInteger key, int index) => (key << 2) + index;
        var max = (BigInteger)ulong.MaxValue;
        var o = new[] { Composite(max - 5, 1), Composite(max - 1, 0), Composite(max, 2), Composite(max, 3) };
        var steps = o[0] + ((o[1] - o[0] - 1) << 66) + ((o[2] - o[1] - 1) << 132) + ((o[3] - o[2] - 1) << 198);
        var positions = BigInteger.One + (new BigInteger(2) << 4) + (new BigInteger(3) << 6);
        var arrivals = new BigInteger(7) + (new BigInteger(2) << 48);
        Assert.Equal(Sponge(byFee.NewHead, steps + (positions << 264) + (arrivals << 272)), byFee.OutputCommitment);

        // fcfs: 1 key bit and 2 index bits; composites 0, 1, then padding 4·1 + 2 and 4·1 + 3.
        var fcfsSteps = BigInteger.Zero + (BigInteger.Zero << 3) + (new BigInteger(6 - 1 - 1) << 6) + (BigInteger.Zero << 9);
        Assert.Equal(Sponge(fcfs.NewHead, fcfsSteps + (arrivals << 12)), fcfs.OutputCommitment);

        static Fr Sponge(Fr head, BigInteger stream)
        {
            var mask = (BigInteger.One << 253) - 1;
            var elements = new List<Fr>();
            for (; !stream.IsZero; stream >>= 253)
            {
                elements.Add(Fr.FromBigInteger(stream & mask));
            }

            return Poseidon.HashWithInitialState(head, [.. elements]);
        }
    }

    [Fact]
    public void Positions_are_the_inverse_of_the_permutation_and_padding_keeps_its_own_slot()
    {
        // The entry placed 0th is log slot 2, so slot 2's position is 0; and so on.
        Assert.Equal([1, 2, 0, 3, 4], OutputCommitment.Positions([2, 0, 1], 5));
        Assert.Equal([0, 1, 2], OutputCommitment.Positions([0, 1, 2], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => OutputCommitment.Positions([1, 0], 1));
    }

    [Fact]
    public void Output_commitment_depends_on_the_order()
    {
        var segment = Segment(0, (1, Alice, 1), (2, Bob, 9));
        var fcfs = BatchBuilder.Build(0, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox);
        var byFee = BatchBuilder.Build(0, PrevHead, segment, PriorityFeePolicy.Instance, ChainId, Inbox);
        Assert.Equal(fcfs.NewHead, byFee.NewHead);
        Assert.NotEqual(fcfs.OutputCommitment, byFee.OutputCommitment);
    }

    [Fact]
    public void Cutting_a_segment_in_two_gives_the_same_heads_as_one_batch()
    {
        var segment = Segment(0, (1, Alice, 1), (2, Bob, 9), (3, Carol, 4), (3, Dave, 4), (8, Alice, 0));
        var whole = BatchBuilder.Build(0, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox);
        var first = BatchBuilder.Build(0, PrevHead, segment[..2], FcfsPolicy.Instance, ChainId, Inbox);
        var second = BatchBuilder.Build(1, first.NewHead, segment[2..], FcfsPolicy.Instance, ChainId, Inbox);
        Assert.Equal(whole.Heads, first.Heads.Concat(second.Heads));
    }

    [Fact]
    public void Batch_domain_is_Poseidon_of_chain_inbox_policy_parameters_and_capacity()
    {
        var policy = new TimeboostPolicy(Alice, 250);
        var batch = BatchBuilder.Build(0, PrevHead, Segment(0, (1, Alice, 1)), policy, ChainId, Inbox, capacity: 4);
        var paramsCommitment = Poseidon.Hash([Alice.ToField(), Fr.FromUInt64(250)]);
        Assert.Equal(paramsCommitment, Domain.ParamsCommitment(policy));
        Assert.Equal(Poseidon.Hash([Fr.FromUInt64(ChainId), Inbox.ToField(), Fr.FromUInt64(3), paramsCommitment, Fr.FromUInt64(4)]), batch.Domain);
    }

    [Fact]
    public void Batch_domain_separates_chains_inboxes_policies_parameters_and_capacities()
    {
        Fr[] domains =
        [
            Domain.Compute(ChainId, Inbox, FcfsPolicy.Instance, 8),
            Domain.Compute(ChainId + 1, Inbox, FcfsPolicy.Instance, 8),
            Domain.Compute(ChainId, Bob, FcfsPolicy.Instance, 8),
            Domain.Compute(ChainId, Inbox, FcfsPolicy.Instance, 16),
            Domain.Compute(ChainId, Inbox, PriorityFeePolicy.Instance, 8),
            Domain.Compute(ChainId, Inbox, new TimeboostPolicy(Alice, 200), 8),
            Domain.Compute(ChainId, Inbox, new TimeboostPolicy(Alice, 201), 8),
            Domain.Compute(ChainId, Inbox, new TimeboostPolicy(Bob, 200), 8),
            Domain.Compute(ChainId, Inbox, ShufflePolicy.Instance, 8),
        ];
        Assert.Equal(domains.Length, domains.Distinct().Count());
    }

    [Fact]
    public void Shuffle_batch_seeds_from_its_closing_head_and_its_beacon()
    {
        var beacon = Fr.FromUInt64(31337);
        var batch = BatchBuilder.Build(0, PrevHead, Segment(0, (1, Alice, 1), (2, Bob, 2)), ShufflePolicy.Instance, ChainId, Inbox, beacon: beacon);
        Assert.True(batch.IsOrdered);
        Assert.Equal(beacon, batch.Beacon);
        Assert.Equal(Poseidon.Hash([batch.NewHead, beacon]), batch.ShuffleSeed);
    }

    [Fact]
    public void A_shuffle_batch_without_a_beacon_is_cut_without_its_order()
    {
        var segment = Segment(4, (1, Alice, 1), (2, Bob, 2));
        var batch = BatchBuilder.Build(0, PrevHead, segment, ShufflePolicy.Instance, ChainId, Inbox, capacity: 4);
        Assert.False(batch.IsOrdered);
        Assert.Null(batch.Beacon);
        Assert.Null(batch.OutputCommitment);
        Assert.Null(batch.ShuffleSeed);
        Assert.Empty(batch.Permutation);
        Assert.Empty(batch.Ordered);
        Assert.Empty(batch.Keys);

        // The segment is all there: its heads and domain are those of the drawn batch.
        var drawn = BatchBuilder.Build(0, PrevHead, segment, ShufflePolicy.Instance, ChainId, Inbox, capacity: 4, beacon: Fr.One);
        Assert.Equal(drawn.Heads, batch.Heads);
        Assert.Equal(drawn.Domain, batch.Domain);
        Assert.True(drawn.IsOrdered);
    }

    [Fact]
    public void The_other_policies_are_ordered_at_once_and_refuse_a_beacon()
    {
        var segment = Segment(0, (1, Alice, 1));
        foreach (var policy in new OrderingPolicy[] { FcfsPolicy.Instance, PriorityFeePolicy.Instance, new TimeboostPolicy(Alice) })
        {
            Assert.True(BatchBuilder.Build(0, PrevHead, segment, policy, ChainId, Inbox).IsOrdered);
            var e = Assert.Throws<ArgumentException>(() => BatchBuilder.Build(0, PrevHead, segment, policy, ChainId, Inbox, beacon: Fr.One));
            Assert.Contains("takes no beacon", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_beacon_past_93_bits_is_refused_and_93_bits_are_fine()
    {
        var segment = Segment(0, (1, Alice, 1), (2, Bob, 2));
        var e = Assert.Throws<ValueOutOfRangeException>(() =>
            BatchBuilder.Build(0, PrevHead, segment, ShufflePolicy.Instance, ChainId, Inbox, beacon: Fr.FromBigInteger(BigInteger.One << 93)));
        Assert.Contains("93 bits", e.Message, StringComparison.Ordinal);
        Assert.True(BatchBuilder.Build(0, PrevHead, segment, ShufflePolicy.Instance, ChainId, Inbox, beacon: Fr.FromBigInteger((BigInteger.One << 93) - 1)).IsOrdered);
    }

    [Fact]
    public void A_first_arrival_before_the_previous_batchs_last_is_refused()
    {
        var segment = Segment(9, (1_000, Alice, 1), (1_005, Bob, 2));
        var e = Assert.Throws<ArrivalRegressionException>(() =>
            BatchBuilder.Build(1, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox, prevLastArrivalMs: 1_001));
        Assert.Equal((0, 9UL, 1_001UL, 1_000UL), (e.Position, e.Seq, e.PreviousArrivalMs, e.ArrivalMs));

        // Equal arrivals across batches are fine, and the batch records what it continues from.
        var batch = BatchBuilder.Build(1, PrevHead, segment, FcfsPolicy.Instance, ChainId, Inbox, prevLastArrivalMs: 1_000);
        Assert.Equal(1_000UL, batch.PrevLastArrivalMs);
    }

    [Fact]
    public void A_previous_last_arrival_past_49_bits_is_refused_with_the_limit()
    {
        var entry = Entry(0, 1UL << 49, Alice);
        var e = Assert.Throws<ValueOutOfRangeException>(() => BatchBuilder.CheckContinuation(entry, 1UL << 49));
        Assert.Contains("49 bits", e.Message, StringComparison.Ordinal);
        BatchBuilder.CheckContinuation(entry, (1UL << 49) - 1);
    }

    [Fact]
    public void Building_from_the_log_checks_the_continuation_too()
    {
        var segment = Segment(0, (1_000, Alice, 1));
        Fr[] heads = [ReceiptChain.Step(PrevHead, segment[0].Leaf)];
        Assert.Throws<ArrivalRegressionException>(() =>
            BatchBuilder.BuildFromLog(0, PrevHead, segment, heads, FcfsPolicy.Instance, ChainId, Inbox, 4, prevLastArrivalMs: 1_001));
    }
}
