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
}
