using Prover.Crypto.Field;
using Prover.Proving.Snarkjs;

namespace Prover.Proving.Tests;

[Collection(MultiplierCollection.Name)]
public sealed class SnarkjsBackendTests
{
    private const string ValidInput = """{"a": "3", "b": "11", "c": "33"}""";
    private readonly MultiplierFixture _fixture;

    public SnarkjsBackendTests(MultiplierFixture fixture) => _fixture = fixture;

    [Fact]
    public void Compile_reports_the_constraint_and_signal_counts_of_the_circuit()
    {
        var circuit = _fixture.Circuit;

        // 16 + 16 bit decompositions and one product.
        Assert.Equal(33, circuit.Constraints);
        Assert.Equal(1, circuit.PublicInputs);
        Assert.Equal(0, circuit.PublicOutputs);
        Assert.Equal(2, circuit.PrivateInputs);
        Assert.Equal(6, circuit.RequiredPower);
        Assert.True(File.Exists(circuit.ConstraintSystemFile));
        Assert.True(File.Exists(circuit.WitnessGeneratorFile));
    }

    [Fact]
    public async Task The_priority_fee_ordering_circuit_for_four_transactions_compiles_to_its_documented_size()
    {
        using var dir = new TempDirectory();

        var circuit = await _fixture.Backend.CompileAsync(TestCircuits.PriorityFee4, dir.Path, CancellationToken.None);

        // docs/circuits.md, "Cost": 2,243 at N = 4; eight public inputs; 2^12 = 4096 ≥ 2243 + 8 + 1.
        Assert.Equal(2243, circuit.Constraints);
        Assert.Equal(8, circuit.PublicInputs);
        Assert.Equal(12, circuit.RequiredPower);
    }

    [Fact]
    public async Task A_second_setup_of_the_same_circuit_runs_no_tool_and_yields_the_same_keys()
    {
        int before = _fixture.Started.Count;

        var again = await _fixture.Backend.SetupAsync(_fixture.Circuit, CeremonySource.Development, _fixture.Work("second-setup"), CancellationToken.None);

        Assert.Equal(before, _fixture.Started.Count);
        Assert.Equal(TestCircuits.Sha256(_fixture.Artifacts.ProvingKeyFile), TestCircuits.Sha256(again.ProvingKeyFile));
        Assert.Equal(TestCircuits.Sha256(_fixture.Artifacts.VerificationKeyFile), TestCircuits.Sha256(again.VerificationKeyFile));
    }

    [Fact]
    public async Task The_development_ceremony_is_deterministic_from_an_empty_cache()
    {
        using var cache = new TempDirectory();
        var fresh = new SnarkjsBackend(new SnarkjsOptions { CacheDirectory = cache.Path });

        var artifacts = await fresh.SetupAsync(_fixture.Circuit, CeremonySource.Development, cache.Combine("artifacts"), CancellationToken.None);

        Assert.Equal(TestCircuits.Sha256(_fixture.Artifacts.ProvingKeyFile), TestCircuits.Sha256(artifacts.ProvingKeyFile));
        Assert.Equal(await File.ReadAllTextAsync(_fixture.Artifacts.ManifestFile), await File.ReadAllTextAsync(artifacts.ManifestFile));
    }

    [Fact]
    public async Task A_proof_of_a_valid_input_verifies_with_its_public_signals()
    {
        var work = _fixture.Work("round-trip");
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), ValidInput);
        var witness = Path.Combine(work, "witness.wtns");

        await _fixture.Backend.ComputeWitnessAsync(_fixture.Artifacts.Circuit, input, witness, CancellationToken.None);
        var proof = await _fixture.Backend.ProveAsync(_fixture.Artifacts, witness, work, CancellationToken.None);

        Assert.Equal([Fr.FromUInt64(33)], proof.PublicSignals);
        Assert.True(await _fixture.Backend.VerifyAsync(_fixture.Artifacts.VerificationKeyFile, proof, CancellationToken.None));
    }

    [Fact]
    public async Task A_proof_with_a_tampered_public_signal_does_not_verify()
    {
        var proof = await ProveValidInputAsync("tampered-signal");
        await File.WriteAllTextAsync(proof.PublicSignalsFile, """["34"]""");

        Assert.False(await _fixture.Backend.VerifyAsync(_fixture.Artifacts.VerificationKeyFile, proof, CancellationToken.None));
    }

    [Theory]
    [InlineData("an extra public signal", "public", """["33", "1"]""")]
    [InlineData("a public signal above the field modulus", "public", """["21888242871839275222246405745257275088548364400416034343698204186575808495618"]""")]
    [InlineData("a proof that is not JSON", "proof", "{ not json")]
    [InlineData("a proof without pi_c", "proof", """{"pi_a": ["1", "2", "1"], "pi_b": [["1", "2"], ["3", "4"], ["1", "0"]], "protocol": "groth16"}""")]
    [InlineData("a proof point off the curve", "proof", """{"pi_a": ["1", "3", "1"], "pi_b": [["1", "2"], ["3", "4"], ["1", "0"]], "pi_c": ["1", "2", "1"], "protocol": "groth16", "curve": "bn128"}""")]
    public async Task A_malformed_proof_does_not_verify_rather_than_failing(string what, string file, string content)
    {
        var proof = await ProveValidInputAsync("malformed-" + what.Replace(' ', '-'));
        await File.WriteAllTextAsync(file == "public" ? proof.PublicSignalsFile : proof.ProofFile, content);

        Assert.False(await _fixture.Backend.VerifyAsync(_fixture.Artifacts.VerificationKeyFile, proof, CancellationToken.None), what);
    }

    [Theory]
    [InlineData("""{"a": "3", "b": "11", "c": "34"}""", "RangedMultiplier")]
    [InlineData("""{"a": "65536", "b": "1", "c": "65536"}""", "Num2Bits")]
    public async Task An_input_that_violates_a_constraint_is_an_unsatisfied_constraints_error_and_leaves_no_witness(string json, string template)
    {
        var work = _fixture.Work("unsatisfied-" + template);
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), json);
        var witness = Path.Combine(work, "witness.wtns");

        var error = await Assert.ThrowsAsync<UnsatisfiedConstraintsException>(
            () => _fixture.Backend.ComputeWitnessAsync(_fixture.Artifacts.Circuit, input, witness, CancellationToken.None));

        Assert.Contains(template, error.Detail, StringComparison.Ordinal);
        Assert.Equal(input, error.InputFile);
        Assert.False(File.Exists(witness));
    }

    [Theory]
    [InlineData("""{"a": "3", "b": "11"}""", "Not all inputs have been set")]
    [InlineData("""{"a": ["3", "4"], "b": "11", "c": "33"}""", "Too many values for input signal a")]
    // circom's generator looks signals up by hash and reports an unknown one as having too many values.
    [InlineData("""{"a": "3", "b": "11", "c": "33", "d": "1"}""", "input signal d")]
    public async Task An_input_that_does_not_match_the_circuit_signals_is_an_invalid_input_error(string json, string detail)
    {
        var work = _fixture.Work("invalid-input");
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), json);

        var error = await Assert.ThrowsAsync<InvalidCircuitInputException>(
            () => _fixture.Backend.ComputeWitnessAsync(_fixture.Artifacts.Circuit, input, Path.Combine(work, "witness.wtns"), CancellationToken.None));

        Assert.Contains(detail, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_manifest_lists_every_artifact_with_its_sha256_and_labels_the_development_ceremony_insecure()
    {
        var artifacts = _fixture.Artifacts;
        var manifest = await ArtifactManifest.ReadAsync(artifacts.ManifestFile, CancellationToken.None);

        Assert.Equal(
            ["r1cs", "wasm", "zkey", "verificationKey", "verifier"],
            manifest.Files.Select(f => f.Role));
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(artifacts.Directory, file.Path);
            Assert.Equal(TestCircuits.Sha256(path), file.Sha256);
            Assert.Equal(new FileInfo(path).Length, file.Bytes);
        }

        Assert.Equal(6, manifest.Power);
        Assert.Equal(33, manifest.Circuit.Constraints);
        Assert.Equal("development", manifest.Ceremony.Kind);
        Assert.True(manifest.Ceremony.Insecure);
        Assert.StartsWith("INSECURE", manifest.Ceremony.Label, StringComparison.Ordinal);
        Assert.Contains(manifest.Ceremony.Steps, s => s.Contains(DevelopmentCeremony.Phase2BeaconHash, StringComparison.Ordinal));
        Assert.Equal(TestCircuits.Sha256(Path.Combine(_fixture.CacheDirectory, "ptau", manifest.Ceremony.Phase1File)), manifest.Ceremony.Phase1Sha256);
        Assert.Equal("0.7.6", manifest.Tools.Snarkjs);
        Assert.Equal("2.2.3", manifest.Tools.Circom);
        Assert.StartsWith("v", manifest.Tools.Node, StringComparison.Ordinal);
        Assert.True(artifacts.IsInsecure);
        Assert.StartsWith("// INSECURE", await File.ReadAllTextAsync(artifacts.VerifierContractFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_exported_solidity_verifier_is_the_groth16_verifier_contract()
    {
        var path = Path.Combine(_fixture.Work("export"), "Exported.sol");

        await _fixture.Backend.ExportSolidityVerifierAsync(_fixture.Artifacts, path, CancellationToken.None);

        var contract = await File.ReadAllTextAsync(path);
        Assert.Contains("contract Groth16Verifier", contract, StringComparison.Ordinal);
        Assert.Contains("function verifyProof", contract, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(_fixture.Artifacts.VerifierContractFile), contract);
    }

    [Fact]
    public async Task A_public_ceremony_file_gives_keys_that_prove_and_verify_and_a_manifest_naming_its_hash()
    {
        var ptau = Path.Combine(_fixture.CacheDirectory, "ptau", DevelopmentCeremony.PtauFileName(6));
        var work = _fixture.Work("public-ceremony");

        var artifacts = await _fixture.Backend.SetupAsync(_fixture.Circuit, CeremonySource.FromFile(ptau), Path.Combine(work, "artifacts"), CancellationToken.None);
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), ValidInput);
        await _fixture.Backend.ComputeWitnessAsync(artifacts.Circuit, input, Path.Combine(work, "witness.wtns"), CancellationToken.None);
        var proof = await _fixture.Backend.ProveAsync(artifacts, Path.Combine(work, "witness.wtns"), work, CancellationToken.None);

        Assert.True(await _fixture.Backend.VerifyAsync(artifacts.VerificationKeyFile, proof, CancellationToken.None));
        Assert.False(await _fixture.Backend.VerifyAsync(_fixture.Artifacts.VerificationKeyFile, proof, CancellationToken.None));
        var manifest = await ArtifactManifest.ReadAsync(artifacts.ManifestFile, CancellationToken.None);
        Assert.Equal("ptau", manifest.Ceremony.Kind);
        Assert.False(manifest.Ceremony.Insecure);
        Assert.Equal(TestCircuits.Sha256(ptau), manifest.Ceremony.Phase1Sha256);
        Assert.False(artifacts.IsInsecure);
        Assert.DoesNotContain("INSECURE", await File.ReadAllTextAsync(artifacts.VerifierContractFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ceremony_file_too_small_for_the_circuit_is_refused_with_the_power_it_needs()
    {
        var ptau = Path.Combine(_fixture.CacheDirectory, "ptau", DevelopmentCeremony.PtauFileName(6));
        var big = _fixture.Circuit with { Constraints = 1953, PublicInputs = 5 };

        var error = await Assert.ThrowsAsync<CeremonyFileException>(
            () => _fixture.Backend.SetupAsync(big, CeremonySource.FromFile(ptau), _fixture.Work("too-small"), CancellationToken.None));

        Assert.Equal(6, error.FilePower);
        Assert.Equal(11, error.RequiredPower);
        Assert.Contains("--ptau", error.Message, StringComparison.Ordinal);
        Assert.Contains("power 11", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_ceremony_is_refused_before_any_tool_runs()
    {
        var work = _fixture.Work("not-ptau");
        var bogus = Path.Combine(work, "bogus.ptau");
        await File.WriteAllTextAsync(bogus, "not a ceremony");
        int before = _fixture.Started.Count;

        var error = await Assert.ThrowsAsync<CeremonyFileException>(
            () => _fixture.Backend.SetupAsync(_fixture.Circuit, CeremonySource.FromFile(bogus), work, CancellationToken.None));

        Assert.Contains("not a powers-of-tau file", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _fixture.Started.Count);
    }

    private async Task<ProofFiles> ProveValidInputAsync(string name)
    {
        var work = _fixture.Work(name);
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), ValidInput);
        var witness = Path.Combine(work, "witness.wtns");
        await _fixture.Backend.ComputeWitnessAsync(_fixture.Artifacts.Circuit, input, witness, CancellationToken.None);
        return await _fixture.Backend.ProveAsync(_fixture.Artifacts, witness, work, CancellationToken.None);
    }
}
