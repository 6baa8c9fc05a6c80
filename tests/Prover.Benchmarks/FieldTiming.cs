using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics.X86;
using Prover.Crypto.Field;

namespace Prover.Benchmarks;

/// <summary>
/// <c>field-min [rounds]</c>: minimum-of-N timings of the field kernels and Poseidon, old (scalar)
/// and new path interleaved round by round, for a machine too loaded for BenchmarkDotNet's means to
/// be stable: the minimum of many short rounds is the run least disturbed by other work.
/// </summary>
internal static class FieldTiming
{
    private const int Inner = 200;

    public static void Run(int rounds)
    {
        var a = Fr.Parse("0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809");
        var b = Fr.Parse("12345678901234567890123456789012345678901234567890123456789012345678");
        var c = Fr.FromUInt64(0xdead_beef_cafe_f00d);
        var d = -Fr.One;

        var cases = new List<(string Name, Func<double> Once)>
        {
            ("Fr.Multiply (chained)", () => Time(() =>
            {
                var x = a;
                for (int i = 0; i < Inner; i++)
                {
                    x *= b;
                }

                return x;
            })),
            ("Poseidon4 scalar", () => Time(() =>
            {
                var x = a;
                for (int i = 0; i < Inner; i++)
                {
                    x = Poseidon.HashScalar([x, b, c, d]);
                }

                return x;
            })),
            ("Poseidon4", () => Time(() =>
            {
                var x = a;
                for (int i = 0; i < Inner; i++)
                {
                    x = Poseidon.Hash(x, b, c, d);
                }

                return x;
            })),
            ("Poseidon2 scalar", () => Time(() =>
            {
                var x = a;
                for (int i = 0; i < Inner; i++)
                {
                    x = Poseidon.HashScalar([x, b]);
                }

                return x;
            })),
            ("Poseidon2", () => Time(() =>
            {
                var x = a;
                for (int i = 0; i < Inner; i++)
                {
                    x = Poseidon.Hash(x, b);
                }

                return x;
            })),
        };

        if (Avx512F.IsSupported)
        {
            var x8 = Fr8.FromFr([a, b, c, d, a, b, c, d]);
            var y8 = Fr8.Constants([b, c, d, a, b, c, d, a]);
            var cols = new[] { y8, y8, y8, y8, y8 };
            cases.Add(("Fr8.Multiply (8 lanes, chained)", () => Time(() =>
            {
                var x = x8;
                for (int i = 0; i < Inner; i++)
                {
                    Fr8.Multiply(x, y8, out x);
                }

                return x.ToFr(0);
            })));
            cases.Add(("Fr8.Square (8 lanes, chained)", () => Time(() =>
            {
                var x = x8;
                for (int i = 0; i < Inner; i++)
                {
                    Fr8.Square(x, out x);
                }

                return x.ToFr(0);
            })));
            cases.Add(("Fr8.Mix 5 terms (chained)", () => Time(() =>
            {
                var x = x8;
                for (int i = 0; i < Inner; i++)
                {
                    Fr8.Mix(x, cols, out x);
                }

                return x.ToFr(0);
            })));
        }

        var samples = new double[cases.Count][];
        for (int i = 0; i < cases.Count; i++)
        {
            samples[i] = new double[rounds];
        }

        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < cases.Count; i++)
            {
                samples[i][r] = cases[i].Once();
            }
        }

        // The median beside the minimum: the minimum is what the code can do, the median what it did
        // on a typical round of this machine, which is closer to what a long-running thread sees.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} rounds of {Inner}, ns per call:   min     median"));
        for (int i = 0; i < cases.Count; i++)
        {
            Array.Sort(samples[i]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {cases[i].Name,-34} {samples[i][0],10:F1} {samples[i][rounds / 2],10:F1}"));
        }
    }

    private static double Time(Func<Fr> body)
    {
        long start = Stopwatch.GetTimestamp();
        var result = body();
        long elapsed = Stopwatch.GetTimestamp() - start;
        GC.KeepAlive(result);
        return elapsed * 1e9 / Stopwatch.Frequency / Inner;
    }
}
