using FsCheck;
using FsCheck.Fluent;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;

namespace Prover.Proving.Tests.Ordering;

/// <summary>
/// Differential: for random batches the circuit recomputes exactly the public signals the C# side
/// computed (domain, newHead, outputCommitment, the header, the posted list's digest and multiset), or
/// the witness would not exist. Shuffle batches are drawn with a random beacon each.
/// </summary>
[Collection(OrderingCircuitsCollection.Name)]
public sealed class RandomBatchTests
{
    private static readonly ulong[] Fees = [0, 1, 2, 2, 7, 1_000_000_000, 1_000_000_000, ulong.MaxValue];
    private static readonly ulong[] Gaps = [0, 0, 1, 50, 199, 200, 201, 4_095];

    private readonly OrderingCircuitsFixture _fixture;

    public RandomBatchTests(OrderingCircuitsFixture fixture) => _fixture = fixture;

    public static TheoryData<string> Policies => [.. OrderingCircuitsFixture.Policies];

    private static Gen<OrderingWitness> Batch(string policy) =>
        from earlier in Gen.Choose(0, 3)
        from count in Gen.Choose(1, 8)
        from rows in Gen.ArrayOf(
            from sender in Gen.Choose(0, Batches.Senders.Length - 1)
            from fee in Gen.Elements(Fees)
            from gap in Gen.Elements(Gaps)
            from salt in Gen.Choose(0, int.MaxValue)
            select (sender, fee, gap, salt), earlier + count)
        from draw in Gen.Choose(0, int.MaxValue)
        select Build(policy, earlier, rows, beacon: BeaconOf(draw));

    private static Gen<OrderingWitness> FullBatch(string policy, int capacity) =>
        from rows in Gen.ArrayOf(
            from sender in Gen.Choose(0, Batches.Senders.Length - 1)
            from fee in Gen.Elements(Fees)
            from gap in Gen.Elements(Gaps)
            from salt in Gen.Choose(0, int.MaxValue)
            select (sender, fee, gap, salt), capacity + 1)
        select Build(policy, 1, rows, capacity);

    private static OrderingWitness Build(string policy, int earlier, (int Sender, ulong Fee, ulong Gap, int Salt)[] rows, int capacity = 8, Fr? beacon = null)
    {
        // The gap before the batch's first entry is drawn like any other, so the batch continues from the
        // previous one's last arrival at the same millisecond or later.
        var log = new List<LogEntry>();
        var arrival = 1_764_300_000_000UL;
        for (var i = 0; i < rows.Length; i++)
        {
            arrival += rows[i].Gap;
            log.Add(Batches.Entry((ulong)i, arrival, Batches.Senders[rows[i].Sender], rows[i].Fee, (ulong)i, (ulong)rows[i].Salt));
        }

        return Batches.WitnessOf(log, earlier, Batches.Policy(policy), capacity, beacon);
    }

    /// <summary>A shuffle beacon as the inbox draws one: the top 93 bits of a (stand-in) block hash.</summary>
    private static Fr BeaconOf(int draw)
    {
        Span<byte> seed = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(seed, draw);
        return BatchHeader.BeaconOf(Keccak256.Hash(seed));
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Random_batches_satisfy_the_circuit_with_the_public_signals_the_csharp_side_computed(string policy)
    {
        // Few cases per policy: each is a witness computation in node (about a second).
        foreach (var witness in Batch(policy).Sample(8, 6))
        {
            try
            {
                var wtns = await _fixture.WitnessAsync(policy, 8, CircuitInputs.From(witness));
                var exported = await _fixture.Backend.ExportWitnessAsync(wtns, CancellationToken.None);
                Assert.Equal(CircuitInputs.PublicSignals(witness), exported.Skip(1).Take(CircuitInputs.PublicSignalNames.Count));
            }
            catch (Exception e) when (e is UnsatisfiedConstraintsException or Xunit.Sdk.XunitException)
            {
                // The sample is random: keep the counterexample.
                throw new Xunit.Sdk.XunitException($"{e.Message}\nfor the witness\n{witness.ToJson()}");
            }
        }
    }

    [Theory]
    [InlineData("priority-fee")]
    [InlineData("timeboost")]
    public async Task A_full_random_batch_of_64_satisfies_the_circuit_whose_commitment_spans_sponge_calls(string policy)
    {
        // At 64 slots the order's steps fill 15 (timeboost, 56 bits each) or 18 (priority-fee, 70 bits)
        // sponge elements: exactly one full call, or a second call on the running value.
        var circuit = await _fixture.CompileAsync(policy, 64);
        var witness = FullBatch(policy, 64).Sample(1, 1).First();
        var wtns = await _fixture.WitnessAsync(circuit, CircuitInputs.From(witness));
        var exported = await _fixture.Backend.ExportWitnessAsync(wtns, CancellationToken.None);
        Assert.Equal(CircuitInputs.PublicSignals(witness), exported.Skip(1).Take(CircuitInputs.PublicSignalNames.Count));
    }
}
