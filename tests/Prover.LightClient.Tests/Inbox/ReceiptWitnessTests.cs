using Prover.Crypto.Field;
using Prover.Core.Receipts;

namespace Prover.LightClient.Tests.Inbox;

/// <summary>
/// Receipt checks with the covering batch's ordering witness: the data the chain lacks, checked against
/// the chain before it is used, so every seq's head, transaction and arrival can be checked, not only a batch's last head.
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
    public async Task A_receipt_promising_a_seq_to_a_transaction_the_segment_has_elsewhere_is_equivocation_on_every_count_with_the_witness()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var (entry, _) = chain.Log.Entries[0];
        var (_, head1) = chain.Log.Entries[1];
        using var signer = chain.Signer();
        var receipt = signer.SignGroup([new ReceiptFields(1, entry.ArrivalMs, entry.Tx.Hash, head1)])[0];

        var with = await client.CheckReceiptAsync(receipt, chain.Key, null, chain.Witnesses[0], CancellationToken.None);

        Assert.Equal(ReceiptVerdict.Equivocation, with.Verdict);
        Assert.Equal([$"seq of {entry.Tx.Hash}", "transaction at seq 1", "arrival of seq 1"], with.Equivocation!.Differences.Select(d => d.Field));
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
    public async Task A_witness_whose_arrivals_are_not_the_chains_is_not_the_batchs()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var state = await client.GetStateAsync(CancellationToken.None);
        var events = await client.GetFinalizedBatchesAsync(CancellationToken.None);

        Assert.Empty(BatchChecks.CheckWitness(state, events[1], events[0].LastArrivalMs, chain.Witnesses[1]));
        // A batch cut as if it were the first: its witness is self-consistent, but its header would not chain.
        var unchained = BatchChecks.CheckWitness(state, events[1], events[0].LastArrivalMs, chain.Witnesses[1] with { PrevLastArrivalMs = 0 });
        Assert.Equal(["witness prevLastArrivalMs"], unchained.Select(p => p.Field));
        var later = BatchChecks.CheckWitness(state, events[1] with { LastArrivalMs = events[1].LastArrivalMs + 1 }, events[0].LastArrivalMs, chain.Witnesses[1]);
        Assert.Equal(["witness lastArrivalMs"], later.Select(p => p.Field));
    }
}
