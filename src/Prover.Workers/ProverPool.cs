using System.Net;
using System.Security.Cryptography;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Prover.Workers;

/// <summary>
/// One process of the prover pool: Hangfire servers for the <c>prove</c> queue (when it has workers) and
/// the <c>submit</c> queue (when it has a chain), the reconciler, the optional witness import and the
/// optional dashboard. Flow: a batch is stored pending and a <c>ProveBatch(index)</c> job enqueued → a
/// worker proves it and stores the proof → a submit pass finalizes proved batches in index order.
/// </summary>
public sealed class ProverPool : IAsyncDisposable
{
    /// <summary>The store setting that binds it to one inbox: a store of another inbox is refused.</summary>
    internal const string BindingSetting = "inbox";

    /// <summary>The store setting holding the deployed verifier's verification key hash, so every worker proves with the same keys.</summary>
    internal const string VerificationKeySetting = "verificationKeySha256";

    private readonly PoolRuntime _runtime;
    private readonly List<BackgroundJobServer> _servers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _reconciling;
    private readonly WebApplication? _dashboard;
    private readonly ProvingSetup? _proving;

    private ProverPool(PoolRuntime runtime, List<BackgroundJobServer> servers, Reconciler reconciler, WebApplication? dashboard, Uri? dashboardUrl, ProvingSetup? proving)
    {
        _runtime = runtime;
        _proving = proving;
        _servers = servers;
        Reconciler = reconciler;
        _dashboard = dashboard;
        DashboardUrl = dashboardUrl;
        _reconciling = Task.Run(() => reconciler.RunAsync(_stopping.Token));
    }

    public PoolStore Store => _runtime.Store;

    /// <summary>What this process proved and finalized.</summary>
    public PoolMetrics Metrics => _runtime.Metrics;

    public string WorkerId => _runtime.WorkerId;

    /// <summary>The dashboard, e.g. <c>http://127.0.0.1:5123/hangfire</c>; null when none is served.</summary>
    public Uri? DashboardUrl { get; }

    internal Reconciler Reconciler { get; }

    internal PoolRuntime Runtime => _runtime;

    /// <summary>
    /// Opens the store (creating its tables), checks it belongs to <paramref name="chain"/>'s inbox, and
    /// starts the servers.
    /// </summary>
    /// <param name="proving">How to prove; required when <see cref="ProverPoolOptions.Workers"/> &gt; 0. A backend it owns (<see cref="ProvingSetup.Create"/>) is disposed with the pool, or at once if the pool does not start.</param>
    /// <param name="chain">Where to submit; null makes this a proving-only process.</param>
    /// <param name="verificationKeySha256">The deployed verifier's key hash, recorded in the store for every worker; null takes the one recorded there.</param>
    /// <exception cref="PoolConfigurationException">Inconsistent settings, or a store of another inbox.</exception>
    public static async Task<ProverPool> StartAsync(
        ProverPoolOptions options, ProvingSetup? proving, PoolChain? chain, string? verificationKeySha256,
        ILoggerFactory? loggerFactory, TimeProvider? time, CancellationToken cancellationToken)
    {
        try
        {
            return await StartOwningAsync(options, proving, chain, verificationKeySha256, loggerFactory, time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The backend was handed over with the setup: a pool that never ran still owns it.
            proving?.Release();
            throw;
        }
    }

    private static async Task<ProverPool> StartOwningAsync(
        ProverPoolOptions options, ProvingSetup? proving, PoolChain? chain, string? verificationKeySha256,
        ILoggerFactory? loggerFactory, TimeProvider? time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Workers < 0)
        {
            throw new PoolConfigurationException("--workers", $"{options.Workers} is not a worker count (0 or more).");
        }

        if (options.Workers > 0 && proving is null)
        {
            throw new PoolConfigurationException("proving", "a process with workers needs a proving backend and circuits.");
        }

        if (options.Lease < TimeSpan.FromMilliseconds(300))
        {
            throw new PoolConfigurationException("lease", $"{options.Lease.TotalMilliseconds} ms is too short to be renewed reliably (at least 300 ms).");
        }

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Prover.Workers");
        var (store, openJobStorage) = Open(options.Storage, options.QueuePollInterval);
        // The store first: it fails with a clear, credential-free message when the database is unreachable.
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        JobStorage jobStorage;
        try
        {
            jobStorage = openJobStorage();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException or IOException)
        {
            throw new PoolStoreUnavailableException(store.Description, "opening Hangfire's job storage", e);
        }

        if (chain is not null)
        {
            var binding = $"chain {chain.Connection.ChainId}, inbox {chain.Inbox.Address}";
            var stored = await store.SetSettingOnceAsync(BindingSetting, binding, cancellationToken).ConfigureAwait(false);
            if (stored != binding)
            {
                throw new PoolConfigurationException("store", $"{store.Description} belongs to {stored}, not to {binding}: give each inbox its own database (or data directory).");
            }

            // Checked here, not by the first submission: the inbox refuses any other sender, and a pool
            // that found out by submitting had already spent a proof and stalled its first batch.
            var sequencer = await chain.Inbox.GetSequencerAsync(cancellationToken).ConfigureAwait(false);
            if (sequencer != chain.Connection.Account)
            {
                throw new PoolConfigurationException("key", $"the submitting account {chain.Connection.Account} is not the sequencer of inbox {chain.Inbox.Address} ({sequencer}), and the inbox takes batches from its sequencer only: use the sequencer account's key.");
            }
        }

        var expectedKey = verificationKeySha256 is null
            ? await store.GetSettingAsync(VerificationKeySetting, cancellationToken).ConfigureAwait(false)
            : await store.SetSettingOnceAsync(VerificationKeySetting, verificationKeySha256, cancellationToken).ConfigureAwait(false);
        if (verificationKeySha256 is not null && !string.Equals(expectedKey, verificationKeySha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new PoolConfigurationException("keys", $"{store.Description} records verification key {expectedKey}, not {verificationKeySha256}: this store was set up for another verifier.");
        }

        var prover = proving is null ? null : new BatchProver(proving.Backend, proving.Ceremony, proving.CircuitsDirectory, options.WorkDirectory, expectedKey);
        var runtime = new PoolRuntime(options, store, jobStorage, prover, chain, logger, time ?? TimeProvider.System);
        var filters = new JobFilterCollection { new RetryTransientFailures(options.RetryAttempts, options.RetryBaseDelay) };
        var servers = new List<BackgroundJobServer>();
        WebApplication? dashboard = null;
        try
        {
            if (options.Workers > 0)
            {
                servers.Add(Server(options, jobStorage, runtime, filters, PoolQueues.Prove, options.Workers));
            }

            if (chain is not null)
            {
                // One submit worker per process: submissions are sequential anyway, and the lease makes them so across processes.
                servers.Add(Server(options, jobStorage, runtime, filters, PoolQueues.Submit, 1));
            }

            Uri? dashboardUrl = null;
            if (options.DashboardPort is { } port)
            {
                (dashboard, dashboardUrl) = await StartDashboardAsync(jobStorage, port, !options.DashboardWritable, cancellationToken).ConfigureAwait(false);
            }

            // Hangfire logs through one process-wide provider. The dashboard's host installs its own, bound
            // to a logger factory that dies with the dashboard; this one lives as long as the caller's.
            GlobalConfiguration.Configuration.UseLogProvider(new AspNetCoreLogProvider(loggerFactory ?? NullLoggerFactory.Instance));
            var feed = options.WitnessDirectory is { } dir ? new WitnessFeed(runtime, dir) : null;
            logger.LogInformation("{Worker}: {Workers} proving worker(s), {Submit}, store {Store}", options.WorkerId, options.Workers, chain is null ? "not submitting" : $"submitting to {chain.Inbox.Address}", store.Description);
            return new ProverPool(runtime, servers, new Reconciler(runtime, feed), dashboard, dashboardUrl, proving);
        }
        catch
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }

            if (dashboard is not null)
            {
                await dashboard.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Compiles and sets up the circuit of (<paramref name="policyId"/>, <paramref name="capacity"/>) now,
    /// so the first batch's proof does not wait for it (circom alone takes seconds). Optional: the first
    /// job does it otherwise.
    /// </summary>
    /// <exception cref="PoolConfigurationException">No such circuit, or keys that are not the deployed verifier's.</exception>
    public async Task PrepareAsync(string policyId, int capacity, CancellationToken cancellationToken)
    {
        if (_runtime.ProverOrNull is { } prover)
        {
            await prover.ArtifactsAsync(policyId, capacity, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one reconciler pass now (import new witnesses, re-enqueue lost jobs, request a submit pass).</summary>
    public Task ReconcileAsync(CancellationToken cancellationToken) => Reconciler.TickAsync(cancellationToken);

    /// <summary>Waits until every batch in the store is finalized or failed, and at least <paramref name="atLeast"/> are stored.</summary>
    public async Task WaitUntilSettledAsync(int atLeast, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var counts = await Store.CountsAsync(cancellationToken).ConfigureAwait(false);
            var total = counts.Values.Sum();
            if (total >= atLeast && counts[BatchState.Finalized] + counts[BatchState.Failed] == total)
            {
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the pool did not settle within {timeout.TotalSeconds:F0} s: {string.Join(", ", counts.Where(c => c.Value > 0).Select(c => $"{c.Value} {c.Key.ToText()}"))}.");
            }
        }
    }

    /// <summary>Stops taking jobs, lets running ones observe shutdown, stops the reconciler and dashboard, and disposes the backend it owns.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var server in _servers)
        {
            server.SendStop();
        }

        foreach (var server in _servers)
        {
            await server.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            server.Dispose();
        }

        await _reconciling.ConfigureAwait(false);
        if (_dashboard is not null)
        {
            await _dashboard.StopAsync().ConfigureAwait(false);
            await _dashboard.DisposeAsync().ConfigureAwait(false);
        }

        // Last: no job is left to compute a witness with it.
        _proving?.Release();
        _stopping.Dispose();
    }

    /// <summary>The SHA-256 of a verification key file, as the store records it.</summary>
    public static string VerificationKeyHash(string verificationKeyFile) =>
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(verificationKeyFile)));

    /// <summary>The data store, and how to open Hangfire's storage beside it (which connects at once).</summary>
    private static (PoolStore Store, Func<JobStorage> Jobs) Open(PoolStorage storage, TimeSpan queuePollInterval)
    {
        switch (storage)
        {
            case PoolStorage.Sqlite sqlite:
                var directory = Directory.CreateDirectory(sqlite.Directory).FullName;
                return (PoolStore.Sqlite(Path.Combine(directory, "pool.db")),
                    () => new SQLiteStorage(Path.Combine(directory, "hangfire.db"), new SQLiteStorageOptions { QueuePollInterval = queuePollInterval }));
            case PoolStorage.Postgres postgres:
                var store = PoolStore.Postgres(postgres.ConnectionString);
                var options = new PostgreSqlStorageOptions
                {
                    QueuePollInterval = queuePollInterval,
                    // A fetched job stays invisible while its server is alive, however long the proof; if the
                    // server dies, the job comes back after the timeout (the reconciler acts long before).
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = TimeSpan.FromMinutes(5),
                    PrepareSchemaIfNecessary = true,
                };
                return (store, () => new PostgreSqlStorage(new NpgsqlConnectionFactory(postgres.ConnectionString, options), options));
            default:
                throw new PoolConfigurationException("storage", $"unknown storage {storage}.");
        }
    }

    private static BackgroundJobServer Server(ProverPoolOptions options, JobStorage storage, PoolRuntime runtime, IJobFilterProvider filters, string queue, int workers) =>
        new(
            new BackgroundJobServerOptions
            {
                ServerName = $"{options.WorkerId}/{queue}",
                Queues = [queue],
                WorkerCount = workers,
                Activator = new PoolActivator(runtime),
                FilterProvider = filters,
                // Retries are scheduled jobs: poll for due ones often enough that a short backoff means what it says.
                SchedulePollingInterval = TimeSpan.FromSeconds(1),
                ShutdownTimeout = TimeSpan.FromSeconds(10),
            },
            storage);

    private static async Task<(WebApplication App, Uri Url)> StartDashboardAsync(JobStorage storage, int port, bool readOnly, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHangfire(_ => { });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            IsReadOnlyFunc = _ => readOnly,
            Authorization = [new LocalRequestsOnlyAuthorizationFilter()],
            DisplayStorageConnectionString = false,
        }, storage);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new PoolConfigurationException("--dashboard-port", $"cannot listen on 127.0.0.1:{port}: {e.Message}");
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.TrimEnd('/') + "/hangfire"));
    }
}
