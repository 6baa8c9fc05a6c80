using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Ordering;

public class PolicyOrderTests
{
    private static readonly Fr AnyHead = Fr.FromUInt64(12345);

    [Fact]
    public void Policies_have_their_stable_ids()
    {
        var timeboost = new TimeboostPolicy(Alice);
        var shuffle = ShufflePolicy.Instance;
        Assert.Equal(("fcfs", 1), (FcfsPolicy.Instance.Id, FcfsPolicy.Instance.NumericId));
        Assert.Equal(("priority-fee", 2), (PriorityFeePolicy.Instance.Id, PriorityFeePolicy.Instance.NumericId));
        Assert.Equal(("timeboost", 3), (timeboost.Id, timeboost.NumericId));
        Assert.Equal(("shuffle", 4), (shuffle.Id, shuffle.NumericId));
        Assert.Equal(["fcfs", "priority-fee", "timeboost", "shuffle"], OrderingPolicy.KnownIds);
    }

    [Fact]
    public void Fcfs_policy_keys_each_entry_by_its_sequence_number()
    {
        var segment = Segment(40, (10, Alice, 5), (10, Bob, 9), (11, Carol, 1));
        var result = FcfsPolicy.Instance.Order(segment, AnyHead);
        Assert.Equal([0, 1, 2], result.Permutation);
        Assert.Equal([PolicyKey.FromUInt64(40), PolicyKey.FromUInt64(41), PolicyKey.FromUInt64(42)], result.Keys);
        Assert.Null(result.ShuffleSeed);
    }

    [Fact]
    public void Priority_fee_policy_puts_the_highest_fee_first()
    {
        var segment = Segment(0, (0, Alice, 1), (0, Bob, ulong.MaxValue), (0, Carol, 0), (0, Dave, 50));
        var result = PriorityFeePolicy.Instance.Order(segment, AnyHead);
        Assert.Equal([1, 3, 0, 2], result.Permutation);
        Assert.Equal(PolicyKey.FromUInt64(0), result.Keys[1]);
        Assert.Equal(PolicyKey.FromUInt64(ulong.MaxValue), result.Keys[2]);
    }

    [Fact]
    public void Priority_fee_policy_orders_equal_fees_by_sequence_number()
    {
        var segment = Segment(7, (0, Alice, 3), (1, Bob, 9), (2, Carol, 3), (3, Dave, 9), (4, Alice, 3));
        var result = PriorityFeePolicy.Instance.Order(segment, AnyHead);
        Assert.Equal([8UL, 10, 7, 9, 11], OrderedSeqs(segment, result.Permutation));
    }

    [Fact]
    public void Express_lane_transaction_beats_a_slightly_earlier_non_express_transaction_within_the_delay()
    {
        // Bob at 1000 competes at 1200; the controller's 1100 is earlier.
        var segment = Segment(0, (1_000, Bob, 0), (1_100, Alice, 0));
        var result = new TimeboostPolicy(Alice, 200).Order(segment, AnyHead);
        Assert.Equal([1, 0], result.Permutation);
        Assert.Equal([PolicyKey.FromUInt64(1_200), PolicyKey.FromUInt64(1_100)], result.Keys);
    }

    [Fact]
    public void Express_lane_transaction_loses_to_one_older_than_the_delay()
    {
        var segment = Segment(0, (1_000, Bob, 0), (1_201, Alice, 0));
        var result = new TimeboostPolicy(Alice, 200).Order(segment, AnyHead);
        Assert.Equal([0, 1], result.Permutation);
    }

    [Fact]
    public void Timeboost_policy_breaks_equal_effective_times_by_sequence_number()
    {
        // Bob competes at 1200, the controller arrives at 1200: a tie, so log order decides.
        var segment = Segment(0, (1_000, Bob, 0), (1_200, Alice, 0), (1_200, Carol, 0));
        var result = new TimeboostPolicy(Alice, 200).Order(segment, AnyHead);
        Assert.Equal([0, 1, 2], result.Permutation);
    }

    [Fact]
    public void Timeboost_policy_ignores_fees()
    {
        var segment = Segment(0, (1_000, Bob, 1), (1_000, Carol, 1_000_000));
        Assert.Equal([0, 1], new TimeboostPolicy(Alice).Order(segment, AnyHead).Permutation);
    }

    [Fact]
    public void Timeboost_policy_with_zero_delay_is_log_order()
    {
        var segment = Segment(0, (5, Bob, 0), (5, Alice, 0), (6, Bob, 0), (9, Alice, 0));
        Assert.Equal([0, 1, 2, 3], new TimeboostPolicy(Alice, 0).Order(segment, AnyHead).Permutation);
    }

    [Fact]
    public void Timeboost_policy_rejects_an_effective_time_past_64_bits()
    {
        var segment = Segment(0, (ulong.MaxValue - 199, Bob, 0));
        var e = Assert.Throws<ValueOutOfRangeException>(() => new TimeboostPolicy(Alice, 200).Order(segment, AnyHead));
        Assert.Equal("64 bits", e.Limit);
        Assert.Contains("seq 0", e.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Timeboost_policy_accepts_the_largest_effective_time_and_any_controller_arrival()
    {
        var segment = Segment(0, (ulong.MaxValue - 200, Bob, 0), (ulong.MaxValue, Alice, 0));
        var result = new TimeboostPolicy(Alice, 200).Order(segment, AnyHead);
        Assert.Equal([PolicyKey.FromUInt64(ulong.MaxValue), PolicyKey.FromUInt64(ulong.MaxValue)], result.Keys);
        Assert.Equal([0, 1], result.Permutation);
    }

    [Fact]
    public void An_order_with_two_entries_at_one_position_and_key_is_refused()
    {
        LogEntry[] twins = [Entry(3, 10, Alice, 5), Entry(3, 10, Bob, 5, hash: HashFor(99))];
        var e = Assert.Throws<AmbiguousOrderException>(() => PriorityFeePolicy.Instance.Order(twins, AnyHead));
        Assert.Equal(3UL, e.Seq);
    }

    [Fact]
    public void Ordering_an_empty_segment_gives_an_empty_permutation()
    {
        var result = PriorityFeePolicy.Instance.Order(Array.Empty<LogEntry>(), AnyHead);
        Assert.Empty(result.Permutation);
        Assert.Empty(result.Keys);
    }

    [Fact]
    public void Describe_names_the_policy_and_its_parameters()
    {
        Assert.StartsWith("fcfs:", FcfsPolicy.Instance.Describe(), StringComparison.Ordinal);
        var d = new TimeboostPolicy(Alice, 250).Describe();
        Assert.Contains(Alice.ToString(), d, StringComparison.Ordinal);
        Assert.Contains("250 ms", d, StringComparison.Ordinal);
    }

    [Fact]
    public void Shuffle_seed_is_Poseidon_of_the_closing_head_and_the_beacon()
    {
        var beacon = Fr.FromUInt64(77);
        Assert.Equal(Poseidon.Hash([AnyHead, beacon]), ShufflePolicy.Instance.Seed(AnyHead, beacon));
        Assert.Null(FcfsPolicy.Instance.Seed(AnyHead, null));
    }

    [Fact]
    public void The_shuffle_cannot_order_a_batch_before_its_beacon_is_drawn()
    {
        var segment = Segment(0, (0, Alice, 0), (0, Bob, 0));
        Assert.True(ShufflePolicy.Instance.NeedsBeacon);
        Assert.False(FcfsPolicy.Instance.NeedsBeacon || PriorityFeePolicy.Instance.NeedsBeacon || new TimeboostPolicy(Alice).NeedsBeacon);
        Assert.Throws<ArgumentNullException>(() => ShufflePolicy.Instance.Order(segment, AnyHead));
        Assert.Throws<ArgumentNullException>(() => ShufflePolicy.Instance.Seed(AnyHead, null));
    }

    [Fact]
    public void Shuffle_keys_are_the_low_64_bits_of_Poseidon_of_the_seed_and_the_tx_id()
    {
        var segment = Segment(0, (0, Alice, 0), (0, Bob, 0));
        var beacon = Fr.FromUInt64(5);
        var policy = ShufflePolicy.Instance;
        var seed = policy.Seed(AnyHead, beacon)!.Value;
        var result = policy.Order(segment, AnyHead, beacon);
        Assert.Equal(seed, result.ShuffleSeed);
        for (var i = 0; i < 2; i++)
        {
            var full = Poseidon.Hash([seed, segment[i].TxId]).ToBigInteger();
            Assert.Equal((ulong)(full % (System.Numerics.BigInteger.One << 64)), result.Keys[i].ToUInt64());
        }
    }

    [Fact]
    public void Shuffle_order_changes_with_the_beacon_and_with_the_closing_head()
    {
        // 24 entries: two independent orders coincide with probability 1/24!.
        var segment = Enumerable.Range(0, 24).Select(i => Entry((ulong)i, 0, Senders[i % 4])).ToArray();
        var shuffle = ShufflePolicy.Instance;
        var baseline = shuffle.Order(segment, AnyHead, Fr.FromUInt64(1)).Permutation;
        Assert.NotEqual(baseline, shuffle.Order(segment, AnyHead, Fr.FromUInt64(2)).Permutation);
        Assert.NotEqual(baseline, shuffle.Order(segment, AnyHead + Fr.One, Fr.FromUInt64(1)).Permutation);
    }
}
