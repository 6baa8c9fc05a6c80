using System.Numerics;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

/// <summary>How the prover pool orders a shuffle batch once the inbox has drawn its beacon.</summary>
public class WithBeaconTests
{
    private const ulong ChainId = 31337;

    // Eight entries: two draws give the same order with probability 1/8!.
    private static readonly LogEntry[] Segment8 =
        [.. Enumerable.Range(0, 8).Select(i => Entry((ulong)(20 + i), 1_000 + (ulong)i, Senders[i % 4], fee: (ulong)i))];

    private static OrderingWitness Build(OrderingPolicy policy, Fr? beacon) =>
        OrderingWitness.FromBatch(BatchBuilder.Build(2, Fr.FromUInt64(11), Segment8, policy, ChainId, Inbox, 8, 999, beacon));

    [Fact]
    public void A_drawn_witness_is_the_witness_of_the_batch_built_with_that_beacon()
    {
        var beacon = BatchHeader.BeaconOf(HashFor(77));
        var undrawn = Build(ShufflePolicy.Instance, null);

        var drawn = undrawn.WithBeacon(beacon);

        Assert.True(drawn.IsOrdered);
        Assert.Equal(beacon, drawn.Beacon);
        Assert.Equal(Build(ShufflePolicy.Instance, beacon).ToJson(), drawn.ToJson());
        Assert.Null(drawn.Validate());
        Assert.False(undrawn.IsOrdered);
    }

    [Fact]
    public void Another_beacon_gives_another_order()
    {
        var undrawn = Build(ShufflePolicy.Instance, null);
        var a = undrawn.WithBeacon(Fr.FromUInt64(1));
        var b = undrawn.WithBeacon(Fr.FromUInt64(2));
        Assert.NotEqual(a.Permutation, b.Permutation);
        Assert.NotEqual(a.OutputCommitment, b.OutputCommitment);

        // Drawing again replaces the order: it is the beacon's alone.
        Assert.Equal(b.ToJson(), a.WithBeacon(Fr.FromUInt64(2)).ToJson());
    }

    [Theory]
    [InlineData("fcfs")]
    [InlineData("priority-fee")]
    [InlineData("timeboost")]
    public void Only_a_shuffle_witness_takes_a_beacon(string id)
    {
        var policy = id == "timeboost" ? new TimeboostPolicy(Alice) : OrderingPolicy.Parse(id);
        var e = Assert.Throws<InvalidOperationException>(() => Build(policy, null).WithBeacon(Fr.One));
        Assert.Contains("draws no beacon", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_beacon_past_93_bits_is_refused_and_93_bits_are_fine()
    {
        var undrawn = Build(ShufflePolicy.Instance, null);
        var e = Assert.Throws<ValueOutOfRangeException>(() => undrawn.WithBeacon(Fr.FromBigInteger(BigInteger.One << 93)));
        Assert.Contains("93 bits", e.Message, StringComparison.Ordinal);
        Assert.Null(undrawn.WithBeacon(Fr.FromBigInteger((BigInteger.One << 93) - 1)).Validate());
    }
}
