using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Prover.Chain;
using Prover.Core;
using Prover.Core.Ethereum;
using Prover.Proving;
using Prover.Proving.Snarkjs;
using Prover.Workers;

namespace Prover.Cli;

/// <summary><c>prover worker</c> and <c>prover pool status</c>: the prover pool on Hangfire.</summary>
internal static class WorkerCommands
{
    internal const string PostgresVariable = "PROVER_POSTGRES";

    private static readonly Option<DirectoryInfo> DataDir = new("--data-dir")
    {
        Description = "The sequencer's data directory: pool/ holds the embedded store (SQLite), batches/ the witnesses to import, chain/deployment.json the inbox.",
        DefaultValueFactory = _ => new DirectoryInfo(".data"),
    };

    private static readonly Option<string?> Postgres = new("--postgres")
    {
        Description = $"PostgreSQL connection string for the data store and Hangfire, shared by workers on many machines (otherwise ${PostgresVariable}; otherwise SQLite in <data-dir>/pool).",
    };

    public static Command Worker()
    {
        var workers = new Option<int>("--workers") { Description = "Batches this process proves at once (0: submit only).", DefaultValueFactory = _ => 1 };
        var rpc = new Option<string?>("--rpc") { Description = $"JSON-RPC URL of the chain to finalize on (otherwise ${ChainCommands.RpcVariable}). Without one this worker only proves." };
        var keyFile = new Option<FileInfo?>("--key-file") { Description = $"File holding the sequencer account's private key (otherwise ${ChainCommands.KeyVariable})." };
        var inbox = new Option<string?>("--inbox") { Description = "The inbox address (default: the one recorded in <data-dir>/chain/deployment.json)." };
        var witnesses = new Option<DirectoryInfo?>("--witnesses") { Description = "Import ordering witnesses cut into this folder (default: <data-dir>/batches when it exists)." };
        var circuits = new Option<DirectoryInfo?>("--circuits") { Description = "The circuits folder (default: circuits/ of this checkout)." };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Where compiled circuits, ceremony files and keys are cached (default: $XDG_CACHE_HOME/prover or ~/.cache/prover)." };
        var backendOption = BackendOption.Create();
        var ptau = new Option<FileInfo?>("--ptau") { Description = "A public powers-of-tau file; without it the local development ceremony is used: INSECURE." };
        var dashboard = new Option<int?>("--dashboard-port") { Description = "Serve the Hangfire dashboard on 127.0.0.1:PORT/hangfire (0: a free port), read-only." };
        var lease = new Option<double>("--lease-seconds") { Description = "How long a batch stays with a worker that stopped renewing its lease (died) before another takes it.", DefaultValueFactory = _ => 30 };
        var command = new Command("worker", "Run a prover pool process: prove batches from the shared queue and finalize them on chain in index order. Ctrl-C stops.");
        foreach (var option in new Option[] { DataDir, Postgres, workers, rpc, keyFile, inbox, witnesses, circuits, cache, ptau, backendOption, dashboard, lease })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            using var loggerFactory = Logging();
            var logger = loggerFactory.CreateLogger("prover");
            try
            {
                var dataDir = parse.GetValue(DataDir)!.FullName;
                var deploymentFile = Path.Combine(dataDir, "chain", "deployment.json");
                var deployment = File.Exists(deploymentFile) ? await ChainCommands.ReadDeploymentAsync(deploymentFile, ct) : null;
                var chain = await ConnectAsync(parse.GetValue(rpc), parse.GetValue(keyFile), parse.GetValue(inbox), deployment, ct);
                var witnessDir = parse.GetValue(witnesses)?.FullName ?? (Directory.Exists(Path.Combine(dataDir, "batches")) ? Path.Combine(dataDir, "batches") : null);
                var count = parse.GetValue(workers);
                var ceremony = parse.GetValue(ptau) is { } file ? CeremonySource.FromFile(file.FullName) : CeremonySource.Development;
                var backend = parse.Kind(backendOption);
                var tools = new SnarkjsOptions { CircuitsDirectory = parse.GetValue(circuits)?.FullName, CacheDirectory = parse.GetValue(cache)?.FullName };
                var options = new ProverPoolOptions
                {
                    Storage = Storage(parse, dataDir),
                    WorkDirectory = Path.Combine(dataDir, "work"),
                    Workers = count,
                    WitnessDirectory = witnessDir,
                    DashboardPort = parse.GetValue(dashboard),
                    Lease = TimeSpan.FromSeconds(parse.GetValue(lease)),
                };
                await using var pool = await ProverPool.StartAsync(
                    options, count > 0 ? ProvingSetup.Create(ceremony, backend, tools) : null, chain, deployment?.VerificationKeySha256, loggerFactory, null, ct);
                logger.LogInformation(
                    "worker {Id} running: {Workers} proving worker(s) on the {Backend} backend, {Chain}, store {Store}{Import}{Dashboard}. Ctrl-C stops.",
                    pool.WorkerId, count, ProvingBackends.NameOf(backend), chain is null ? "proving only (no --rpc)" : $"finalizing on {chain.Inbox.Address} (chain {chain.Connection.ChainId})", pool.Store.Description,
                    witnessDir is null ? "" : $", importing {witnessDir}", pool.DashboardUrl is { } url ? $", dashboard {url}" : "");
                if (deployment is not null && count > 0)
                {
                    // Set up the deployed circuit now: the first batch should not wait for circom.
                    await pool.PrepareAsync(Prover.Core.Ordering.OrderingPolicy.Parse(deployment.Policy).Id, deployment.Capacity, ct);
                }

                if (ceremony.IsInsecure && count > 0)
                {
                    logger.LogWarning("proving keys come from the INSECURE development ceremony: not for production (pass --ptau).");
                }

                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    logger.LogInformation("stopping: running jobs see the shutdown; unfinished batches stay in the store for the next worker.");
                }

                return 0;
            }
            catch (ProverException e)
            {
                logger.LogError("{Message}", e.Message);
                return 2;
            }
        });
        return command;
    }

    public static Command Pool()
    {
        var status = new Command("status", "Show the pool's batches by state, with proof times, transactions and errors.");
        status.Options.Add(DataDir);
        status.Options.Add(Postgres);
        status.SetAction(async (parse, ct) =>
        {
            try
            {
                var store = OpenStore(parse);
                await store.InitializeAsync(ct);
                var counts = await store.CountsAsync(ct);
                Console.Out.WriteLine($"store    {store.Description}");
                Console.Out.WriteLine("batches  " + string.Join(", ", counts.Select(c => $"{c.Value} {c.Key.ToString().ToLowerInvariant()}")));
                foreach (var b in await store.ListAsync(ct))
                {
                    var detail = b.State switch
                    {
                        BatchState.Finalized => $"tx {b.TransactionHash} gas {b.GasUsed:N0}",
                        BatchState.Failed => $"error: {b.Error}",
                        BatchState.Proved or BatchState.Submitted when b.Error is not null => $"last {b.Error}",
                        BatchState.Proving => $"lease {b.LeaseOwner}",
                        _ => "",
                    };
                    var proof = b.ProveMs is { } ms ? $"proved by {b.ProvedBy} in {(ms / 1000.0).ToString("F2", CultureInfo.InvariantCulture)} s" : "";
                    Console.Out.WriteLine($"  batch {b.Index,6}  {b.State.ToString().ToLowerInvariant(),-9}  {b.Count,3} tx  attempts {b.Attempts}  {Draw(b)}{proof}  {detail}".TrimEnd());
                }

                return counts[BatchState.Failed] == 0 ? 0 : 1;
            }
            catch (ProverException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        var retryIndex = new Argument<ulong>("index") { Description = "The failed batch to prove and submit again." };
        var retry = new Command("retry", "Put a failed batch back to pending, once its cause is fixed (a key, a verifier, a full disk): a running worker proves and submits it on its next pass.");
        retry.Arguments.Add(retryIndex);
        retry.Options.Add(DataDir);
        retry.Options.Add(Postgres);
        retry.SetAction(async (parse, ct) =>
        {
            try
            {
                var store = OpenStore(parse);
                await store.InitializeAsync(ct);
                var index = parse.GetValue(retryIndex);
                if (await store.RetryAsync(index, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ct))
                {
                    Console.Out.WriteLine($"batch {index} is pending again; a running worker proves and submits it on its next pass");
                    return 0;
                }

                var record = await store.GetAsync(index, ct);
                Console.Error.WriteLine(record is null
                    ? $"error: {store.Description} has no batch {index}"
                    : $"error: batch {index} is {record.State.ToString().ToLowerInvariant()}, not failed; only a failed batch can be retried");
                return 1;
            }
            catch (ProverException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });

        var pool = new Command("pool", "The prover pool's data store.");
        pool.Subcommands.Add(status);
        pool.Subcommands.Add(retry);
        return pool;
    }

    /// <summary>A shuffle batch's draw, followed by two spaces; empty for the policies that draw no beacon.</summary>
    private static string Draw(BatchRecord b) => b.Draws switch
    {
        null => "",
        0 => "beacon not drawn (awaiting its commitment)  ",
        { } draws => $"beacon of block {b.BeaconBlock} (draw {draws})  ",
    };

    private static PoolStore OpenStore(ParseResult parse) =>
        Storage(parse, parse.GetValue(DataDir)!.FullName) switch
        {
            PoolStorage.Postgres p => PoolStore.Postgres(p.ConnectionString),
            PoolStorage.Sqlite s => PoolStore.Sqlite(Path.Combine(s.Directory, "pool.db")),
            _ => throw new InvalidOperationException(),
        };

    private static PoolStorage Storage(ParseResult parse, string dataDir) =>
        (parse.GetValue(Postgres) ?? Environment.GetEnvironmentVariable(PostgresVariable)) is { Length: > 0 } connection
            ? new PoolStorage.Postgres(connection)
            : new PoolStorage.Sqlite(Path.Combine(dataDir, "pool"));

    private static async Task<PoolChain?> ConnectAsync(string? rpcOption, FileInfo? keyFile, string? inboxOption, ChainCommands.DeploymentRecord? deployment, CancellationToken ct)
    {
        var rpc = rpcOption ?? Environment.GetEnvironmentVariable(ChainCommands.RpcVariable);
        if (rpc is not { Length: > 0 })
        {
            return null;
        }

        if (!Uri.TryCreate(rpc, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ChainConfigurationException("--rpc", $"'{rpc}' is not an http(s) URL.");
        }

        var key = keyFile is not null
            ? (keyFile.Exists ? (await File.ReadAllTextAsync(keyFile.FullName, ct)).Trim() : throw new ChainConfigurationException("--key-file", $"{keyFile.FullName} does not exist."))
            : Environment.GetEnvironmentVariable(ChainCommands.KeyVariable);
        if (key is not { Length: > 0 })
        {
            throw new ChainConfigurationException("key", $"finalizing on --rpc needs the sequencer account's key: --key-file FILE or ${ChainCommands.KeyVariable}.");
        }

        EthAddress inbox;
        if (inboxOption is not null)
        {
            inbox = EthAddress.TryParse(inboxOption, out var parsed) ? parsed : throw new ChainConfigurationException("--inbox", $"'{inboxOption}' is not an address.");
        }
        else
        {
            inbox = deployment?.Inbox ?? throw new ChainConfigurationException("--inbox", "no inbox given and none recorded in <data-dir>/chain/deployment.json.");
        }

        var connection = await ChainConnection.ConnectAsync(url, key, ct);
        if (deployment is not null && deployment.Inbox == inbox && deployment.ChainId != connection.ChainId)
        {
            throw new ChainConfigurationException("--rpc", $"the chain's id is {connection.ChainId}, but the inbox was deployed on chain {deployment.ChainId}.");
        }

        return new PoolChain(connection, new BatchInbox(connection, inbox), deployment?.Inbox == inbox ? deployment.Block : 0);
    }

    private static ILoggerFactory Logging() => LoggerFactory.Create(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    }).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Hangfire", LogLevel.Warning));
}
