using System.Numerics;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

public class CircuitInputsTests
{
    private const ulong ChainId = 31337;

    private const ulong PrevLastArrivalMs = 990;

    private static OrderingWitness Witness(OrderingPolicy policy, int capacity, Fr? beacon = null)
    {
        var segment = Segment(40, (1_000, Alice, 3), (1_010, Bob, 9), (1_010, Carol, 1));
        var batch = BatchBuilder.Build(2, ReceiptChain.Genesis(ChainId, Inbox), segment, policy, ChainId, Inbox, capacity, PrevLastArrivalMs, beacon);
        return OrderingWitness.FromBatch(batch);
    }

    private static string[] Strings(System.Text.Json.Nodes.JsonNode? array) =>
        [.. array!.AsArray().Select(v => v!.GetValue<string>())];

    [Fact]
    public void Public_signals_are_the_eight_statement_values_in_the_circuits_order()
    {
        var w = Witness(PriorityFeePolicy.Instance, 4);
        var input = CircuitInputs.From(w);
        var statement = BatchStatement.Of(w);

        Assert.Equal(
            ["domain", "prevHead", "newHead", "outputCommitment", "header", "listChallenge", "listDigest", "listMultiset"],
            CircuitInputs.PublicSignalNames);
        Assert.Equal(
            [w.Domain, w.PrevHead, w.NewHead, w.OutputCommitment!.Value, statement.Header, statement.ListChallenge, statement.ListDigest, statement.ListMultiset],
            CircuitInputs.PublicSignals(w));
        foreach (var (name, value) in CircuitInputs.PublicSignalNames.Zip(CircuitInputs.PublicSignals(w)))
        {
            Assert.Equal(value.ToString(), input[name]!.GetValue<string>());
        }

        // The header carries count, the previous batch's last arrival and this batch's last arrival.
        var header = (3 + (new BigInteger(PrevLastArrivalMs) << 32) + (new BigInteger(1_010) << 96)).ToString();
        Assert.Equal(header, input["header"]!.GetValue<string>());
        Assert.Equal("3", input["count"]!.GetValue<string>());
        Assert.Equal("990", input["prevLastArrival"]!.GetValue<string>());
    }

    [Fact]
    public void Padding_slots_are_zero_leaves_that_repeat_the_last_arrival_and_the_selector_marks_count()
    {
        var input = CircuitInputs.From(Witness(PriorityFeePolicy.Instance, 4));

        Assert.Equal("0", Strings(input["txId"])[3]);
        Assert.Equal("0", Strings(input["senderNonce"])[3]);
        Assert.Equal(["3", "9", "1", "0"], Strings(input["fee"]));
        Assert.Equal(["1000", "1010", "1010", "1010"], Strings(input["arrival"]));
        Assert.Equal(["0", "0", "0", "1", "0"], Strings(input["selector"]));
    }

    [Fact]
    public void Each_slots_position_is_where_the_output_places_it_and_padding_keeps_its_own()
    {
        // Bob (log 1) comes first, Alice (log 0) second, Carol (log 2) third; slot 3 is padding.
        var input = CircuitInputs.From(Witness(PriorityFeePolicy.Instance, 4));
        Assert.Equal(["1", "0", "2", "3"], Strings(input["position"]));
    }

    [Fact]
    public void The_claimed_order_is_the_composites_in_output_order_with_padding_last()
    {
        var input = CircuitInputs.From(Witness(PriorityFeePolicy.Instance, 4));

        // Capacity 4: two index bits. Bob (fee 9, index 1), Alice (3, 0), Carol (1, 2), then padding slot 3.
        static string Composite(ulong key, int index) => ((new BigInteger(key) << 2) + index).ToString();
        Assert.Equal(
            [Composite(ulong.MaxValue - 9, 1), Composite(ulong.MaxValue - 3, 0), Composite(ulong.MaxValue - 1, 2), Composite(ulong.MaxValue, 3)],
            Strings(input["ordered"]));
    }

    [Fact]
    public void Fcfs_takes_neither_a_claimed_order_nor_positions_nor_a_beacon()
    {
        var input = CircuitInputs.From(Witness(FcfsPolicy.Instance, 4));
        Assert.Null(input["ordered"]);
        Assert.Null(input["position"]);
        Assert.Null(input["beacon"]);
    }

    public static TheoryData<string> EveryPolicy => ["fcfs", "priority-fee", "timeboost", "shuffle"];

    [Theory]
    [MemberData(nameof(EveryPolicy))]
    public void Every_policy_takes_the_chain_and_the_inbox_since_every_circuit_computes_its_domain(string id)
    {
        var policy = id == "timeboost" ? new TimeboostPolicy(Bob, 150) : OrderingPolicy.Parse(id);
        var input = CircuitInputs.From(Witness(policy, 4, policy.NeedsBeacon ? Fr.FromUInt64(77) : null));
        Assert.Equal("31337", input["chainId"]!.GetValue<string>());
        Assert.Equal(Inbox.ToField().ToString(), input["inbox"]!.GetValue<string>());
    }

    [Fact]
    public void Timeboost_takes_its_parameters_and_the_shuffle_its_beacon()
    {
        var timeboost = CircuitInputs.From(Witness(new TimeboostPolicy(Bob, 150), 4));
        Assert.Equal(Bob.ToField().ToString(), timeboost["controller"]!.GetValue<string>());
        Assert.Equal("150", timeboost["delayMs"]!.GetValue<string>());
        Assert.Null(timeboost["beacon"]);

        var shuffle = CircuitInputs.From(Witness(ShufflePolicy.Instance, 4, Fr.FromUInt64(77)));
        Assert.Equal("77", shuffle["beacon"]!.GetValue<string>());
        Assert.Equal(4, Strings(shuffle["ordered"]).Length);
        Assert.Equal(4, Strings(shuffle["position"]).Length);
        Assert.Equal(((BigInteger)77 << 160) + 3 + ((BigInteger)990 << 32) + ((BigInteger)1_010 << 96), BigInteger.Parse(shuffle["header"]!.GetValue<string>()));
    }

    [Fact]
    public void An_undrawn_shuffle_batch_has_no_circuit_input_yet()
    {
        var undrawn = Witness(ShufflePolicy.Instance, 4);
        Assert.False(undrawn.IsOrdered);
        Assert.Throws<InvalidOperationException>(() => CircuitInputs.From(undrawn));
        Assert.Throws<InvalidOperationException>(() => CircuitInputs.PublicSignals(undrawn));
    }

    [Fact]
    public void An_inconsistent_witness_is_refused_before_any_input_is_written()
    {
        var w = Witness(PriorityFeePolicy.Instance, 4) with { Count = 2 };
        Assert.Throws<InvalidWitnessException>(() => CircuitInputs.From(w));
    }

    [Theory]
    [InlineData("priority-fee", 8, "main/priority_fee_8.circom")]
    [InlineData("fcfs", 64, "main/fcfs_64.circom")]
    public void Each_policy_and_capacity_has_its_circuit_main(string policyId, int capacity, string main)
    {
        Assert.Equal(main, CircuitInputs.MainFor(policyId, capacity));
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "circuits", main)));
    }
}
