using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.LightClient.Groth16;

namespace Prover.LightClient.Tests.Groth16;

/// <summary>
/// The C# verifier against snarkjs on proofs made now by each of the repo's proving backends. With
/// <c>PROVER_WRITE_FIXTURES=1</c> the proof it makes is also written to fixtures/groth16 (see
/// fixtures/groth16/README.md): the committed fixture is this test's output.
/// </summary>
[Collection(LightClientCollection.Name)]
public sealed class SnarkjsAgreementTests
{
    /// <summary>The inbox address the fixture batch is bound to (anvil's first deployment from account 0).</summary>
    public static readonly EthAddress FixtureInbox = EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");

    private readonly LightClientFixture _fixture;

    public SnarkjsAgreementTests(LightClientFixture fixture) => _fixture = fixture;

    [Theory]
    [InlineData("snarkjs")]
    [InlineData("native")]
    public async Task A_fresh_proof_verifies_in_csharp_as_in_snarkjs_and_fails_with_any_signal_changed(string backend)
    {
        var log = new TestLog(LightClientFixture.ChainId, FixtureInbox, LightClientFixture.Policy, LightClientFixture.Capacity);
        var witness = log.NextBatch(3);
        var files = await _fixture.ProveFilesAsync(witness, backend == "native" ? _fixture.Native : _fixture.Backend);
        var artifacts = await _fixture.ArtifactsAsync();
        var key = await VerificationKey.ReadAsync(artifacts.VerificationKeyFile, CancellationToken.None);

        Assert.True(await _fixture.Backend.VerifyAsync(artifacts.VerificationKeyFile, files, CancellationToken.None));
        Assert.True(await Groth16Verifier.VerifyFilesAsync(key, files.ProofFile, files.PublicSignalsFile, CancellationToken.None));
        Assert.Equal(CircuitInputs.PublicSignals(witness), files.PublicSignals);

        var proof = await Groth16Proof.ReadSnarkjsAsync(files.ProofFile, CancellationToken.None);
        for (var i = 0; i < files.PublicSignals.Count; i++)
        {
            var changed = files.PublicSignals.ToArray();
            changed[i] += Fr.One;
            Assert.False(Groth16Verifier.Verify(key, proof, changed), $"signal {CircuitInputs.PublicSignalNames[i]} changed");
        }

        if (backend == "snarkjs" && Environment.GetEnvironmentVariable("PROVER_WRITE_FIXTURES") == "1")
        {
            var target = Directory.CreateDirectory(RepoPaths.Groth16Fixture).FullName;
            File.Copy(artifacts.VerificationKeyFile, Path.Combine(target, "verification_key.json"), overwrite: true);
            File.Copy(files.ProofFile, Path.Combine(target, "proof.json"), overwrite: true);
            File.Copy(files.PublicSignalsFile, Path.Combine(target, "public.json"), overwrite: true);
        }
    }
}
