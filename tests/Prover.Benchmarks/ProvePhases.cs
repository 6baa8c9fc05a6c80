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
        Console.WriteLine($"points at infinity: A {key.A.Count(p => p.IsInfinity)}, B1 {key.B1.Count(p => p.IsInfinity)}, B2 {key.B2.Count(p => p.IsInfinity)}, C {key.C.Count(p => p.IsInfinity)}, H {key.H.Count(p => p.IsInfinity)}");
        var live = Enumerable.Range(0, witness.Length).Count(i => !witness[i].IsZero && !key.B2[i].IsInfinity);
        Console.WriteLine($"B2 terms with a nonzero scalar and a finite point: {live}");
        for (var round = 0; round < rounds; round++)
        {
            var times = new List<string>();
            void Time(string name, Action action)
            {
                clock.Restart();
                action();
                times.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {clock.Elapsed.TotalMilliseconds:F0}"));
            }

            Crypto.Field.Fr[] h = [];
            Time("h", () => h = Groth16Prover.CosetEvaluations(key, witness));
            Time("A", () => Msm.Multiply(key.A, witness));
            Time("B1", () => Msm.Multiply(key.B1, witness));
            Time("B2", () => Msm.Multiply(key.B2, witness));
            Time("C", () => Msm.Multiply(key.C, witness.AsSpan(key.PublicSignals + 1)));
            Time("H", () => Msm.Multiply(key.H, h));
            Time("all", () => Groth16Prover.Prove(key, witness));
            Console.WriteLine("ms: " + string.Join(", ", times));
        }
    }
}
