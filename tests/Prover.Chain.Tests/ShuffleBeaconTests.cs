using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Newtonsoft.Json.Linq;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Chain.Tests;

/// <summary>
/// The shuffle's randomness on chain (docs/chain.md, "Shuffle: commit, beacon, redraw"): a batch's new
/// head is committed before its order exists, its beacon is the hash of the block that recorded the
/// commitment, and the inbox finalizes the batch only with that beacon, from a later block, while the
/// hash can still be read; after that, only a redraw (an event every reader sees) gives a new one.
/// </summary>
[Collection(ChainCollection.Name)]
public sealed class ShuffleBeaconTests
{
    private readonly ChainFixture _fixture;

    public ShuffleBeaconTests(ChainFixture fixture) => _fixture = fixture;

    public static TheoryData<string> OtherPolicies => [.. ChainFixture.Policies.Where(p => p != "shuffle")];

    [Fact]
    public async Task Committed_batches_are_ordered_with_the_beacon_of_their_commitments_block_and_finalize_with_it()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, deployment) = await _fixture.DeployAsync(connection, "shuffle");
        var log = new TestLog(connection.ChainId, inbox.Address, "shuffle");
        List<OrderingWitness> witnesses = [log.NextBatch(4), log.NextBatch(2)];

        // Commitments may run ahead of finalization: both batches are committed before either is proven.
        var commitments = new List<BatchCommitment>();
        foreach (var w in witnesses)
        {
            commitments.Add(await inbox.CommitAsync(w.BatchIndex, w.PrevHead, w.NewHead, CancellationToken.None));
        }

        var state = await inbox.GetStateAsync(CancellationToken.None);
        Assert.True(state.DrawsBeacons);
        Assert.Equal((2UL, witnesses[1].NewHead, 0UL), (state.NextCommitIndex, state.CommittedHead, state.NextBatchIndex));
        for (var i = 0; i < commitments.Count; i++)
        {
            var c = commitments[i];
            Assert.Equal(((ulong)i, witnesses[i].NewHead, 1u), (c.Index, c.NewHead, c.Draws));
            var block = await connection.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter(c.BeaconBlock));
            Assert.Equal(BatchHeader.BeaconOf(Hash32.Parse(block.BlockHash)), c.Beacon);
            // The inbox's own reading of the block hash, as a submission in the next block makes it, gives the same 93 bits.
            Assert.Equal(c.Beacon!.Value.ToBigInteger(), (await CommitmentViewAsync(connection, inbox, c.Index)).Beacon);
            Assert.Equal(c, await inbox.GetCommitmentAsync(c.Index, CancellationToken.None));
        }

        Assert.NotEqual(commitments[0].Beacon, commitments[1].Beacon);

        for (var i = 0; i < witnesses.Count; i++)
        {
            var beacon = commitments[i].Beacon!.Value;
            var finalized = await inbox.SubmitAsync(await _fixture.ProveAsync(witnesses[i].WithBeacon(beacon)), CancellationToken.None);
            Assert.Equal(beacon, finalized.Beacon);
            Assert.Equal(witnesses[i].NewHead, finalized.NewHead);
            // A finalized batch's commitment is gone; the next one's stays.
            Assert.Null(await inbox.GetCommitmentAsync((ulong)i, CancellationToken.None));
        }

        var history = await inbox.GetCommitmentHistoryAsync(deployment.Block, CancellationToken.None);
        Assert.Equal(
            commitments.Select(c => (c.Index, c.NewHead, c.BeaconBlock, c.Draws)),
            history.Select(c => (c.Index, c.NewHead, c.BeaconBlock, c.Draws)));
    }

    [Theory]
    [MemberData(nameof(OtherPolicies))]
    public async Task An_inbox_of_another_policy_refuses_a_commitment_and_a_redraw_as_NothingToCommit(string policy)
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, deployment) = await _fixture.DeployAsync(connection, policy);
        var witness = new TestLog(connection.ChainId, inbox.Address, policy).NextBatch(2);

        var e = await InboxTestKit.AssertRejectedAsync(InboxError.NothingToCommit, () => inbox.CommitAsync(0, deployment.GenesisHead, witness.NewHead, CancellationToken.None));
        Assert.Equal(TestBatches.Policy(policy).NumericId.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Arguments["policyId"]);
        await InboxTestKit.AssertRejectedAsync(InboxError.NothingToCommit, () => inbox.RedrawBeaconAsync(0, CancellationToken.None));
        Assert.Equal(0UL, (await inbox.GetStateAsync(CancellationToken.None)).NextCommitIndex);
    }

    [Fact]
    public async Task A_commitment_out_of_order_off_the_committed_head_repeated_or_from_another_account_is_refused()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, deployment) = await _fixture.DeployAsync(connection, "shuffle");
        var log = new TestLog(connection.ChainId, inbox.Address, "shuffle");
        var first = log.NextBatch(3);
        var second = log.NextBatch(3);
        var genesis = deployment.GenesisHead;

        // Batch 1 before batch 0.
        var e = await InboxTestKit.AssertRejectedAsync(InboxError.WrongCommit, () => inbox.CommitAsync(1, first.NewHead, second.NewHead, CancellationToken.None));
        Assert.Equal(("0", genesis.ToString(), "1", first.NewHead.ToString()), (e.Arguments["expectedIndex"], e.Arguments["expectedPrevHead"], e.Arguments["index"], e.Arguments["prevHead"]));
        // Batch 0 off the genesis head.
        await InboxTestKit.AssertRejectedAsync(InboxError.WrongCommit, () => inbox.CommitAsync(0, first.NewHead, second.NewHead, CancellationToken.None));
        // A new head that is no field element could never be proven.
        var notField = await InboxTestKit.CallAsync(connection, inbox, new CommitBatchFunction { Index = 0, PrevHead = genesis.ToBigInteger(), NewHead = Fr.Modulus }, BlockParameter.CreatePending());
        InboxTestKit.AssertIs(InboxError.NotFieldElement, Assert.IsType<InboxRejectedException>(notField));
        var other = await _fixture.ConnectAsync(1);
        await InboxTestKit.AssertRejectedAsync(InboxError.NotSequencer, () => new BatchInbox(other, inbox.Address).CommitAsync(0, genesis, first.NewHead, CancellationToken.None));
        Assert.Equal((0UL, genesis), await inbox.GetCommitTipAsync(CancellationToken.None));

        await inbox.CommitAsync(0, genesis, first.NewHead, CancellationToken.None);
        // Once committed, a batch cannot be committed again with another head: no second beacon to choose from.
        e = await InboxTestKit.AssertRejectedAsync(InboxError.WrongCommit, () => inbox.CommitAsync(0, genesis, second.NewHead, CancellationToken.None));
        Assert.Equal(("1", first.NewHead.ToString()), (e.Arguments["expectedIndex"], e.Arguments["expectedPrevHead"]));
        // The next commitment continues the committed head, not the finalized one.
        await InboxTestKit.AssertRejectedAsync(InboxError.WrongCommit, () => inbox.CommitAsync(1, genesis, second.NewHead, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.NotSequencer, () => new BatchInbox(other, inbox.Address).RedrawBeaconAsync(0, CancellationToken.None));

        await inbox.CommitAsync(1, first.NewHead, second.NewHead, CancellationToken.None);
        Assert.Equal((2UL, second.NewHead), await inbox.GetCommitTipAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_batch_proven_before_its_commitment_is_refused_as_NotCommitted_and_after_it_as_BadProof()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, _) = await _fixture.DeployAsync(connection, "shuffle");
        var witness = new TestLog(connection.ChainId, inbox.Address, "shuffle").NextBatch(3);

        // An operator that orders the batch before committing it, with the beacon it bets on: the latest block's.
        var latest = await connection.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest());
        var guess = BatchHeader.BeaconOf(Hash32.Parse(latest.BlockHash));
        var early = await _fixture.ProveAsync(witness.WithBeacon(guess));
        var e = await InboxTestKit.AssertRejectedAsync(InboxError.NotCommitted, () => inbox.SubmitAsync(early, CancellationToken.None));
        Assert.Equal("0", e.Arguments["index"]);
        await InboxTestKit.AssertRejectedAsync(InboxError.NotCommitted, () => inbox.RedrawBeaconAsync(0, CancellationToken.None));

        var commitment = await inbox.CommitAsync(0, witness.PrevHead, witness.NewHead, CancellationToken.None);
        Assert.NotEqual(guess, commitment.Beacon);
        // Committed now, but proven with a beacon other than the drawn one: the inbox passes its own.
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(early, CancellationToken.None));
        Assert.Equal(0UL, (await InboxTestKit.ProgressAsync(inbox)).Index);

        var finalized = await inbox.SubmitAsync(await _fixture.ProveAsync(witness.WithBeacon(commitment.Beacon!.Value)), CancellationToken.None);
        Assert.Equal(commitment.Beacon, finalized.Beacon);
    }

    [Fact]
    public async Task A_batch_whose_new_head_is_not_the_committed_one_is_refused_as_CommitmentMismatch()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, _) = await _fixture.DeployAsync(connection, "shuffle");
        // Two cuts of one log: three entries, committed, and four, which the operator would rather have proven.
        var committed = new TestLog(connection.ChainId, inbox.Address, "shuffle").NextBatch(3);
        var longer = new TestLog(connection.ChainId, inbox.Address, "shuffle").NextBatch(4);
        Assert.Equal(committed.PrevHead, longer.PrevHead);
        var commitment = await inbox.CommitAsync(0, committed.PrevHead, committed.NewHead, CancellationToken.None);
        var beacon = commitment.Beacon!.Value;

        // A valid proof of the longer cut with the drawn beacon: not the committed batch.
        var e = await InboxTestKit.AssertRejectedAsync(InboxError.CommitmentMismatch, async () => await inbox.SubmitAsync(await _fixture.ProveAsync(longer.WithBeacon(beacon)), CancellationToken.None));
        Assert.Equal(("0", committed.NewHead.ToString(), longer.NewHead.ToString()), (e.Arguments["index"], e.Arguments["committedHead"], e.Arguments["newHead"]));

        await inbox.SubmitAsync(await _fixture.ProveAsync(committed.WithBeacon(beacon)), CancellationToken.None);
    }

    [Fact]
    public async Task A_submission_in_the_block_that_records_its_commitment_is_refused_as_BeaconNotReady()
    {
        // Its own chain: automine is switched off to put two transactions in one block.
        await using var anvil = await AnvilNode.StartAsync(new AnvilOptions { ChainId = TestBatches.ChainId }, CancellationToken.None);
        var connection = await ChainFixture.ConnectAsync(anvil);
        var (inbox, _) = await _fixture.DeployAsync(connection, "shuffle");
        var witness = new TestLog(connection.ChainId, inbox.Address, "shuffle").NextBatch(3);
        // The beacon is the hash of a block that is not sealed yet, so no proof of the right order can exist;
        // the check comes before the verifier, so the proof here is any.
        var unready = BatchSubmission.Of(witness.WithBeacon(Fr.Zero), InboxTestKit.Garbage());

        var web3 = connection.Web3;
        await web3.Client.SendRequestAsync<object>("evm_setAutomine", null, false);
        string commitHash, submitHash;
        try
        {
            var nonce = await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(connection.Account.ToString(), BlockParameter.CreatePending());
            var commit = new CommitBatchFunction
            {
                Index = 0,
                PrevHead = witness.PrevHead.ToBigInteger(),
                NewHead = witness.NewHead.ToBigInteger(),
                Gas = 200_000,
                Nonce = nonce,
            };
            commitHash = await web3.Eth.GetContractTransactionHandler<CommitBatchFunction>().SendRequestAsync(inbox.Address.ToString(), commit);

            // The client's own simulation runs on the pending block, which holds the commitment.
            await InboxTestKit.AssertRejectedAsync(InboxError.BeaconNotReady, () => inbox.SubmitAsync(unready, CancellationToken.None));

            // Sent regardless, with its gas given, it lands in the commitment's block and reverts.
            var submit = BatchInbox.Message(unready);
            submit.Gas = 2_000_000;
            submit.Nonce = new HexBigInteger(nonce.Value + 1);
            submitHash = await web3.Eth.GetContractTransactionHandler<SubmitBatchFunction>().SendRequestAsync(inbox.Address.ToString(), submit);
            await web3.Client.SendRequestAsync<object>("evm_mine");
        }
        finally
        {
            await web3.Client.SendRequestAsync<object>("evm_setAutomine", null, true);
            await connection.ResynchronizeNonceAsync(CancellationToken.None);
        }

        var committed = await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(commitHash);
        var refused = await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(submitHash);
        Assert.Equal((1, 0), ((int)committed.Status.Value, (int)refused.Status.Value));
        Assert.Equal(committed.BlockNumber.Value, refused.BlockNumber.Value);
        var trace = await web3.Client.SendRequestAsync<JObject>("debug_traceTransaction", null, submitHash, new { tracer = "callTracer" });
        var e = InboxErrors.Decode(trace.Value<string>("output") ?? "");
        InboxTestKit.AssertIs(InboxError.BeaconNotReady, e);
        Assert.Equal(("0", committed.BlockNumber.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), (e.Arguments["index"], e.Arguments["beaconBlock"]));
        Assert.Equal(0UL, (await InboxTestKit.ProgressAsync(inbox)).Index);

        // From the next block on, the beacon is there and the batch finalizes with it.
        var commitment = await inbox.GetCommitmentAsync(0, CancellationToken.None);
        Assert.NotNull(commitment?.Beacon);
        var finalized = await inbox.SubmitAsync(await _fixture.ProveAsync(witness.WithBeacon(commitment.Beacon.Value)), CancellationToken.None);
        Assert.True(finalized.BlockNumber > commitment.BeaconBlock);
    }

    [Fact]
    public async Task A_beacon_is_readable_for_256_blocks_then_expires_and_only_then_is_redrawn_and_the_new_draw_finalizes()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, deployment) = await _fixture.DeployAsync(connection, "shuffle");
        var witness = new TestLog(connection.ChainId, inbox.Address, "shuffle").NextBatch(4);
        var first = await inbox.CommitAsync(0, witness.PrevHead, witness.NewHead, CancellationToken.None);
        var drawnAt = first.BeaconBlock;
        var withFirst = await _fixture.ProveAsync(witness.WithBeacon(first.Beacon!.Value));

        var e = await InboxTestKit.AssertRejectedAsync(InboxError.BeaconNotExpired, () => inbox.RedrawBeaconAsync(0, CancellationToken.None));
        Assert.Equal(drawnAt.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Arguments["beaconBlock"]);

        // Up to block drawnAt + 256 (the next block after mining to drawnAt + 255) the hash can be read: the
        // batch would finalize there, and the beacon cannot be drawn again.
        await InboxTestKit.MineAsync(connection, drawnAt + 255 - await InboxTestKit.BlockNumberAsync(connection));
        Assert.Null(await InboxTestKit.CallAsync(connection, inbox, BatchInbox.Message(withFirst), BlockParameter.CreatePending()));
        await InboxTestKit.AssertRejectedAsync(InboxError.BeaconNotExpired, () => inbox.RedrawBeaconAsync(0, CancellationToken.None));
        Assert.False((await inbox.GetCommitmentAsync(0, CancellationToken.None))!.Expired);

        // One block later it is gone, and the C# side says so before a submission finds out.
        await InboxTestKit.MineAsync(connection, 1);
        Assert.True((await inbox.GetCommitmentAsync(0, CancellationToken.None))!.Expired);
        e = await InboxTestKit.AssertRejectedAsync(InboxError.BeaconExpired, () => inbox.SubmitAsync(withFirst, CancellationToken.None));
        Assert.Equal(("0", drawnAt.ToString(System.Globalization.CultureInfo.InvariantCulture)), (e.Arguments["index"], e.Arguments["beaconBlock"]));

        var second = await inbox.RedrawBeaconAsync(0, CancellationToken.None);
        Assert.Equal((0UL, witness.NewHead, 2u), (second.Index, second.NewHead, second.Draws));
        Assert.True(second.BeaconBlock > drawnAt + 256);
        Assert.NotEqual(first.Beacon, second.Beacon);
        // The first draw's proof is for another seed now; and the new draw cannot be redrawn until it expires too.
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(withFirst, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BeaconNotExpired, () => inbox.RedrawBeaconAsync(0, CancellationToken.None));
        Assert.Equal(0UL, (await InboxTestKit.ProgressAsync(inbox)).Index);

        var finalized = await inbox.SubmitAsync(await _fixture.ProveAsync(witness.WithBeacon(second.Beacon!.Value)), CancellationToken.None);
        Assert.Equal(second.Beacon, finalized.Beacon);

        // Every draw is on the record, with the block whose hash it took.
        var history = await inbox.GetCommitmentHistoryAsync(deployment.Block, CancellationToken.None);
        Assert.Equal([(0UL, witness.NewHead, drawnAt, 1u), (0UL, witness.NewHead, second.BeaconBlock, 2u)], history.Select(c => (c.Index, c.NewHead, c.BeaconBlock, c.Draws)));
        await InboxTestKit.AssertRejectedAsync(InboxError.NotCommitted, () => inbox.RedrawBeaconAsync(0, CancellationToken.None));
    }

    /// <summary>The inbox's <c>commitment(index)</c> view, as the contract computes it in the pending block.</summary>
    private static Task<CommitmentOutput> CommitmentViewAsync(ChainConnection connection, BatchInbox inbox, ulong index) =>
        connection.Web3.Eth.GetContractQueryHandler<CommitmentFunction>()
            .QueryDeserializingToObjectAsync<CommitmentOutput>(new CommitmentFunction { Index = index }, inbox.Address.ToString(), BlockParameter.CreatePending());
}
