namespace Prover.Sequencer;

/// <summary>
/// A one-item hand-off between two dedicated threads that blocks without spinning. The sequencer's
/// writer and committer each wait on the other once per group; at light load that is a wait per
/// transaction, and the spinning of <see cref="System.Collections.Concurrent.BlockingCollection{T}"/>
/// and <see cref="ManualResetEventSlim"/> before they block took more processor than the group's own
/// work, on two vCPUs that share one core's execution units (so a spinning thread also slows the
/// thread beside it).
/// </summary>
internal sealed class HandOff<T>
    where T : class
{
    private readonly object _gate = new();
    private T? _item;
    private bool _completed;

    /// <summary>Puts <paramref name="item"/> in the slot, waiting while it is full.</summary>
    /// <exception cref="InvalidOperationException">After <see cref="Complete"/>.</exception>
    public void Put(T item)
    {
        lock (_gate)
        {
            while (_item is not null && !_completed)
            {
                Monitor.Wait(_gate);
            }

            if (_completed)
            {
                throw new InvalidOperationException("The hand-off is complete; nothing more can be put in it.");
            }

            _item = item;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Takes the next item, waiting for one; false once completed and empty.</summary>
    public bool TryTake(out T item)
    {
        lock (_gate)
        {
            while (_item is null && !_completed)
            {
                Monitor.Wait(_gate);
            }

            if (_item is { } taken)
            {
                _item = null;
                Monitor.PulseAll(_gate);
                item = taken;
                return true;
            }

            item = null!;
            return false;
        }
    }

    /// <summary>No more items: a waiting taker gets what is in the slot, then false.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
