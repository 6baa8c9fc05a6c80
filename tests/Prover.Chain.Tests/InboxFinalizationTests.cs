using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Xunit.Abstractions;

namespace Prover.Chain.Tests;

/// <summary>Real proofs of consecutive batches finalize on a real chain, for every policy, and the inbox's head follows the log.</summary>
[Collection(ChainCollection.Name)]
public sealed class InboxFinalizationTests
{
    private readonly ChainFixture _fixture;
    private readonly ITestOutputHelper _output;

    public InboxFinalizationTests(ChainFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    public static TheoryData<string> Policies => [.. ChainFixture.Policies];

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Consecutive_batches_finalize_and_each_starts_at_the_head_the_previous_one_ended_at(string policy)
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, deployment) = await _fixture.DeployAsync(connection, policy);
        var log = new TestLog(connection.ChainId, inbox.Address, policy);
        Assert.Equal(log.Head, deployment.GenesisHead);

        var counts = new[] { 4, 1, 3 };
        var witnesses = new List<OrderingWitness>();
        ulong seq = 0;
        ulong lastArrival = 0;
        foreach (var count in counts)
        {
            // A shuffle batch's new head is committed first, and the block that records it draws the beacon.
            var witness = await InboxTestKit.OrderAsync(inbox, log.NextBatch(count));
            Assert.Equal(lastArrival, witness.PrevLastArrivalMs);
            witnesses.Add(witness);
            var finalized = await inbox.SubmitAsync(await _fixture.ProveAsync(witness), CancellationToken.None);
            _output.WriteLine($"{policy}: batch {finalized.Index} of {count} at capacity {ChainFixture.Capacity}: {finalized.GasUsed:N0} gas");

            Assert.Equal(witness.BatchIndex, finalized.Index);
            Assert.Equal(witness.PrevHead, finalized.PrevHead);
            Assert.Equal(witness.NewHead, finalized.NewHead);
            Assert.Equal(witness.OutputCommitment, finalized.OutputCommitment);
            Assert.Equal((ulong)count, finalized.Count);
            Assert.Equal(seq, finalized.FirstSeq);
            Assert.Equal(FinalizedBatch.HashOf(witness.OrderedTxHashes), finalized.OrderedTxHashesHash);
            Assert.Equal(witness.Entries[^1].ArrivalMs, finalized.LastArrivalMs);
            Assert.Equal(witness.Beacon ?? Fr.Zero, finalized.Beacon);
            seq += (ulong)count;
            lastArrival = witness.Entries[^1].ArrivalMs;

            var state = await inbox.GetStateAsync(CancellationToken.None);
            Assert.Equal(witness.NewHead, state.Head);
            Assert.Equal(witness.BatchIndex + 1, state.NextBatchIndex);
            Assert.Equal(seq, state.NextSeq);
            Assert.Equal(finalized.BlockNumber, state.LastFinalizedBlock);
            Assert.Equal(lastArrival, state.LastArrivalMs);
            if (state.DrawsBeacons)
            {
                Assert.Equal((witness.BatchIndex + 1, witness.NewHead), (state.NextCommitIndex, state.CommittedHead));
                Assert.Null(await inbox.GetCommitmentAsync(witness.BatchIndex, CancellationToken.None));
            }
        }

        var events = await inbox.GetFinalizedBatchesAsync(deployment.Block, CancellationToken.None);
        Assert.Equal([0UL, 1UL, 2UL], events.Select(e => e.Index));
        Assert.Equal(deployment.GenesisHead, events[0].PrevHead);
        for (var i = 1; i < events.Count; i++)
        {
            Assert.Equal(events[i - 1].NewHead, events[i].PrevHead);
        }

        Assert.Equal(witnesses[^1].NewHead, events[^1].NewHead);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task The_deployed_domain_and_genesis_head_are_those_of_the_inbox_address_chain_and_policy(string policy)
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, deployment) = await _fixture.DeployAsync(connection, policy);
        var state = await inbox.GetStateAsync(CancellationToken.None);

        Assert.Empty(state.BindingProblems());
        Assert.Equal(Domain.Compute(connection.ChainId, inbox.Address, TestBatches.Policy(policy), ChainFixture.Capacity), state.Domain);
        Assert.Equal(ReceiptChain.Genesis(connection.ChainId, inbox.Address), state.Head);
        Assert.Equal(deployment.Domain, state.Domain);
        Assert.Equal(TestBatches.Policy(policy).NumericId, state.PolicyNumericId);
        Assert.Equal(TestBatches.Policy(policy).Parameters.Select(p => p.Field), state.PolicyParameters);
        Assert.Equal(connection.Account, state.Sequencer);
        Assert.Equal(deployment.Verifier, state.Verifier);
        Assert.Equal(ChainFixture.Capacity, state.Capacity);
        Assert.Equal((0UL, 0UL, 0UL), (state.NextBatchIndex, state.NextSeq, state.LastArrivalMs));
        Assert.Equal(policy == "shuffle", state.DrawsBeacons);
        // Only a shuffle inbox keeps a committed head; it starts at the genesis head.
        Assert.Equal((0UL, state.DrawsBeacons ? deployment.GenesisHead : Fr.Zero), (state.NextCommitIndex, state.CommittedHead));
    }
}
