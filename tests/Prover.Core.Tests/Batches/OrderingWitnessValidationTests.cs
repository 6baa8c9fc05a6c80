using System.Numerics;
using FsCheck.Xunit;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Ordering;
using Prover.Core.Tests.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

public class OrderingWitnessValidationTests
{
    private static readonly OrderingWitness Good = HandMadeWitness.Build();

    /// <summary>Where a hand-made witness fails once it passes every hash-free check: its made-up parameter commitment.</summary>
    private const string FirstHashedPointer = "/policy/paramsCommitment";

    public static TheoryData<string, string> HashFreeTampering => new()
    {
        { "version 1", "/version" },
        { "policy spec unknown", "/policy/spec" },
        { "policy id", "/policy/id" },
        { "policy numeric id", "/policy/numericId" },
        { "policy delay parameter", "/policy/parameters/1" },
        { "policy parameter dropped", "/policy/parameters" },
        { "no entries", "/entries" },
        { "count", "/count" },
        { "seq gap", "/entries/1/seq" },
        { "arrival regression", "/entries/1/arrivalMs" },
        { "txId", "/entries/2/txId" },
        { "senderNonce", "/entries/0/senderNonce" },
        { "feeArrival", "/entries/3/feeArrival" },
        { "fee without feeArrival", "/entries/3/feeArrival" },
        { "permutation too short", "/permutation" },
        { "permutation out of range", "/permutation/0" },
        { "permutation repeats", "/permutation/1" },
        { "ordered hash", "/orderedTxHashes/2" },
        { "sort key", "/sortKeys/3" },
        { "sort keys too few", "/sortKeys" },
        { "seed without shuffle", "/shuffleSeed" },
        { "swapped order, stale hashes", "/orderedTxHashes/0" },
        { "swapped order and hashes", "/permutation/1" },
        { "first arrival before the previous batch's last", "/entries/0/arrivalMs" },
        { "previous batch's last arrival past 49 bits", "/prevLastArrivalMs" },
        { "beacon on a non-shuffle policy", "/beacon" },
    };

    [Theory]
    [MemberData(nameof(HashFreeTampering))]
    public void Validate_reports_a_tampered_witness_before_any_hashing(string tamper, string pointer)
    {
        var w = Tamper(Good, tamper);
        var problem = w.Validate();
        Assert.NotNull(problem);
        Assert.Equal(pointer, problem.Pointer);
        Assert.Equal(pointer, Assert.Throws<InvalidWitnessException>(w.EnsureValid).Problem.Pointer);
    }

    [Fact]
    public void The_previous_batchs_last_arrival_may_equal_the_first_arrival_and_fill_49_bits()
    {
        // The boundaries themselves pass the hash-free checks (a hand-made witness then fails at its
        // made-up parameter commitment, the first hashed check): equal arrivals across batches, and a
        // previous arrival of 2^49 − 1, which then fails only at the first arrival, as it must.
        Assert.Equal(FirstHashedPointer, (Good with { PrevLastArrivalMs = Good.Entries[0].ArrivalMs }).Validate()?.Pointer);
        var wide = Good with { PrevLastArrivalMs = (1UL << 49) - 1 };
        Assert.Equal("/entries/0/arrivalMs", wide.Validate()?.Pointer);
        Assert.Contains("before the previous batch's last arrival", wide.Validate()!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_beacon_past_93_bits_is_refused_before_any_hashing()
    {
        var w = HandMadeWitness.Undrawn() with { Beacon = Fr.FromBigInteger(BigInteger.One << 93) };
        var problem = w.Validate();
        Assert.Equal("/beacon", problem?.Pointer);
        Assert.Contains("93 bits", problem!.Message, StringComparison.Ordinal);

        // 2^93 − 1 fits: the witness is then drawn, and fails for its missing order instead.
        Assert.Equal("/permutation", (HandMadeWitness.Undrawn() with { Beacon = Fr.FromBigInteger((BigInteger.One << 93) - 1) }).Validate()?.Pointer);
    }

    public static TheoryData<string> OrderParts => ["permutation", "orderedTxHashes", "sortKeys", "shuffleSeed", "outputCommitment"];

    [Theory]
    [MemberData(nameof(OrderParts))]
    public void An_undrawn_shuffle_witness_that_carries_a_part_of_an_order_is_refused(string part)
    {
        var drawn = HandMadeWitness.Build(ShufflePolicy.Instance, Fr.FromUInt64(5));
        var w = HandMadeWitness.Undrawn();
        w = part switch
        {
            "permutation" => w with { Permutation = drawn.Permutation },
            "orderedTxHashes" => w with { OrderedTxHashes = drawn.OrderedTxHashes },
            "sortKeys" => w with { SortKeys = drawn.SortKeys },
            "shuffleSeed" => w with { ShuffleSeed = drawn.ShuffleSeed },
            "outputCommitment" => w with { OutputCommitment = drawn.OutputCommitment },
            _ => throw new ArgumentException(part),
        };
        var problem = w.Validate();
        Assert.Equal("/beacon", problem?.Pointer);
        Assert.Contains("no order before its beacon is drawn", problem!.Message, StringComparison.Ordinal);
    }

    // ---- The tests below build real batches, so they hash with Poseidon. ----

    [Property(Arbitrary = [typeof(SegmentArbitraries)], MaxTest = 50)]
    public void Witness_of_a_built_batch_validates_for_every_policy(Segment segment, TimeboostPolicy timeboost, Fr prevHead, Fr beacon)
    {
        if (segment.Entries.Length == 0)
        {
            return;
        }

        // The previous batch ended at or before this one's first arrival.
        var prevLastArrival = segment.Entries[0].ArrivalMs / 2;
        foreach (var policy in new OrderingPolicy[] { FcfsPolicy.Instance, PriorityFeePolicy.Instance, timeboost, ShufflePolicy.Instance })
        {
            var drawn = policy.NeedsBeacon ? beacon : (Fr?)null;
            var witness = OrderingWitness.FromBatch(BatchBuilder.Build(1, prevHead, segment.Entries, policy, 42161, Inbox, null, prevLastArrival, drawn));
            Assert.True(witness.IsOrdered);
            Assert.Null(witness.Validate());
            var back = OrderingWitness.FromJson(witness.ToJson());
            Assert.Equal(witness.ToJson(), back.ToJson());
            Assert.Null(back.Validate());
        }

        var undrawn = OrderingWitness.FromBatch(BatchBuilder.Build(1, prevHead, segment.Entries, ShufflePolicy.Instance, 42161, Inbox, null, prevLastArrival));
        Assert.False(undrawn.IsOrdered);
        Assert.Null(undrawn.Validate());
        Assert.Null(OrderingWitness.FromJson(undrawn.ToJson()).Validate());
    }

    [Fact]
    public void Witness_of_a_built_batch_records_the_batch()
    {
        var policy = ShufflePolicy.Instance;
        var batch = BatchBuilder.Build(5, Fr.FromUInt64(1), HandMadeWitness.Segment(), policy, 42161, Inbox, 8, 990, Fr.FromUInt64(99));
        var w = OrderingWitness.FromBatch(batch);
        Assert.Equal(batch.Heads, w.Entries.Select(e => e.Head));
        Assert.Equal(batch.Permutation, w.Permutation);
        Assert.Equal(batch.Ordered.Select(e => e.Tx.Hash), w.OrderedTxHashes);
        Assert.Equal(batch.Keys.Select(k => k.ToField()), w.SortKeys);
        Assert.Equal(batch.ShuffleSeed, w.ShuffleSeed);
        Assert.Equal((batch.Domain, batch.OutputCommitment, batch.NewHead), (w.Domain, w.OutputCommitment, w.NewHead));
        Assert.Equal((8, 990UL, Fr.FromUInt64(99)), (w.Capacity, w.PrevLastArrivalMs, w.Beacon));
        Assert.Equal(Domain.ParamsCommitment(policy), w.Policy.ParamsCommitment);
    }

    public static TheoryData<string, string> HashedTampering => new()
    {
        { "paramsCommitment", "/policy/paramsCommitment" },
        { "domain", "/domain" },
        { "chainId", "/domain" },
        { "prevHead", "/entries/0/head" },
        { "head", "/entries/2/head" },
        { "newHead", "/newHead" },
        { "outputCommitment", "/outputCommitment" },
        { "shuffleSeed", "/shuffleSeed" },
        { "shuffle key", "/sortKeys/1" },
        { "shuffle beacon", "/shuffleSeed" },
    };

    [Theory]
    [MemberData(nameof(HashedTampering))]
    public void Validate_reports_a_tampered_hash(string tamper, string pointer)
    {
        var shuffle = tamper.StartsWith("shuffle", StringComparison.Ordinal);
        var policy = shuffle ? ShufflePolicy.Instance : (OrderingPolicy)FcfsPolicy.Instance;
        var w = OrderingWitness.FromBatch(BatchBuilder.Build(0, Fr.FromUInt64(1), HandMadeWitness.Segment(), policy, 42161, Inbox, beacon: shuffle ? Fr.FromUInt64(7) : null));
        Assert.Null(w.Validate());
        var bad = tamper switch
        {
            "paramsCommitment" => w with { Policy = w.Policy with { ParamsCommitment = Fr.One } },
            "domain" => w with { Domain = w.Domain + Fr.One },
            "chainId" => w with { ChainId = 1 },
            "prevHead" => w with { PrevHead = w.PrevHead + Fr.One },
            "head" => w with { Entries = Replace(w.Entries, 2, w.Entries[2] with { Head = Fr.Zero }) },
            "newHead" => w with { NewHead = w.NewHead + Fr.One },
            "outputCommitment" => w with { OutputCommitment = w.OutputCommitment + Fr.One },
            "shuffleSeed" => w with { ShuffleSeed = w.ShuffleSeed!.Value + Fr.One },
            "shuffle key" => w with { SortKeys = Replace(w.SortKeys, 1, w.SortKeys[1] + Fr.One) },
            // Another beacon: the seed, keys and order the witness holds are for the one it was drawn with.
            "shuffle beacon" => w with { Beacon = Fr.FromUInt64(8) },
            _ => throw new ArgumentException(tamper),
        };
        Assert.Equal(pointer, bad.Validate()?.Pointer);
    }

    private static OrderingWitness Tamper(OrderingWitness w, string tamper)
    {
        var e = w.Entries;
        return tamper switch
        {
            "version 1" => w with { Version = 1 },
            "policy spec unknown" => w with { Policy = w.Policy with { Spec = "fifo" } },
            "policy id" => w with { Policy = w.Policy with { Id = "fcfs" } },
            "policy numeric id" => w with { Policy = w.Policy with { NumericId = 1 } },
            "policy delay parameter" => w with { Policy = w.Policy with { Parameters = [w.Policy.Parameters[0], new("delayMs", "0", Fr.Zero)] } },
            "policy parameter dropped" => w with { Policy = w.Policy with { Parameters = [w.Policy.Parameters[0]] } },
            "no entries" => w with { Entries = [], Count = 0 },
            "count" => w with { Count = 5 },
            "seq gap" => w with { Entries = Replace(e, 1, e[1] with { Seq = e[1].Seq + 1 }) },
            "arrival regression" => w with
            {
                Entries = Replace(e, 1, e[1] with { ArrivalMs = 999, FeeArrival = Prover.Core.Log.CircuitEncoding.FeeArrival(e[1].Fee, 999) }),
            },
            "txId" => w with { Entries = Replace(e, 2, e[2] with { TxId = e[2].TxId + Fr.One }) },
            "senderNonce" => w with { Entries = Replace(e, 0, e[0] with { Nonce = 1 }) },
            "feeArrival" => w with { Entries = Replace(e, 3, e[3] with { FeeArrival = e[3].FeeArrival + Fr.One }) },
            "fee without feeArrival" => w with { Entries = Replace(e, 3, e[3] with { Fee = 1_000 }) },
            "permutation too short" => w with { Permutation = [.. w.Permutation.Take(3)] },
            "permutation out of range" => w with { Permutation = [4, .. w.Permutation.Skip(1)] },
            "permutation repeats" => w with { Permutation = [w.Permutation[0], w.Permutation[0], .. w.Permutation.Skip(2)] },
            "ordered hash" => w with { OrderedTxHashes = Replace(w.OrderedTxHashes, 2, new Hash32(new byte[32])) },
            "sort key" => w with { SortKeys = Replace(w.SortKeys, 3, w.SortKeys[3] + Fr.One) },
            "sort keys too few" => w with { SortKeys = [.. w.SortKeys.Take(3)] },
            "seed without shuffle" => w with { ShuffleSeed = Fr.One },
            "swapped order, stale hashes" => w with { Permutation = Swap(w.Permutation, 0, 1) },
            "swapped order and hashes" => w with
            {
                Permutation = Swap(w.Permutation, 0, 1),
                OrderedTxHashes = Swap(w.OrderedTxHashes, 0, 1),
            },
            "first arrival before the previous batch's last" => w with { PrevLastArrivalMs = e[0].ArrivalMs + 1 },
            "previous batch's last arrival past 49 bits" => w with { PrevLastArrivalMs = 1UL << 49 },
            "beacon on a non-shuffle policy" => w with { Beacon = Fr.One },
            _ => throw new ArgumentException(tamper),
        };
    }

    private static T[] Replace<T>(IReadOnlyList<T> list, int index, T value)
    {
        var copy = list.ToArray();
        copy[index] = value;
        return copy;
    }

    private static T[] Swap<T>(IReadOnlyList<T> list, int a, int b)
    {
        var copy = list.ToArray();
        (copy[a], copy[b]) = (copy[b], copy[a]);
        return copy;
    }
}
