using Prover.Chain;
using Prover.Proving;
using Prover.Proving.Snarkjs;

namespace Prover.Workers;

/// <summary>Where the pool keeps its data store and Hangfire's queue.</summary>
public abstract record PoolStorage
{
    private PoolStorage() { }

    /// <summary>The embedded default: <c>pool.db</c> (data store) and <c>hangfire.db</c> (queue) in <paramref name="Directory"/>; one process.</summary>
    public sealed record Sqlite(string Directory) : PoolStorage;

    /// <summary>One PostgreSQL database for the data store and Hangfire (schema <c>hangfire</c>), shared by workers on many machines.</summary>
    public sealed record Postgres(string ConnectionString) : PoolStorage
    {
        /// <summary>Never prints the connection string: it may hold a password.</summary>
        public override string ToString() => "Postgres { ConnectionString = *** }";
    }
}

/// <summary>How this process proves: the backend, the ceremony the keys come from, and the circuits.</summary>
/// <remarks>
/// <see cref="Create"/> chooses the backend by kind (native unless told otherwise) and hands it to the
/// pool, which disposes it when it stops. A setup built around a backend the caller made (a test's
/// shared one) leaves disposing it to the caller.
/// </remarks>
public sealed record ProvingSetup(IProvingBackend Backend, CeremonySource Ceremony, string CircuitsDirectory)
{
    /// <summary>Whether the pool disposes <see cref="Backend"/> when it stops (or fails to start): true when <see cref="Create"/> made it.</summary>
    public bool OwnsBackend { get; init; }

    /// <summary>A setup with a new backend of kind <paramref name="backend"/>, owned by the pool it is given to.</summary>
    /// <param name="ceremony">Where the keys come from.</param>
    /// <param name="backend">Which backend proves; <see cref="ProvingBackends.Default"/> (native) unless told otherwise.</param>
    /// <param name="tools">Where the tools, the circuits and the cache are.</param>
    /// <param name="maxDegreeOfParallelism">Cores one native proof may use (−1: all).</param>
    public static ProvingSetup Create(CeremonySource ceremony, BackendKind backend = ProvingBackends.Default, SnarkjsOptions? tools = null, int maxDegreeOfParallelism = -1)
    {
        tools ??= new SnarkjsOptions();
        var circuits = ProvingBackends.CircuitsDirectory(tools);
        return new ProvingSetup(ProvingBackends.Create(backend, tools, maxDegreeOfParallelism), ceremony, circuits) { OwnsBackend = true };
    }

    /// <summary>Disposes the backend if this setup owns it and it holds anything.</summary>
    internal void Release()
    {
        if (OwnsBackend && Backend is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}

/// <summary>The chain this process submits to: a connection with the sequencer's key and the inbox.</summary>
/// <param name="DeploymentBlock">The inbox's deployment block, where reading its events starts.</param>
public sealed record PoolChain(ChainConnection Connection, BatchInbox Inbox, ulong DeploymentBlock);

/// <summary>Settings of one pool process. The defaults suit one machine; every interval is deliberate.</summary>
public sealed class ProverPoolOptions
{
    /// <summary>Data store and queue.</summary>
    public required PoolStorage Storage { get; init; }

    /// <summary>Scratch space: compiled circuits, keys, per-batch proving folders.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>
    /// How many batches this process proves at once (Hangfire workers on the <c>prove</c> queue); 0 proves
    /// nothing. snarkjs is CPU-bound and uses several threads, so more than the core count only queues.
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>This process's name in leases and logs; unique per process.</summary>
    public string WorkerId { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// How long a proving lease lasts without renewal (renewed every third of it). A worker that dies
    /// loses its batch to another after at most this long; it bounds, not limits, proof time.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the reconciler compares the store with the queue and imports new batches.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often an idle Hangfire worker polls its queue. Hangfire.Storage.SQLite's default left jobs
    /// waiting for seconds; 200 ms costs one indexed query per worker per poll.
    /// </summary>
    public TimeSpan QueuePollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Retries of a transiently failed job, with delays doubling from <see cref="RetryBaseDelay"/> (capped at 5 minutes).</summary>
    public int RetryAttempts { get; init; } = 5;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A sequencer's <c>batches/</c> folder: ordering witnesses found there are imported into the store in index order.</summary>
    public string? WitnessDirectory { get; init; }

    /// <summary>The Hangfire dashboard's port on 127.0.0.1 (0: any free port); null serves none.</summary>
    public int? DashboardPort { get; init; }

    /// <summary>Whether the dashboard may change jobs (requeue, delete). Off by default: the store, not the queue, is the truth.</summary>
    public bool DashboardWritable { get; init; }
}
