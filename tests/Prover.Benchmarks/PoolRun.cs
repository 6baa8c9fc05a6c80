using System.Diagnostics;
using System.Globalization;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Proving;
using Prover.Proving.Snarkjs;
using Prover.Workers;

namespace Prover.Benchmarks;

/// <summary>
/// The prover pool end to end on the embedded store: full batches stored at once, proven by 1 or 2
/// Hangfire workers and finalized on a local anvil. For each worker count the same batches are first
/// proven directly (the backend's witness and proof one after another, no queue, no store, no chain): the
/// pool's overhead is its wall time against that, and its throughput is proofs per minute and
/// transactions finalized per second.
/// </summary>
internal static class PoolRun
{
    public static async Task RunAsync(string policyId, int capacity, int batches, int[] workerCounts, BackendKind kind)
    {
        var backend = ProvingBackends.Create(kind, new SnarkjsOptions());
        var circuits = ProvingBackends.CircuitsDirectory(null);
        var work = Directory.CreateTempSubdirectory("prover-bench-pool-").FullName;
        await using var anvil = await AnvilNode.StartAsync(new AnvilOptions(), CancellationToken.None);
        var connection = await ChainConnection.ConnectAsync(anvil.Url, AnvilNode.DevelopmentKeys[0], CancellationToken.None);
        try
        {
            var main = Path.Combine(circuits, CircuitInputs.MainFor(policyId, capacity));
            var circuit = await backend.CompileAsync(main, Path.Combine(work, "build"), CancellationToken.None);
            var artifacts = await backend.SetupAsync(circuit, CeremonySource.Development, Path.Combine(work, "artifacts"), CancellationToken.None);
            var policy = GasRun.Policy(policyId);
            Console.WriteLine($"# pool ({ProvingBackends.NameOf(kind)} backend): {batches} full {policyId} batches (after one untimed warm-up batch) of N = {capacity} ({circuit.Constraints:N0} constraints), SQLite store, anvil; direct = witness + prove per batch, sequential");
            Console.WriteLine("workers  direct s  pool s  overhead  proofs/min  tx finalized/s");
            foreach (var workers in workerCounts)
            {
                var (inbox, deployment) = await BatchInbox.DeployAsync(connection, new InboxDeploymentRequest(artifacts.VerifierContractFile, policy, capacity, connection.Account), null, CancellationToken.None);
                var witnesses = new List<OrderingWitness>();
                var head = deployment.GenesisHead;
                ulong seq = 0;
                ulong lastArrival = 0;
                for (var i = 0; i <= batches; i++)
                {
                    var batch = GasRun.Batch((ulong)i, head, ref seq, capacity, capacity, policy, connection.ChainId, inbox.Address, lastArrival);
                    head = batch.NewHead;
                    lastArrival = batch.Entries[^1].ArrivalMs;
                    witnesses.Add(OrderingWitness.FromBatch(batch));
                }

                // Batch 0 warms both runs up untimed (the pool's first submission JITs its chain code); the
                // other batches are timed, each run on the same witnesses.
                var direct = new Stopwatch();
                foreach (var w in witnesses)
                {
                    direct.Start();
                    await GasRun.ProveAsync(backend, artifacts, w, Path.Combine(work, "direct", $"{workers}-{w.BatchIndex}"));
                    direct.Stop();
                    if (w.BatchIndex == 0)
                    {
                        direct.Reset();
                    }
                }

                var pooled = await PoolAsync(backend, circuits, connection, inbox, deployment, witnesses, workers, Path.Combine(work, $"pool-{workers}"), ProverPool.VerificationKeyHash(artifacts.VerificationKeyFile));
                var transactions = witnesses.Skip(1).Sum(w => w.Count);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{workers,7} {direct.Elapsed.TotalSeconds,9:F1} {pooled.TotalSeconds,7:F1} {(pooled / direct.Elapsed) - 1,9:P1} {batches / pooled.TotalMinutes,11:F1} {transactions / pooled.TotalSeconds,15:F2}"));
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            (backend as IDisposable)?.Dispose();
        }
    }

    private static async Task<TimeSpan> PoolAsync(
        IProvingBackend backend, string circuits, ChainConnection connection, BatchInbox inbox, InboxDeployment deployment, List<OrderingWitness> witnesses, int workers, string folder, string keyHash)
    {
        var options = new ProverPoolOptions { Storage = new PoolStorage.Sqlite(Path.Combine(folder, "pool")), WorkDirectory = Path.Combine(folder, "work"), Workers = workers };
        await using var pool = await ProverPool.StartAsync(
            options, new ProvingSetup(backend, CeremonySource.Development, circuits), new PoolChain(connection, inbox, deployment.Block), keyHash, null, null, CancellationToken.None);
        // Compile and set up before the clock starts, as the direct run had its artifacts already.
        await pool.Runtime.Prover.ArtifactsAsync(witnesses[0].Policy.Id, witnesses[0].Capacity, CancellationToken.None);
        await pool.Store.AddAsync(witnesses[0], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), CancellationToken.None);
        await pool.Runtime.EnqueueProveAsync(0, CancellationToken.None);
        await pool.WaitUntilSettledAsync(1, TimeSpan.FromMinutes(30), CancellationToken.None);
        var clock = Stopwatch.StartNew();
        foreach (var w in witnesses.Skip(1))
        {
            await pool.Store.AddAsync(w, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), CancellationToken.None);
            await pool.Runtime.EnqueueProveAsync(w.BatchIndex, CancellationToken.None);
        }

        await pool.WaitUntilSettledAsync(witnesses.Count, TimeSpan.FromMinutes(30), CancellationToken.None);
        clock.Stop();
        var counts = await pool.Store.CountsAsync(CancellationToken.None);
        if (counts[BatchState.Finalized] != witnesses.Count)
        {
            throw new InvalidOperationException($"the pool finalized {counts[BatchState.Finalized]} of {witnesses.Count} batches.");
        }

        // Where the pool's time goes: each proof's own duration, and the gaps a worker spends between proofs.
        var records = (await pool.Store.ListAsync(CancellationToken.None)).Where(r => r.Index > 0).OrderBy(r => r.ProvedMs).ToList();
        var proving = records.Sum(r => r.ProveMs!.Value) / 1000.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"         ({workers} worker(s): proofs {proving:F1} s in the pool's own timing, {records.Average(r => r.ProveMs!.Value):F0} ms each; last proof → last final {(records.Max(r => r.FinalizedMs!.Value) - records.Max(r => r.ProvedMs!.Value)):F0} ms)"));

        return clock.Elapsed;
    }
}
