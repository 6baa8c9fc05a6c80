using Prover.Core;

namespace Prover.Workers;

/// <summary>The root of the prover pool's failures.</summary>
public abstract class WorkersException : ProverException
{
    protected WorkersException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The data store did not answer (a restart, a lost connection, a lock held too long). Transient: the work is retried.</summary>
public sealed class PoolStoreUnavailableException : WorkersException
{
    public PoolStoreUnavailableException(string store, string operation, Exception inner)
        : base($"the pool's data store ({store}) failed during {operation}: {inner.Message}. Check that the database is running and reachable (a running pool retries the step by itself).", inner)
    {
        Store = store;
        Operation = operation;
    }

    /// <summary>Which store, without credentials (e.g. <c>sqlite:/data/pool.db</c>, <c>postgres://127.0.0.1:5432/prover</c>).</summary>
    public string Store { get; }

    public string Operation { get; }
}

/// <summary>
/// A batch that can never be proven or finalized as it is: its witness is invalid or unsatisfiable, its
/// circuit does not exist, or the verifier refuses its proof. Retrying cannot help; it is a bug or an
/// attack, so the batch is marked failed and the job fails at once, loudly.
/// </summary>
public sealed class BatchFailedException : WorkersException
{
    public BatchFailedException(ulong batchIndex, string reason, Exception? inner = null)
        : base($"batch {batchIndex} failed for good: {reason}", inner)
    {
        BatchIndex = batchIndex;
        Reason = reason;
    }

    public ulong BatchIndex { get; }

    public string Reason { get; }
}

/// <summary>The pool is configured in a way that cannot work (a missing circuit, a store that belongs to another inbox).</summary>
public sealed class PoolConfigurationException : WorkersException
{
    public PoolConfigurationException(string setting, string problem)
        : base($"{setting}: {problem}")
    {
        Setting = setting;
    }

    public string Setting { get; }
}
