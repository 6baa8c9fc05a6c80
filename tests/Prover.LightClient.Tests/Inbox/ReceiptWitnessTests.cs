using Prover.Chain;
using Prover.Core.Field;
using Prover.Core.Receipts;

namespace Prover.LightClient.Tests.Inbox;

/// <summary>
/// Receipt checks with the covering batch's ordering witness: the data the chain lacks, checked against
/// the chain before it is used, so every seq's head can be checked and the posted hash list bound.
/// </summary>
[Collection(LightClientCollection.Name)]
public sealed class ReceiptWitnessTests
{
    private readonly LightClientFixture _fixture;

    public ReceiptWitnessTests(LightClientFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task With_the_batch_witness_a_receipt_in_the_middle_of_a_batch_has_its_head_checked()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();

        var result = await client.CheckReceiptAsync(chain.Receipts()[6], chain.Key, null, chain.Witnesses[2], CancellationToken.None);

        Assert.Equal(ReceiptVerdict.Covered, result.Verdict);
        Assert.True(result.HeadChecked);
        Assert.Equal(1, result.Position);
    }

    [Fact]
    public async Task A_wrong_head_in_the_middle_of_a_batch_is_equivocation_with_the_witness_and_unchecked_without_it()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var (entry, head) = chain.Log.Entries[1];
        using var signer = chain.Signer();
        var receipt = signer.SignGroup([new ReceiptFields(1, entry.ArrivalMs, entry.Tx.Hash, head + Fr.One)])[0];

        var without = await client.CheckReceiptAsync(receipt, chain.Key, null, CancellationToken.None);
        Assert.Equal(ReceiptVerdict.Covered, without.Verdict);
        Assert.False(without.HeadChecked);

        var with = await client.CheckReceiptAsync(receipt, chain.Key, null, chain.Witnesses[0], CancellationToken.None);
        Assert.Equal(ReceiptVerdict.Equivocation, with.Verdict);
        var difference = Assert.Single(with.Equivocation!.Differences);
        Assert.Equal("head after seq 1", difference.Field);
        Assert.Equal($"{head.ToHex()} in the proven segment", difference.Actual);
    }

    [Fact]
    public async Task A_receipt_promising_a_seq_to_a_transaction_the_segment_has_elsewhere_is_equivocation_with_the_witness()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var (entry, _) = chain.Log.Entries[0];
        var (_, head1) = chain.Log.Entries[1];
        using var signer = chain.Signer();
        // seq 1 promised to seq 0's transaction: it is in the batch, so only the witness shows the lie.
        var receipt = signer.SignGroup([new ReceiptFields(1, entry.ArrivalMs, entry.Tx.Hash, head1)])[0];

        Assert.Equal(ReceiptVerdict.Covered, (await client.CheckReceiptAsync(receipt, chain.Key, null, CancellationToken.None)).Verdict);
        var with = await client.CheckReceiptAsync(receipt, chain.Key, null, chain.Witnesses[0], CancellationToken.None);
        Assert.Equal(ReceiptVerdict.Equivocation, with.Verdict);
        Assert.Equal(["transaction at seq 1", "arrival of seq 1"], with.Equivocation!.Differences.Select(d => d.Field));
    }

    [Fact]
    public async Task With_every_batchs_witness_the_whole_chain_verifies_down_to_its_data()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();

        var result = await client.VerifyAsync(chain.Key, null, i => chain.Witnesses[(int)i], CancellationToken.None);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        Assert.All(result.Batches, b => Assert.True(b.DataChecked));
    }

    [Fact]
    public async Task A_missing_or_foreign_witness_makes_the_chain_verification_fail_for_that_batch()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();

        var missing = await client.VerifyAsync(chain.Key, null, i => i == 1 ? null : chain.Witnesses[(int)i], CancellationToken.None);
        var problem = Assert.Single(missing.Problems);
        Assert.Equal((1UL, "witness", "none found"), (problem.Batch!.Value, problem.Field, problem.Actual));

        var foreign = await client.VerifyAsync(chain.Key, 2, _ => chain.Witnesses[0], CancellationToken.None);
        Assert.Contains(foreign.Problems, p => p.Batch == 2 && p.Field == "witness newHead");
    }

    [Fact]
    public async Task A_witness_of_another_batch_is_refused_as_not_the_batchs()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();

        var e = await Assert.ThrowsAsync<WitnessMismatchException>(() => client.CheckReceiptAsync(chain.Receipts()[0], chain.Key, null, chain.Witnesses[2], CancellationToken.None));

        Assert.Equal(0UL, e.Batch);
        Assert.Contains(e.Differences, d => d.Field == "witness prevHead");
        var forged = chain.Witnesses[0] with { NewHead = chain.Witnesses[0].NewHead + Fr.One };
        var selfInconsistent = await Assert.ThrowsAsync<WitnessMismatchException>(() => client.CheckReceiptAsync(chain.Receipts()[0], chain.Key, null, forged, CancellationToken.None));
        Assert.StartsWith("witness /", Assert.Single(selfInconsistent.Differences).Field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_posted_with_a_hash_list_that_is_not_its_proven_order_is_caught_only_with_its_witness()
    {
        // The inbox checks the list's length, not its contents (docs/chain.md): a sequencer can finalize a
        // valid proof with another list. Account 1 is this inbox's deployer and sequencer.
        var connection = await _fixture.ConnectAsync(account: 1);
        var (inbox, deployment) = await _fixture.DeployAsync(connection);
        var log = new TestLog(connection.ChainId, inbox.Address, LightClientFixture.Policy, LightClientFixture.Capacity);
        var witness = log.NextBatch(3);
        var honest = await _fixture.ProveAsync(witness);
        var reordered = honest.OrderedTxHashes.Reverse().ToArray();
        await inbox.SubmitAsync(honest with { OrderedTxHashes = reordered }, CancellationToken.None);
        var client = await InboxLightClient.ConnectAsync(_fixture.Anvil.Url, inbox.Address, CancellationToken.None);
        var key = (await _fixture.ChainAsync()).Key;

        Assert.True((await client.VerifyAsync(key, null, CancellationToken.None)).IsValid);
        var withData = await client.VerifyAsync(key, null, i => i == 0 ? witness : null, CancellationToken.None);
        Assert.False(withData.IsValid);
        var listProblem = Assert.Single(withData.Problems);
        Assert.Equal((0UL, "orderedTxHashes"), (listProblem.Batch!.Value, listProblem.Field));

        using var signer = new ReceiptSigner(Convert.FromHexString(AnvilNode.DevelopmentKeys[1].AsSpan(2)), deployment.ChainId, inbox.Address);
        var receipts = signer.SignGroup([.. log.Entries.Select(e => new ReceiptFields(e.Entry.Seq, e.Entry.ArrivalMs, e.Entry.Tx.Hash, e.Head))]);
        var result = await client.CheckReceiptAsync(receipts[0], key, null, witness, CancellationToken.None);

        Assert.Equal(ReceiptVerdict.ChainInvalid, result.Verdict);
        Assert.Equal("orderedTxHashes", Assert.Single(result.Problems).Field);
        Assert.Equal(ReceiptVerdict.Covered, (await client.CheckReceiptAsync(receipts[0], key, null, CancellationToken.None)).Verdict);
    }
}
