using Microsoft.Extensions.Logging;
using Prover.Chain;
using Prover.Core.Batches;

namespace Prover.Workers;

/// <summary>
/// The shuffle's chain steps (docs/workers.md, "Shuffle batches"). The sequencer cuts a shuffle batch
/// without its order; the submitter commits the batch's new head on chain, the hash of the block that
/// records the commitment is the batch's beacon, and the batch is ordered with it and proven. Before a
/// shuffle batch is submitted its beacon is checked against the inbox's: a beacon drawn again after it
/// expired, or moved by a reorg, means the proof is of an order the inbox would refuse, so the batch is
/// ordered with the inbox's beacon and proven again. None of this marks a batch failed, unless the chain
/// and the store disagree about the log (the inbox holds another head for the index).
/// </summary>
/// <remarks>
/// Runs only inside the submit job, under the submitter lease: every chain write of the pool comes from
/// the one process that holds it. Each step is decided by the chain's state and a conditional update of
/// the store, so a step repeated (a retried pass, a second process) changes nothing.
/// </remarks>
internal sealed class BeaconDraws(PoolRuntime pool)
{
    /// <summary>The highest index awaiting its draw that the last <see cref="CommitAwaitingAsync"/> saw: one imported since needs another pass.</summary>
    public ulong? LastSeen { get; private set; }

    /// <summary>
    /// Commits every batch awaiting its draw, in index order from the inbox's next commitment, records each
    /// one's drawn order and enqueues its proof. Commitments run ahead of finality, so later batches are
    /// proven while earlier ones wait for the chain. A batch the inbox already holds a commitment for (a
    /// submitter died between committing and recording the draw) is drawn from that commitment, not
    /// committed again.
    /// </summary>
    /// <param name="nextBatchIndex">The inbox's next batch: batches below it are final, and the catch-up records them.</param>
    public async Task CommitAwaitingAsync(PoolChain chain, ulong nextBatchIndex, CancellationToken cancellationToken)
    {
        var awaiting = (await pool.Store.ListAsync(cancellationToken, BatchState.Pending).ConfigureAwait(false))
            .Where(b => b.AwaitsDraw && b.Index >= nextBatchIndex)
            .ToList();
        if (awaiting.Count == 0)
        {
            return;
        }

        LastSeen = Math.Max(LastSeen ?? 0, awaiting[^1].Index);
        var (nextCommit, committedHead) = await chain.Inbox.GetCommitTipAsync(cancellationToken).ConfigureAwait(false);
        foreach (var batch in awaiting)
        {
            if (batch.Index > nextCommit)
            {
                // Batch nextCommit is neither committed nor waiting here: not imported yet, failed, or
                // drawn in the store while its commitment was lost (its submission finds out). The inbox
                // takes commitments in index order only.
                return;
            }

            var record = await pool.Store.GetAsync(batch.Index, cancellationToken).ConfigureAwait(false);
            if (record is not { State: BatchState.Pending, AwaitsDraw: true })
            {
                continue; // drawn or failed since the listing
            }

            var witness = OrderingWitness.FromJson(record.Witness!);
            BatchCommitment? commitment;
            if (batch.Index < nextCommit)
            {
                commitment = await chain.Inbox.GetCommitmentAsync(batch.Index, cancellationToken).ConfigureAwait(false);
                if (commitment is null)
                {
                    continue; // finalized since the inbox's head was read: the catch-up records it
                }

                pool.Logger.LogInformation("batch {Index} is committed on chain already (block {Block}, draw {Draw}); ordering it with that beacon", batch.Index, commitment.BeaconBlock, commitment.Draws);
            }
            else
            {
                if (witness.PrevHead != committedHead)
                {
                    await pool.FailBatchAsync(batch.Index, $"it starts at log head {witness.PrevHead.ToHex()}, but the inbox's last committed head is {committedHead.ToHex()}: the store and the chain disagree about the log (another sequencer, or a store of another inbox).", cancellationToken).ConfigureAwait(false);
                    return;
                }

                commitment = await CommitAsync(chain, witness, cancellationToken).ConfigureAwait(false);
                if (commitment is null)
                {
                    return;
                }

                nextCommit = batch.Index + 1;
                committedHead = witness.NewHead;
            }

            if (commitment.NewHead != witness.NewHead)
            {
                await pool.FailBatchAsync(batch.Index, $"the inbox holds head {commitment.NewHead.ToHex()} committed for it, but the batch ends at {witness.NewHead.ToHex()}: the store and the chain disagree about the log.", cancellationToken).ConfigureAwait(false);
                return;
            }

            if (commitment.Expired)
            {
                // Found on chain with its beacon already past BLOCKHASH's reach (its submitter died long
                // ago): drawn again now, before a proof is spent on an order the inbox would refuse.
                pool.Logger.LogInformation("batch {Index}'s commitment (block {Block}) has an expired beacon; drawing it again before proving", batch.Index, commitment.BeaconBlock);
                commitment = await TryRedrawAsync(chain, batch.Index, cancellationToken).ConfigureAwait(false);
                if (commitment is null)
                {
                    return;
                }
            }

            if (commitment.Beacon is not { } beacon)
            {
                return; // the node answering does not have the beacon block yet; the next pass draws
            }

            var drawn = witness.WithBeacon(beacon);
            if (await pool.Store.RecordDrawAsync(drawn, commitment.BeaconBlock, commitment.Draws, pool.NowMs, cancellationToken).ConfigureAwait(false))
            {
                pool.Logger.LogInformation("batch {Index} committed in block {Block}: beacon {Beacon} (draw {Draw}); proving it", batch.Index, commitment.BeaconBlock, beacon.ToHex(), commitment.Draws);
                await pool.EnqueueProveAsync(batch.Index, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Whether a proved shuffle batch is ordered with the beacon the inbox holds for it now. When it is
    /// not, the store gets the batch ordered with the inbox's beacon (or, if the inbox holds no commitment
    /// for it any more, the batch awaits a new one), the proof is dropped and a new one enqueued: false.
    /// </summary>
    public async Task<bool> ReadyToSubmitAsync(PoolChain chain, OrderingWitness witness, CancellationToken cancellationToken)
    {
        var index = witness.BatchIndex;
        var commitment = await chain.Inbox.GetCommitmentAsync(index, cancellationToken).ConfigureAwait(false);
        if (commitment is null)
        {
            await CommitmentLostAsync(witness, cancellationToken).ConfigureAwait(false);
            return false;
        }

        if (commitment.NewHead != witness.NewHead)
        {
            await pool.FailBatchAsync(index, $"the inbox holds head {commitment.NewHead.ToHex()} committed for it, but the batch ends at {witness.NewHead.ToHex()}: the store and the chain disagree about the log.", cancellationToken).ConfigureAwait(false);
            return false;
        }

        if (commitment.Beacon is not { } beacon)
        {
            return false; // the node answering does not have the beacon block yet; the next pass looks again
        }

        if (beacon == witness.Beacon)
        {
            return true;
        }

        await RecordRedrawAsync(witness, commitment, $"the inbox's beacon for it is now that of block {commitment.BeaconBlock} (draw {commitment.Draws}), not the one it was proven with (a reorg moved its commitment): proving it again", cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// The inbox refused a submission because the batch's beacon expired (its block is more than 256
    /// blocks old): draws it again on chain, orders the batch with the new beacon and enqueues its proof.
    /// </summary>
    public async Task RedrawExpiredAsync(PoolChain chain, OrderingWitness witness, string expiredBlock, CancellationToken cancellationToken)
    {
        if (await TryRedrawAsync(chain, witness.BatchIndex, cancellationToken).ConfigureAwait(false) is { } commitment)
        {
            await RecordRedrawAsync(witness, commitment, $"its beacon (block {expiredBlock}) expired before it was final: drawn again in block {commitment.BeaconBlock} (draw {commitment.Draws}); proving it again", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Draws the batch's expired beacon again on chain; null when that failed for now (noted on the batch, with a backoff).</summary>
    private async Task<BatchCommitment?> TryRedrawAsync(PoolChain chain, ulong index, CancellationToken cancellationToken)
    {
        if (pool.Commitments.Deferred(index, pool.NowMs))
        {
            return null;
        }

        try
        {
            var commitment = await chain.Inbox.RedrawBeaconAsync(index, cancellationToken).ConfigureAwait(false);
            pool.Commitments.Succeeded(index);
            return commitment;
        }
        catch (ChainException e)
        {
            // Refused (a redraw of another submitter landed first: the next pass finds its beacon) or the
            // node failed: nothing is wrong with the batch.
            var delay = pool.Commitments.Failed(index, pool.NowMs);
            await pool.Store.NoteErrorAsync(index, $"its beacon expired and drawing it again failed: {e.Message}", pool.NowMs, CancellationToken.None).ConfigureAwait(false);
            pool.Logger.LogError("{Worker} could not draw batch {Index}'s expired beacon again; trying again in {Seconds:F1} s: {Message}", pool.WorkerId, index, delay.TotalSeconds, e.Message);
            return null;
        }
    }

    /// <summary>
    /// The inbox holds no commitment for a batch the store has drawn (a reorg dropped the transaction that
    /// made it): the batch awaits its commitment again, and the next pass commits it and draws anew.
    /// </summary>
    public async Task CommitmentLostAsync(OrderingWitness witness, CancellationToken cancellationToken)
    {
        var undrawn = witness with { Beacon = null, Permutation = [], OrderedTxHashes = [], SortKeys = [], ShuffleSeed = null, OutputCommitment = null };
        const string Reason = "the inbox holds no commitment for it any more (a reorg dropped it): committing it again";
        if (await pool.Store.UndrawAsync(undrawn, Reason, pool.NowMs, cancellationToken).ConfigureAwait(false))
        {
            LastSeen = null; // it awaits a commitment again: the submit pass after this one must see it
            pool.Logger.LogWarning("batch {Index}: {Reason}", witness.BatchIndex, Reason);
        }
    }

    /// <summary>Commits the batch; null when the inbox or the node refused it for now (noted on the batch, or a race to read again).</summary>
    private async Task<BatchCommitment?> CommitAsync(PoolChain chain, OrderingWitness witness, CancellationToken cancellationToken)
    {
        var index = witness.BatchIndex;
        if (pool.Commitments.Deferred(index, pool.NowMs))
        {
            return null; // its last commitment failed; a pass after the backoff tries again
        }

        try
        {
            var commitment = await chain.Inbox.CommitAsync(index, witness.PrevHead, witness.NewHead, cancellationToken).ConfigureAwait(false);
            pool.Commitments.Succeeded(index);
            return commitment;
        }
        catch (InboxRejectedException e) when (e.Error == "WrongCommit")
        {
            // Another commitment landed between the read and the call (an earlier submitter's late
            // transaction): the next pass reads the inbox again and draws from it.
            pool.Logger.LogWarning("the inbox refused batch {Index}'s commitment as not next ({Message}); the next pass reads it again", index, e.Message);
            return null;
        }
        catch (InboxRejectedException e)
        {
            await pool.FailBatchAsync(index, $"the inbox refuses its commitment: {e.Message}", cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ChainException e)
        {
            var delay = pool.Commitments.Failed(index, pool.NowMs);
            await pool.Store.NoteErrorAsync(index, $"commitment failed: {e.Message}", pool.NowMs, CancellationToken.None).ConfigureAwait(false);
            pool.Logger.LogError("{Worker} could not commit batch {Index} (failure {Failures} in a row); trying again in {Seconds:F1} s: {Message}", pool.WorkerId, index, pool.Commitments.Failures, delay.TotalSeconds, e.Message);
            return null;
        }
    }

    private async Task RecordRedrawAsync(OrderingWitness witness, BatchCommitment commitment, string reason, CancellationToken cancellationToken)
    {
        if (commitment.Beacon is not { } beacon)
        {
            return; // the node answering does not have the new beacon block yet; the next pass finds the mismatch
        }

        var drawn = witness.WithBeacon(beacon);
        if (await pool.Store.RedrawAsync(drawn, commitment.BeaconBlock, commitment.Draws, reason, pool.NowMs, cancellationToken).ConfigureAwait(false))
        {
            pool.Logger.LogWarning("batch {Index}: {Reason}", witness.BatchIndex, reason);
            await pool.EnqueueProveAsync(witness.BatchIndex, cancellationToken).ConfigureAwait(false);
        }
    }
}
