using Prover.Core.Batches;
using Prover.Proving;

namespace Prover.Chain.Tests;

/// <summary>
/// An inbox deployed with the verifier of another policy's circuit refuses every batch: each circuit
/// computes the domain with its own policy id (docs/circuits.md, "What a proof establishes" 1), so no
/// proof of that circuit has the inbox's domain, and the inbox passes its own.
/// </summary>
[Collection(ChainCollection.Name)]
public sealed class MismatchedVerifierTests
{
    private readonly ChainFixture _fixture;

    public MismatchedVerifierTests(ChainFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task An_inbox_with_the_fcfs_verifier_under_a_priority_fee_domain_refuses_every_batch()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, deployment) = await _fixture.DeployAsync(connection, "priority-fee", verifierPolicy: "fcfs");
        var state = await inbox.GetStateAsync(CancellationToken.None);
        // The domain is the one DeployAsync computes for priority-fee, and the binding check, which sees
        // only the domain, finds nothing wrong: the mismatch is in the verifier's keys.
        Assert.Equal(Domain.Compute(connection.ChainId, inbox.Address, TestBatches.Policy("priority-fee"), ChainFixture.Capacity), state.Domain);
        Assert.Empty(state.BindingProblems());

        // One segment, cut as the inbox's policy orders it and as the verifier's circuit does.
        var priority = new TestLog(connection.ChainId, inbox.Address, "priority-fee").NextBatch(4);
        var fcfs = new TestLog(connection.ChainId, inbox.Address, "fcfs").NextBatch(4);
        Assert.Equal(priority.NewHead, fcfs.NewHead);
        Assert.NotEqual(priority.OrderedTxHashes, fcfs.OrderedTxHashes);

        // The fcfs circuit has a witness for its own statement, but none for the priority-fee batch, and
        // none for its own order under the inbox's domain, the one statement the inbox would verify.
        // Both fail at the same constraint, the domain's: the only change in the second is the domain.
        await _fixture.ComputeWitnessAsync("fcfs", CircuitInputs.From(fcfs));
        var priorityInputs = CircuitInputs.From(priority);
        priorityInputs.Remove("ordered");
        priorityInputs.Remove("position");
        var asPriority = await Assert.ThrowsAsync<UnsatisfiedConstraintsException>(() => _fixture.ComputeWitnessAsync("fcfs", priorityInputs));
        var underInboxDomain = CircuitInputs.From(fcfs);
        underInboxDomain["domain"] = state.Domain.ToString();
        var domainOnly = await Assert.ThrowsAsync<UnsatisfiedConstraintsException>(() => _fixture.ComputeWitnessAsync("fcfs", underInboxDomain));
        Assert.Equal(domainOnly.Detail, asPriority.Detail);

        // The proofs there are: the fcfs circuit's of the fcfs order, which the deployed verifier accepts
        // for its own statement, and the priority-fee circuit's of the batch, made with other keys.
        var fcfsProof = await _fixture.ProveAsync(fcfs);
        Assert.True(await InboxTestKit.VerifiesAsync(connection, deployment.Verifier, fcfsProof.Proof, BatchStatement.Of(fcfs)), "the deployed verifier must be the fcfs circuit's, or this test shows nothing");
        var priorityProof = await _fixture.ProveAsync(priority);
        var before = await InboxTestKit.ProgressAsync(inbox);

        await InboxTestKit.AssertRejectedAsync(InboxError.WrongDomain, () => inbox.SubmitAsync(fcfsProof, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(fcfsProof with { Domain = state.Domain }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(fcfsProof with { Domain = state.Domain, OrderedTxHashes = priority.OrderedTxHashes }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(priorityProof, CancellationToken.None));
        Assert.Equal(before, await InboxTestKit.ProgressAsync(inbox));
        Assert.Equal(0UL, before.Index);
    }
}
