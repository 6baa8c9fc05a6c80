namespace Prover.Sequencer.Batching;

/// <summary>A contiguous log segment the cutter closed, to be ordered and stored as a batch.</summary>
internal sealed record ClosedSegment(ulong Index, ulong FirstSeq, int Count);

/// <summary>
/// Decides where batches end: a batch closes when it holds <c>capacity</c> entries or when its first
/// entry is <c>maxAge</c> old, whichever comes first. An age cut takes only the entries that arrived
/// within <c>maxAge</c> of the first, even when the cut itself runs late (a busy writer, a restart),
/// so every batch spans at most <c>maxAge</c> — which is what keeps its arrival gaps provable.
/// Runs on the log writer's thread, so it sees the log exactly as appended and needs no locking.
/// </summary>
internal sealed class BatchCutter
{
    private readonly int _capacity;
    private readonly ulong _maxAgeMs;
    private readonly Func<ulong, ulong> _arrivalAt;

    /// <param name="arrivalAt">The arrival time (Unix ms) of the entry with a given seq.</param>
    public BatchCutter(int capacity, TimeSpan maxAge, ulong nextIndex, ulong openFirstSeq, Func<ulong, ulong> arrivalAt)
    {
        _capacity = capacity;
        _maxAgeMs = (ulong)Math.Ceiling(maxAge.TotalMilliseconds);
        NextIndex = nextIndex;
        OpenFirstSeq = openFirstSeq;
        _arrivalAt = arrivalAt;
    }

    public ulong NextIndex { get; private set; }

    /// <summary>The first seq of the batch still open.</summary>
    public ulong OpenFirstSeq { get; private set; }

    /// <summary>
    /// When the open batch must close by age, in ms of the sequencer clock; null when it is empty.
    /// </summary>
    public ulong? Deadline(ulong logLength) =>
        logLength > OpenFirstSeq ? _arrivalAt(OpenFirstSeq) + _maxAgeMs : null;

    /// <summary>Every batch that must close now, given the log's length and the time.</summary>
    public List<ClosedSegment> Cut(ulong logLength, ulong nowMs)
    {
        var closed = new List<ClosedSegment>();
        while (logLength - OpenFirstSeq >= (ulong)_capacity)
        {
            closed.Add(Close(_capacity));
        }

        while (Deadline(logLength) is { } due && nowMs >= due)
        {
            var end = OpenFirstSeq + 1;
            while (end < logLength && _arrivalAt(end) <= due)
            {
                end++;
            }

            closed.Add(Close((int)(end - OpenFirstSeq)));
        }

        return closed;
    }

    private ClosedSegment Close(int count)
    {
        var segment = new ClosedSegment(NextIndex, OpenFirstSeq, count);
        NextIndex++;
        OpenFirstSeq += (ulong)count;
        return segment;
    }
}
