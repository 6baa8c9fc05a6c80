using Nethereum.RPC.Eth.DTOs;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;

namespace Prover.Chain.Tests;

/// <summary>
/// The inbox finalizes a batch only with the transaction list its proof proves (docs/circuits.md, "The
/// posted list"): the honest call of a real batch, replayed with its posted list edited the ways an
/// operator would (a sandwich, a transaction of its own, a duplicate, a drop), is refused with an error
/// that says which, and the state does not move until the honest call finalizes.
/// </summary>
[Collection(ChainCollection.Name)]
public sealed class PostedListBindingTests
{
    private readonly ChainFixture _fixture;

    public PostedListBindingTests(ChainFixture fixture) => _fixture = fixture;

    public static TheoryData<string> Policies => [.. ChainFixture.Policies];

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_proven_batch_posted_with_hashes_swapped_replaced_duplicated_or_dropped_is_refused_and_then_finalizes_as_proven(string policy)
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, _) = await _fixture.DeployAsync(connection, policy);
        var witness = await InboxTestKit.OrderAsync(inbox, new TestLog(connection.ChainId, inbox.Address, policy).NextBatch(4));
        var honest = await _fixture.ProveAsync(witness);
        var proven = honest.OrderedTxHashes;
        Assert.Equal(4, proven.Distinct().Count());
        var before = await InboxTestKit.ProgressAsync(inbox);

        // The first and the last swapped: the proven transactions, in an order the proof does not prove (a sandwich).
        await InboxTestKit.AssertRejectedAsync(InboxError.TxListReordered, () => inbox.SubmitAsync(honest with { OrderedTxHashes = With(proven, (0, proven[3]), (3, proven[0])) }, CancellationToken.None));

        // One replaced by a transaction the batch does not hold (the operator's own).
        var own = new Hash32(Enumerable.Repeat((byte)0x5A, 32).ToArray());
        await InboxTestKit.AssertRejectedAsync(InboxError.TxListNotProven, () => inbox.SubmitAsync(honest with { OrderedTxHashes = With(proven, (2, own)) }, CancellationToken.None));

        // One posted twice, over another: the error names both positions and the hash.
        var duplicate = await InboxTestKit.AssertRejectedAsync(InboxError.DuplicateTx, () => inbox.SubmitAsync(honest with { OrderedTxHashes = With(proven, (3, proven[1])) }, CancellationToken.None));
        Assert.Equal("1", duplicate.Arguments["first"]);
        Assert.Equal("3", duplicate.Arguments["second"]);
        Assert.Equal(proven[1].ToString(), duplicate.Arguments["txHash"], ignoreCase: true);

        // One dropped with the count lowered to match: the count is part of the header the inbox builds, so
        // the proof is not for this statement at all.
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(honest with { Count = 3, OrderedTxHashes = [.. proven.Take(3)] }, CancellationToken.None));

        Assert.Equal(before, await InboxTestKit.ProgressAsync(inbox));
        var finalized = await inbox.SubmitAsync(honest, CancellationToken.None);
        Assert.Equal(FinalizedBatch.HashOf(witness.OrderedTxHashes), finalized.OrderedTxHashesHash);
        Assert.Equal(witness.NewHead, (await inbox.GetStateAsync(CancellationToken.None)).Head);
    }

    [Fact]
    public async Task A_garbage_proof_or_a_wrong_list_claim_with_the_honest_list_is_refused_as_BadProof()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, _) = await _fixture.DeployAsync(connection, "priority-fee");
        var honest = await _fixture.ProveAsync(new TestLog(connection.ChainId, inbox.Address, "priority-fee").NextBatch(3));
        var claim = honest.Claim;
        var before = await InboxTestKit.ProgressAsync(inbox);

        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(honest with { Proof = InboxTestKit.Garbage() }, CancellationToken.None));

        // A good proof and the honest list, with the claimed list values off by one each: the challenge and
        // the digest then disagree with the posted list, and the proof does not hold at the claimed values;
        // the multiset is a public input of the happy path itself.
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(honest with { Claim = claim with { Challenge = claim.Challenge + Fr.One } }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(honest with { Claim = claim with { Digest = claim.Digest + Fr.One } }, CancellationToken.None));
        await InboxTestKit.AssertRejectedAsync(InboxError.BadProof, () => inbox.SubmitAsync(honest with { Claim = claim with { Multiset = claim.Multiset + Fr.One } }, CancellationToken.None));

        // A claimed value that is the right one plus r: equal modulo r, and still not a field element.
        for (var word = 0; word < 3; word++)
        {
            var message = BatchInbox.Message(honest);
            message.ListClaim[word] += Fr.Modulus;
            var refusal = await InboxTestKit.CallAsync(connection, inbox, message, BlockParameter.CreateLatest());
            InboxTestKit.AssertIs(InboxError.BadProof, Assert.IsType<InboxRejectedException>(refusal));
        }

        Assert.Equal(before, await InboxTestKit.ProgressAsync(inbox));
        await inbox.SubmitAsync(honest, CancellationToken.None);
    }

    /// <summary>
    /// The id of a hash is the hash with its top three bits cleared (it must fit the field), so a posted
    /// hash that differs from a proven one only in those bits has the proven id. The design accepts that
    /// on purpose (docs/circuits.md, "What the id does not bind"): no one can produce a transaction with
    /// such a hash, so to a rollup it is a transaction withheld, which is data availability's concern,
    /// not ordering's; a receipt holder still sees it, since receipts compare full hashes. This test pins
    /// both sides: the honest proof does not finalize the edited list (the challenge is drawn from the
    /// full hashes), and a proof made for the edited list does.
    /// </summary>
    [Fact]
    public async Task A_posted_hash_differing_from_the_proven_one_only_in_its_top_three_bits_finalizes_only_with_a_proof_made_for_it()
    {
        var connection = await _fixture.ConnectAsync();
        var (inbox, _) = await _fixture.DeployAsync(connection, "priority-fee");
        var witness = new TestLog(connection.ChainId, inbox.Address, "priority-fee").NextBatch(4);
        var honest = await _fixture.ProveAsync(witness);
        var bytes = witness.OrderedTxHashes[1].ToArray();
        bytes[0] ^= 0xE0;
        var edited = With(witness.OrderedTxHashes, (1, new Hash32(bytes)));
        Assert.NotEqual(witness.OrderedTxHashes[1], edited[1]);
        Assert.Equal(CircuitEncoding.TxId(witness.OrderedTxHashes[1]), CircuitEncoding.TxId(edited[1]));

        // The proven ids in the proven order, but not the proven hashes.
        await InboxTestKit.AssertRejectedAsync(InboxError.TxListNotProven, () => inbox.SubmitAsync(honest with { OrderedTxHashes = edited }, CancellationToken.None));

        // The same batch proven for the edited list: the circuit sees only ids, so it proves it.
        var statement = BatchStatement.For(
            witness.Domain, witness.PrevHead, witness.NewHead, witness.OutputCommitment!.Value, witness.PrevLastArrivalMs, witness.Entries[^1].ArrivalMs,
            Fr.Zero, edited, witness.Capacity);
        var inputs = CircuitInputs.From(witness);
        inputs["listChallenge"] = statement.ListChallenge.ToString();
        inputs["listDigest"] = statement.ListDigest.ToString();
        inputs["listMultiset"] = statement.ListMultiset.ToString();
        var proof = await _fixture.ProveInputsAsync("priority-fee", inputs);
        Assert.Equal(statement.Signals, proof.PublicSignals);
        var forEdited = honest with
        {
            OrderedTxHashes = edited,
            Claim = ListClaim.Of(statement),
            Proof = await Groth16Proof.ReadSnarkjsAsync(proof.ProofFile, CancellationToken.None),
        };

        var finalized = await inbox.SubmitAsync(forEdited, CancellationToken.None);
        Assert.Equal(FinalizedBatch.HashOf(edited), finalized.OrderedTxHashesHash);
        Assert.NotEqual(FinalizedBatch.HashOf(witness.OrderedTxHashes), finalized.OrderedTxHashesHash);
    }

    private static Hash32[] With(IReadOnlyList<Hash32> list, params (int At, Hash32 Hash)[] edits)
    {
        var result = list.ToArray();
        foreach (var (at, hash) in edits)
        {
            result[at] = hash;
        }

        return result;
    }
}
