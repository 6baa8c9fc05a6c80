using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using Prover.Proving;
using Prover.Proving.Snarkjs;

namespace Prover.Benchmarks;

/// <summary>
/// The ordering circuits: constraints per transaction for every policy and capacity, and — for the
/// capacities asked for — witness and Groth16 prove time per full batch with snarkjs on this machine
/// (keys from the development ceremony, cached under ~/.cache/prover, so only the first run pays for
/// the setup).
/// </summary>
internal static class CircuitRun
{
    private static readonly string[] Policies = ["fcfs", "priority-fee", "timeboost", "shuffle"];
    private static readonly int[] Capacities = [4, 8, 16, 32, 64];

    /// <param name="baseline">A commit whose circuits are sized first, with its own code, for a comparison of constraints per transaction.</param>
    public static async Task RunAsync(int[] proveCapacities, int maxPower, string? baseline = null)
    {
        string[]? before = null;
        string? baselineCommit = null;
        if (baseline is not null)
        {
            using var checkout = await Baseline.CheckOutAsync(baseline);
            baselineCommit = checkout.Commit;
            before = await checkout.RunBenchmarkAsync("circuits", "--max-power", "0");
        }

        var sizes = await SizeAndProveAsync(proveCapacities, maxPower);
        if (before is not null)
        {
            Console.WriteLine();
            Console.WriteLine($"# constraints, baseline {baselineCommit} against this tree");
            Console.WriteLine("policy         N   before    after   per tx before  per tx after   Δ per tx");
            var old = before.Select(ParseSize).OfType<(string Policy, int N, int Constraints)>().ToDictionary(r => (r.Policy, r.N), r => r.Constraints);
            foreach (var (policy, n, constraints) in sizes)
            {
                if (old.TryGetValue((policy, n), out var was))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{policy,-13} {n,3} {was,8:N0} {constraints,8:N0} {was / (double)n,14:F1} {constraints / (double)n,13:F1} {(constraints - was) / (double)n,+10:F1}"));
                }
            }
        }
    }

    /// <summary>A size row as <see cref="SizeAndProveAsync"/> prints it: policy, N, constraints.</summary>
    private static (string Policy, int N, int Constraints)? ParseSize(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length >= 3 && !line.StartsWith('#') && int.TryParse(f[1], CultureInfo.InvariantCulture, out var n)
            && int.TryParse(f[2], NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var constraints)
            ? (f[0], n, constraints)
            : null;
    }

    private static async Task<List<(string Policy, int N, int Constraints)>> SizeAndProveAsync(int[] proveCapacities, int maxPower)
    {
        var sizes = new List<(string Policy, int N, int Constraints)>();
        var compiler = new SnarkjsBackend();
        var build = Directory.CreateTempSubdirectory("prover-bench-circuits-").FullName;
        try
        {
            var circuits = new List<(string Policy, int N, CompiledCircuit Circuit)>();
            foreach (var policy in Policies)
            {
                foreach (var n in Capacities)
                {
                    var main = Path.Combine(compiler.CircuitsDirectory, CircuitInputs.MainFor(policy, n));
                    circuits.Add((policy, n, await compiler.CompileAsync(main, Path.Combine(build, "build"), CancellationToken.None)));
                }
            }

            // One development ceremony large enough for every circuit proven here: preparing phase 2
            // once at the largest power costs less than preparing each smaller power on the way.
            bool Proven((string Policy, int N, CompiledCircuit Circuit) c) => proveCapacities.Contains(c.N) && c.Circuit.RequiredPower <= maxPower;
            var power = circuits.Where(Proven).Select(c => c.Circuit.RequiredPower).DefaultIfEmpty(0).Max();
            var backend = new SnarkjsBackend(new SnarkjsOptions { MinimumDevelopmentPower = power });
            Console.WriteLine($"# circuits: constraints (circom --O2); witness and prove seconds for N in {{{string.Join(", ", proveCapacities)}}}, {Environment.ProcessorCount} cores, snarkjs, keys from the development ceremony of power {power}");
            Console.WriteLine("policy         N   constraints  per tx   power  witness s  prove s  verify s");
            foreach (var c in circuits)
            {
                var (policy, n, circuit) = c;
                sizes.Add((policy, n, circuit.Constraints));
                var line = string.Create(CultureInfo.InvariantCulture, $"{policy,-13} {n,3} {circuit.Constraints,12:N0} {circuit.Constraints / (double)n,7:F1} {circuit.RequiredPower,6}");
                if (Proven(c))
                {
                    line += await ProveAsync(backend, circuit, policy, n, Path.Combine(build, $"{policy}-{n}"));
                }
                else if (proveCapacities.Contains(n))
                {
                    line += $"  not proven: needs a power-{circuit.RequiredPower} ceremony (--max-power {maxPower})";
                }

                Console.WriteLine(line);
            }
        }
        finally
        {
            Directory.Delete(build, recursive: true);
        }

        return sizes;
    }

    private static async Task<string> ProveAsync(SnarkjsBackend backend, CompiledCircuit circuit, string policy, int n, string work)
    {
        var artifacts = await backend.SetupAsync(circuit, CeremonySource.Development, Path.Combine(work, "artifacts"), CancellationToken.None);
        var input = Path.Combine(work, "input.json");
        await File.WriteAllTextAsync(input, CircuitInputs.From(FullBatch(policy, n)).ToJsonString());
        var wtns = Path.Combine(work, "witness.wtns");
        var clock = Stopwatch.StartNew();
        await backend.ComputeWitnessAsync(circuit, input, wtns, CancellationToken.None);
        var witnessSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var proof = await backend.ProveAsync(artifacts, wtns, Path.Combine(work, "proof"), CancellationToken.None);
        var proveSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        if (!await backend.VerifyAsync(artifacts.VerificationKeyFile, proof, CancellationToken.None))
        {
            throw new InvalidOperationException($"the {policy} proof for N = {n} did not verify");
        }

        return string.Create(CultureInfo.InvariantCulture, $" {witnessSeconds,10:F2} {proveSeconds,8:F2} {clock.Elapsed.TotalSeconds,9:F2}");
    }

    /// <summary>A full batch of n transactions from four senders (one the express lane), fees with ties, arrivals 0–9 ms apart.</summary>
    internal static OrderingWitness FullBatch(string policy, int n)
    {
        var senders = new[]
        {
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
            "0x90F79bf6EB2c4f870365E51E7A6eB3E7A7bAa7A4", "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
        }.Select(EthAddress.Parse).ToArray();
        var inbox = EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
        var entries = new LogEntry[n];
        var arrival = 1_764_300_000_000UL;
        for (var i = 0; i < n; i++)
        {
            var hash = new byte[32];
            hash.AsSpan().Fill(0xC3);
            BinaryPrimitives.WriteInt32BigEndian(hash.AsSpan(28), i);
            arrival += (ulong)(i * 7919 % 10);
            var tx = new SignedTransaction([], new Hash32(hash), TransactionType.DynamicFee, 31337, senders[i % 4], (ulong)(i / 4), (ulong)(1 + (i * 31 % 7)) * 100_000_000, 21_000);
            entries[i] = new LogEntry((ulong)i, arrival, tx);
        }

        OrderingPolicy p = policy switch
        {
            "timeboost" => new TimeboostPolicy(senders[0]),
            _ => OrderingPolicy.Parse(policy),
        };
        // A shuffle batch is drawn with a made-up beacon: the circuit's cost does not depend on its value.
        var beacon = p.NeedsBeacon ? BatchHeader.BeaconOf(new Hash32(Nethereum.Util.Sha3Keccack.Current.CalculateHash(new byte[] { 7 }))) : (Fr?)null;
        return OrderingWitness.FromBatch(BatchBuilder.Build(0, ReceiptChain.Genesis(31337, inbox), entries, p, 31337, inbox, n, prevLastArrivalMs: 0, beacon));
    }
}
