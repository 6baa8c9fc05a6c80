using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Receipts;

namespace Prover.LightClient.Tests.Inbox;

/// <summary>Sequencer receipts checked against the finalized chain: covered, broken (equivocation with evidence), invalid, or not final yet.</summary>
[Collection(LightClientCollection.Name)]
public sealed class ReceiptCheckTests
{
    private readonly LightClientFixture _fixture;

    public ReceiptCheckTests(LightClientFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task A_receipt_is_found_at_its_position_in_the_batch_that_covers_its_seq_and_that_batchs_proof_verifies()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var receipts = chain.Receipts();

        foreach (var seq in new[] { 0, 2, 4, 5, 7 })
        {
            var receipt = receipts[seq];
            var result = await client.CheckReceiptAsync(receipt, chain.Key, sequencer: null, CancellationToken.None);

            Assert.True(result.Verdict == ReceiptVerdict.Covered, result.Message + string.Join("; ", result.Problems));
            var batch = seq < 4 ? 0 : seq < 5 ? 1 : 2;
            Assert.Equal((ulong)batch, result.Batch!.Index);
            Assert.Equal(chain.Witnesses[batch].OrderedTxHashes.ToList().IndexOf(receipt.TxHash), result.Position);
            Assert.True(result.ProofVerified);
            Assert.Equal(seq is 3 or 4 or 7, result.HeadChecked);
            Assert.Contains($"is position {result.Position} of {result.Batch.Count}", result.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_posted_hash_that_shares_the_receipts_id_but_not_its_top_three_bits_is_an_equivocation_of_its_own()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var (entry, head) = chain.Log.Entries[5];
        var bytes = entry.Tx.Hash.ToArray();
        bytes[0] ^= 0x80; // the top bit: outside the id the proof binds, so the head is the same
        var twin = new Hash32(bytes);
        Assert.Equal(Core.Log.CircuitEncoding.TxId(entry.Tx.Hash), Core.Log.CircuitEncoding.TxId(twin));
        using var signer = chain.Signer();
        var receipt = signer.SignGroup([new ReceiptFields(5, entry.ArrivalMs, twin, head)])[0];

        var result = await client.CheckReceiptAsync(receipt, chain.Key, sequencer: null, CancellationToken.None);

        Assert.Equal(ReceiptVerdict.Equivocation, result.Verdict);
        var difference = Assert.Single(result.Equivocation!.Differences);
        Assert.Equal("transaction hash", difference.Field);
        Assert.StartsWith($"{entry.Tx.Hash} at position 0: the same low 253 bits", difference.Actual, StringComparison.Ordinal);
        Assert.Null(result.Position);
    }

    [Fact]
    public async Task A_receipt_promising_a_seq_to_a_transaction_an_fcfs_batch_has_at_another_position_is_equivocation_from_the_chain_alone()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var (entry, _) = chain.Log.Entries[0];
        var (_, head1) = chain.Log.Entries[1];
        using var signer = chain.Signer();
        // seq 1 promised to seq 0's transaction, with seq 1's true head: an fcfs batch's position is its seq.
        var receipt = signer.SignGroup([new ReceiptFields(1, entry.ArrivalMs, entry.Tx.Hash, head1)])[0];

        var result = await client.CheckReceiptAsync(receipt, chain.Key, sequencer: null, CancellationToken.None);

        Assert.Equal(ReceiptVerdict.Equivocation, result.Verdict);
        var difference = Assert.Single(result.Equivocation!.Differences);
        Assert.Equal($"seq of {entry.Tx.Hash}", difference.Field);
        Assert.Equal("position 0 of an fcfs batch from seq 0, which is seq 0", difference.Actual);
        Assert.Equal(0, result.Position);
    }

    [Fact]
    public async Task Without_a_key_the_receipt_is_covered_by_the_proof_the_inbox_accepted_and_says_so()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();

        var result = await client.CheckReceiptAsync(chain.Receipts()[3], key: null, sequencer: null, CancellationToken.None);

        Assert.Equal(ReceiptVerdict.Covered, result.Verdict);
        Assert.Null(result.ProofVerified);
        Assert.True(result.HeadChecked);
        Assert.Contains("not re-verified", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_receipt_for_a_transaction_the_batch_does_not_contain_is_reported_as_equivocation_with_evidence()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var real = chain.Log.Entries[2];
        var stranger = chain.Log.Stranger(2);
        using var signer = chain.Signer();
        // The sequencer promises seq 2 to another transaction (with the same head, so only the transaction differs).
        var receipt = signer.SignGroup([new ReceiptFields(2, stranger.ArrivalMs, stranger.Tx.Hash, real.Head)])[0];

        var result = await client.CheckReceiptAsync(receipt, chain.Key, sequencer: null, CancellationToken.None);

        Assert.Equal(ReceiptVerdict.Equivocation, result.Verdict);
        var report = result.Equivocation!;
        Assert.Equal(receipt, report.Receipt);
        Assert.Equal(0UL, report.Batch.Index);
        Assert.Equal(chain.Witnesses[0].OrderedTxHashes, report.OrderedTxHashes);
        var difference = Assert.Single(report.Differences);
        Assert.Equal("transaction", difference.Field);
        Assert.Contains(stranger.Tx.Hash.ToString(), difference.Expected, StringComparison.Ordinal);
        var text = report.ToText();
        Assert.Contains("EQUIVOCATION", text, StringComparison.Ordinal);
        Assert.Contains(ReceiptJson.Serialize(receipt), text, StringComparison.Ordinal);
        Assert.Contains(report.Batch.TransactionHash, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_receipt_whose_head_differs_from_the_finalized_head_is_reported_as_equivocation()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var (entry, head) = chain.Log.Entries[4];
        using var signer = chain.Signer();
        // Seq 4 is batch 1's only (so last) entry: its head is the finalized newHead. The receipt names another.
        var receipt = signer.SignGroup([new ReceiptFields(4, entry.ArrivalMs, entry.Tx.Hash, head + Fr.One)])[0];

        var result = await client.CheckReceiptAsync(receipt, chain.Key, sequencer: null, CancellationToken.None);

        Assert.Equal(ReceiptVerdict.Equivocation, result.Verdict);
        var difference = Assert.Single(result.Equivocation!.Differences);
        Assert.Equal("head after seq 4", difference.Field);
        Assert.Equal((head + Fr.One).ToHex(), difference.Expected);
        Assert.Equal($"newHead {head.ToHex()}", difference.Actual);
        Assert.Equal(0, result.Position);
    }

    [Fact]
    public async Task A_receipt_signed_by_anyone_but_the_sequencer_proves_nothing_and_is_invalid()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var (entry, head) = chain.Log.Entries[1];
        using var other = new ReceiptSigner(Convert.FromHexString(Chain.AnvilNode.DevelopmentKeys[1].AsSpan(2)), chain.Deployment.ChainId, chain.Deployment.Inbox);
        var receipt = other.SignGroup([new ReceiptFields(1, entry.ArrivalMs, chain.Log.Stranger(1).Tx.Hash, head)])[0];

        var result = await client.CheckReceiptAsync(receipt, chain.Key, sequencer: null, CancellationToken.None);

        Assert.Equal(ReceiptVerdict.InvalidReceipt, result.Verdict);
        Assert.Contains("WrongSigner", result.Message, StringComparison.Ordinal);
        var claimed = await client.CheckReceiptAsync(receipt, chain.Key, sequencer: other.SequencerAddress, CancellationToken.None);
        Assert.Equal(ReceiptVerdict.Equivocation, claimed.Verdict);
    }

    [Fact]
    public async Task A_receipt_for_a_seq_beyond_the_finalized_ones_is_not_final_yet()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        using var signer = chain.Signer();
        var receipt = signer.SignGroup([new ReceiptFields(8, 1_764_300_000_500, new Hash32(new byte[32]), Fr.One)])[0];

        var result = await client.CheckReceiptAsync(receipt, chain.Key, sequencer: null, CancellationToken.None);

        Assert.Equal(ReceiptVerdict.NotYetFinalized, result.Verdict);
        Assert.Contains("seq 8 is not finalized yet", result.Message, StringComparison.Ordinal);
    }
}
