using Prover.Workers;

namespace Prover.Cli.Demo;

/// <summary>
/// Where the demo's batches are, checked on each poll: done, still moving, or stuck. A failure the
/// pool retries without end (a node that refuses, a tool that keeps crashing) never marks a batch
/// failed, and the demo used to wait on it forever with nothing on the screen; after
/// <see cref="StallLimit"/> without progress it now stops and says which batch is stuck and why.
/// </summary>
internal sealed class DemoProgress(int expectedTransactions, TimeSpan stallLimit, DateTimeOffset start)
{
    private (int Logged, int Finalized) _last = (-1, -1);
    private DateTimeOffset _lastChange = start;

    public TimeSpan StallLimit { get; } = stallLimit;

    /// <summary>True once every expected transaction is in a finalized batch.</summary>
    /// <exception cref="DemoException">A batch failed, or nothing moved for <see cref="StallLimit"/>.</exception>
    public bool Check(string policy, IReadOnlyList<BatchRecord> records, DateTimeOffset now)
    {
        if (records.FirstOrDefault(r => r.State == BatchState.Failed) is { } failed)
        {
            throw new DemoException($"{policy} batch {failed.Index} failed: {failed.Error}");
        }

        var logged = records.Sum(r => r.Count);
        var finalized = records.Count(r => r.State == BatchState.Finalized);
        if (logged == expectedTransactions && finalized == records.Count)
        {
            return true;
        }

        if ((logged, finalized) != _last)
        {
            _last = (logged, finalized);
            _lastChange = now;
        }
        else if (now - _lastChange >= StallLimit)
        {
            var stuck = records.FirstOrDefault(r => r.State != BatchState.Finalized);
            var where = stuck is null
                ? $"{logged} of {expectedTransactions} transactions are in batches; the sequencer cut no more"
                : $"batch {stuck.Index} is {stuck.State.ToString().ToLowerInvariant()}{(stuck.AwaitsDraw ? ", awaiting its commitment on chain" : "")} (attempts {stuck.Attempts}{(stuck.Error is { } error ? $", last error: {error}" : "")})";
            throw new DemoException($"{policy}: nothing moved for {StallLimit.TotalMinutes:0.#} minutes: {where}. Its data stays in the demo's folder; `prover pool status` shows every batch.");
        }

        return false;
    }
}
