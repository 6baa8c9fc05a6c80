using System.Diagnostics;
using System.Globalization;
using Prover.Core.Batches;
using Prover.Proving;
using Prover.Proving.Native;
using Prover.Proving.Snarkjs;

namespace Prover.Benchmarks;

/// <summary>
/// Witness plus proof per batch, the native backend against snarkjs, side by side in one process: for
/// each circuit, keys from one setup (shared by both), then rounds that alternate the two
/// backends on the same input, so drift on a shared machine lands on both. The first native call
/// (Wasmtime compiling the witness calculator, reading the key) is reported apart from the steady state
/// a prover pool sees. Every native proof is checked with snarkjs' verifier once per circuit.
/// </summary>
internal static class ProveRun
{
    public static async Task RunAsync(string[] policies, int[] capacities, int rounds, int maxPower)
    {
        var compiler = new SnarkjsBackend();
        var work = Directory.CreateTempSubdirectory("prover-bench-prove-").FullName;
        try
        {
            var circuits = new List<(string Policy, int N, CompiledCircuit Circuit)>();
            foreach (var policy in policies)
            {
                foreach (var n in capacities)
                {
                    var main = Path.Combine(compiler.CircuitsDirectory, CircuitInputs.MainFor(policy, n));
                    circuits.Add((policy, n, await compiler.CompileAsync(main, Path.Combine(work, "build"), CancellationToken.None)));
                }
            }

            var power = circuits.Where(c => c.Circuit.RequiredPower <= maxPower).Select(c => c.Circuit.RequiredPower).DefaultIfEmpty(0).Max();
            var options = new SnarkjsOptions { MinimumDevelopmentPower = power };
            var snarkjs = new SnarkjsBackend(options);
            using var native = new NativeBackend(options);
            Console.WriteLine($"# prove: witness + Groth16 proof per batch, median of {rounds} alternating rounds, {Environment.ProcessorCount} cores; keys from the development ceremony of power {power} (set up natively, the same bytes as snarkjs', shared)");
            Console.WriteLine("policy         N   constraints  snarkjs s  native s  ratio  native first s  native witness s  native prove s");
            foreach (var (policy, n, circuit) in circuits)
            {
                var head = string.Create(CultureInfo.InvariantCulture, $"{policy,-13} {n,4} {circuit.Constraints,12:N0}");
                if (circuit.RequiredPower > maxPower)
                {
                    Console.WriteLine($"{head}  not proven: needs a power-{circuit.RequiredPower} ceremony (--max-power {maxPower})");
                    continue;
                }

                var folder = Path.Combine(work, $"{policy}-{n}");
                // The native setup writes snarkjs' own bytes (NativeSetupTests), minutes faster at power 15 and up.
                var artifacts = await native.SetupAsync(circuit, CeremonySource.Development, Path.Combine(folder, "artifacts"), CancellationToken.None);
                var input = Path.Combine(folder, "input.json");
                await File.WriteAllTextAsync(input, CircuitInputs.From(CircuitRun.FullBatch(policy, n)).ToJsonString());

                var first = await TimeAsync(native, circuit, artifacts, input, folder, "native-first");
                if (!await snarkjs.VerifyAsync(artifacts.VerificationKeyFile, first.Proof, CancellationToken.None))
                {
                    throw new InvalidOperationException($"the native {policy} proof for N = {n} does not verify with snarkjs");
                }

                var snarkjsTimes = new List<double>();
                var nativeTimes = new List<(double Total, double Witness, double Prove)>();
                for (var round = 0; round < rounds; round++)
                {
                    snarkjsTimes.Add((await TimeAsync(snarkjs, circuit, artifacts, input, folder, $"snarkjs-{round}")).Total);
                    var timed = await TimeAsync(native, circuit, artifacts, input, folder, $"native-{round}");
                    nativeTimes.Add((timed.Total, timed.Witness, timed.Prove));
                }

                var s = Median(snarkjsTimes);
                var t = Median(nativeTimes.Select(x => x.Total));
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{head} {s,10:F3} {t,9:F3} {s / t,6:F1} {first.Total,15:F3} {Median(nativeTimes.Select(x => x.Witness)),17:F3} {Median(nativeTimes.Select(x => x.Prove)),15:F3}"));
            }

            Console.WriteLine($"# peak working set of this process: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB");
        }
        finally
        {
            // PROVER_BENCH_KEEP=1 keeps the keys, inputs and witnesses for `prove-phases`.
            if (Environment.GetEnvironmentVariable("PROVER_BENCH_KEEP") == "1")
            {
                Console.WriteLine($"# kept {work}");
            }
            else
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static async Task<(double Total, double Witness, double Prove, ProofFiles Proof)> TimeAsync(IProvingBackend backend, CompiledCircuit circuit, CircuitArtifacts artifacts, string input, string folder, string name)
    {
        var wtns = Path.Combine(folder, $"{name}.wtns");
        var clock = Stopwatch.StartNew();
        await backend.ComputeWitnessAsync(circuit, input, wtns, CancellationToken.None);
        var witness = clock.Elapsed.TotalSeconds;
        var proof = await backend.ProveAsync(artifacts, wtns, Path.Combine(folder, name), CancellationToken.None);
        var total = clock.Elapsed.TotalSeconds;
        return (total, witness, total - witness, proof);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
