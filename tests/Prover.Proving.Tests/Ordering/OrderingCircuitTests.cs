using System.Numerics;
using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Core.Log;
using static Prover.Proving.Tests.Ordering.Inputs;

namespace Prover.Proving.Tests.Ordering;

/// <summary>
/// The ordering circuits (circuits/ordering, docs/circuits.md) against what the C# side computes:
/// every honest batch satisfies them, and every way of lying about a batch that the statement rules out
/// is refused by a constraint.
/// </summary>
[Collection(OrderingCircuitsCollection.Name)]
public sealed class OrderingCircuitTests
{
    private readonly OrderingCircuitsFixture _fixture;

    public OrderingCircuitTests(OrderingCircuitsFixture fixture) => _fixture = fixture;

    public static TheoryData<string> Policies => [.. OrderingCircuitsFixture.Policies];

    public static TheoryData<string> SortingPolicies => ["priority-fee", "timeboost", "shuffle"];

    [Fact]
    public async Task Every_golden_fixture_batch_satisfies_its_policy_circuit()
    {
        var checkedBatches = 0;
        foreach (var (name, witness) in Batches.GoldenCapacity8())
        {
            // The circuit recomputes newHead and the output commitment and compares them with the public
            // inputs the C# side computed: a satisfied witness is the differential check.
            await _fixture.WitnessAsync(witness.Policy.Id, 8, CircuitInputs.From(witness));
            checkedBatches++;
        }

        // Two fixture streams (three batches and one) under four policies, the shuffle drawn per batch.
        Assert.True(checkedBatches >= 4 * 4, $"only {checkedBatches} golden batches found");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_batch_shorter_than_the_capacity_satisfies_the_circuit_with_inert_padding(string policy)
    {
        await _fixture.WitnessAsync(policy, 4, CircuitInputs.From(Batches.Witness(policy, count: 2)));
        await _fixture.WitnessAsync(policy, 8, CircuitInputs.From(Batches.Witness(policy, count: 1, capacity: 8)));
    }

    [Theory]
    [MemberData(nameof(SortingPolicies))]
    public async Task A_swapped_order_with_its_own_commitment_is_refused(string policy)
    {
        var input = CircuitInputs.From(Batches.Witness(policy));
        Swap(input, "ordered", 0, 1);
        Recommit(input, policy);
        await AssertRefusedAsync(policy, input);
    }

    [Fact]
    public async Task An_fcfs_commitment_to_any_order_but_the_log_order_is_refused()
    {
        var witness = Batches.Witness("fcfs");
        var input = CircuitInputs.From(witness);
        var swapped = witness.Permutation.ToArray();
        (swapped[0], swapped[1]) = (swapped[1], swapped[0]);
        var keys = witness.SortKeys.Select(Prover.Core.Ordering.PolicyKey.FromField).ToArray();
        var fcfs = Prover.Core.Ordering.FcfsPolicy.Instance;
        var composites = OutputCommitment.OrderedComposites(fcfs, keys, swapped, witness.Capacity);
        var commitment = OutputCommitment.SpongeOfSteps(
            witness.NewHead, composites, OutputCommitment.StepBits(fcfs, witness.Capacity), null, Enumerable.Range(0, 4).Select(i => (ulong)Get(input, "arrival", i)).ToArray());
        Assert.NotEqual(witness.OutputCommitment, commitment);
        Set(input, "outputCommitment", commitment.ToBigInteger());
        await AssertRefusedAsync("fcfs", input);
    }

    [Theory]
    [MemberData(nameof(SortingPolicies))]
    public async Task A_dropped_entry_is_refused(string policy)
    {
        // Entry at output position 1 is left out; the order stays sorted, one place short, and the last
        // place repeats nothing that was logged.
        var input = CircuitInputs.From(Batches.Witness(policy));
        var b = OutputCommitment.IndexBits(4);
        for (var i = 1; i < 3; i++)
        {
            Set(input, "ordered", i, Get(input, "ordered", i + 1));
        }

        Set(input, "ordered", 3, Get(input, "ordered", 2) + (BigInteger.One << b));
        Recommit(input, policy);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(SortingPolicies))]
    public async Task An_injected_entry_is_refused(string policy)
    {
        // Position 0's composite moves down by one: a (key, log index) pair the log does not hold.
        var input = CircuitInputs.From(Batches.Witness(policy));
        Set(input, "ordered", 0, Get(input, "ordered", 0) - 1);
        Recommit(input, policy);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(SortingPolicies))]
    public async Task A_duplicated_entry_is_refused(string policy)
    {
        var input = CircuitInputs.From(Batches.Witness(policy));
        Set(input, "ordered", 1, Get(input, "ordered", 0));
        Recommit(input, policy);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_wrong_previous_head_is_refused(string policy)
    {
        var input = CircuitInputs.From(Batches.Witness(policy));
        Set(input, "prevHead", Get(input, "prevHead") + 1);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_wrong_new_head_is_refused_even_with_a_commitment_that_matches_it(string policy)
    {
        var input = CircuitInputs.From(Batches.Witness(policy));
        Set(input, "newHead", Get(input, "newHead") + 1);
        Recommit(input, policy);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_fee_split_aliased_modulo_p_is_refused(string policy)
    {
        // fee + 1 and arrival − 2^64 (mod p) pack to the same feeArrival, so the log chain still holds;
        // the arrival range check must catch it.
        var input = CircuitInputs.From(Batches.Witness(policy));
        Set(input, "fee", 3, Get(input, "fee", 3) + 1);
        Set(input, "arrival", 3, Get(input, "arrival", 3) - (BigInteger.One << 64));
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_fee_past_64_bits_is_refused_even_when_the_leaf_is_unchanged(string policy)
    {
        var input = CircuitInputs.From(Batches.Witness(policy));
        Set(input, "fee", 2, Get(input, "fee", 2) + (BigInteger.One << 64));
        Set(input, "arrival", 2, Get(input, "arrival", 2) - (BigInteger.One << 128));
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_first_arrival_past_48_bits_is_refused(string policy)
    {
        // Every arrival moves up by 2^48, so the gaps stay as they were, and the
        // fees absorb the difference so every leaf is unchanged.
        var input = CircuitInputs.From(Batches.Witness(policy));
        var shift = BigInteger.One << 48;
        var feeShift = BigInteger.ModPow(BigInteger.One << 64, P - 2, P) * (P - shift) % P;
        for (var i = 0; i < 4; i++)
        {
            Set(input, "arrival", i, Get(input, "arrival", i) + shift);
            Set(input, "fee", i, Get(input, "fee", i) + feeShift);
        }

        Recommit(input, policy);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_decreasing_arrival_is_refused_even_with_a_log_chain_that_matches_it(string policy)
    {
        // The sequencer logged entry 2 one millisecond before entry 1: the chain is rebuilt over the
        // dishonest leaves, so only the arrival check stands between it and a proof.
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        Set(input, "arrival", 2, Get(input, "arrival", 1) - 1);
        var head = witness.PrevHead;
        for (var i = 0; i < 4; i++)
        {
            var feeArrival = (Get(input, "fee", i) << 64) + Get(input, "arrival", i);
            head = ReceiptChain.Step(head, new LeafFields(
                Fr.FromBigInteger(Get(input, "txId", i)), Fr.FromBigInteger(Get(input, "senderNonce", i)), Fr.FromBigInteger(feeArrival)));
        }

        Set(input, "newHead", head.ToBigInteger());
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_count_that_disagrees_with_the_selector_is_refused(string policy)
    {
        var input = CircuitInputs.From(Batches.Witness(policy));
        Set(input, "count", 3);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(SortingPolicies))]
    public async Task An_entry_hidden_in_padding_cannot_take_a_place_in_the_output(string policy)
    {
        // A batch of three, and in the padding slot a fourth transaction the log never got (the highest
        // fee, the express lane's): the claimed order puts it among the batch, consistently committed.
        var full = CircuitInputs.From(Batches.Witness(policy));
        var input = CircuitInputs.From(Batches.Witness(policy, count: 3));
        foreach (var column in new[] { "txId", "senderNonce", "fee", "arrival" })
        {
            Set(input, column, 3, Get(full, column, 3));
        }

        var b = OutputCommitment.IndexBits(4);
        var composites = new List<BigInteger>();
        for (var i = 0; i < 3; i++)
        {
            composites.Add(Get(input, "ordered", i));
        }

        composites.Add(Get(full, "ordered", Enumerable.Range(0, 4).Single(i => (Get(full, "ordered", i) & ((BigInteger.One << b) - 1)) == 3)));
        composites.Sort();
        for (var i = 0; i < 4; i++)
        {
            Set(input, "ordered", i, composites[i]);
        }

        Recommit(input, policy);
        await AssertRefusedAsync(policy, input);
    }

    private async Task AssertRefusedAsync(string policy, JsonObject input) =>
        await Assert.ThrowsAsync<UnsatisfiedConstraintsException>(() => _fixture.WitnessAsync(policy, 4, input));
}
