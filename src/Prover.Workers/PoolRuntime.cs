using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging;

namespace Prover.Workers;

/// <summary>What the pool's jobs share inside one process.</summary>
internal sealed class PoolRuntime
{
    private readonly object _submitGate = new();
    private readonly FailureBackoff _submissions;
    private string? _submitJobId;

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
        _submissions = new FailureBackoff(options.RetryBaseDelay);
        Commitments = new FailureBackoff(options.RetryBaseDelay);
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
    public int SubmitFailures => _submissions.Failures;

    /// <summary>Whether batch <paramref name="index"/> failed to submit lately and its backoff has not passed.</summary>
    public bool SubmitDeferred(ulong index, long nowMs) => _submissions.Deferred(index, nowMs);

    /// <summary>
    /// Records a failed submission of <paramref name="index"/> and returns how long to wait before the
    /// next: the proving backoff (<see cref="ProverPoolOptions.RetryBaseDelay"/> doubling, at most 5
    /// minutes). Each submit pass used to try again at once, and a transaction that reverts when mined
    /// cost gas every time.
    /// </summary>
    public TimeSpan SubmitFailed(ulong index, long nowMs) => _submissions.Failed(index, nowMs);

    /// <summary>Forgets the failures of batch <paramref name="index"/> once it is final.</summary>
    public void SubmitSucceeded(ulong index) => _submissions.Succeeded(index);

    /// <summary>
    /// The same backoff for commitments (shuffle inboxes): they go in index order too, so only the next
    /// one can be failing, and a commitment that reverts when mined costs gas like a submission.
    /// </summary>
    public FailureBackoff Commitments { get; }

    /// <summary>Marks a batch failed for good and says so in the log.</summary>
    public async Task FailBatchAsync(ulong index, string reason, CancellationToken cancellationToken)
    {
        await Store.FailAsync(index, reason, NowMs, cancellationToken).ConfigureAwait(false);
        Logger.LogError("batch {Index} FAILED for good and will not be submitted: {Reason}", index, reason);
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

/// <summary>
/// One batch's chain step failing in a row in this process (its submission, or its commitment), and when
/// it may be tried again. Chain steps go in index order, so only the next batch can be failing.
/// </summary>
internal sealed class FailureBackoff(TimeSpan baseDelay)
{
    private readonly object _gate = new();
    private (ulong Index, int Failures, long NotBeforeMs)? _failure;

    /// <summary>Failures in a row of the batch now failing (0 when none).</summary>
    public int Failures
    {
        get
        {
            lock (_gate)
            {
                return _failure?.Failures ?? 0;
            }
        }
    }

    /// <summary>Whether batch <paramref name="index"/> failed lately and its backoff has not passed.</summary>
    public bool Deferred(ulong index, long nowMs)
    {
        lock (_gate)
        {
            return _failure is { } f && f.Index == index && nowMs < f.NotBeforeMs;
        }
    }

    /// <summary>Records a failure of <paramref name="index"/> and returns the wait before the next try (doubling, at most 5 minutes).</summary>
    public TimeSpan Failed(ulong index, long nowMs)
    {
        lock (_gate)
        {
            var failures = _failure is { } f && f.Index == index ? f.Failures + 1 : 1;
            var delay = RetryTransientFailures.Backoff(baseDelay, failures);
            _failure = (index, failures, nowMs + (long)delay.TotalMilliseconds);
            return delay;
        }
    }

    /// <summary>Forgets the failures of <paramref name="index"/> and those before it, once it got through.</summary>
    public void Succeeded(ulong index)
    {
        lock (_gate)
        {
            if (_failure is { } f && f.Index <= index)
            {
                _failure = null;
            }
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
