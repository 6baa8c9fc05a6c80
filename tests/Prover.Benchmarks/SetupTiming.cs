using System.Diagnostics;
using System.Globalization;
using Prover.Crypto.Field;
using Prover.Proving.Native.Setup;

namespace Prover.Benchmarks;

/// <summary>
/// The native development ceremony's time at one power (<c>native-setup P [R1CS]</c>): the prepared ptau,
/// then a key for a circuit filling the domain (the given .r1cs, or a synthetic one of 2^P − 2 constraints
/// with three terms per side and full-size coefficients), then the same circuit's key by the
/// public-ceremony path (reading the ptau, multi-exponentiations, a fresh contribution), and the
/// process' peak working set. One power per process, so the peak is that power's.
/// </summary>
internal static class SetupTiming
{
    public static void Run(int power, string? r1csPath)
    {
        var work = Directory.CreateTempSubdirectory("prover-setup-timing-").FullName;
        try
        {
            var r1cs = r1csPath ?? WriteSyntheticR1cs(Path.Combine(work, "synthetic.r1cs"), (1 << power) - 2);
            var clock = Stopwatch.StartNew();
            NativeSetup.DevelopmentPtau(power, Path.Combine(work, "dev.ptau"), CancellationToken.None);
            var ptau = clock.Elapsed;
            clock.Restart();
            NativeSetup.DevelopmentZkey(r1cs, power, Path.Combine(work, "circuit.zkey"), CancellationToken.None);
            var zkey = clock.Elapsed;
            clock.Restart();
            NativeSetup.ZkeyFromPtau(r1cs, Path.Combine(work, "dev.ptau"), Path.Combine(work, "from-ptau.zkey"), beacon: null, CancellationToken.None);
            var fromPtau = clock.Elapsed;
            using var self = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"power {power}: ptau {ptau.TotalSeconds:F1} s ({new FileInfo(Path.Combine(work, "dev.ptau")).Length / 1e6:F0} MB), " +
                $"zkey {zkey.TotalSeconds:F1} s ({new FileInfo(Path.Combine(work, "circuit.zkey")).Length / 1e6:F0} MB), " +
                $"total {(ptau + zkey).TotalSeconds:F1} s; the same key from the ptau file (public-ceremony path) {fromPtau.TotalSeconds:F1} s; peak working set {self.PeakWorkingSet64 / 1e6:F0} MB, {Environment.ProcessorCount} cores"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// A constraint system of <paramref name="constraints"/> rows over as many wires, one public input:
    /// row i is (w_i + k·w_(i+1) + w_0)·(w_(i+1) − w_(i+2)) = k'·w_(i+2) + w_0 with large k, k', a shape
    /// as dense as circom's output and as costly per term. Unsatisfiable, which a setup does not care about.
    /// </summary>
    public static string WriteSyntheticR1cs(string path, int constraints)
    {
        var wires = constraints + 3;
        var random = new Random(7);
        using var file = new BinaryWriter(File.Create(path));
        file.Write("r1cs"u8);
        file.Write(1);
        file.Write(2);

        file.Write(1);
        file.Write(64L);
        file.Write(32);
        Span<byte> prime = stackalloc byte[32];
        Fr.Modulus.TryWriteBytes(prime, out _, isUnsigned: true);
        file.Write(prime);
        file.Write(wires);
        file.Write(0); // outputs
        file.Write(1); // public inputs
        file.Write(wires - 2); // private inputs
        file.Write((long)wires);
        file.Write(constraints);

        var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            for (var i = 0; i < constraints; i++)
            {
                var next = Math.Min(i + 1, wires - 1);
                var after = Math.Min(i + 2, wires - 1);
                Combination(writer, [(i, Fr.One), (next, Big(random)), (0, Fr.One)]);
                Combination(writer, [(next, Fr.One), (after, -Fr.One)]);
                Combination(writer, [(after, Big(random)), (0, Fr.One)]);
            }
        }

        file.Write(2);
        file.Write(body.Length);
        file.Write(body.ToArray());
        return path;
    }

    private static Fr Big(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return Fr.Reduce(new System.Numerics.BigInteger(bytes, isUnsigned: true));
    }

    private static void Combination(BinaryWriter writer, (int Wire, Fr Value)[] terms)
    {
        writer.Write(terms.Length);
        Span<byte> value = stackalloc byte[32];
        foreach (var (wire, coefficient) in terms)
        {
            writer.Write(wire);
            coefficient.WriteLittleEndian(value);
            writer.Write(value);
        }
    }
}
