using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging;

namespace Prover.Workers;

/// <summary>What the pool's jobs share inside one process.</summary>
internal sealed class PoolRuntime
{
    private readonly object _submitGate = new();
    private string? _submitJobId;

    // The batch whose submission last failed in this process, how often in a row, and when it may be
    // tried again. Submissions go in index order, so only the next batch can be failing.
    private (ulong Index, int Failures, long NotBeforeMs)? _submitFailure;

    public PoolRuntime(ProverPoolOptions options, PoolStore store, JobStorage jobStorage, BatchProver? prover, PoolChain? chain, ILogger logger, TimeProvider time)
    {
        Options = options;
        Store = store;
        JobStorage = jobStorage;
        Client = new BackgroundJobClient(jobStorage);
        ProverOrNull = prover;
        Chain = chain;
        Logger = logger;
        Time = time;
    }

    public ProverPoolOptions Options { get; }

    public PoolStore Store { get; }

    public JobStorage JobStorage { get; }

    public IBackgroundJobClient Client { get; }

    public BatchProver? ProverOrNull { get; }

    public BatchProver Prover => ProverOrNull ?? throw new PoolConfigurationException("workers", "this process proves nothing (0 workers), yet it ran a prove job.");

    public PoolChain? Chain { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public PoolMetrics Metrics { get; } = new();

    public string WorkerId => Options.WorkerId;

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Enqueues a prove job for a batch and records it in the store.</summary>
    public async Task<string> EnqueueProveAsync(ulong index, CancellationToken cancellationToken)
    {
        var id = Client.Create(
            Job.FromExpression<ProveBatchJob>(j => j.RunAsync((long)index, CancellationToken.None), PoolQueues.Prove),
            new EnqueuedState(PoolQueues.Prove));
        await Store.SetJobAsync(index, id, NowMs, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Submission failures in a row for the batch now failing (0 when none): tests and logs.</summary>
    public int SubmitFailures
    {
        get
        {
            lock (_submitGate)
            {
                return _submitFailure?.Failures ?? 0;
            }
        }
    }

    /// <summary>Whether batch <paramref name="index"/> failed to submit lately and its backoff has not passed.</summary>
    public bool SubmitDeferred(ulong index, long nowMs)
    {
        lock (_submitGate)
        {
            return _submitFailure is { } f && f.Index == index && nowMs < f.NotBeforeMs;
        }
    }

    /// <summary>
    /// Records a failed submission of <paramref name="index"/> and returns how long to wait before the
    /// next: the proving backoff (<see cref="ProverPoolOptions.RetryBaseDelay"/> doubling, at most 5
    /// minutes). Each submit pass used to try again at once, and a transaction that reverts when mined
    /// cost gas every time.
    /// </summary>
    public TimeSpan SubmitFailed(ulong index, long nowMs)
    {
        lock (_submitGate)
        {
            var failures = _submitFailure is { } f && f.Index == index ? f.Failures + 1 : 1;
            var delay = RetryTransientFailures.Backoff(Options.RetryBaseDelay, failures);
            _submitFailure = (index, failures, nowMs + (long)delay.TotalMilliseconds);
            return delay;
        }
    }

    /// <summary>Forgets the failures of batch <paramref name="index"/> once it is final.</summary>
    public void SubmitSucceeded(ulong index)
    {
        lock (_submitGate)
        {
            if (_submitFailure is { } f && f.Index <= index)
            {
                _submitFailure = null;
            }
        }
    }

    /// <summary>Asks for a submit pass, unless one is already queued from this process.</summary>
    public void RequestSubmit()
    {
        lock (_submitGate)
        {
            if (_submitJobId is { } previous && JobStates.IsWaiting(JobStorage, previous))
            {
                return;
            }

            _submitJobId = Client.Create(Job.FromExpression<SubmitJob>(j => j.RunAsync(CancellationToken.None), PoolQueues.Submit), new EnqueuedState(PoolQueues.Submit));
        }
    }
}

/// <summary>Reads Hangfire job states, to tell a live job from a lost one.</summary>
internal static class JobStates
{
    /// <summary>The job's state name, or null when the queue's storage does not know it (lost, expired).</summary>
    public static string? Of(JobStorage storage, string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetJobData(jobId)?.State;
    }

    /// <summary>Queued, scheduled for a retry, or waiting for a parent: it will run without help.</summary>
    public static bool IsWaiting(JobStorage storage, string jobId)
    {
        var state = Of(storage, jobId);
        return state == EnqueuedState.StateName || state == ScheduledState.StateName || state == AwaitingState.StateName;
    }
}

/// <summary>What this process did, for status lines and benchmarks.</summary>
public sealed class PoolMetrics
{
    private long _proofs;
    private long _proveTicks;
    private long _batches;
    private long _transactions;

    /// <summary>Proofs this process stored.</summary>
    public long Proofs => Interlocked.Read(ref _proofs);

    /// <summary>Total witness plus proving time of those proofs.</summary>
    public TimeSpan ProvingTime => TimeSpan.FromTicks(Interlocked.Read(ref _proveTicks));

    /// <summary>Batches this process finalized on chain.</summary>
    public long FinalizedBatches => Interlocked.Read(ref _batches);

    /// <summary>Transactions in those batches.</summary>
    public long FinalizedTransactions => Interlocked.Read(ref _transactions);

    internal void Proved(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _proofs);
        Interlocked.Add(ref _proveTicks, elapsed.Ticks);
    }

    internal void Finalized(int transactions)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _transactions, transactions);
    }
}

/// <summary>Hands Hangfire this process's job instances, which share its <see cref="PoolRuntime"/>.</summary>
internal sealed class PoolActivator(PoolRuntime pool) : JobActivator
{
    public override object ActivateJob(Type jobType) =>
        jobType == typeof(ProveBatchJob) ? new ProveBatchJob(pool)
        : jobType == typeof(SubmitJob) ? new SubmitJob(pool)
        : throw new InvalidOperationException($"the prover pool runs no job of type {jobType}.");
}

/// <summary>
/// The pool's retry policy, in place of Hangfire's default ten retries for everything: a transient
/// failure is retried with doubling delays; a <see cref="BatchFailedException"/> (an unsatisfiable witness,
/// a proof the verifier refuses) fails at once, because retrying a deterministic failure only hides it.
/// </summary>
internal sealed class RetryTransientFailures(int attempts, TimeSpan baseDelay) : JobFilterAttribute, IElectStateFilter
{
    private const string CountParameter = "RetryCount";

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is not FailedState failed || Failures.IsDeterministic(failed.Exception))
        {
            return;
        }

        var attempt = context.GetJobParameter<int>(CountParameter) + 1;
        if (attempt > attempts)
        {
            return; // stays failed; the reconciler enqueues the batch again after a cool-down.
        }

        context.SetJobParameter(CountParameter, attempt);
        var delay = Backoff(baseDelay, attempt);
        context.CandidateState = new ScheduledState(delay)
        {
            Reason = $"transient failure, retry {attempt} of {attempts} in {delay.TotalSeconds:F0} s: {failed.Exception.Message}",
        };
    }

    /// <summary><paramref name="baseDelay"/> doubled per attempt, at most 5 minutes.</summary>
    public static TimeSpan Backoff(TimeSpan baseDelay, int attempt) =>
        TimeSpan.FromTicks(Math.Min(baseDelay.Ticks << Math.Min(attempt - 1, 20), TimeSpan.FromMinutes(5).Ticks));
}
