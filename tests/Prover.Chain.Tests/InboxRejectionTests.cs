using Prover.Core.Batches;
using Prover.Crypto.Field;

namespace Prover.Chain.Tests;

/// <summary>
/// Every way a submission can be wrong is refused with the inbox's own custom error (asserted by its
/// selector), and the inbox's state does not move.
/// </summary>
[Collection(ChainCollection.Name)]
public sealed class InboxRejectionTests
{
    private readonly ChainFixture _fixture;

    public InboxRejectionTests(ChainFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task A_proof_that_does_not_verify_is_refused_as_BadProof()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, _) = await _fixture.DeployAsync(connection, "priority-fee");
        var submission = await _fixture.ProveAsync(new TestLog(connection.ChainId, inbox.Address, "priority-fee").NextBatch(3));
        var before = await InboxTestKit.ProgressAsync(inbox);

        // A point moved off the curve, a different point, and a valid proof claimed for another statement.
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(submission with { Proof = InboxTestKit.Corrupted(submission.Proof, 0) }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(submission with { Proof = InboxTestKit.Corrupted(submission.Proof, 6) }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(submission with { NewHead = submission.NewHead + Fr.One }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(submission with { OutputCommitment = submission.OutputCommitment + Fr.One }, CancellationToken.None));

        Assert.Equal(before, await InboxTestKit.ProgressAsync(inbox));
        await inbox.SubmitAsync(submission, CancellationToken.None);
    }

    [Fact]
    public async Task A_batch_that_does_not_start_at_the_inbox_head_is_refused_as_WrongHead()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, deployment) = await _fixture.DeployAsync(connection, "fcfs");
        var log = new TestLog(connection.ChainId, inbox.Address, "fcfs");
        var first = await _fixture.ProveAsync(log.NextBatch(2));
        var second = await _fixture.ProveAsync(log.NextBatch(2));
        var before = await InboxTestKit.ProgressAsync(inbox);
        Assert.Equal(deployment.GenesisHead, before.Head);

        // Batch 1 before batch 0: a valid proof, but of the segment after a head the inbox has not reached.
        var e = await InboxTestKit.AssertRejectedAsync(InboxError.WrongHead, () => inbox.SubmitAsync(second, CancellationToken.None));
        Assert.Equal("0", e.Arguments["expectedIndex"]);
        Assert.Equal(deployment.GenesisHead.ToString(), e.Arguments["expectedPrevHead"]);
        // The right index with another head.
        await InboxTestKit.AssertRejectedAsync(InboxError.WrongHead, () => inbox.SubmitAsync(second with { Index = 0 }, CancellationToken.None));
        // The right head under another index.
        await InboxTestKit.AssertRejectedAsync(InboxError.WrongHead, () => inbox.SubmitAsync(first with { Index = 1 }, CancellationToken.None));

        Assert.Equal(before, await InboxTestKit.ProgressAsync(inbox));
        await inbox.SubmitAsync(first, CancellationToken.None);
        await inbox.SubmitAsync(second, CancellationToken.None);
    }

    [Fact]
    public async Task A_replayed_or_re_randomized_proof_of_a_finalized_batch_is_refused_as_WrongHead()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, deployment) = await _fixture.DeployAsync(connection, "fcfs");
        var witness = new TestLog(connection.ChainId, inbox.Address, "fcfs").NextBatch(4);
        var submission = await _fixture.ProveAsync(witness);
        await inbox.SubmitAsync(submission, CancellationToken.None);
        var after = await InboxTestKit.ProgressAsync(inbox);

        var malleated = submission with { Proof = InboxTestKit.Negated(submission.Proof) };
        Assert.NotEqual(submission.Proof.Words, malleated.Proof.Words);
        Assert.True(await InboxTestKit.VerifiesAsync(connection, deployment.Verifier, malleated.Proof, BatchStatement.Of(witness)), "the re-randomized proof must itself be valid, or this test shows nothing");

        await InboxTestKit.AssertRejectedAsync(InboxError.WrongHead, () => inbox.SubmitAsync(submission, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.WrongHead, () => inbox.SubmitAsync(malleated, CancellationToken.None));
        // Replayed under the next index, it still names the old head.
        await InboxTestKit.AssertRejectedAsync(InboxError.WrongHead, () => inbox.SubmitAsync(malleated with { Index = 1 }, CancellationToken.None));
        Assert.Equal(after, await InboxTestKit.ProgressAsync(inbox));
    }

    [Fact]
    public async Task A_submission_from_any_account_but_the_sequencer_is_refused_as_NotSequencer()
    {
        var sequencer = await _fixture.ConnectAsync(0);
        var (inbox, _) = await _fixture.DeployAsync(sequencer, "fcfs");
        var submission = await _fixture.ProveAsync(new TestLog(sequencer.ChainId, inbox.Address, "fcfs").NextBatch(1));
        var other = await _fixture.ConnectAsync(1);
        Assert.NotEqual(sequencer.Account, other.Account);

        var e = await InboxTestKit.AssertRejectedAsync(InboxError.NotSequencer, () => new BatchInbox(other, inbox.Address).SubmitAsync(submission, CancellationToken.None));
        Assert.Equal(other.Account.ToString().ToLowerInvariant(), e.Arguments["sender"].ToLowerInvariant());
        Assert.Equal(0UL, (await InboxTestKit.ProgressAsync(inbox)).Index);
    }

    [Fact]
    public async Task A_proof_for_another_inbox_or_policy_on_the_same_chain_is_refused_as_WrongDomain()
    {
        var connection = await _fixture.ConnectAsync();
        var (fcfsA, _) = await _fixture.DeployAsync(connection, "fcfs");
        var (fcfsB, _) = await _fixture.DeployAsync(connection, "fcfs");
        var (priority, _) = await _fixture.DeployAsync(connection, "priority-fee");
        var forA = await _fixture.ProveAsync(new TestLog(connection.ChainId, fcfsA.Address, "fcfs").NextBatch(2));

        await InboxTestKit.AssertRejectedAsync(InboxError.WrongDomain, () => fcfsB.SubmitAsync(forA, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.WrongDomain, () => priority.SubmitAsync(forA, CancellationToken.None));
        // Claiming the target's own domain does not help: the inbox builds the statement from it, and the proof is not for that statement.
        var fcfsBDomain = (await fcfsB.GetStateAsync(CancellationToken.None)).Domain;
        var fcfsBGenesis = (await fcfsB.GetStateAsync(CancellationToken.None)).Head;
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => fcfsB.SubmitAsync(forA with { Domain = fcfsBDomain, PrevHead = fcfsBGenesis }, CancellationToken.None));

        await fcfsA.SubmitAsync(forA, CancellationToken.None);
    }

    [Fact]
    public async Task A_proof_for_the_same_inbox_address_on_another_chain_id_is_refused_as_WrongDomain()
    {
        // Two fresh chains, the same deployer and nonces: the inboxes get the same address, so only the chain id tells them apart.
        await using var chainA = await AnvilNode.StartAsync(new AnvilOptions { ChainId = 31337 }, CancellationToken.None);
        await using var chainB = await AnvilNode.StartAsync(new AnvilOptions { ChainId = 31338 }, CancellationToken.None);
        var onA = await ChainFixture.ConnectAsync(chainA);
        var onB = await ChainFixture.ConnectAsync(chainB);
        var (inboxA, _) = await _fixture.DeployAsync(onA, "fcfs");
        var (inboxB, deploymentB) = await _fixture.DeployAsync(onB, "fcfs");
        Assert.Equal(inboxA.Address, inboxB.Address);

        var forA = await _fixture.ProveAsync(new TestLog(onA.ChainId, inboxA.Address, "fcfs").NextBatch(3));
        var e = await InboxTestKit.AssertRejectedAsync(InboxError.WrongDomain, () => inboxB.SubmitAsync(forA, CancellationToken.None));
        Assert.Equal(deploymentB.Domain.ToString(), e.Arguments["expected"]);
        Assert.Equal("31338", e.Arguments["chainId"]);

        await inboxA.SubmitAsync(forA, CancellationToken.None);
        Assert.Equal(0UL, (await InboxTestKit.ProgressAsync(inboxB)).Index);
    }

    [Fact]
    public async Task A_transaction_list_that_does_not_match_count_is_refused()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, _) = await _fixture.DeployAsync(connection, "fcfs");
        var submission = await _fixture.ProveAsync(new TestLog(connection.ChainId, inbox.Address, "fcfs").NextBatch(3));

        await InboxTestKit.AssertRejectedAsync(InboxError.TxListLengthMismatch, () => inbox.SubmitAsync(submission with { OrderedTxHashes = submission.OrderedTxHashes.Take(2).ToArray() }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.CountOutOfRange, () => inbox.SubmitAsync(submission with { Count = ChainFixture.Capacity + 1 }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.CountOutOfRange, () => inbox.SubmitAsync(submission with { Count = 0, OrderedTxHashes = [] }, CancellationToken.None));
        await inbox.SubmitAsync(submission, CancellationToken.None);
    }
}
