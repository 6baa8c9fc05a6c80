using Microsoft.Extensions.Logging;
using Prover.Core.Batches;

namespace Prover.Workers;

/// <summary>
/// The Hangfire job <c>ProveBatch(index)</c>. It runs at least once, so it decides nothing by itself:
/// it claims the batch's lease in the data store (a conditional update only one worker can win), keeps
/// it alive while proving, and stores the proof only if it still holds it. A job that finds the batch
/// proved, finalized, failed or leased to a live worker has nothing to do and succeeds, and so does one
/// that finds a shuffle batch still awaiting its beacon.
/// </summary>
public sealed class ProveBatchJob
{
    private readonly PoolRuntime _pool;

    internal ProveBatchJob(PoolRuntime pool) => _pool = pool;

    /// <summary>Proves batch <paramref name="batchIndex"/>. <paramref name="cancellationToken"/> is the worker's shutdown.</summary>
    public async Task RunAsync(long batchIndex, CancellationToken cancellationToken)
    {
        var index = (ulong)batchIndex;
        var store = _pool.Store;
        var owner = _pool.WorkerId;
        var record = await store.GetAsync(index, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            _pool.Logger.LogWarning("batch {Index} is not in the data store; nothing to prove", index);
            return;
        }

        if (record.State is BatchState.Proved or BatchState.Submitted)
        {
            _pool.RequestSubmit();
            return;
        }

        if (record.AwaitsDraw)
        {
            // A shuffle batch before its commitment has no order to prove; the submitter commits it and
            // enqueues its proof once the beacon is drawn (the claim below would refuse it anyway).
            _pool.RequestSubmit();
            return;
        }

        var leaseMs = (long)_pool.Options.Lease.TotalMilliseconds;
        if (record.State is not (BatchState.Pending or BatchState.Proving) ||
            !await store.TryClaimAsync(index, owner, _pool.NowMs, leaseMs, cancellationToken).ConfigureAwait(false))
        {
            return; // final, failed, or a live worker holds the lease: its outcome counts.
        }

        _pool.Logger.LogInformation("{Worker} proving batch {Index} ({Count} transactions, {Policy}, attempt {Attempt})", owner, index, record.Count, record.Policy, record.Attempts + 1);
        await using var heartbeat = new LeaseHeartbeat(_pool, leaseMs, $"the lease of batch {index}", ct => store.RenewAsync(index, owner, _pool.NowMs, leaseMs, ct), cancellationToken);
        try
        {
            var witness = OrderingWitness.FromJson(record.Witness!);
            var proof = await _pool.Prover.ProveAsync(witness, heartbeat.Token).ConfigureAwait(false);
            await heartbeat.StopAsync().ConfigureAwait(false);
            if (await store.CompleteAsync(index, owner, proof.ProofJson, proof.PublicSignalsJson, (long)proof.Elapsed.TotalMilliseconds, _pool.NowMs, CancellationToken.None).ConfigureAwait(false))
            {
                _pool.Logger.LogInformation("{Worker} proved batch {Index} in {Seconds:F2} s", owner, index, proof.Elapsed.TotalSeconds);
                _pool.Metrics.Proved(proof.Elapsed);
                _pool.RequestSubmit();
            }
            else
            {
                _pool.Logger.LogWarning("{Worker} proved batch {Index} after losing its lease; the other worker's proof counts", owner, index);
            }
        }
        catch (OperationCanceledException) when (heartbeat.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _pool.Logger.LogWarning("{Worker} lost the lease of batch {Index} while proving (it ran out); another worker has it", owner, index);
        }
        catch (Exception e) when (Failures.IsDeterministic(e))
        {
            await heartbeat.StopAsync().ConfigureAwait(false);
            var reason = Failures.Describe(e);
            await store.FailAsync(index, reason, _pool.NowMs, CancellationToken.None).ConfigureAwait(false);
            _pool.Logger.LogError(e, "batch {Index} FAILED for good and will not be retried: {Reason}", index, reason);
            throw e as BatchFailedException ?? new BatchFailedException(index, reason, e);
        }
        catch (Exception e)
        {
            await heartbeat.StopAsync().ConfigureAwait(false);
            // Transient (a tool crashed, the store blinked, shutdown): give the lease back so the retry, or
            // any other worker, can claim the batch without waiting for the lease to run out.
            try
            {
                await store.ReleaseAsync(index, owner, Failures.Describe(e), _pool.NowMs, CancellationToken.None).ConfigureAwait(false);
            }
            catch (PoolStoreUnavailableException)
            {
                // The lease runs out by itself and the reconciler hands the batch to another job.
            }

            throw;
        }
    }
}

/// <summary>The pool's Hangfire queues: proving is CPU work any worker does; submitting needs the chain key.</summary>
public static class PoolQueues
{
    public const string Prove = "prove";

    public const string Submit = "submit";
}
