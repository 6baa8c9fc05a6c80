using System.Globalization;
using BenchmarkDotNet.Running;
using Prover.Proving;

namespace Prover.Benchmarks;

internal static class Program
{
    /// <summary>
    /// <c>ingest [count]</c> and <c>http [seconds] [rates…]</c> run the sequencer load harnesses,
    /// <c>circuits [--baseline REF] [--max-power P] [N…]</c> the circuit sizes (beside a baseline commit's)
    /// and the proving times for those capacities (up to ceremony power P), <c>gas [--baseline REF] [--power P] [N…]</c> submitBatch's gas on a local anvil for every
    /// policy at those capacities (and, with a baseline, that commit's against this tree's), <c>pool [--capacity N] [--batches K] [W…]</c> the prover pool's throughput and
    /// overhead with W workers, <c>lightclient [rounds]</c> the light client's Groth16 verification, <c>log-sync
    /// [groups] [size…]</c> the receipt log's write and sync per group, <c>native-setup P [R1CS]</c> the native development ceremony and keys at power P, <c>field-min [rounds]</c> the minimum-of-N
    /// and median field and Poseidon timings (<see cref="FieldTiming"/>); anything else
    /// goes to BenchmarkDotNet (e.g. <c>--filter '*Field*'</c>).
    /// </summary>
    public static async Task Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "ingest":
                await IngestRun.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000);
                break;
            case "http":
                var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
                var rates = args.Length > 2 ? args[2..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1_000, 5_000, 10_000];
                await HttpLoadRun.RunAsync(seconds, rates);
                break;
            case "circuits":
                // circuits [--baseline REF] [--max-power P] N…: circuits needing a larger ceremony are sized
                // but not proven; with a baseline, that commit's sizes beside these.
                var rest = args[1..];
                var circuitBaseline = TakeTextOption(ref rest, "--baseline");
                var maxPower = TakeOption(ref rest, "--max-power", int.MaxValue);
                await CircuitRun.RunAsync(rest.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray(), maxPower, circuitBaseline);
                break;
            case "prove":
                // prove [--rounds K] [--max-power P] [--policies a,b] N…: native against snarkjs, witness plus proof.
                var proveArgs = args[1..];
                var rounds = TakeOption(ref proveArgs, "--rounds", 5);
                var provePower = TakeOption(ref proveArgs, "--max-power", 15);
                var policies = TakeTextOption(ref proveArgs, "--policies")?.Split(',') ?? ["fcfs", "priority-fee", "timeboost", "shuffle"];
                await ProveRun.RunAsync(policies, proveArgs.Length > 0 ? proveArgs.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [8, 64], rounds, provePower);
                break;
            case "prove-phases":
                ProvePhases.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3);
                break;
            case "gas":
                // gas [--baseline REF] [--power P] N…: every circuit set up from one development ceremony of
                // power P; with a baseline, that commit's own run first and a comparison.
                var gasArgs = args[1..];
                var baseline = TakeTextOption(ref gasArgs, "--baseline");
                var power = TakeOption(ref gasArgs, "--power", 14);
                await GasRun.RunAsync(gasArgs.Length > 0 ? gasArgs.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [4, 8], power, baseline);
                break;
            case "pool":
                // pool [--backend native|snarkjs] [--capacity N] [--batches K] W…: the prover pool with W workers against the same backend run directly.
                var poolArgs = args[1..];
                var poolBackend = ProvingBackends.Parse(TakeTextOption(ref poolArgs, "--backend") ?? "native");
                var poolCapacity = TakeOption(ref poolArgs, "--capacity", 8);
                var poolBatches = TakeOption(ref poolArgs, "--batches", 12);
                await PoolRun.RunAsync("priority-fee", poolCapacity, poolBatches, poolArgs.Length > 0 ? poolArgs.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1, 2], poolBackend);
                break;
            case "lightclient":
                await LightClientRun.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50);
                break;
            case "log-sync":
                LogSyncRun.Run(
                    args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000,
                    args.Length > 2 ? args[2..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1, 9, 64]);
                break;
            case "native-setup":
                // native-setup P [R1CS]: the native development ceremony and a key at power P.
                SetupTiming.Run(int.Parse(args[1], CultureInfo.InvariantCulture), args.Length > 2 ? args[2] : null);
                break;
            case "field-min":
                FieldTiming.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300);
                break;
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                break;
        }
    }

    /// <summary>A leading <c>name value</c> pair of <paramref name="args"/> with a text value, removed from them; else null.</summary>
    private static string? TakeTextOption(ref string[] args, string name)
    {
        if (args.Length < 2 || args[0] != name)
        {
            return null;
        }

        var value = args[1];
        args = args[2..];
        return value;
    }

    /// <summary>A leading <c>name value</c> pair of <paramref name="args"/>, removed from them; else <paramref name="fallback"/>.</summary>
    private static int TakeOption(ref string[] args, string name, int fallback)
    {
        if (args.Length < 2 || args[0] != name)
        {
            return fallback;
        }

        var value = int.Parse(args[1], CultureInfo.InvariantCulture);
        args = args[2..];
        return value;
    }
}
