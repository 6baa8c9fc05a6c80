using System.Numerics;
using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Ordering;
using static Prover.Proving.Tests.Ordering.Inputs;

namespace Prover.Proving.Tests.Ordering;

/// <summary>
/// Adversarial tests for what binds a proof to what the inbox finalizes (docs/circuits.md, "What a proof
/// establishes" 1, 3, 4, 6 and 8): the posted list, the domain's policy id, the header word, padding and
/// the shuffle's beacon. Each forged input keeps every other constraint satisfied (its commitment
/// recomputed, its public values the ones the inbox would compute for the call), so the constraint named
/// in the test is the only one that can refuse it; docs/circuits.md lists which constraint each targets.
/// </summary>
[Collection(OrderingCircuitsCollection.Name)]
public sealed class StatementBindingTests
{
    private readonly OrderingCircuitsFixture _fixture;

    public StatementBindingTests(OrderingCircuitsFixture fixture) => _fixture = fixture;

    public static TheoryData<string> Policies => [.. OrderingCircuitsFixture.Policies];

    public static TheoryData<string> SortingPolicies => ["priority-fee", "timeboost", "shuffle"];

    public static TheoryData<string> UnshuffledPolicies => ["fcfs", "priority-fee", "timeboost"];

    public static TheoryData<string, string> PoliciesAndListTampering()
    {
        var data = new TheoryData<string, string>();
        foreach (var policy in OrderingCircuitsFixture.Policies)
        {
            foreach (var tamper in new[] { "swapped", "replaced", "duplicated" })
            {
                data.Add(policy, tamper);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void The_inbox_statement_of_the_honest_call_is_the_witness_statement(string policy)
    {
        // Post is how every test below builds its public values: for the honest call it must give exactly
        // the signals the honest witness has.
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        var honest = Copy(input);
        Assert.Equal(BatchStatement.Of(witness), Post(input, witness));
        Assert.Equal(honest.ToJsonString(), input.ToJsonString());
    }

    // ---- The posted list (item 8, ListBinding / ListBindingInLogOrder) ----

    [Theory]
    [MemberData(nameof(PoliciesAndListTampering))]
    public async Task A_posted_list_that_is_not_the_proven_order_is_refused(string policy, string tamper)
    {
        // The honest proof's private inputs, and the public values the inbox computes from a call that
        // posts another list: a sandwich (two hashes swapped), a hash swapped for the sequencer's own,
        // one transaction posted twice.
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        var list = witness.OrderedTxHashes.ToArray();
        switch (tamper)
        {
            case "swapped": (list[1], list[2]) = (list[2], list[1]); break;
            case "replaced": list[1] = Batches.Entry(99, 0, Batches.Express, 0, 0, salt: 7).Tx.Hash; break;
            case "duplicated": list[2] = list[1]; break;
            default: throw new ArgumentException(tamper);
        }

        Post(input, witness, list);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(SortingPolicies))]
    public async Task Positions_moved_to_match_a_swapped_list_are_refused_by_the_pairing(string policy)
    {
        // The prover swaps the positions of the entries at outputs 1 and 2, commits to them, and posts the
        // list in that order: the digest and multiset then match the posted list, the order still sorts,
        // and only the pairing of (composite, position) with (ordered, index) can see that the positions
        // are not the order's.
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        int a = witness.Permutation[1], b = witness.Permutation[2];
        Swap(input, "position", a, b);
        Recommit(input, policy);
        var list = witness.OrderedTxHashes.ToArray();
        (list[1], list[2]) = (list[2], list[1]);
        var posted = Post(input, witness, list);

        Assert.Equal((posted.ListDigest.ToBigInteger(), posted.ListMultiset.ToBigInteger()), ListValuesOf(input));
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(SortingPolicies))]
    public async Task A_repeated_position_is_refused_by_the_pairing_even_with_list_values_that_match_it(string policy)
    {
        // Two log slots claim output 0 and none claims output 1: not a permutation. The list values are
        // set to what the circuit computes from these positions, so the binding holds and only the
        // pairing can refuse it.
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        Set(input, "position", witness.Permutation[1], 0);
        Recommit(input, policy);
        Post(input, witness);
        var (digest, multiset) = ListValuesOf(input);
        Set(input, "listDigest", digest);
        Set(input, "listMultiset", multiset);
        await AssertRefusedAsync(policy, input);
    }

    // ---- Padding (item 4, LogSegment's padding txIds and ArrivalOrder's padding gaps) ----

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Padding_txIds_solved_to_match_a_tampered_list_are_refused(string policy)
    {
        // A batch of two at capacity 4 and a posted list with its second hash replaced. The challenge
        // depends on the statement and the posted list, not on padding txIds, so a prover could solve for
        // the two padding txIds that make both the digest and the multiset come out as the posted list's.
        // Only the rule that padding carries txId 0 stands in the way.
        var witness = Batches.Witness(policy, count: 2);
        for (ulong salt = 1; ; salt++)
        {
            var input = CircuitInputs.From(witness);
            Hash32[] list = [witness.OrderedTxHashes[0], Batches.Entry(99, 0, Batches.Express, 0, 0, salt).Tx.Hash];
            var posted = Post(input, witness, list);
            if (SolvePaddingTxIds(posted, witness) is not { } solution)
            {
                continue;
            }

            var (t2, t3) = solution;
            Set(input, "txId", 2, t2);
            Set(input, "txId", 3, t3);
            Assert.Equal((posted.ListDigest.ToBigInteger(), posted.ListMultiset.ToBigInteger()), ListValuesOf(input));
            await AssertRefusedAsync(policy, input);
            return;
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_padding_arrival_later_than_the_last_entry_is_refused_even_with_a_matching_header(string policy)
    {
        // A batch of three at capacity 4 whose padding slot arrives 5 ms after the last entry: a second
        // commitment for the same batch, and a later last arrival for the inbox to store. The commitment
        // and the header are made to match it; only the padding gap rule refuses it.
        var witness = Batches.Witness(policy, count: 3);
        var input = CircuitInputs.From(witness);
        var later = witness.Entries[^1].ArrivalMs + 5;
        Set(input, "arrival", 3, later);
        Recommit(input, policy);
        Post(input, witness, lastArrivalMs: later);
        await AssertRefusedAsync(policy, input);
    }

    // ---- The domain (item 1, PolicyDomain) ----

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_domain_that_names_another_policy_id_is_refused(string policy)
    {
        // The same chain, inbox and parameters under each other policy id (and ids no policy has): the
        // circuit's own policy id is a constant, so no private input can produce these domains.
        var witness = Batches.Witness(policy);
        var paramsCommitment = Domain.ParamsCommitment(Batches.Policy(policy));
        foreach (var id in new[] { 0, 1, 2, 3, 4, 5 }.Where(id => id != witness.Policy.NumericId))
        {
            var input = CircuitInputs.From(witness);
            Set(input, "domain", Domain.Compute(Batches.ChainId, Batches.Inbox, id, paramsCommitment, witness.Capacity).ToBigInteger());
            Post(input, witness);
            await AssertRefusedAsync(policy, input);
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task No_circuit_proves_a_batch_for_an_inbox_deployed_under_another_policy(string policy)
    {
        // An inbox deployed with this policy's verifier but under another policy's domain (that policy's
        // id and parameters): every batch is refused, honest ones included.
        var witness = Batches.Witness(policy);
        foreach (var other in OrderingCircuitsFixture.Policies.Where(p => p != policy))
        {
            var input = CircuitInputs.From(witness);
            Set(input, "domain", Domain.Compute(Batches.ChainId, Batches.Inbox, Batches.Policy(other), witness.Capacity).ToBigInteger());
            Post(input, witness);
            await AssertRefusedAsync(policy, input);
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_domain_that_names_another_capacity_is_refused(string policy)
    {
        // An inbox deployed with this capacity-4 circuit's verifier under the domain of another capacity:
        // the capacity is a constant of the circuit too, so every batch is refused.
        var witness = Batches.Witness(policy);
        foreach (var capacity in new[] { 1, 8, 64 })
        {
            var input = CircuitInputs.From(witness);
            Set(input, "domain", Domain.Compute(Batches.ChainId, Batches.Inbox, Batches.Policy(policy), capacity).ToBigInteger());
            Post(input, witness);
            await AssertRefusedAsync(policy, input);
        }
    }

    // ---- The header (item 3 and the header word, BatchHeader) ----

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_first_arrival_before_the_previous_batchs_last_is_refused(string policy)
    {
        // The inbox stored a last arrival 1 ms after this batch's first: arrivals would go backwards
        // across batches. The header carries the stored value, so everything else agrees.
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        var stored = witness.Entries[0].ArrivalMs + 1;
        Set(input, "prevLastArrival", stored);
        Post(input, witness, prevLastArrivalMs: stored);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_first_arrival_equal_to_the_previous_batchs_last_is_accepted(string policy)
    {
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        var stored = witness.Entries[0].ArrivalMs;
        Set(input, "prevLastArrival", stored);
        Post(input, witness, prevLastArrivalMs: stored);
        await _fixture.WitnessAsync(policy, 4, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_previous_arrival_other_than_the_headers_is_refused(string policy)
    {
        // The inbox's header says the previous batch ended at its stored value; the prover claims an
        // earlier one, which would also be a valid continuation.
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        Set(input, "prevLastArrival", witness.PrevLastArrivalMs - 1);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_header_with_a_last_arrival_other_than_the_batchs_is_refused(string policy)
    {
        // The call claims a later last arrival, which the inbox would store as the next batch's bound.
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        Post(input, witness, lastArrivalMs: witness.Entries[^1].ArrivalMs + 1);
        await AssertRefusedAsync(policy, input);
    }

    [Theory]
    [MemberData(nameof(UnshuffledPolicies))]
    public async Task A_beacon_in_the_header_of_a_policy_that_draws_none_is_refused(string policy)
    {
        var witness = Batches.Witness(policy);
        var input = CircuitInputs.From(witness);
        Post(input, witness, beacon: Batches.Beacon);
        await AssertRefusedAsync(policy, input);
    }

    // ---- The shuffle's beacon (item 5, ShuffleOrdering's seed and BatchHeader's beacon) ----

    [Fact]
    public async Task A_shuffle_ordered_with_a_beacon_other_than_the_inboxs_is_refused()
    {
        // Everything is the honest proof of the batch drawn with the prover's own beacon, but the inbox's
        // header carries the beacon it drew.
        var own = BatchHeader.BeaconOf(Batches.Entry(1, 0, Batches.Express, 0, 0, salt: 1).Tx.Hash);
        var witness = Batches.Witness("shuffle", beacon: own);
        var input = CircuitInputs.From(witness);
        Post(input, witness, beacon: Batches.Beacon);
        await AssertRefusedAsync("shuffle", input);
    }

    [Fact]
    public async Task A_shuffle_order_of_another_beacon_seeded_with_the_inboxs_is_refused()
    {
        // The private beacon is the inbox's, so the header holds; the order, positions and commitment are
        // those another beacon gives (the list posted in that order). The keys the circuit draws from the
        // inbox's beacon do not pair with that order.
        var own = BatchHeader.BeaconOf(Batches.Entry(1, 0, Batches.Express, 0, 0, salt: 1).Tx.Hash);
        var witness = Batches.Witness("shuffle", beacon: own);
        Assert.NotEqual(Batches.Witness("shuffle").Permutation, witness.Permutation);
        var input = CircuitInputs.From(witness);
        Set(input, "beacon", Batches.Beacon.ToBigInteger());
        Post(input, witness, beacon: Batches.Beacon);
        await AssertRefusedAsync("shuffle", input);
    }

    [Fact]
    public async Task A_shuffle_header_split_into_another_previous_arrival_and_beacon_is_refused()
    {
        // The inbox's header word, read with a previous arrival 1 ms earlier and a beacon 2^-128 larger:
        // the same word, a valid continuation, and another seed, so the prover could choose among seeds
        // by choosing how to read the header. The whole order is that seed's; only the beacon's 93-bit
        // range check refuses it.
        var witness = Batches.Witness("shuffle");
        var shuffle = ShufflePolicy.Instance;
        var prev = witness.PrevLastArrivalMs - 1;
        var beacon = Batches.Beacon + Fr.FromBigInteger(BigInteger.ModPow(BigInteger.Pow(2, 128), P - 2, P));
        var inboxHeader = BatchHeader.Pack(witness.Count, witness.PrevLastArrivalMs, witness.Entries[^1].ArrivalMs, Batches.Beacon);
        var split = Fr.FromUInt64((ulong)witness.Count) + (Fr.FromUInt64(prev) * Fr.FromBigInteger(BigInteger.Pow(2, 32)))
            + (Fr.FromUInt64(witness.Entries[^1].ArrivalMs) * Fr.FromBigInteger(BigInteger.Pow(2, 96))) + (beacon * Fr.FromBigInteger(BigInteger.Pow(2, 160)));
        Assert.Equal(inboxHeader, split);

        var order = shuffle.Order([.. witness.Entries.Select(e => e.Item)], witness.NewHead, beacon);
        var composites = OutputCommitment.OrderedComposites(shuffle, order.Keys, order.Permutation, witness.Capacity);
        var positions = OutputCommitment.Positions(order.Permutation, witness.Capacity);
        var input = CircuitInputs.From(witness);
        Set(input, "prevLastArrival", prev);
        Set(input, "beacon", beacon.ToBigInteger());
        for (var j = 0; j < witness.Capacity; j++)
        {
            Set(input, "ordered", j, composites[j]);
            Set(input, "position", j, positions[j]);
        }

        Recommit(input, "shuffle");
        Post(input, witness, [.. order.Permutation.Select(i => witness.Entries[i].TxHash)]);
        Assert.Equal(inboxHeader.ToBigInteger(), Get(input, "header"));
        await AssertRefusedAsync("shuffle", input);
    }

    /// <summary>
    /// The txIds of padding slots 2 and 3 (positions 2 and 3) that make the circuit's digest and multiset
    /// those of <paramref name="posted"/>, or null when the quadratic they solve has no root in the field.
    /// </summary>
    /// <remarks>
    /// With <c>u = γ − t2</c>, <c>v = γ − t3</c> and the batch's own two entries fixed: the digest needs
    /// <c>t2·γ² + t3·γ³ = Δ</c>, i.e. <c>u + γ·v = S = (γ³ + γ⁴ − Δ)/γ²</c>, and the multiset
    /// <c>u·v = K</c>, so <c>γ·v² − S·v + K = 0</c>.
    /// </remarks>
    private static (BigInteger, BigInteger)? SolvePaddingTxIds(BatchStatement posted, OrderingWitness witness)
    {
        var g = posted.ListChallenge.ToBigInteger();
        var honest = witness.OrderedTxHashes;
        var delta = Sub(posted.ListDigest.ToBigInteger(), PostedList.Digest(honest, posted.ListChallenge).ToBigInteger());
        var entries = honest.Aggregate(BigInteger.One, (acc, h) => acc * Sub(g, CircuitEncodingTxId(h)) % P);
        var k = posted.ListMultiset.ToBigInteger() * Inverse(entries) % P;
        var g2 = g * g % P;
        var s = Sub((g2 * g % P) + (g2 * g2 % P), delta) * Inverse(g2) % P;
        var discriminant = Sub(s * s % P, 4 * g % P * k % P);
        if (SquareRoot(discriminant) is not { } root)
        {
            return null;
        }

        var v = (s + root) * Inverse(2 * g % P) % P;
        var u = Sub(s, g * v % P);
        return (Sub(g, u), Sub(g, v));
    }

    private static BigInteger CircuitEncodingTxId(Hash32 hash) => Prover.Core.Log.CircuitEncoding.TxId(hash).ToBigInteger();

    private static BigInteger Sub(BigInteger a, BigInteger b) => ((a - b) % P + P) % P;

    private static BigInteger Inverse(BigInteger a) => BigInteger.ModPow(a, P - 2, P);

    /// <summary>A square root modulo p by Tonelli–Shanks, or null for a non-residue.</summary>
    private static BigInteger? SquareRoot(BigInteger a)
    {
        if (a.IsZero)
        {
            return BigInteger.Zero;
        }

        if (BigInteger.ModPow(a, (P - 1) / 2, P) != BigInteger.One)
        {
            return null;
        }

        var q = P - 1;
        var s = 0;
        while (q.IsEven)
        {
            q >>= 1;
            s++;
        }

        var z = new BigInteger(2);
        while (BigInteger.ModPow(z, (P - 1) / 2, P) == BigInteger.One)
        {
            z++;
        }

        var m = s;
        var c = BigInteger.ModPow(z, q, P);
        var t = BigInteger.ModPow(a, q, P);
        var r = BigInteger.ModPow(a, (q + 1) / 2, P);
        while (t != BigInteger.One)
        {
            var i = 0;
            for (var t2 = t; t2 != BigInteger.One; t2 = t2 * t2 % P)
            {
                i++;
            }

            var b = BigInteger.ModPow(c, BigInteger.Pow(2, m - i - 1), P);
            m = i;
            c = b * b % P;
            t = t * c % P;
            r = r * b % P;
        }

        return r;
    }

    private async Task AssertRefusedAsync(string policy, JsonObject input) =>
        await Assert.ThrowsAsync<UnsatisfiedConstraintsException>(() => _fixture.WitnessAsync(policy, 4, input));
}
