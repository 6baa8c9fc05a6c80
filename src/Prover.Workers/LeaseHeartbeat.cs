using Microsoft.Extensions.Logging;

namespace Prover.Workers;

/// <summary>
/// Keeps a lease alive while work runs under it: renews it every third of its length, and cancels
/// <see cref="Token"/> as soon as a renewal finds it gone (run out, taken by another worker), so the
/// work stops rather than go on without it. A store outage shorter than the lease is ridden out; the
/// renewal after a longer one finds the lease gone. Used by the prove job (a batch's lease) and the
/// submit job (the submitter's).
/// </summary>
internal sealed class LeaseHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource _lost;
    private readonly Task _renewing;

    /// <param name="what">The lease, as the log names it ("the lease of batch 7").</param>
    /// <param name="renew">One renewal: false when the lease is no longer this holder's.</param>
    public LeaseHeartbeat(PoolRuntime pool, long leaseMs, string what, Func<CancellationToken, Task<bool>> renew, CancellationToken cancellationToken)
    {
        _lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _renewing = RenewAsync(pool, TimeSpan.FromMilliseconds(Math.Max(leaseMs / 3, 50)), what, renew);
    }

    /// <summary>Cancelled when the lease is lost, when the outer token is, and once stopped.</summary>
    public CancellationToken Token => _lost.Token;

    /// <summary>Stops renewing; safe to call more than once.</summary>
    public async Task StopAsync()
    {
        if (!_renewing.IsCompleted)
        {
            await _lost.CancelAsync().ConfigureAwait(false); // the renewal loop swallows its own cancellation
        }

        await _renewing.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _lost.Dispose();
    }

    private async Task RenewAsync(PoolRuntime pool, TimeSpan period, string what, Func<CancellationToken, Task<bool>> renew)
    {
        try
        {
            while (true)
            {
                await Task.Delay(period, pool.Time, _lost.Token).ConfigureAwait(false);
                try
                {
                    if (!await renew(_lost.Token).ConfigureAwait(false))
                    {
                        await _lost.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
                catch (PoolStoreUnavailableException e)
                {
                    pool.Logger.LogWarning("could not renew {Lease}: {Message}", what, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
