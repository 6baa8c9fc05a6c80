using System.Globalization;
using Prover.Chain;

namespace Prover.Workers.Tests;

/// <summary>
/// Real <c>prover worker</c> processes against a real PostgreSQL cluster and a real anvil: shared queues,
/// kill -9 mid-proof, a database restart mid-run, and the embedded (SQLite) process restarted. Every
/// test ends by counting what reached the chain: each batch finalized exactly once, no other transaction
/// sent to the inbox.
/// </summary>
[Collection(PoolCollection.Name)]
public sealed class WorkerProcessTests(PoolFixture fixture) : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(5);

    // Short enough that a killed worker's batch moves on within the test, long enough (renewed every
    // third of it) that a worker stalled a few seconds on a loaded machine does not lose a live lease.
    private const string LeaseSeconds = "15";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Two_worker_processes_sharing_postgres_finalize_twenty_batches_exactly_once()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var (store, connection) = await PostgresStoreAsync();
        await using var first = await WorkerProcess.StartAsync(PostgresWorker(connection, deployment, "a"));
        await using var second = await WorkerProcess.StartAsync(PostgresWorker(connection, deployment, "b"));
        foreach (var witness in new TestLog(deployment.ChainId, deployment.Inbox).Next(20))
        {
            await store.AddAsync(witness, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), default);
        }

        await WaitForFinalizedAsync(store, 20, first, second);

        await AssertFinalizedExactlyOnceAsync(chain, deployment, 20);
        var provers = (await store.ListAsync(default)).Select(r => r.ProvedBy).Distinct().ToList();
        Assert.True(provers.Count == 2, $"both workers should have proved batches; proved by: {string.Join(", ", provers)}");
    }

    [Fact]
    public async Task A_worker_killed_mid_proof_leaves_its_batch_to_the_other_and_every_batch_is_finalized_once()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var (store, connection) = await PostgresStoreAsync();
        var victim = await WorkerProcess.StartAsync(PostgresWorker(connection, deployment, "victim"));
        foreach (var witness in new TestLog(deployment.ChainId, deployment.Inbox).Next(4))
        {
            await store.AddAsync(witness, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), default);
        }

        var marker = $":{victim.Id}:";
        var caught = await PollAsync(async () => (await store.ListAsync(default, BatchState.Proving)).FirstOrDefault(r => r.LeaseOwner?.Contains(marker, StringComparison.Ordinal) == true));
        await victim.KillHardAsync();
        await victim.DisposeAsync();
        await using var survivor = await WorkerProcess.StartAsync(PostgresWorker(connection, deployment, "survivor"));

        await WaitForFinalizedAsync(store, 4, survivor);

        await AssertFinalizedExactlyOnceAsync(chain, deployment, 4);
        var taken = (await store.GetAsync(caught.Index, default))!;
        Assert.True(taken.Attempts >= 2, $"batch {caught.Index} was being proved by the killed worker, so it needed another attempt (attempts {taken.Attempts})");
        Assert.DoesNotContain(marker, taken.ProvedBy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgreSQL_restarted_mid_run_loses_nothing()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var (store, connection) = await PostgresStoreAsync();
        await using var first = await WorkerProcess.StartAsync(PostgresWorker(connection, deployment, "a"));
        await using var second = await WorkerProcess.StartAsync(PostgresWorker(connection, deployment, "b"));
        foreach (var witness in new TestLog(deployment.ChainId, deployment.Inbox).Next(10))
        {
            await store.AddAsync(witness, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), default);
        }

        await PollAsync(async () => (await store.CountsAsync(default))[BatchState.Finalized] >= 2 ? "" : null);
        await fixture.Postgres.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await fixture.Postgres.StartAsync();

        await WaitForFinalizedAsync(store, 10, first, second);

        await AssertFinalizedExactlyOnceAsync(chain, deployment, 10);
        Assert.False(first.HasExited || second.HasExited, "a worker exited when the database went away:\n" + first.Output + second.Output);
    }

    [Fact]
    public async Task The_embedded_worker_killed_and_started_again_resumes_its_pending_batches()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var dataDir = _dir.Combine("data");
        var batches = Directory.CreateDirectory(Path.Combine(dataDir, "batches")).FullName;
        foreach (var witness in new TestLog(deployment.ChainId, deployment.Inbox).Next(6))
        {
            await File.WriteAllTextAsync(Path.Combine(batches, witness.BatchIndex.ToString("D10", CultureInfo.InvariantCulture) + ".witness.json"), witness.ToJson());
        }

        string[] arguments = ["--data-dir", dataDir, "--rpc", fixture.Anvil.Url.ToString(), "--inbox", deployment.Inbox.ToString(), "--lease-seconds", LeaseSeconds];
        var store = PoolStore.Sqlite(Path.Combine(dataDir, "pool", "pool.db"));
        var crashed = await WorkerProcess.StartAsync(arguments);
        await PollAsync(async () =>
        {
            var counts = await store.CountsAsync(default);
            return counts[BatchState.Finalized] >= 1 && counts[BatchState.Proving] >= 1 ? "" : null;
        });
        await crashed.KillHardAsync();
        await crashed.DisposeAsync();
        var before = await store.CountsAsync(default);
        Assert.True(before[BatchState.Finalized] < 6, "the kill came too late to test a resume");

        await using var restarted = await WorkerProcess.StartAsync(arguments);
        await WaitForFinalizedAsync(store, 6, restarted);

        await AssertFinalizedExactlyOnceAsync(chain, deployment, 6);
        var (exitCode, status) = await WorkerProcess.RunAsync("pool", "status", "--data-dir", dataDir);
        Assert.Equal(0, exitCode);
        Assert.Contains("6 finalized", status, StringComparison.Ordinal);
        Assert.Contains("batch      5  finalized", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_whose_database_is_unreachable_exits_2_naming_it_without_the_password()
    {
        var (exitCode, output) = await WorkerProcess.RunAsync(
            "worker", "--data-dir", _dir.Combine("data"), "--postgres", "Host=127.0.0.1;Port=9;Database=pool;Username=prover;Password=hunter2;Timeout=2");

        Assert.Equal(2, exitCode);
        Assert.Contains("postgres://127.0.0.1:9/pool", output, StringComparison.Ordinal);
        Assert.Contains("check that the database is running", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
    }

    private async Task<(PoolStore Store, string ConnectionString)> PostgresStoreAsync()
    {
        var connection = await fixture.Postgres.CreateDatabaseAsync();
        var store = PoolStore.Postgres(connection);
        await store.InitializeAsync(default);
        await store.SetSettingOnceAsync(ProverPool.VerificationKeySetting, fixture.VerificationKeyHash, default);
        return (store, connection);
    }

    private string[] PostgresWorker(string connection, InboxDeployment deployment, string name) =>
    [
        "--data-dir", _dir.Combine(name), "--postgres", connection, "--rpc", fixture.Anvil.Url.ToString(), "--inbox", deployment.Inbox.ToString(),
        "--workers", "1", "--lease-seconds", LeaseSeconds,
    ];

    private static async Task WaitForFinalizedAsync(PoolStore store, int batches, params WorkerProcess[] workers)
    {
        var deadline = DateTime.UtcNow + Settle;
        while (true)
        {
            IReadOnlyDictionary<BatchState, int>? counts = null;
            try
            {
                counts = await store.CountsAsync(default);
                if (counts[BatchState.Finalized] == batches)
                {
                    return;
                }

                Assert.Equal(0, counts[BatchState.Failed]);
            }
            catch (PoolStoreUnavailableException)
            {
                // the database is restarting
            }

            if (DateTime.UtcNow > deadline || workers.Any(w => w.HasExited))
            {
                Assert.Fail($"not all {batches} batches finalized ({(counts is null ? "store unavailable" : string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}")))}). Worker output:\n{string.Join("\n---\n", workers.Select(w => w.Output))}");
            }

            await Task.Delay(250);
        }
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + Settle;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the awaited pool state never came");
    }

    /// <summary>One BatchFinalized event per index, in order, and no transaction to the inbox beyond those (no reverted double submission).</summary>
    private async Task AssertFinalizedExactlyOnceAsync(PoolChain chain, InboxDeployment deployment, int batches)
    {
        var events = await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default);
        Assert.Equal(Enumerable.Range(0, batches).Select(i => (ulong)i), events.Select(e => e.Index));

        Assert.Equal(batches, await fixture.InboxTransactionsAsync(deployment));
        Assert.Equal(batches, (int)(await chain.Inbox.GetStateAsync(default)).NextBatchIndex);
    }
}
