using Prover.Crypto.Field;
using Prover.Proving.Native;

namespace Prover.Proving.Tests.Native;

/// <summary>
/// Groth16 proofs made in process from snarkjs' own proving key, checked by snarkjs' verifier (the
/// differential oracle): a proof of a satisfied witness verifies, and the same proof under another
/// public signal does not.
/// </summary>
[Collection(MultiplierCollection.Name)]
public sealed class NativeProverTests
{
    private readonly MultiplierFixture _fixture;

    public NativeProverTests(MultiplierFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task A_native_proof_from_a_snarkjs_key_verifies_with_snarkjs()
    {
        var work = _fixture.Work(nameof(A_native_proof_from_a_snarkjs_key_verifies_with_snarkjs));
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), """{"a": "3", "b": "11", "c": "33"}""");
        var witnessFile = Path.Combine(work, "witness.wtns");
        await _fixture.Backend.ComputeWitnessAsync(_fixture.Circuit, input, witnessFile, CancellationToken.None);
        var witness = WitnessFile.Read(witnessFile);

        var key = ProvingKey.Read(_fixture.Artifacts.ProvingKeyFile);
        var proof = Groth16Prover.Prove(key, witness);
        var proofFile = Path.Combine(work, "proof.json");
        var publicFile = Path.Combine(work, "public.json");
        await File.WriteAllBytesAsync(proofFile, proof.ToSnarkjsJson());
        var signals = Groth16Prover.PublicSignals(key, witness);
        await File.WriteAllBytesAsync(publicFile, Groth16Prover.PublicSignalsJson(signals));

        Assert.Equal([Fr.FromUInt64(33)], signals);
        Assert.True(await _fixture.Backend.VerifyAsync(_fixture.Artifacts.VerificationKeyFile, new ProofFiles(proofFile, publicFile, signals), CancellationToken.None));

        var wrong = Path.Combine(work, "wrong.json");
        await File.WriteAllBytesAsync(wrong, Groth16Prover.PublicSignalsJson([Fr.FromUInt64(34)]));
        Assert.False(await _fixture.Backend.VerifyAsync(_fixture.Artifacts.VerificationKeyFile, new ProofFiles(proofFile, wrong, [Fr.FromUInt64(34)]), CancellationToken.None));
    }

    [Fact]
    public async Task The_native_backend_refuses_to_prove_a_witness_that_breaks_a_constraint()
    {
        var work = _fixture.Work(nameof(The_native_backend_refuses_to_prove_a_witness_that_breaks_a_constraint));
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), """{"a": "3", "b": "11", "c": "33"}""");
        using var native = new NativeBackend(new Snarkjs.SnarkjsOptions { CacheDirectory = _fixture.CacheDirectory });
        var witnessFile = Path.Combine(work, "witness.wtns");
        await native.ComputeWitnessAsync(_fixture.Circuit, input, witnessFile, CancellationToken.None);

        // c = a·b with c public: claiming 34 breaks c === a * b and nothing else.
        var witness = WitnessFile.Read(witnessFile);
        Assert.Equal(Fr.FromUInt64(33), witness[1]);
        witness[1] = Fr.FromUInt64(34);
        var forged = Path.Combine(work, "forged.wtns");
        WitnessFile.Write(forged, witness);

        var output = Path.Combine(work, "proof");
        var error = await Assert.ThrowsAsync<UnsatisfiedConstraintsException>(() => native.ProveAsync(_fixture.Artifacts, forged, output, CancellationToken.None));
        Assert.Contains("violates constraint", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "proof.json")));
    }
}
