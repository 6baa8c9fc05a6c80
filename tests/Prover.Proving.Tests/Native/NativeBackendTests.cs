using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Proving.Native;
using Prover.Proving.Tests.Ordering;

namespace Prover.Proving.Tests.Native;

/// <summary>
/// The native backend on the ordering circuits, against snarkjs as the oracle: for every policy at
/// capacities 4 and 8, a witness computed in process and proven in process with snarkjs' own proving
/// key verifies with <c>snarkjs groth16 verify</c>, and no longer does with any public signal changed;
/// a witness that breaks a constraint gives a clear error and no proof; a corrupt key is named as such.
/// </summary>
[Collection(OrderingCircuitsCollection.Name)]
public sealed class NativeBackendTests : IDisposable
{
    private readonly OrderingCircuitsFixture _fixture;
    private readonly NativeBackend _native;

    public NativeBackendTests(OrderingCircuitsFixture fixture)
    {
        _fixture = fixture;
        _native = new NativeBackend(new Snarkjs.SnarkjsOptions { CacheDirectory = Path.Combine(fixture.Work(), "cache") });
    }

    [Theory]
    [MemberData(nameof(OrderingCircuitsFixture.Circuits), MemberType = typeof(OrderingCircuitsFixture))]
    public async Task A_native_proof_verifies_with_snarkjs_and_not_with_a_public_signal_changed(string policy, int capacity)
    {
        var artifacts = await _fixture.ArtifactsAsync(policy, capacity);
        var witness = Batches.Witness(policy, count: Math.Min(capacity, 4) - 1, capacity: capacity);
        var work = _fixture.Work();
        var proof = await ProveNativelyAsync(artifacts, CircuitInputs.From(witness), work);

        Assert.Equal(CircuitInputs.PublicSignals(witness), proof.PublicSignals);
        Assert.True(await _fixture.Backend.VerifyAsync(artifacts.VerificationKeyFile, proof, CancellationToken.None));
        for (var i = 0; i < proof.PublicSignals.Count; i++)
        {
            var tampered = await OrderingCircuitsFixture.WithPublicSignalChangedAsync(proof, i, Path.Combine(work, $"tampered-{i}"));
            Assert.False(await _fixture.Backend.VerifyAsync(artifacts.VerificationKeyFile, tampered, CancellationToken.None), $"verified with {CircuitInputs.PublicSignalNames[i]} changed");
        }
    }

    [Fact]
    public async Task Two_proofs_of_one_witness_differ_and_both_verify()
    {
        // Fresh r and s per proof: equal proofs would mean the blinding is gone (and with it zero knowledge).
        var artifacts = await _fixture.ArtifactsAsync("fcfs", 4);
        var input = CircuitInputs.From(Batches.Witness("fcfs"));
        var first = await ProveNativelyAsync(artifacts, input, _fixture.Work());
        var second = await ProveNativelyAsync(artifacts, input, _fixture.Work());
        Assert.NotEqual(await File.ReadAllTextAsync(first.ProofFile), await File.ReadAllTextAsync(second.ProofFile));
        Assert.True(await _fixture.Backend.VerifyAsync(artifacts.VerificationKeyFile, second, CancellationToken.None));
    }

    [Fact]
    public async Task A_witness_that_breaks_a_constraint_gives_no_proof_and_names_the_constraint()
    {
        var artifacts = await _fixture.ArtifactsAsync("priority-fee", 4);
        var work = _fixture.Work();
        var inputFile = Path.Combine(work, "input.json");
        await File.WriteAllTextAsync(inputFile, CircuitInputs.From(Batches.Witness("priority-fee")).ToJsonString());
        var wtns = Path.Combine(work, "witness.wtns");
        await _native.ComputeWitnessAsync(artifacts.Circuit, inputFile, wtns, CancellationToken.None);

        // The last wire is a private intermediate value: one more than its true value satisfies no constraint system.
        var values = WitnessFile.Read(wtns);
        values[^1] += Fr.One;
        var forged = Path.Combine(work, "forged.wtns");
        WitnessFile.Write(forged, values);

        var output = Path.Combine(work, "proof");
        var error = await Assert.ThrowsAsync<UnsatisfiedConstraintsException>(() => _native.ProveAsync(artifacts, forged, output, CancellationToken.None));
        Assert.Contains("violates constraint", error.Message, StringComparison.Ordinal);
        Assert.Contains(".r1cs", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "proof.json")));
        Assert.False(File.Exists(Path.Combine(output, "public.json")));
    }

    [Fact]
    public async Task An_input_the_circuit_rejects_gives_no_witness()
    {
        var circuit = _fixture.Circuit("priority-fee", 4);
        var input = CircuitInputs.From(Batches.Witness("priority-fee"));
        var order = input["ordered"]!.AsArray();
        (order[0], order[1]) = (order[1]!.DeepClone(), order[0]!.DeepClone());
        var work = _fixture.Work();
        var inputFile = Path.Combine(work, "input.json");
        await File.WriteAllTextAsync(inputFile, input.ToJsonString());
        var wtns = Path.Combine(work, "witness.wtns");
        await Assert.ThrowsAsync<UnsatisfiedConstraintsException>(() => _native.ComputeWitnessAsync(circuit, inputFile, wtns, CancellationToken.None));
        Assert.False(File.Exists(wtns));

        await File.WriteAllTextAsync(inputFile, "{ not json");
        var error = await Assert.ThrowsAsync<InvalidCircuitInputException>(() => _native.ComputeWitnessAsync(circuit, inputFile, wtns, CancellationToken.None));
        Assert.Contains("not JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_proving_key_is_refused_with_its_path_and_what_is_wrong()
    {
        var artifacts = await _fixture.ArtifactsAsync("fcfs", 4);
        var work = _fixture.Work();
        var inputFile = Path.Combine(work, "input.json");
        await File.WriteAllTextAsync(inputFile, CircuitInputs.From(Batches.Witness("fcfs")).ToJsonString());
        var wtns = Path.Combine(work, "witness.wtns");
        await _native.ComputeWitnessAsync(artifacts.Circuit, inputFile, wtns, CancellationToken.None);

        var bytes = await File.ReadAllBytesAsync(artifacts.ProvingKeyFile);
        var truncated = Path.Combine(work, "truncated.zkey");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var error = await Assert.ThrowsAsync<BinFileException>(() => _native.ProveAsync(artifacts with { ProvingKeyFile = truncated }, wtns, Path.Combine(work, "p1"), CancellationToken.None));
        Assert.Equal(truncated, error.Path);

        // A point moved off the curve: the last byte of the last H point's y coordinate.
        var offCurve = Path.Combine(work, "off-curve.zkey");
        var damaged = bytes.ToArray();
        damaged[FindSectionEnd(damaged, 9) - 1] ^= 0x01;
        await File.WriteAllBytesAsync(offCurve, damaged);
        error = await Assert.ThrowsAsync<BinFileException>(() => _native.ProveAsync(artifacts with { ProvingKeyFile = offCurve }, wtns, Path.Combine(work, "p2"), CancellationToken.None));
        Assert.Contains("H[", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _native.Dispose();

    private async Task<ProofFiles> ProveNativelyAsync(CircuitArtifacts artifacts, JsonObject input, string work)
    {
        var inputFile = Path.Combine(work, "input.json");
        await File.WriteAllTextAsync(inputFile, input.ToJsonString());
        var wtns = Path.Combine(work, "witness.wtns");
        await _native.ComputeWitnessAsync(artifacts.Circuit, inputFile, wtns, CancellationToken.None);
        return await _native.ProveAsync(artifacts, wtns, Path.Combine(work, "proof"), CancellationToken.None);
    }

    /// <summary>The end offset of section <paramref name="type"/> of an iden3 binary file.</summary>
    private static int FindSectionEnd(byte[] file, int type)
    {
        var position = 12;
        while (position < file.Length)
        {
            var sectionType = BitConverter.ToInt32(file, position);
            var size = (int)BitConverter.ToInt64(file, position + 4);
            position += 12 + size;
            if (sectionType == type)
            {
                return position;
            }
        }

        throw new InvalidOperationException($"no section {type}");
    }
}
