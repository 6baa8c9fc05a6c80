using System.Globalization;
using Microsoft.Extensions.Logging;
using Prover.Core;
using Prover.Core.Batches;

namespace Prover.Workers;

/// <summary>
/// Keeps the queue honest against the store, which is the truth: every pending batch without a live job
/// gets one (after a restart, a crash between storing and enqueueing, or a lost queue), a batch whose
/// proving lease ran out (its worker died) is handed to a new job, and proved batches, and shuffle
/// batches awaiting their commitment, get a submit pass.
/// It also imports newly cut batches from the sequencer's witness folder. Every process runs one; they
/// agree through the store's conditional updates, so running several changes nothing but load.
/// </summary>
internal sealed class Reconciler
{
    private readonly PoolRuntime _pool;
    private readonly WitnessFeed? _feed;

    // One pass at a time in this process: two overlapping passes (the timer's and an explicit one) could
    // both see a batch without a job and enqueue it twice, and the feed's cursor is not shared-safe.
    private readonly SemaphoreSlim _tick = new(1, 1);

    public Reconciler(PoolRuntime pool, WitnessFeed? feed)
    {
        _pool = pool;
        _feed = feed;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store or the queue is down (a PostgreSQL restart): nothing is lost, the next tick retries.
                _pool.Logger.LogWarning("reconciler: {Message}", Failures.Describe(e));
            }

            try
            {
                await Task.Delay(_pool.Options.ReconcileInterval, _pool.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: import, then re-enqueue what has no live job.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await _tick.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await TickOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _tick.Release();
        }
    }

    private async Task TickOnceAsync(CancellationToken cancellationToken)
    {
        var finalOnChainBelow = await ChainNextIndexAsync(cancellationToken).ConfigureAwait(false);
        if (_feed is not null)
        {
            await _feed.ImportAsync(finalOnChainBelow, cancellationToken).ConfigureAwait(false);
        }

        var now = _pool.NowMs;
        var leaseMs = (long)_pool.Options.Lease.TotalMilliseconds;
        var open = await _pool.Store.ListAsync(cancellationToken, BatchState.Pending, BatchState.Proving, BatchState.Proved, BatchState.Submitted).ConfigureAwait(false);
        var submit = false;
        foreach (var batch in open)
        {
            switch (batch.State)
            {
                case BatchState.Pending when batch.AwaitsDraw:
                    // A shuffle batch before its commitment: nothing to prove yet. The submitter commits
                    // it (or, already final, records it) and enqueues its proof once the beacon is drawn.
                    submit = true;
                    break;
                case BatchState.Pending when batch.Index < finalOnChainBelow:
                    // Final on chain already (a new or wiped store imports from batch 0): the submitter
                    // records it from the inbox's events; proving it again would only cost a proof.
                    submit = true;
                    break;
                case BatchState.Pending when !HasLiveJob(batch, now, leaseMs) && CooledDown(batch, now):
                case BatchState.Proving when batch.LeaseUntilMs < now && !(batch.JobId is { } id && JobStates.IsWaiting(_pool.JobStorage, id)):
                    var job = await _pool.EnqueueProveAsync(batch.Index, cancellationToken).ConfigureAwait(false);
                    _pool.Logger.LogInformation(
                        "reconciler: batch {Index} was {State} without a live job{Lease}; enqueued {Job}",
                        batch.Index, batch.State.ToText(), batch.State == BatchState.Proving ? $" (lease of {batch.LeaseOwner} ran out)" : "", job);
                    break;
                case BatchState.Proved or BatchState.Submitted:
                    submit = true;
                    break;
            }
        }

        if (submit)
        {
            _pool.RequestSubmit();
        }
    }

    /// <summary>
    /// The inbox's next batch index, when this process has a chain and the chain answers; null otherwise,
    /// so an unreachable chain never holds proving back.
    /// </summary>
    private async Task<ulong?> ChainNextIndexAsync(CancellationToken cancellationToken)
    {
        if (_pool.Chain is not { } chain)
        {
            return null;
        }

        try
        {
            return (await chain.Inbox.GetHeadAsync(cancellationToken).ConfigureAwait(false)).NextBatchIndex;
        }
        catch (Chain.ChainException e)
        {
            _pool.Logger.LogWarning("reconciler: could not read the inbox's next batch ({Message}); proving goes on", e.Message);
            return null;
        }
    }

    private bool HasLiveJob(BatchRecord batch, long now, long leaseMs)
    {
        if (batch.JobId is not { } id)
        {
            return false;
        }

        if (now - batch.UpdatedMs < leaseMs)
        {
            // Enqueued (or released by a failing job) within a lease: trust the job for now rather than
            // ask the queue's storage about every waiting batch on every tick, which costs the workers CPU.
            return true;
        }

        // Still pending a lease after its job was enqueued: live only if the job is still waiting. One
        // being processed that long has not claimed the batch, so its worker died before it could.
        return JobStates.IsWaiting(_pool.JobStorage, id);
    }

    /// <summary>A batch whose job failed transiently waits a doubling delay per attempt, so a persistent failure does not spin.</summary>
    private bool CooledDown(BatchRecord batch, long now) =>
        batch.JobId is null || now - batch.UpdatedMs >= (long)RetryTransientFailures.Backoff(_pool.Options.RetryBaseDelay, Math.Max(batch.Attempts, 1)).TotalMilliseconds;
}

/// <summary>
/// Imports ordering witnesses from a sequencer's <c>batches/</c> folder into the store, in index order,
/// from the one after the highest stored. A witness that is not valid is stored as failed (so the gap is
/// visible and the failure loud) rather than skipped.
/// </summary>
internal sealed class WitnessFeed
{
    private readonly PoolRuntime _pool;
    private readonly string _directory;
    private ulong? _next;

    public WitnessFeed(PoolRuntime pool, string directory)
    {
        _pool = pool;
        _directory = directory;
    }

    /// <param name="finalOnChainBelow">The inbox's next batch index when known: batches below it are stored but not enqueued for proving.</param>
    public async Task<int> ImportAsync(ulong? finalOnChainBelow, CancellationToken cancellationToken)
    {
        _next ??= await _pool.Store.MaxIndexAsync(cancellationToken).ConfigureAwait(false) is { } max ? max + 1 : 0;
        var imported = 0;
        while (true)
        {
            var index = _next.Value;
            var path = Path.Combine(_directory, index.ToString("D10", CultureInfo.InvariantCulture) + ".witness.json");
            if (!File.Exists(path))
            {
                return imported;
            }

            var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            OrderingWitness? witness = null;
            string? problem;
            try
            {
                witness = OrderingWitness.FromJson(json);
                problem = witness.BatchIndex != index ? $"the file holds batch {witness.BatchIndex}" : witness.Validate() is { } w ? $"{w.Pointer}: {w.Message}" : null;
            }
            catch (ProverException e)
            {
                problem = e.Message;
            }

            if (problem is null)
            {
                if (await _pool.Store.AddAsync(witness!, _pool.NowMs, cancellationToken).ConfigureAwait(false) && !(index < finalOnChainBelow))
                {
                    if (PoolStore.DrawsBeacon(witness!))
                    {
                        // Committed as soon as it is here, not when the batch before it is final, so its
                        // proof can run beside the earlier batches' submissions.
                        _pool.RequestSubmit();
                    }
                    else
                    {
                        await _pool.EnqueueProveAsync(index, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            else
            {
                await _pool.Store.AddFailedAsync(index, witness?.Policy.Spec ?? "unknown", witness?.Count ?? 0, json, $"{path}: {problem}", _pool.NowMs, cancellationToken).ConfigureAwait(false);
                _pool.Logger.LogError("batch {Index} FAILED on import: {Path}: {Problem}", index, path, problem);
            }

            _next = index + 1;
            imported++;
        }
    }
}
