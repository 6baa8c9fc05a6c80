namespace Prover.Benchmarks;

/// <summary>
/// The collections during a measured phase and their pauses, the longest included: at a high offered
/// load one pause of a few milliseconds leaves a backlog that takes far longer than the pause to
/// drain, so the longest pause explains a latency tail better than the total does.
/// </summary>
internal sealed class GcPauses : IDisposable
{
    private readonly (int, int, int) _countsAtStart = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    private readonly TimeSpan _pausedAtStart = GC.GetTotalPauseDuration();
    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes();
    private readonly Thread _watcher;
    private volatile bool _stopped;
    private TimeSpan _longest;

    public GcPauses()
    {
        // GetGCMemoryInfo describes only the last collection, so a watcher polls it often enough to see
        // each one (collections here are hundreds of milliseconds apart).
        _watcher = new Thread(() =>
        {
            var seen = GC.GetGCMemoryInfo(GCKind.Any).Index;
            while (!_stopped)
            {
                Thread.Sleep(2);
                var info = GC.GetGCMemoryInfo(GCKind.Any);
                if (info.Index != seen)
                {
                    seen = info.Index;
                    var pause = info.PauseDurations[0] + info.PauseDurations[1];
                    if (pause > _longest)
                    {
                        _longest = pause;
                    }
                }
            }
        })
        { IsBackground = true, Name = "gc-pause-watcher" };
        _watcher.Start();
    }

    /// <summary>Stops watching and describes the phase's collections and what was allocated per operation.</summary>
    public string Summary(int operations)
    {
        Dispose();
        var paused = GC.GetTotalPauseDuration() - _pausedAtStart;
        var allocated = GC.GetTotalAllocatedBytes() - _allocatedAtStart;
        return FormattableString.Invariant(
            $"{GC.CollectionCount(0) - _countsAtStart.Item1} gen0, {GC.CollectionCount(1) - _countsAtStart.Item2} gen1, {GC.CollectionCount(2) - _countsAtStart.Item3} gen2 collections, paused {paused.TotalMilliseconds:F0} ms in all, longest {_longest.TotalMilliseconds:F1} ms; {allocated / (double)operations / 1024:F1} KiB allocated per request (server and load generator)");
    }

    public void Dispose()
    {
        _stopped = true;
        _watcher.Join();
    }
}
