using Prover.Chain;
using Prover.Crypto.Field;
using Prover.Core.Receipts;

namespace Prover.LightClient.Tests.Inbox;

/// <summary>
/// A shuffle inbox: each batch committed, its beacon drawn from the block that recorded the commitment
/// (batch 1's drawn twice, after the first expired), then ordered, proven and finalized.
/// </summary>
[Collection(LightClientCollection.Name)]
public sealed class ShuffleChainTests
{
    private readonly LightClientFixture _fixture;

    public ShuffleChainTests(LightClientFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task A_shuffle_chain_verifies_and_each_batch_reports_its_beacon_and_how_often_it_was_drawn()
    {
        var chain = await _fixture.ShuffleChainAsync();
        var client = await chain.ClientAsync();
        var circuit = await VerifierCircuit.ReadAsync(chain.KeyFile, CancellationToken.None);

        var result = await client.VerifyAsync(chain.Key, circuit, batch: null, witnesses: null, CancellationToken.None);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        Assert.Equal(("shuffle", 4), (result.Circuit!.Policy, result.Circuit.Capacity));
        Assert.Equal([1U, 2U], result.Batches.Select(b => b.Draw!.Draws));
        var inbox = new BatchInbox(await _fixture.ConnectAsync(), chain.Deployment.Inbox);
        for (var i = 0; i < result.Batches.Count; i++)
        {
            var draw = result.Batches[i].Draw!;
            Assert.Equal(chain.Witnesses[i].Beacon, draw.Beacon);
            Assert.Equal(draw.Beacon, result.Batches[i].Batch.Beacon);
            Assert.Equal(draw.Beacon, await inbox.BeaconAtAsync(draw.BeaconBlock, CancellationToken.None));
        }

        var notice = Assert.Single(result.Notices);
        Assert.StartsWith("batch 1: its beacon was drawn 2 times: the operator let a beacon expire unused and drew again", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_beacon_that_is_not_its_last_draws_block_hash_or_a_batch_never_committed_is_a_problem()
    {
        var chain = await _fixture.ShuffleChainAsync();
        var client = await chain.ClientAsync();
        var events = await client.GetFinalizedBatchesAsync(CancellationToken.None);
        var inbox = new BatchInbox(await _fixture.ConnectAsync(), chain.Deployment.Inbox);
        var history = await inbox.GetCommitmentHistoryAsync(chain.Deployment.Block, CancellationToken.None);
        var e = events[1];
        var last = BatchChecks.LastDraw(e, history)!;
        var drawn = await inbox.BeaconAtAsync(last.BeaconBlock, CancellationToken.None);

        var (draw, problems) = BatchChecks.CheckBeacon(e, last, drawn);
        Assert.Empty(problems);
        Assert.Equal(new BeaconDraw(last.BeaconBlock, 2, e.Beacon), draw);

        var tampered = BatchChecks.CheckBeacon(e with { Beacon = e.Beacon + Fr.One }, last, drawn).Problems;
        Assert.Equal("beacon", Assert.Single(tampered).Field);
        Assert.Contains($"the hash of block {last.BeaconBlock}, draw 2", tampered[0].Expected, StringComparison.Ordinal);

        // Had the history stopped at the first draw, the beacon would be that expired block's, not this.
        var first = history.First(c => c.Index == e.Index);
        Assert.Equal(1U, first.Draws);
        var stale = BatchChecks.CheckBeacon(e, first, await inbox.BeaconAtAsync(first.BeaconBlock, CancellationToken.None)).Problems;
        Assert.Equal("beacon", Assert.Single(stale).Field);

        Assert.Equal(["committed newHead"], BatchChecks.CheckBeacon(e, last with { NewHead = e.NewHead + Fr.One }, drawn).Problems.Select(p => p.Field));
        Assert.Null(BatchChecks.LastDraw(e, [.. history.Where(c => c.Index != e.Index)]));
        var (none, uncommitted) = BatchChecks.CheckBeacon(e, null, null);
        Assert.Null(none);
        Assert.Equal("commitment", Assert.Single(uncommitted).Field);
    }

    [Fact]
    public async Task A_tampered_beacon_in_an_event_also_fails_the_proof_which_takes_it_in_its_header()
    {
        var chain = await _fixture.ShuffleChainAsync();
        var client = await chain.ClientAsync();
        var state = await client.GetStateAsync(CancellationToken.None);
        var events = await client.GetFinalizedBatchesAsync(CancellationToken.None);
        var (call, problem) = await client.FetchCallAsync(events[0], CancellationToken.None);

        Assert.Empty(BatchChecks.Check(state, events[0], 0, call, problem, chain.Key).Problems);
        var check = BatchChecks.Check(state, events[0] with { Beacon = events[0].Beacon + Fr.One }, 0, call, problem, chain.Key);
        Assert.Equal(["listClaim challenge", "listClaim digest", "listClaim multiset", "proof"], check.Problems.Select(p => p.Field));
    }

    [Fact]
    public async Task A_witness_cut_before_its_beacon_is_ordered_with_the_finalized_beacon_and_then_checks_every_seq()
    {
        var chain = await _fixture.ShuffleChainAsync();
        var client = await chain.ClientAsync();
        Assert.All(chain.CutWitnesses, w => Assert.False(w.IsOrdered));
        var receipts = chain.Receipts();

        // Seq 1 is the middle of batch 0: only the witness gives its head.
        var result = await client.CheckReceiptAsync(receipts[1], chain.Key, null, chain.CutWitnesses[0], CancellationToken.None);
        Assert.True(result.Verdict == ReceiptVerdict.Covered, result.Message);
        Assert.True(result.HeadChecked);
        Assert.Equal(chain.Witnesses[0].OrderedTxHashes.ToList().IndexOf(receipts[1].TxHash), result.Position);

        var (entry, head) = chain.Log.Entries[1];
        using var signer = chain.Signer();
        var wrongHead = signer.SignGroup([new ReceiptFields(1, entry.ArrivalMs, entry.Tx.Hash, head + Fr.One)])[0];
        var broken = await client.CheckReceiptAsync(wrongHead, chain.Key, null, chain.CutWitnesses[0], CancellationToken.None);
        Assert.Equal(ReceiptVerdict.Equivocation, broken.Verdict);
        Assert.Equal("head after seq 1", Assert.Single(broken.Equivocation!.Differences).Field);

        var data = await client.VerifyAsync(chain.Key, null, i => chain.CutWitnesses[(int)i], CancellationToken.None);
        Assert.True(data.IsValid, string.Join(Environment.NewLine, data.Problems));
        Assert.All(data.Batches, b => Assert.True(b.DataChecked));

        // Ordered with another beacon, the same cut is not the batch's.
        var other = chain.CutWitnesses[0].WithBeacon(chain.Witnesses[1].Beacon!.Value);
        var mismatch = await Assert.ThrowsAsync<WitnessMismatchException>(() => client.CheckReceiptAsync(receipts[1], chain.Key, null, other, CancellationToken.None));
        Assert.Contains(mismatch.Differences, d => d.Field == "witness beacon");
    }

    [Fact]
    public async Task A_receipt_in_a_shuffle_batch_is_found_at_its_drawn_position_from_the_chain_alone()
    {
        var chain = await _fixture.ShuffleChainAsync();
        var client = await chain.ClientAsync();
        var receipts = chain.Receipts();

        foreach (var seq in new[] { 0, 2, 3, 4 })
        {
            var result = await client.CheckReceiptAsync(receipts[seq], chain.Key, sequencer: null, CancellationToken.None);

            Assert.True(result.Verdict == ReceiptVerdict.Covered, result.Message);
            var batch = seq < 3 ? 0 : 1;
            Assert.Equal(chain.Witnesses[batch].OrderedTxHashes.ToList().IndexOf(receipts[seq].TxHash), result.Position);
        }
    }
}
