using System.Numerics;
using Prover.Core.Batches;
using Prover.Core.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

public class CircuitInputsTests
{
    private const ulong ChainId = 31337;

    private static OrderingWitness Witness(OrderingPolicy policy, int capacity)
    {
        var segment = Segment(40, (1_000, Alice, 3), (1_010, Bob, 9), (1_010, Carol, 1));
        var batch = BatchBuilder.Build(2, ReceiptChain.Genesis(ChainId, Inbox), segment, policy, ChainId, Inbox, capacity);
        return OrderingWitness.FromBatch(batch);
    }

    private static string[] Strings(System.Text.Json.Nodes.JsonNode? array) =>
        [.. array!.AsArray().Select(v => v!.GetValue<string>())];

    [Fact]
    public void Public_signals_are_domain_prevHead_newHead_outputCommitment_and_count_in_that_order()
    {
        var w = Witness(PriorityFeePolicy.Instance, 4);
        var input = CircuitInputs.From(w);

        Assert.Equal(["domain", "prevHead", "newHead", "outputCommitment", "count"], CircuitInputs.PublicSignalNames);
        Assert.Equal([w.Domain, w.PrevHead, w.NewHead, w.OutputCommitment, Fr.FromUInt64(3)], CircuitInputs.PublicSignals(w));
        Assert.Equal(w.OutputCommitment.ToString(), input["outputCommitment"]!.GetValue<string>());
        Assert.Equal("3", input["count"]!.GetValue<string>());
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
    public void Fcfs_takes_no_claimed_order_and_parameterless_policies_take_no_parameters()
    {
        var input = CircuitInputs.From(Witness(FcfsPolicy.Instance, 4));
        Assert.Null(input["ordered"]);
        Assert.Null(input["chainId"]);
    }

    [Fact]
    public void Timeboost_and_shuffle_take_the_chain_the_inbox_and_their_parameters()
    {
        var timeboost = CircuitInputs.From(Witness(new TimeboostPolicy(Bob, 150), 4));
        Assert.Equal("31337", timeboost["chainId"]!.GetValue<string>());
        Assert.Equal(Inbox.ToField().ToString(), timeboost["inbox"]!.GetValue<string>());
        Assert.Equal(Bob.ToField().ToString(), timeboost["controller"]!.GetValue<string>());
        Assert.Equal("150", timeboost["delayMs"]!.GetValue<string>());

        var shuffle = CircuitInputs.From(Witness(new ShufflePolicy(Fr.FromUInt64(77)), 4));
        Assert.Equal("77", shuffle["beacon"]!.GetValue<string>());
        Assert.Equal(4, Strings(shuffle["ordered"]).Length);
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
