using Prover.Proving.Native.Setup;

namespace Prover.Proving.Tests.Native;

/// <summary>The native trusted setup against snarkjs' own run of the same development ceremony.</summary>
[Collection(NativeSetupCollection.Name)]
public sealed class NativeSetupTests(NativeSetupFixture fixture)
{
    [Fact]
    public void The_native_development_ptau_is_byte_identical_to_snarkjs()
    {
        var native = Path.Combine(fixture.Work("ptau"), "native.ptau");
        NativeSetup.DevelopmentPtau(NativeSetupFixture.Power, native, CancellationToken.None);
        Assert.Null(NativeSetupFixture.FirstDifference(fixture.SnarkjsPtau, native, "ptau"));
    }

    [Fact]
    public void The_native_development_zkey_is_byte_identical_to_snarkjs()
    {
        var native = Path.Combine(fixture.Work("dev-zkey"), "native.zkey");
        NativeSetup.DevelopmentZkey(fixture.Circuit.ConstraintSystemFile, NativeSetupFixture.Power, native, CancellationToken.None);
        Assert.Null(NativeSetupFixture.FirstDifference(fixture.Artifacts.ProvingKeyFile, native, "zkey"));
    }

    [Fact]
    public void A_zkey_from_snarkjs_own_ptau_with_the_development_beacon_is_byte_identical_to_snarkjs()
    {
        // The path for a public ceremony: points gathered from the ptau's Lagrange sections, not from known secrets.
        var native = Path.Combine(fixture.Work("ptau-zkey"), "native.zkey");
        NativeSetup.ZkeyFromPtau(fixture.Circuit.ConstraintSystemFile, fixture.SnarkjsPtau, native, NativeSetup.DevelopmentPhase2, CancellationToken.None);
        Assert.Null(NativeSetupFixture.FirstDifference(fixture.Artifacts.ProvingKeyFile, native, "zkey"));
    }

    [Fact]
    public async Task A_key_with_a_fresh_contribution_passes_zkey_verify_and_its_proofs_verify()
    {
        // Not comparable byte for byte (its δ is random): snarkjs' own checks must accept it instead.
        var work = fixture.Work("fresh");
        var zkey = Path.Combine(work, "fresh.zkey");
        NativeSetup.ZkeyFromPtau(fixture.Circuit.ConstraintSystemFile, fixture.SnarkjsPtau, zkey, beacon: null, CancellationToken.None);
        Assert.NotNull(NativeSetupFixture.FirstDifference(fixture.Artifacts.ProvingKeyFile, zkey, "zkey"));

        var verify = await fixture.SnarkjsAsync("zkey", "verify", fixture.Circuit.ConstraintSystemFile, fixture.SnarkjsPtau, zkey);
        Assert.True(verify.Succeeded && verify.Output.Contains("ZKey Ok!", StringComparison.Ordinal), verify.Output);

        var vk = Path.Combine(work, "verification_key.json");
        Assert.True((await fixture.SnarkjsAsync("zkey", "export", "verificationkey", zkey, vk)).Succeeded);
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), """{"a": "300", "b": "7", "c": "2100"}""");
        var wtns = Path.Combine(work, "witness.wtns");
        await fixture.Backend.ComputeWitnessAsync(fixture.Circuit, input, wtns, CancellationToken.None);
        var artifacts = fixture.Artifacts with { ProvingKeyFile = zkey, VerificationKeyFile = vk };
        var proof = await fixture.Backend.ProveAsync(artifacts, wtns, Path.Combine(work, "proof"), CancellationToken.None);
        Assert.True(await fixture.Backend.VerifyAsync(vk, proof, CancellationToken.None));

        // The same proof against the development key's verification key must fail: the keys really differ.
        Assert.False(await fixture.Backend.VerifyAsync(fixture.Artifacts.VerificationKeyFile, proof, CancellationToken.None));
    }

    [Fact]
    public async Task Snarkjs_zkey_verify_accepts_the_native_development_key_against_the_native_ptau()
    {
        var work = fixture.Work("verify-dev");
        var ptau = Path.Combine(work, "native.ptau");
        var zkey = Path.Combine(work, "native.zkey");
        NativeSetup.DevelopmentPtau(NativeSetupFixture.Power, ptau, CancellationToken.None);
        NativeSetup.DevelopmentZkey(fixture.Circuit.ConstraintSystemFile, NativeSetupFixture.Power, zkey, CancellationToken.None);
        var verify = await fixture.SnarkjsAsync("zkey", "verify", fixture.Circuit.ConstraintSystemFile, ptau, zkey);
        Assert.True(verify.Succeeded && verify.Output.Contains("ZKey Ok!", StringComparison.Ordinal), verify.Output);
    }
}
