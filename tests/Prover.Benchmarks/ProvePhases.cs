using System.Diagnostics;
using System.Globalization;
using Prover.Crypto.Bn254;
using Prover.Proving.Native;

namespace Prover.Benchmarks;

/// <summary>
/// The native prover's time by phase for one key and witness (<c>prove-phases ZKEY WTNS [rounds]</c>):
/// where a proof's time goes, to decide what to make faster.
/// </summary>
internal static class ProvePhases
{
    public static void Run(string zkey, string wtns, int rounds)
    {
        var clock = Stopwatch.StartNew();
        var key = ProvingKey.Read(zkey);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read key: {clock.Elapsed.TotalMilliseconds:F0} ms ({key.Wires} wires, domain {key.DomainSize}, {key.CoefficientValue.Length} coefficients)"));
        var witness = WitnessFile.Read(wtns);
        var zeros = witness.Count(w => w.IsZero);
        var ones = witness.Count(w => w == Crypto.Field.Fr.One);
        Console.WriteLine($"witness: {witness.Length} values, {zeros} zero, {ones} one");
        var bits = witness.Select(w => (int)w.ToBigInteger().GetBitLength()).GroupBy(b => b <= 1 ? 1 : b <= 16 ? 16 : b <= 32 ? 32 : b <= 64 ? 64 : b <= 128 ? 128 : b <= 253 ? 253 : 254).OrderBy(g => g.Key).Select(g => $"<= {g.Key} bits: {g.Count()}");
        Console.WriteLine(string.Join("; ", bits));
        Console.WriteLine($"points at infinity: A {key.A.Count(p => p.IsInfinity)}, B1 {key.B1.Count(p => p.IsInfinity)}, B2 {key.B2.Count(p => p.IsInfinity)}, C {key.C.Count(p => p.IsInfinity)}, H {key.H.Count(p => p.IsInfinity)}");
        var live = Enumerable.Range(0, witness.Length).Count(i => !witness[i].IsZero && !key.B2[i].IsInfinity);
        Console.WriteLine($"B2 terms with a nonzero scalar and a finite point: {live}");
        var x = Crypto.Bn254.Fq.FromUInt64(12345);
        var y = Crypto.Bn254.Fq.FromUInt64(678910);
        for (var round = 0; round < 3; round++)
        {
            clock.Restart();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < 10_000_000; i++)
            {
                x = x * y;
            }

            Console.WriteLine($"Fq mul latency: {clock.Elapsed.TotalMilliseconds / 10:F1} ns wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 10:F1} ns cpu ({x})");
            var g = G1Jacobian.From(key.A[5]);
            var pt = key.H[3];
            clock.Restart();
            for (var i = 0; i < 1_000_000; i++)
            {
                g = g + pt;
            }

            Console.WriteLine($"G1 mixed add: {clock.Elapsed.TotalMilliseconds:F0} ns");
        }

        var random = new Random(1);
        var full = key.H.Select(_ => Crypto.Field.Fr.FromUInt64((ulong)random.NextInt64()) * Crypto.Field.Fr.FromUInt64((ulong)random.NextInt64()) * Crypto.Field.Fr.FromUInt64((ulong)random.NextInt64()) * Crypto.Field.Fr.FromUInt64((ulong)random.NextInt64())).ToArray();
        for (var round = 0; round < 8; round++)
        {
            Msm.AffineBucketsEnabled = round % 2 == 0;
            clock.Restart();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            Msm.Multiply(key.H, full, 1);
            Console.WriteLine($"H with random scalars, 1 core, affine {Msm.AffineBucketsEnabled}: {clock.Elapsed.TotalMilliseconds:F0} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds:F0} ms cpu");
        }

        for (var round = 0; round < rounds; round++)
        {
            var times = new List<string>();
            void Time(string name, Action action)
            {
                clock.Restart();
                action();
                times.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {clock.Elapsed.TotalMilliseconds:F0}"));
            }

            Msm.AffineBucketsEnabled = round % 2 == 0;
            times.Add(Msm.AffineBucketsEnabled ? "affine buckets:" : "jacobian buckets:");
            Crypto.Field.Fr[] h = [];
            Time("h", () => h = Groth16Prover.CosetEvaluations(key, witness));
            Time("A", () => Msm.Multiply(key.A, witness));
            Time("B1", () => Msm.Multiply(key.B1, witness));
            Time("B2", () => Msm.Multiply(key.B2, witness));
            Time("C", () => Msm.Multiply(key.C, witness.AsSpan(key.PublicSignals + 1)));
            Time("H", () => Msm.Multiply(key.H, h));
            Time("all", () => Groth16Prover.Prove(key, witness));
            Console.WriteLine("ms: " + string.Join(", ", times).Replace(":,", ":", StringComparison.Ordinal));
        }
    }
}
