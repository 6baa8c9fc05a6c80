using Prover.Proving.Snarkjs;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// The Groth16 trusted setup computed natively, writing the files snarkjs 0.7 writes: the development
/// ceremony's prepared .ptau, and .zkey files from the development ceremony or from any prepared .ptau.
/// </summary>
/// <remarks>
/// snarkjs computes a ceremony's points by FFTs and multi-exponentiations over points, in WebAssembly;
/// when the secrets are known (the development ceremony's come from public beacon hashes) every point
/// is a known scalar times a generator, so this computes the scalars in Fr and each point by one
/// fixed-base multiplication.
/// </remarks>
internal static class NativeSetup
{
    /// <summary>The development ceremony's two phase 1 beacons (see <see cref="DevelopmentCeremony"/>).</summary>
    public static IReadOnlyList<Beacon> DevelopmentPhase1 { get; } =
    [
        Beacon.FromHex(DevelopmentCeremony.Phase1ContributionName, DevelopmentCeremony.Phase1ContributionHash, DevelopmentCeremony.BeaconIterationsExp),
        Beacon.FromHex(DevelopmentCeremony.Phase1BeaconName, DevelopmentCeremony.Phase1BeaconHash, DevelopmentCeremony.BeaconIterationsExp),
    ];

    /// <summary>The development ceremony's phase 2 beacon.</summary>
    public static Beacon DevelopmentPhase2 { get; } =
        Beacon.FromHex(DevelopmentCeremony.Phase2BeaconName, DevelopmentCeremony.Phase2BeaconHash, DevelopmentCeremony.BeaconIterationsExp);

    /// <summary>
    /// Writes the development ceremony's prepared ptau of <paramref name="power"/> to <paramref name="path"/>:
    /// the file <see cref="DevelopmentCeremony.Steps"/>' phase 1 commands write.
    /// </summary>
    public static void DevelopmentPtau(int power, string path, CancellationToken cancellationToken, int maxDegreeOfParallelism = -1)
    {
        var n = 1L << power;
        var tables = new GeneratorTables(expectedG1: 16 * n, expectedG2: 4 * n, maxDegreeOfParallelism);
        PowersOfTau.WriteBeaconCeremony(power, DevelopmentPhase1, path, tables, cancellationToken);
    }
}
