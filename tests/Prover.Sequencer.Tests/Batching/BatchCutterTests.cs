using Prover.Sequencer.Batching;

namespace Prover.Sequencer.Tests.Batching;

public class BatchCutterTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(250);

    /// <summary>A log whose entry at seq i arrived at arrivals[i].</summary>
    private static BatchCutter Cutter(ulong[] arrivals, int capacity = 64) =>
        new(capacity, MaxAge, nextIndex: 0, openFirstSeq: 0, seq => arrivals[seq]);

    [Fact]
    public void A_late_age_cut_takes_only_the_entries_that_arrived_within_the_max_age()
    {
        // The writer was busy (or restarted) and cuts long after the deadline of 1250 ms: the entry
        // that arrived at 5000 ms must start the next batch, not stretch this one.
        ulong[] arrivals = [1_000, 1_100, 1_250, 5_000];
        var cutter = Cutter(arrivals);

        var closed = cutter.Cut(logLength: 4, nowMs: 9_000);

        Assert.Equal([new ClosedSegment(0, 0, 3), new ClosedSegment(1, 3, 1)], closed);
        Assert.Null(cutter.Deadline(4));
    }

    [Fact]
    public void An_age_cut_on_time_takes_every_entry_and_leaves_a_young_one_open()
    {
        ulong[] arrivals = [1_000, 1_200, 1_260];
        var cutter = Cutter(arrivals);

        Assert.Empty(cutter.Cut(logLength: 3, nowMs: 1_249));
        Assert.Equal([new ClosedSegment(0, 0, 2)], cutter.Cut(logLength: 3, nowMs: 1_250));
        Assert.Equal(1_260UL + 250, cutter.Deadline(3));
    }

    [Fact]
    public void Capacity_cuts_come_before_age_cuts()
    {
        ulong[] arrivals = [1_000, 1_001, 1_002, 1_003, 1_004];
        var cutter = Cutter(arrivals, capacity: 2);

        Assert.Equal(
            [new ClosedSegment(0, 0, 2), new ClosedSegment(1, 2, 2), new ClosedSegment(2, 4, 1)],
            cutter.Cut(logLength: 5, nowMs: 2_000));
    }
}
