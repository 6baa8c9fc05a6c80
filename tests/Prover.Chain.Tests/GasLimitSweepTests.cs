namespace Prover.Chain.Tests;

/// <summary>
/// A submission under every gas limit from far too little to plenty either finalizes the batch
/// completely or reverts with nothing changed: no limit leaves the inbox half-updated, and none makes
/// a valid proof look like a finalized-but-wrong batch.
/// </summary>
[Collection(ChainCollection.Name)]
public sealed class GasLimitSweepTests
{
    private readonly ChainFixture _fixture;

    public GasLimitSweepTests(ChainFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Under_every_gas_limit_a_submission_either_finalizes_or_reverts_with_the_state_unchanged()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, _) = await _fixture.DeployAsync(connection, "priority-fee");
        var submission = await _fixture.ProveAsync(new TestLog(connection.ChainId, inbox.Address, "priority-fee").NextBatch(4));
        var before = await InboxTestKit.ProgressAsync(inbox);

        // Below the intrinsic cost no transaction can be mined at all (a node may hold it forever), so the
        // client refuses to send one.
        var intrinsic = BatchInbox.IntrinsicGas(submission);
        var refused = await Assert.ThrowsAsync<ChainConfigurationException>(() => inbox.SubmitAsync(submission, intrinsic - 1, CancellationToken.None));
        Assert.Equal("gas limit", refused.Setting);
        Assert.Equal(before, await InboxTestKit.ProgressAsync(inbox));

        // From the intrinsic cost up: coarse at first, fine across the last 90,000 gas below the estimate
        // (where the pairing, and then the storage writes and the event, run out) and a little past it.
        var estimate = (ulong)(await connection.Web3.Eth.GetContractTransactionHandler<SubmitBatchFunction>().EstimateGasAsync(inbox.Address.ToString(), BatchInbox.Message(submission))).Value;
        var limits = new List<ulong> { intrinsic, intrinsic + 1, 60_000, 100_000, 150_000 };
        for (var g = estimate - 90_000; g <= estimate + 15_000; g += 3_000)
        {
            limits.Add(g);
        }

        limits.AddRange([estimate, 2 * estimate, 1_000_000]);
        int finalized = 0, reverted = 0;
        foreach (var limit in limits)
        {
            // Each limit runs on the chain as it was before the first: anvil rewinds to a snapshot.
            var snapshot = await connection.Web3.Client.SendRequestAsync<string>("evm_snapshot");
            try
            {
                var batch = await inbox.SubmitAsync(submission, limit, CancellationToken.None);
                finalized++;
                Assert.True(batch.GasUsed <= limit);
                Assert.Equal(submission.NewHead, batch.NewHead);
                var after = await InboxTestKit.ProgressAsync(inbox);
                Assert.Equal((submission.NewHead, before.Index + 1, before.Seq + (ulong)submission.Count), (after.Head, after.Index, after.Seq));
                Assert.Equal(batch.BlockNumber, after.Block);
            }
            catch (TransactionRevertedException e)
            {
                reverted++;
                Assert.Equal(limit, e.GasLimit);
                Assert.Equal(before, await InboxTestKit.ProgressAsync(inbox));
                var block = (ulong)(await connection.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
                Assert.Empty(await inbox.GetFinalizedBatchesAsync(block, CancellationToken.None));
            }

            Assert.True(await connection.Web3.Client.SendRequestAsync<bool>("evm_revert", null, snapshot));
            await connection.ResynchronizeNonceAsync(CancellationToken.None);
        }

        // The sweep must have crossed the threshold, or it tested one side only.
        Assert.True(finalized > 0 && reverted > 0, $"{finalized} finalized, {reverted} reverted");
        Assert.Equal(limits.Count, finalized + reverted);
    }
}
