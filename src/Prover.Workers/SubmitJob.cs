using Microsoft.Extensions.Logging;
using Prover.Chain;
using Prover.Core.Batches;

namespace Prover.Workers;

/// <summary>
/// The Hangfire job that finalizes proved batches strictly in index order. Proofs finish in any order;
/// this job only ever submits the batch the inbox expects next (its <c>nextBatchIndex</c>, read from the
/// chain each time), so the chain, not the store, decides what is next. One submitter at a time holds
/// the store's <c>submitter</c> lease, so no two processes race their transactions; a batch the chain
/// already finalized (by an earlier run that died before recording it) counts as success. On a shuffle
/// inbox it also commits batches and draws their beacons before they can be proven (<see cref="BeaconDraws"/>).
/// </summary>
public sealed class SubmitJob
{
    internal const string LeaseName = "submitter";

    private readonly PoolRuntime _pool;
    private readonly BeaconDraws _draws;

    internal SubmitJob(PoolRuntime pool)
    {
        _pool = pool;
        _draws = new BeaconDraws(pool);
    }

    /// <summary>Submits every proved batch that is next in line. <paramref name="cancellationToken"/> is the worker's shutdown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_pool.Chain is not { } chain)
        {
            _pool.Logger.LogWarning("{Worker} took a submit job but has no chain configured; it submits nothing", _pool.WorkerId);
            return;
        }

        var store = _pool.Store;
        var leaseMs = (long)_pool.Options.Lease.TotalMilliseconds;
        while (true)
        {
            if (!await store.TryLeaseAsync(LeaseName, _pool.WorkerId, _pool.NowMs, leaseMs, cancellationToken).ConfigureAwait(false))
            {
                return; // another submitter is draining; it looks again before it lets go.
            }

            // A submission can wait for its receipt far longer than a lease (ReceiptTimeout is minutes), so
            // the lease is renewed while draining; if it is lost anyway, draining stops, since another
            // submitter may now be sending from the same account.
            var heartbeat = new LeaseHeartbeat(_pool, leaseMs, "the submitter lease", ct => store.TryLeaseAsync(LeaseName, _pool.WorkerId, _pool.NowMs, leaseMs, ct), cancellationToken);
            try
            {
                await DrainAsync(chain, leaseMs, heartbeat.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (heartbeat.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                _pool.Logger.LogWarning("{Worker} lost the submitter lease while submitting; stopping", _pool.WorkerId);
                return;
            }
            finally
            {
                await heartbeat.DisposeAsync().ConfigureAwait(false);
                await store.ReleaseLeaseAsync(LeaseName, _pool.WorkerId, CancellationToken.None).ConfigureAwait(false);
            }

            // A proof stored, or a batch imported, while this job held the lease had its own submit job
            // return at once; look again after letting go so that batch does not wait for the reconciler.
            if (!await NextIsReadyAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Whether another pass has work: the next batch is proved and not backing off from a failed
    /// submission, or a batch awaits its draw that the last pass did not see. Work that only a backoff
    /// or an earlier batch holds back waits for the reconciler's passes, rather than spin here.
    /// </summary>
    private async Task<bool> NextIsReadyAsync(CancellationToken cancellationToken)
    {
        var open = await _pool.Store.ListAsync(cancellationToken, BatchState.Pending, BatchState.Proving, BatchState.Proved, BatchState.Submitted, BatchState.Failed).ConfigureAwait(false);
        if (open.Count > 0 && open[0].State is BatchState.Proved or BatchState.Submitted && !_pool.SubmitDeferred(open[0].Index, _pool.NowMs))
        {
            return true;
        }

        return _pool.Chain is not null && open.Any(b => b.AwaitsDraw && (_draws.LastSeen is not { } seen || b.Index > seen));
    }

    private async Task DrainAsync(PoolChain chain, long leaseMs, CancellationToken cancellationToken)
    {
        var store = _pool.Store;
        await chain.Connection.ResynchronizeNonceAsync(cancellationToken).ConfigureAwait(false);
        ulong? refusedIndex = null;
        while (true)
        {
            if (!await store.TryLeaseAsync(LeaseName, _pool.WorkerId, _pool.NowMs, leaseMs, cancellationToken).ConfigureAwait(false))
            {
                _pool.Logger.LogWarning("{Worker} lost the submitter lease (it ran out); stopping", _pool.WorkerId);
                return;
            }

            var state = await chain.Inbox.GetHeadAsync(cancellationToken).ConfigureAwait(false);
            await CatchUpAsync(chain, state.NextBatchIndex, cancellationToken).ConfigureAwait(false);
            await _draws.CommitAwaitingAsync(chain, state.NextBatchIndex, cancellationToken).ConfigureAwait(false);
            var index = state.NextBatchIndex;
            var record = await store.GetAsync(index, cancellationToken).ConfigureAwait(false);
            if (record is not { State: BatchState.Proved or BatchState.Submitted })
            {
                return;
            }

            var witness = OrderingWitness.FromJson(record.Witness!);
            if (witness.PrevHead != state.Head)
            {
                await FailAsync(index, $"it starts at log head {witness.PrevHead.ToHex()}, but the inbox's head is {state.Head.ToHex()}: the store and the chain disagree about the log (another sequencer, or a store of another inbox).", cancellationToken).ConfigureAwait(false);
                return;
            }

            if (_pool.SubmitDeferred(index, _pool.NowMs))
            {
                return; // its last submission failed; the reconciler's passes come back after the backoff
            }

            if (record.Draws is not null && !await _draws.ReadyToSubmitAsync(chain, witness, cancellationToken).ConfigureAwait(false))
            {
                return; // its proof was for a beacon the inbox no longer holds: it is proven again first
            }

            var submission = BatchSubmission.Of(witness, Groth16Proof.ParseSnarkjs(record.Proof!, $"batch {index}'s stored proof"));
            await store.MarkSubmittedAsync(index, _pool.NowMs, cancellationToken).ConfigureAwait(false);
            try
            {
                var finalized = await chain.Inbox.SubmitAsync(submission, cancellationToken).ConfigureAwait(false);
                await store.MarkFinalizedAsync(index, finalized.TransactionHash, (long)finalized.GasUsed, _pool.NowMs, CancellationToken.None).ConfigureAwait(false);
                _pool.SubmitSucceeded(index);
                _pool.Metrics.Finalized(record.Count);
                _pool.Logger.LogInformation("{Worker} finalized batch {Index} ({Count} transactions) in {Tx}, gas {Gas:N0}", _pool.WorkerId, index, finalized.Count, finalized.TransactionHash, finalized.GasUsed);
            }
            catch (InboxRejectedException e) when (e.Error == "WrongHead" && refusedIndex != index)
            {
                // The inbox moved on between our read and the call (an earlier submitter's transaction landed
                // late): read its state again, once, and catch up from there.
                refusedIndex = index;
                _pool.Logger.LogWarning("the inbox refused batch {Index} as not next ({Message}); reading its state again", index, e.Message);
            }
            catch (InboxRejectedException e) when (e.Error == "BeaconExpired")
            {
                // Its beacon's block hash is gone (proving, or the batches before it, took more than 256
                // blocks): drawn again, ordered anew and proven again. The batch is not at fault.
                await _draws.RedrawExpiredAsync(chain, witness, e.Arguments.GetValueOrDefault("beaconBlock") ?? "?", cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InboxRejectedException e) when (e.Error == "NotCommitted")
            {
                await _draws.CommitmentLostAsync(witness, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InboxRejectedException e) when (e.Error != "BeaconNotReady")
            {
                // BeaconNotReady (the submission would share its commitment's block) goes on below, with
                // the node's refusals: a later block cures it.
                await FailAsync(index, e.Message, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ChainException e)
            {
                // The node refused or is gone, or the transaction reverted when mined: nothing about the
                // batch is known to be wrong, so it stays submittable, with the reason on its row and a
                // backoff before the next try.
                var delay = _pool.SubmitFailed(index, _pool.NowMs);
                await store.NoteErrorAsync(index, $"submission failed: {e.Message}", _pool.NowMs, CancellationToken.None).ConfigureAwait(false);
                _pool.Logger.LogError("{Worker} could not submit batch {Index} (failure {Failures} in a row); trying again in {Seconds:F1} s: {Message}", _pool.WorkerId, index, _pool.SubmitFailures, delay.TotalSeconds, e.Message);
                return;
            }
        }
    }

    /// <summary>Records as final every stored batch below the inbox's next index, checking that the chain finalized the same batch.</summary>
    private async Task CatchUpAsync(PoolChain chain, ulong nextIndex, CancellationToken cancellationToken)
    {
        var behind = (await _pool.Store.ListAsync(cancellationToken, BatchState.Pending, BatchState.Proving, BatchState.Proved, BatchState.Submitted, BatchState.Failed).ConfigureAwait(false))
            .Where(b => b.Index < nextIndex)
            .ToList();
        if (behind.Count == 0)
        {
            return;
        }

        var events = (await chain.Inbox.GetFinalizedBatchesAsync(chain.DeploymentBlock, cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.Index);
        foreach (var batch in behind)
        {
            var record = await _pool.Store.GetAsync(batch.Index, cancellationToken).ConfigureAwait(false);
            var witness = OrderingWitness.FromJson(record!.Witness!);
            if (!events.TryGetValue(batch.Index, out var onChain) || onChain.NewHead != witness.NewHead)
            {
                await FailAsync(batch.Index, $"the inbox finalized a different batch {batch.Index} (head {onChain?.NewHead.ToHex() ?? "unknown"}, ours {witness.NewHead.ToHex()}).", cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (await _pool.Store.MarkFinalizedAsync(batch.Index, onChain.TransactionHash, (long)onChain.GasUsed, _pool.NowMs, cancellationToken).ConfigureAwait(false))
            {
                _pool.Logger.LogInformation("batch {Index} was already final on chain ({Tx}); recorded", batch.Index, onChain.TransactionHash);
            }
        }
    }

    private Task FailAsync(ulong index, string reason, CancellationToken cancellationToken) => _pool.FailBatchAsync(index, reason, cancellationToken);
}
