namespace Prover.Chain.Tests;

/// <summary>
/// Arrivals never decrease across batches: the inbox stores each finalized batch's last arrival and
/// puts it in the next batch's header, and the next batch's proof checks its first arrival against it
/// (docs/circuits.md, "What a proof establishes" 3).
/// </summary>
[Collection(ChainCollection.Name)]
public sealed class ArrivalContinuityTests
{
    private readonly ChainFixture _fixture;

    public ArrivalContinuityTests(ChainFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task A_batch_proven_against_another_previous_last_arrival_than_the_stored_one_is_refused_as_BadProof()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, _) = await _fixture.DeployAsync(connection, "priority-fee");
        var log = new TestLog(connection.ChainId, inbox.Address, "priority-fee");
        Assert.Equal(0UL, (await inbox.GetStateAsync(CancellationToken.None)).LastArrivalMs);
        var first = log.NextBatch(3);
        await inbox.SubmitAsync(await _fixture.ProveAsync(first), CancellationToken.None);
        var stored = (await inbox.GetStateAsync(CancellationToken.None)).LastArrivalMs;
        Assert.Equal(first.Entries[^1].ArrivalMs, stored);

        // The next batch, its entries backdated a second to before the stored arrival and proven as if
        // no batch came before it (previous last arrival 0): a valid proof, of another header.
        var backdated = log.PeekBatch(3, arrivalShiftMs: -1_000, prevLastArrivalMs: 0);
        Assert.True(backdated.Entries[0].ArrivalMs < stored, "the backdated batch must start before the stored arrival, or this test shows nothing");
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, async () => await inbox.SubmitAsync(await _fixture.ProveAsync(backdated), CancellationToken.None));

        // The honest next batch proven against 0 instead of the stored arrival.
        var second = log.NextBatch(3);
        Assert.Equal(stored, second.PrevLastArrivalMs);
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, async () => await inbox.SubmitAsync(await _fixture.ProveAsync(second with { PrevLastArrivalMs = 0 }), CancellationToken.None));

        // The batch's own last arrival, which the inbox would store, is part of the proven header too.
        var honest = await _fixture.ProveAsync(second);
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(honest with { LastArrivalMs = honest.LastArrivalMs - 1 }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(honest with { LastArrivalMs = honest.LastArrivalMs + 1 }, CancellationToken.None));
        Assert.Equal(stored, (await InboxTestKit.ProgressAsync(inbox)).LastArrival);

        var finalized = await inbox.SubmitAsync(honest, CancellationToken.None);
        Assert.Equal(second.Entries[^1].ArrivalMs, finalized.LastArrivalMs);
        Assert.Equal(second.Entries[^1].ArrivalMs, (await inbox.GetStateAsync(CancellationToken.None)).LastArrivalMs);
    }
}
