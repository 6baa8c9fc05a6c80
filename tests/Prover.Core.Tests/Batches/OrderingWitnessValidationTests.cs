using FsCheck.Xunit;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Field;
using Prover.Core.Ordering;
using Prover.Core.Tests.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

public class OrderingWitnessValidationTests
{
    private static readonly OrderingWitness Good = HandMadeWitness.Build();

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

    // ---- The tests below build real batches, so they hash with Poseidon. ----

    [Property(Arbitrary = [typeof(SegmentArbitraries)], MaxTest = 50)]
    public void Witness_of_a_built_batch_validates_for_every_policy(Segment segment, TimeboostPolicy timeboost, Fr prevHead, Fr beacon)
    {
        if (segment.Entries.Length == 0)
        {
            return;
        }

        foreach (var policy in new OrderingPolicy[] { FcfsPolicy.Instance, PriorityFeePolicy.Instance, timeboost, new ShufflePolicy(beacon) })
        {
            var witness = OrderingWitness.FromBatch(BatchBuilder.Build(1, prevHead, segment.Entries, policy, 42161, Inbox));
            Assert.Null(witness.Validate());
            var back = OrderingWitness.FromJson(witness.ToJson());
            Assert.Equal(witness.ToJson(), back.ToJson());
            Assert.Null(back.Validate());
        }
    }

    [Fact]
    public void Witness_of_a_built_batch_records_the_batch()
    {
        var policy = new ShufflePolicy(Fr.FromUInt64(99));
        var batch = BatchBuilder.Build(5, Fr.FromUInt64(1), HandMadeWitness.Segment(), policy, 42161, Inbox);
        var w = OrderingWitness.FromBatch(batch);
        Assert.Equal(batch.Heads, w.Entries.Select(e => e.Head));
        Assert.Equal(batch.Permutation, w.Permutation);
        Assert.Equal(batch.Ordered.Select(e => e.Tx.Hash), w.OrderedTxHashes);
        Assert.Equal(batch.Keys.Select(k => k.ToField()), w.SortKeys);
        Assert.Equal(batch.ShuffleSeed, w.ShuffleSeed);
        Assert.Equal((batch.Domain, batch.OutputCommitment, batch.NewHead), (w.Domain, w.OutputCommitment, w.NewHead));
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
    };

    [Theory]
    [MemberData(nameof(HashedTampering))]
    public void Validate_reports_a_tampered_hash(string tamper, string pointer)
    {
        var policy = tamper.StartsWith("shuffle", StringComparison.Ordinal) ? new ShufflePolicy(Fr.FromUInt64(7)) : (OrderingPolicy)FcfsPolicy.Instance;
        var w = OrderingWitness.FromBatch(BatchBuilder.Build(0, Fr.FromUInt64(1), HandMadeWitness.Segment(), policy, 42161, Inbox));
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
