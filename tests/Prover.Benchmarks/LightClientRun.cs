using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Nethereum.EVM.Execution;
using Prover.Chain;
using Prover.Crypto.Bn254;
using Prover.LightClient.Groth16;
using Prover.Proving.Snarkjs;

namespace Prover.Benchmarks;

/// <summary>
/// <c>lightclient [rounds]</c>: milliseconds per Groth16 verification of the committed fixture proof
/// (fixtures/groth16: fcfs, N = 4, eight public signals), by the light client's own BN254 code and, for
/// comparison, by Nethereum.EVM's pairing precompile (0x08) on the same four pairs. Minimum and median of
/// <c>rounds</c> runs after a warm-up, on a machine shared with other work.
/// </summary>
internal static class LightClientRun
{
    public static async Task RunAsync(int rounds)
    {
        var dir = FindFixture();
        var key = await VerificationKey.ReadAsync(Path.Combine(dir, "verification_key.json"), CancellationToken.None);
        var proof = await Groth16Proof.ReadSnarkjsAsync(Path.Combine(dir, "proof.json"), CancellationToken.None);
        var signals = await SnarkjsBackend.ReadPublicSignalsAsync(Path.Combine(dir, "public.json"), CancellationToken.None);

        var ours = Measure(rounds, () =>
        {
            if (!Groth16Verifier.Verify(key, proof, signals))
            {
                throw new InvalidOperationException("the fixture proof did not verify");
            }
        });

        // The same check through Nethereum.EVM: the four pairs e(−A, B)·e(α, β)·e(vk_x, γ)·e(C, δ).
        var w = proof.Words;
        var vkX = key.IC[0];
        for (var i = 0; i < signals.Count; i++)
        {
            vkX += key.IC[i + 1].Multiply(signals[i].ToBigInteger());
        }

        var input = new List<byte>();
        void G1Words(G1 p) => input.AddRange([.. Word(p.X.ToBigInteger()), .. Word(p.Y.ToBigInteger())]);
        void G2Words(G2 q) => input.AddRange([.. Word(q.X.C1.ToBigInteger()), .. Word(q.X.C0.ToBigInteger()), .. Word(q.Y.C1.ToBigInteger()), .. Word(q.Y.C0.ToBigInteger())]);
        input.AddRange([.. Word(w[0]), .. Word((Fq.Modulus - w[1]) % Fq.Modulus), .. Word(w[2]), .. Word(w[3]), .. Word(w[4]), .. Word(w[5])]);
        G1Words(key.Alpha);
        G2Words(key.Beta);
        G1Words(vkX);
        G2Words(key.Gamma);
        input.AddRange([.. Word(w[6]), .. Word(w[7])]);
        G2Words(key.Delta);
        var evm = BuiltInPrecompileProvider.Cancun();
        var bytes = input.ToArray();
        var precompile = Measure(Math.Max(3, rounds / 10), () =>
        {
            if (evm.Execute("0x0000000000000000000000000000000000000008", bytes)[^1] != 1)
            {
                throw new InvalidOperationException("the precompile refused the fixture proof");
            }
        });

        // Where the time goes, each part alone.
        var b = new G2(new Fq2(Fq.FromBigInteger(w[3]), Fq.FromBigInteger(w[2])), new Fq2(Fq.FromBigInteger(w[5]), Fq.FromBigInteger(w[4])), false);
        var a = new G1(Fq.FromBigInteger(w[0]), Fq.FromBigInteger(w[1]), false);
        var c = new G1(Fq.FromBigInteger(w[6]), Fq.FromBigInteger(w[7]), false);
        var miller = Pairing.MillerLoop([(a, b), (vkX.Negate(), key.Gamma), (c.Negate(), key.Delta)]);
        var parts = new (string Name, (double Min, double Median) Time)[]
        {
            ("G2 subgroup check of B (r·B = O)", Measure(rounds, () => _ = b.IsInSubgroup)),
            ("vk_x = IC0 + sum of s_i·IC_i (one shared doubling chain)", Measure(rounds, () =>
                _ = (G1Jacobian.MultiScalarMultiply(key.IC.AsSpan(1), [.. signals.Select(s => s.ToBigInteger())]) + key.IC[0]).ToAffine())),
            ("Miller loop, 3 pairs (e(−α, β)'s is cached per key)", Measure(rounds, () => _ = Pairing.MillerLoop([(a, b), (vkX.Negate(), key.Gamma), (c.Negate(), key.Delta)]))),
            ("final exponentiation", Measure(rounds, () => _ = Pairing.FinalExponentiation(miller))),
        };

        Console.WriteLine("| verifier | min ms | median ms | runs |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(Row("Prover.LightClient Groth16Verifier.Verify (point checks, G2 subgroup check, vk_x, 4-pair multi-pairing)", ours, rounds));
        Console.WriteLine(Row("Nethereum.EVM precompile 0x08, the 4 pairs only", precompile, Math.Max(3, rounds / 10)));
        foreach (var (name, time) in parts)
        {
            Console.WriteLine(Row("  of which: " + name, time, rounds));
        }
    }

    private static (double Min, double Median) Measure(int rounds, Action once)
    {
        once();
        var times = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            once();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[0], times[rounds / 2]);
    }

    private static string Row(string name, (double Min, double Median) t, int runs) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {t.Min:F1} | {t.Median:F1} | {runs} |");

    private static byte[] Word(BigInteger v)
    {
        var bytes = v.ToByteArray(isUnsigned: true, isBigEndian: true);
        var word = new byte[32];
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }

    private static string FindFixture()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Prover.sln")))
        {
            dir = dir.Parent;
        }

        return dir is null ? throw new InvalidOperationException("run from a checkout: Prover.sln not found") : Path.Combine(dir.FullName, "fixtures", "groth16");
    }
}
