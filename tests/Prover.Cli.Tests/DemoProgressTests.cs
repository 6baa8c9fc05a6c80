using Prover.Cli.Demo;
using Prover.Workers;

namespace Prover.Cli.Tests;

/// <summary>The demo's wait for its batches: it ends when all are final, and stops with a reason when a batch fails or nothing moves.</summary>
public sealed class DemoProgressTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    [Fact]
    public void It_is_done_once_every_expected_transaction_is_in_a_finalized_batch()
    {
        var progress = new DemoProgress(expectedTransactions: 6, Limit, T0);
        Assert.False(progress.Check("fcfs", [Batch(0, BatchState.Finalized, 4), Batch(1, BatchState.Proved, 2)], T0));
        Assert.False(progress.Check("fcfs", [Batch(0, BatchState.Finalized, 4)], T0));
        Assert.True(progress.Check("fcfs", [Batch(0, BatchState.Finalized, 4), Batch(1, BatchState.Finalized, 2)], T0));
    }

    [Fact]
    public void Nothing_moving_for_the_limit_stops_the_demo_naming_the_stuck_batch_and_its_last_error()
    {
        var progress = new DemoProgress(expectedTransactions: 6, Limit, T0);
        IReadOnlyList<BatchRecord> stuck = [Batch(0, BatchState.Finalized, 4), Batch(1, BatchState.Submitted, 2, attempts: 1, error: "submission failed: the node refused")];
        Assert.False(progress.Check("fcfs", stuck, T0));
        Assert.False(progress.Check("fcfs", stuck, T0 + Limit - TimeSpan.FromSeconds(1)));

        var e = Assert.Throws<DemoException>(() => progress.Check("fcfs", stuck, T0 + Limit));
        Assert.Contains("fcfs: nothing moved for 5 minutes: batch 1 is submitted (attempts 1, last error: submission failed: the node refused)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shuffle_batch_stuck_before_its_commitment_is_named_as_such()
    {
        var progress = new DemoProgress(expectedTransactions: 6, Limit, T0);
        IReadOnlyList<BatchRecord> stuck = [Batch(0, BatchState.Finalized, 4), Batch(1, BatchState.Pending, 2, error: "commitment failed: the node refused") with { Draws = 0 }];
        Assert.False(progress.Check("shuffle", stuck, T0));

        var e = Assert.Throws<DemoException>(() => progress.Check("shuffle", stuck, T0 + Limit));
        Assert.Contains("shuffle: nothing moved for 5 minutes: batch 1 is pending, awaiting its commitment on chain (attempts 0, last error: commitment failed: the node refused)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_restarts_the_clock_and_a_sequencer_that_cuts_no_more_is_named()
    {
        var progress = new DemoProgress(expectedTransactions: 6, Limit, T0);
        Assert.False(progress.Check("fcfs", [Batch(0, BatchState.Proving, 4)], T0 + Limit - TimeSpan.FromSeconds(1)));
        Assert.False(progress.Check("fcfs", [Batch(0, BatchState.Finalized, 4)], T0 + Limit)); // moved: no stall

        var e = Assert.Throws<DemoException>(() => progress.Check("fcfs", [Batch(0, BatchState.Finalized, 4)], T0 + (2 * Limit)));
        Assert.Contains("4 of 6 transactions are in batches; the sequencer cut no more", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_batch_stops_the_demo_at_once_with_its_error()
    {
        var progress = new DemoProgress(expectedTransactions: 4, Limit, T0);
        var e = Assert.Throws<DemoException>(() => progress.Check("shuffle", [Batch(0, BatchState.Failed, 4, error: "unsatisfiable witness")], T0));
        Assert.Equal("shuffle batch 0 failed: unsatisfiable witness", e.Message);
    }

    private static BatchRecord Batch(ulong index, BatchState state, int count, int attempts = 0, string? error = null) =>
        new(index, state, "fcfs", count, null, null, null, null, null, null, attempts, error, null, null, null, null, 0, null, null, 0);
}
