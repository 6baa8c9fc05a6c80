using System.Numerics;
using FsCheck.Xunit;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Core.Tests.Ordering;

/// <summary>
/// Invariants every policy must keep, checked over generated segments, plus each policy against an
/// independent LINQ model of its definition.
/// </summary>
[Properties(Arbitrary = [typeof(SegmentArbitraries)], MaxTest = 200)]
public class PolicyProperties
{
    [Property]
    public void Fcfs_policy_output_is_a_permutation_strictly_increasing_by_key_and_seq(Segment segment, Fr newHead) =>
        AssertWellFormedOrder(FcfsPolicy.Instance, segment.Entries, newHead);

    [Property]
    public void Priority_fee_policy_output_is_a_permutation_strictly_increasing_by_key_and_seq(Segment segment, Fr newHead) =>
        AssertWellFormedOrder(PriorityFeePolicy.Instance, segment.Entries, newHead);

    [Property]
    public void Timeboost_policy_output_is_a_permutation_strictly_increasing_by_key_and_seq(Segment segment, TimeboostPolicy policy, Fr newHead) =>
        AssertWellFormedOrder(policy, segment.Entries, newHead);

    [Property]
    public void Shuffle_policy_output_is_a_permutation_strictly_increasing_by_key_and_seq(Segment segment, Fr newHead, Fr beacon) =>
        AssertWellFormedOrder(ShufflePolicy.Instance, segment.Entries, newHead, beacon);

    [Property]
    public void Fcfs_policy_keeps_log_order(Segment segment, Fr newHead)
    {
        var result = FcfsPolicy.Instance.Order(segment.Entries, newHead);
        Assert.Equal(Enumerable.Range(0, segment.Entries.Length), result.Permutation);
        Assert.Equal(segment.Entries.Select(e => PolicyKey.FromUInt64(e.Seq)), result.Keys);
    }

    [Property]
    public void Priority_fee_policy_matches_fee_descending_then_sequence_ascending(Segment segment, Fr newHead)
    {
        var expected = segment.Entries.OrderByDescending(e => e.Tx.PriorityFee).ThenBy(e => e.Seq).Select(e => e.Seq);
        var result = PriorityFeePolicy.Instance.Order(segment.Entries, newHead);
        Assert.Equal(expected, TestEntries.OrderedSeqs(segment.Entries, result.Permutation));
    }

    [Property]
    public void Timeboost_policy_matches_effective_time_then_sequence_ascending(Segment segment, TimeboostPolicy policy, Fr newHead)
    {
        // Effective time computed in 128 bits here, independently of the policy's overflow check.
        var expected = segment.Entries
            .OrderBy(e => (UInt128)e.ArrivalMs + (e.Tx.Sender == policy.Controller ? 0UL : policy.DelayMs))
            .ThenBy(e => e.Seq)
            .Select(e => e.Seq);
        var result = policy.Order(segment.Entries, newHead);
        Assert.Equal(expected, TestEntries.OrderedSeqs(segment.Entries, result.Permutation));
    }

    [Property]
    public void Timeboost_policy_keeps_log_order_when_the_controller_sends_nothing(Segment segment, ulong delayMs, Fr newHead)
    {
        var policy = new TimeboostPolicy(TestEntries.Outsider, delayMs % 100_000);
        var result = policy.Order(segment.Entries, newHead);
        Assert.Equal(Enumerable.Range(0, segment.Entries.Length), result.Permutation);
    }

    [Property]
    public void Shuffle_policy_matches_the_low_64_bits_of_Poseidon_keys_then_sequence_ascending(Segment segment, Fr newHead, Fr beacon)
    {
        var seed = Poseidon.Hash([newHead, beacon]);
        var expected = segment.Entries
            .OrderBy(e => Poseidon.Hash([seed, e.TxId]).ToBigInteger() & ulong.MaxValue)
            .ThenBy(e => e.Seq)
            .Select(e => e.Seq);
        var result = ShufflePolicy.Instance.Order(segment.Entries, newHead, beacon);
        Assert.Equal(seed, result.ShuffleSeed);
        Assert.Equal(expected, TestEntries.OrderedSeqs(segment.Entries, result.Permutation));
    }

    /// <summary>
    /// The output is a permutation of the segment; it is strictly increasing by (key, seq); the keys are
    /// the ones <see cref="OrderingPolicy.Keys"/> exposes; the same input gives the same output; and the
    /// order does not depend on how the segment was listed.
    /// </summary>
    private static void AssertWellFormedOrder(OrderingPolicy policy, LogEntry[] segment, Fr newHead, Fr? beacon = null)
    {
        var result = policy.Order(segment, newHead, beacon);
        var p = result.Permutation;

        Assert.Equal(Enumerable.Range(0, segment.Length), p.Order());
        Assert.Equal(segment.Length, result.Keys.Length);
        Assert.Equal(policy.Keys([.. segment.Select(OrderingItem.From)], newHead, beacon), result.Keys);
        for (var i = 1; i < p.Length; i++)
        {
            Assert.True(
                OrderingPolicy.Precedes(result.Keys[p[i - 1]], segment[p[i - 1]].Seq, result.Keys[p[i]], segment[p[i]].Seq),
                $"position {i}: (key {result.Keys[p[i - 1]]}, seq {segment[p[i - 1]].Seq}) is not before (key {result.Keys[p[i]]}, seq {segment[p[i]].Seq})");
            Assert.True(ToBig(result.Keys[p[i - 1]]) <= ToBig(result.Keys[p[i]]));
        }

        var again = policy.Order(segment, newHead, beacon);
        Assert.Equal(p, again.Permutation);
        Assert.Equal(result.Keys, again.Keys);
        Assert.Equal(result.ShuffleSeed, again.ShuffleSeed);

        var reversed = segment.Reverse().ToArray();
        var fromReversed = policy.Order(reversed, newHead, beacon);
        Assert.Equal(TestEntries.OrderedSeqs(segment, p), TestEntries.OrderedSeqs(reversed, fromReversed.Permutation));
    }

    private static BigInteger ToBig(PolicyKey k) => k.ToBigInteger();
}
