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

    /// <summary>
    /// The secrets of the development ceremony's phase 1: the products of each beacon's τ, α, β, its
    /// first three draws (the hashes a ptau records do not affect them).
    /// </summary>
    public static PowersOfTau.Totals DevelopmentSecrets()
    {
        var totals = new PowersOfTau.Totals(Crypto.Field.Fr.One, Crypto.Field.Fr.One, Crypto.Field.Fr.One);
        foreach (var beacon in DevelopmentPhase1)
        {
            var rng = beacon.Rng();
            totals = new PowersOfTau.Totals(
                totals.Tau * SnarkjsRandom.NextFr(rng),
                totals.Alpha * SnarkjsRandom.NextFr(rng),
                totals.Beta * SnarkjsRandom.NextFr(rng));
        }

        return totals;
    }

    /// <summary>
    /// Writes the circuit's development proving key for the development ceremony of <paramref name="power"/>:
    /// the file <c>groth16 setup</c> on <see cref="DevelopmentPtau"/>'s output followed by the phase 2 beacon
    /// writes. The ptau itself is not needed: its secrets are public.
    /// </summary>
    /// <exception cref="BinFileException">The constraint system cannot be read.</exception>
    /// <exception cref="SetupException">The circuit needs a larger power.</exception>
    public static void DevelopmentZkey(string r1csPath, int power, string zkeyPath, CancellationToken cancellationToken, int maxDegreeOfParallelism = -1)
    {
        var r1cs = R1cs.Read(r1csPath);
        var expected = (6L * r1cs.Wires) + (4L << Math.Min(power, 30));
        var tables = new GeneratorTables(expected, r1cs.Wires, maxDegreeOfParallelism);
        DevelopmentKeys.Write(r1cs, power, DevelopmentSecrets(), hash => Phase2Contribution.FromBeacon(hash, DevelopmentPhase2), zkeyPath, tables, cancellationToken);
    }

    /// <summary>
    /// Writes a circuit's proving key from any prepared ptau (a public ceremony's final file, or the
    /// development one): <c>groth16 setup</c> followed by one phase 2 contribution, the development beacon
    /// when <paramref name="beacon"/> is given (reproducible, INSECURE), otherwise fresh system randomness
    /// whose δ is forgotten when this returns (<c>zkey contribute</c>).
    /// </summary>
    /// <exception cref="BinFileException">The constraint system or the ptau cannot be read, or the ptau is not prepared for phase 2.</exception>
    /// <exception cref="SetupException">The circuit needs a larger power than the ptau's.</exception>
    public static void ZkeyFromPtau(string r1csPath, string ptauPath, string zkeyPath, Beacon? beacon, CancellationToken cancellationToken, int maxDegreeOfParallelism = -1)
    {
        var r1cs = R1cs.Read(r1csPath);
        PtauKeys.Write(
            r1cs,
            ptauPath,
            hash => beacon is null ? Phase2Contribution.FromSystemRandomness(hash, "prover phase 2 contribution") : Phase2Contribution.FromBeacon(hash, beacon),
            zkeyPath,
            maxDegreeOfParallelism,
            cancellationToken);
    }
}
