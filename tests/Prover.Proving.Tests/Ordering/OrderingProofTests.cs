using System.Text.Json;
using Prover.Core.Batches;
using Snapshooter;
using Snapshooter.Xunit;

namespace Prover.Proving.Tests.Ordering;

/// <summary>
/// Proofs of the ordering circuits at capacity 4 (one development ceremony of power 13 serves all
/// four), and the golden values CI pins: constraint counts, verification-key hashes and the eight public
/// signals of the fixture batches.
/// </summary>
[Collection(OrderingCircuitsCollection.Name)]
public sealed class OrderingProofTests
{
    private readonly OrderingCircuitsFixture _fixture;

    public OrderingProofTests(OrderingCircuitsFixture fixture) => _fixture = fixture;

    public static TheoryData<string> Policies => [.. OrderingCircuitsFixture.Policies];

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_proof_verifies_and_changing_any_one_public_signal_breaks_it(string policy)
    {
        var witness = Batches.Witness(policy);
        var proof = await _fixture.ProveAsync(policy, CircuitInputs.From(witness));
        var artifacts = await _fixture.ArtifactsAsync(policy);

        Assert.Equal(8, proof.PublicSignals.Count);
        Assert.Equal(CircuitInputs.PublicSignals(witness), proof.PublicSignals);
        Assert.True(await _fixture.Backend.VerifyAsync(artifacts.VerificationKeyFile, proof, CancellationToken.None));
        for (var i = 0; i < proof.PublicSignals.Count; i++)
        {
            var tampered = await OrderingCircuitsFixture.WithPublicSignalChangedAsync(proof, i, Path.Combine(_fixture.Work(), "tampered"));
            Assert.False(
                await _fixture.Backend.VerifyAsync(artifacts.VerificationKeyFile, tampered, CancellationToken.None),
                $"the proof still verified with {CircuitInputs.PublicSignalNames[i]} changed");
        }
    }

    [Fact]
    public void Constraint_counts_of_every_policy_at_capacities_4_and_8_match_the_golden_file()
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var policy in OrderingCircuitsFixture.Policies)
        {
            foreach (var capacity in new[] { 4, 8 })
            {
                var circuit = _fixture.Circuit(policy, capacity);
                Assert.Equal(8, circuit.PublicInputs);
                counts[$"{policy}/{capacity}"] = circuit.Constraints;
            }
        }

        Golden(counts, "ordering.constraint-counts");
    }

    [Fact]
    public async Task Verification_keys_of_every_policy_at_capacity_4_match_the_golden_hashes()
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var policy in OrderingCircuitsFixture.Policies)
        {
            var artifacts = await _fixture.ArtifactsAsync(policy);
            Assert.True(artifacts.IsInsecure);
            hashes[policy] = TestCircuits.Sha256(artifacts.VerificationKeyFile);
        }

        Golden(hashes, "ordering.verification-keys.dev-ceremony-power13");
    }

    [Fact]
    public async Task Public_signals_of_the_golden_fixture_batches_match_the_golden_file()
    {
        // What the circuit exposes as public, read back from its own witness (snarkjs wtns export):
        // the differential check that the circuit and the C# side agree, pinned for review.
        var signals = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, witness) in Batches.GoldenCapacity8())
        {
            var wtns = await _fixture.WitnessAsync(witness.Policy.Id, 8, CircuitInputs.From(witness));
            var exported = await _fixture.Backend.ExportWitnessAsync(wtns, CancellationToken.None);
            var publics = exported.Skip(1).Take(CircuitInputs.PublicSignalNames.Count).Select(s => s.ToString()).ToArray();
            Assert.Equal(CircuitInputs.PublicSignals(witness).Select(s => s.ToString()), publics);
            signals[name] = publics;
        }

        Golden(signals, "ordering.public-signals.fixtures");
    }

    private static void Golden(object value, string name)
    {
        var folder = Path.Combine(TestCircuits.RepoRoot(), "tests", "Prover.Proving.Tests", "Ordering");
        var file = name + FileNames.SnapshotFileExtension;
        if (IsOn(Environment.GetEnvironmentVariable("CI")) || IsOn(Environment.GetEnvironmentVariable("SNAPSHOOTER_STRICT_MODE")))
        {
            Assert.True(File.Exists(Path.Combine(folder, FileNames.SnapshotFolderName, file)), $"golden file {file} is missing; run the tests locally, review it and commit it");
        }

        Snapshot.Match(JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }), new SnapshotFullName(file, folder));
    }

    private static bool IsOn(string? value) =>
        value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("on", StringComparison.OrdinalIgnoreCase));
}
