using System.Numerics;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Crypto.Bn254;
using Prover.LightClient.Groth16;

namespace Prover.LightClient.Tests.Inbox;

/// <summary>The light client against a real anvil with real proofs finalized by a real inbox, and against every single thing a chain could get wrong.</summary>
[Collection(LightClientCollection.Name)]
public sealed class ChainVerificationTests
{
    private readonly LightClientFixture _fixture;

    public ChainVerificationTests(LightClientFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task A_chain_of_finalized_batches_verifies_with_the_key_its_verifier_embeds()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();

        var result = await client.VerifyAsync(chain.Key, batch: null, CancellationToken.None);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        Assert.Equal([0UL, 1UL, 2UL], result.Batches.Select(b => b.Batch.Index));
        Assert.All(result.Batches, b => Assert.True(b.ProofVerified));
        Assert.All(result.Batches, b => Assert.Null(b.Draw));
        Assert.Empty(result.Notices);
        for (var i = 0; i < chain.Witnesses.Count; i++)
        {
            Assert.Equal(chain.Witnesses[i].OrderedTxHashes, result.Batches[i].OrderedTxHashes);
            Assert.Equal(chain.Witnesses[i].NewHead, result.Batches[i].Batch.NewHead);
            Assert.Equal(chain.Witnesses[i].Entries[^1].ArrivalMs, result.Batches[i].Batch.LastArrivalMs);
        }
    }

    [Fact]
    public async Task The_statement_rebuilt_from_the_chain_is_the_provers_and_its_proof_fails_with_any_one_signal_changed()
    {
        var chain = await _fixture.ChainAsync();
        var (state, events, calls) = await ReadAsync();

        for (var i = 0; i < events.Count; i++)
        {
            var check = BatchChecks.Check(state, events[i], BatchChecks.PrevLastArrival(events, events[i]), calls[i], null, chain.Key);
            var statement = check.Statement!;

            // The prover's statement: what the batch's witness, cut by the sequencer, says it proves.
            Assert.Equal(BatchStatement.Of(chain.Witnesses[i]).Signals, statement.Signals);
            Assert.True(check.ProofVerified);
            for (var j = 0; j < statement.Signals.Count; j++)
            {
                var changed = statement.Signals.ToArray();
                changed[j] += Fr.One;
                Assert.False(Groth16Verifier.Verify(chain.Key, calls[i].Proof, changed), $"batch {i}, signal {BatchStatement.SignalNames[j]} changed");
            }
        }
    }

    [Fact]
    public async Task One_batch_can_be_verified_alone_and_an_unfinalized_one_is_refused()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();

        var result = await client.VerifyAsync(chain.Key, batch: 1, CancellationToken.None);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        Assert.Equal(1UL, Assert.Single(result.Batches).Batch.Index);
        var e = await Assert.ThrowsAsync<BatchNotFinalizedException>(() => client.VerifyAsync(chain.Key, batch: 3, CancellationToken.None));
        Assert.Equal("batch 3 is not finalized: the inbox has finalized 3 batches (0..2).", e.Message);
    }

    [Fact]
    public async Task Events_searched_from_the_deployment_block_suffice_and_a_later_start_misses_batches_loudly()
    {
        var chain = await _fixture.ChainAsync();
        var fromDeployment = await InboxLightClient.ConnectAsync(_fixture.Anvil.Url, chain.Deployment.Inbox, chain.Deployment.Block, CancellationToken.None);
        Assert.True((await fromDeployment.VerifyAsync(chain.Key, null, CancellationToken.None)).IsValid);

        var events = await fromDeployment.GetFinalizedBatchesAsync(CancellationToken.None);
        var tooLate = await InboxLightClient.ConnectAsync(_fixture.Anvil.Url, chain.Deployment.Inbox, events[1].BlockNumber, CancellationToken.None);
        var result = await tooLate.VerifyAsync(chain.Key, null, CancellationToken.None);

        Assert.False(result.IsValid);
        Assert.Contains(result.ChainProblems, p => p.Batch == 1 && p.Field == "index");
        Assert.Contains(result.ChainProblems, p => p.Batch is null && p.Field == "nextBatchIndex");
    }

    [Fact]
    public async Task A_key_the_verifier_does_not_embed_is_named_and_every_proof_fails_under_it()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var other = WithDelta(chain.Key, G2.Generator.Multiply(5));

        var result = await client.VerifyAsync(other, batch: null, CancellationToken.None);

        Assert.False(result.IsValid);
        var missing = result.InboxProblems.Select(p => p.Field).ToList();
        Assert.Equal(["verification key vk_delta_2.x.c0", "verification key vk_delta_2.x.c1", "verification key vk_delta_2.y.c0", "verification key vk_delta_2.y.c1"], missing);
        Assert.All(result.Batches, b => Assert.False(b.ProofVerified));
        Assert.All(result.Batches, b => Assert.Contains(b.Problems, p => p.Field == "proof"));
    }

    [Fact]
    public async Task The_real_verification_key_is_found_in_the_verifiers_code_coordinate_by_coordinate()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var state = await client.GetStateAsync(CancellationToken.None);

        Assert.Empty(await client.CheckVerificationKeyAsync(state, chain.Key, CancellationToken.None));
        // α (2), β, γ, δ (4 each) and one IC point per public input plus one (2 each).
        Assert.Equal(2 + 12 + (2 * (BatchStatement.SignalNames.Count + 1)), chain.Key.Constants().Count);
    }

    [Fact]
    public async Task Tampered_calldata_is_detected_field_by_field()
    {
        var (state, events, calls) = await ReadAsync();
        var e = events[0];
        var call = calls[0];
        var swapped = call.OrderedTxHashes.ToArray();
        (swapped[0], swapped[1]) = (swapped[1], swapped[0]);
        var replaced = call.OrderedTxHashes.ToArray();
        replaced[2] = new Hash32(new byte[32]);
        var key = (await _fixture.ChainAsync()).Key;
        BatchCheck Check(SubmittedBatch? c, string? problem = null) => BatchChecks.Check(state, e, 0, c, problem, key);

        Assert.Empty(Check(call).Problems);
        // Another posted list is another statement: its challenge, hence every list value, differs from
        // what the proof was made for, and the proof fails for it.
        string[] otherList = ["orderedTxHashesHash", "listClaim challenge", "listClaim digest", "listClaim multiset", "proof"];
        Assert.Equal(otherList, Fields(Check(call with { OrderedTxHashes = swapped })));
        Assert.Equal(otherList, Fields(Check(call with { OrderedTxHashes = replaced })));
        Assert.Equal(["orderedTxHashes length", .. otherList], Fields(Check(call with { OrderedTxHashes = call.OrderedTxHashes.Take(3).ToArray() })));
        Assert.Equal(["calldata newHead"], Fields(Check(call with { NewHead = call.NewHead + Fr.One })));
        Assert.Equal(["calldata domain"], Fields(Check(call with { Domain = Fr.Zero })));
        Assert.Equal(["calldata lastArrival"], Fields(Check(call with { LastArrivalMs = call.LastArrivalMs + 1 })));
        Assert.Equal(["listClaim challenge"], Fields(Check(call with { Claim = call.Claim with { Challenge = call.Claim.Challenge + Fr.One } })));
        Assert.Equal(["listClaim multiset"], Fields(Check(call with { Claim = call.Claim with { Multiset = call.Claim.Multiset + Fr.One } })));
        Assert.Equal(["to"], Fields(Check(call with { To = EthAddress.Zero })));
        Assert.Equal(["calldata"], Fields(Check(null, "not a submitBatch call")));
    }

    [Fact]
    public async Task A_tampered_last_arrival_in_an_event_fails_its_own_proof_and_the_next_batchs_which_chains_from_it()
    {
        var (state, events, calls) = await ReadAsync();
        var key = (await _fixture.ChainAsync()).Key;
        var tampered = events.ToArray();
        tampered[0] = tampered[0] with { LastArrivalMs = tampered[0].LastArrivalMs + 1 };
        BatchCheck Check(int i) => BatchChecks.Check(state, tampered[i], BatchChecks.PrevLastArrival(tampered, tampered[i]), calls[i], null, key);

        Assert.Equal(["calldata lastArrival", "listClaim challenge", "listClaim digest", "listClaim multiset", "proof"], Fields(Check(0)));
        // Batch 1's header carries batch 0's last arrival as its prevLastArrival. (Its one entry's digest
        // is that entry's id at any challenge, so only the challenge and the multiset differ.)
        Assert.Equal(["listClaim challenge", "listClaim multiset", "proof"], Fields(Check(1)));
        Assert.Empty(Check(2).Problems);
        // Still increasing, so only the proofs, through the headers, catch it.
        Assert.Empty(BatchChecks.CheckSequence(state, tampered));

        var earlier = events.ToArray();
        earlier[2] = earlier[2] with { LastArrivalMs = events[1].LastArrivalMs - 1 };
        var decreasing = BatchChecks.CheckSequence(state, earlier);
        Assert.Equal(new (ulong?, string)[] { (2, "lastArrival"), (null, "lastArrival") }, decreasing.Select(p => (p.Batch, p.Field)));
        Assert.StartsWith($"at least {events[1].LastArrivalMs} ms", decreasing[0].Expected, StringComparison.Ordinal);
        Assert.Equal(["lastArrival"], BatchChecks.CheckSequence(state with { LastArrivalMs = 0 }, events).Select(p => p.Field));
    }

    [Fact]
    public async Task A_beacon_in_an_event_of_an_inbox_that_draws_none_fails_and_one_wider_than_a_beacon_is_not_even_a_statement()
    {
        var (state, events, calls) = await ReadAsync();
        var key = (await _fixture.ChainAsync()).Key;

        var beacon = BatchChecks.Check(state, events[0] with { Beacon = Fr.One }, 0, calls[0], null, key);
        Assert.Equal(["beacon", "listClaim challenge", "listClaim digest", "listClaim multiset", "proof"], Fields(beacon));
        Assert.Equal("0 (only a shuffle inbox draws beacons)", beacon.Problems[0].Expected);

        var wide = BatchChecks.Check(state, events[0] with { Beacon = Fr.FromBigInteger(BigInteger.One << BatchHeader.BeaconBits) }, 0, calls[0], null, key);
        Assert.Equal(["beacon"], Fields(wide));
        Assert.Null(wide.Statement);
        Assert.Null(wide.ProofVerified);
    }

    [Fact]
    public async Task A_tampered_proof_is_detected_whether_its_points_are_invalid_or_merely_wrong()
    {
        var (state, events, calls) = await ReadAsync();
        var key = (await _fixture.ChainAsync()).Key;
        var call = calls[1];
        var w = call.Proof.Words.ToArray();

        var offCurve = call with { Proof = Groth16Verifier.ProofOf([w[0], w[1] + 1, .. w[2..]]) };
        var prev = events[0].LastArrivalMs;
        var offCurveCheck = BatchChecks.Check(state, events[1], prev, offCurve, null, key);
        Assert.False(offCurveCheck.ProofVerified);
        Assert.Contains("proof.A", Assert.Single(offCurveCheck.Problems).Actual, StringComparison.Ordinal);

        var c = new G1(Fq.FromBigInteger(w[6]), Fq.FromBigInteger(w[7]), false) + G1.Generator;
        var wrong = call with { Proof = Groth16Verifier.ProofOf([.. w[..6], c.X.ToBigInteger(), c.Y.ToBigInteger()]) };
        var wrongCheck = BatchChecks.Check(state, events[1], prev, wrong, null, key);
        Assert.False(wrongCheck.ProofVerified);
        Assert.Equal("proof", Assert.Single(wrongCheck.Problems).Field);

        var aboveP = call with { Proof = Groth16Verifier.ProofOf([w[0] + Fq.Modulus, .. w[1..]]) };
        Assert.Contains("not below the base field modulus", Assert.Single(BatchChecks.Check(state, events[1], prev, aboveP, null, key).Problems).Actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_public_signal_in_the_event_fails_the_proof()
    {
        var (state, events, calls) = await ReadAsync();
        var key = (await _fixture.ChainAsync()).Key;
        var e = events[2] with { OutputCommitment = events[2].OutputCommitment + Fr.One };

        var check = BatchChecks.Check(state, e, events[1].LastArrivalMs, calls[2], null, key);

        Assert.False(check.ProofVerified);
        Assert.Equal(["calldata outputCommitment", "listClaim challenge", "listClaim digest", "listClaim multiset", "proof"], Fields(check));
        // The statement's count is the posted list's length, which the call carries; an event that says
        // otherwise disagrees with the call.
        var count = BatchChecks.Check(state, events[2] with { Count = 2 }, events[1].LastArrivalMs, calls[2], null, key);
        Assert.Equal(["calldata count", "orderedTxHashes length"], Fields(count));
    }

    [Fact]
    public async Task Heads_that_do_not_chain_are_named_by_batch_field_expected_and_actual()
    {
        var (state, events, _) = await ReadAsync();
        Assert.Empty(BatchChecks.CheckSequence(state, events));

        var forked = events.ToArray();
        forked[1] = forked[1] with { PrevHead = forked[1].PrevHead + Fr.One };
        var problem = Assert.Single(BatchChecks.CheckSequence(state, forked));
        Assert.Equal((1UL, "prevHead"), (problem.Batch!.Value, problem.Field));
        Assert.StartsWith(events[0].NewHead.ToHex(), problem.Expected, StringComparison.Ordinal);
        Assert.Equal(forked[1].PrevHead.ToHex(), problem.Actual);

        var gap = events.ToArray();
        gap[2] = gap[2] with { FirstSeq = gap[2].FirstSeq + 1 };
        Assert.Equal(["firstSeq", "nextSeq"], BatchChecks.CheckSequence(state, gap).Select(p => p.Field));

        Assert.Equal(["nextBatchIndex", "head", "nextSeq", "lastArrival"], BatchChecks.CheckSequence(state, events.Take(2).ToArray()).Select(p => p.Field));
        Assert.Equal(["prevHead"], BatchChecks.CheckSequence(state with { GenesisHead = Fr.One }, events).Select(p => p.Field));
    }

    private async Task<(InboxState State, IReadOnlyList<FinalizedBatch> Events, IReadOnlyList<SubmittedBatch> Calls)> ReadAsync()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var state = await client.GetStateAsync(CancellationToken.None);
        var events = await client.GetFinalizedBatchesAsync(CancellationToken.None);
        var calls = new List<SubmittedBatch>();
        foreach (var e in events)
        {
            var (call, problem) = await client.FetchCallAsync(e, CancellationToken.None);
            calls.Add(call ?? throw new InvalidOperationException(problem));
        }

        return (state, events, calls);
    }

    private static List<string> Fields(BatchCheck check) => [.. check.Problems.Select(p => p.Field)];

    /// <summary>The same key with δ replaced by another point of G2: a key the deployed verifier does not use.</summary>
    private static VerificationKey WithDelta(VerificationKey key, G2 delta)
    {
        static string S(BigInteger v) => $"\"{v}\"";
        var ic = string.Join(",", key.IC.Select(p => $"[{S(p.X.ToBigInteger())},{S(p.Y.ToBigInteger())},\"1\"]"));
        string G2Json(G2 q) => $"[[{S(q.X.C0.ToBigInteger())},{S(q.X.C1.ToBigInteger())}],[{S(q.Y.C0.ToBigInteger())},{S(q.Y.C1.ToBigInteger())}],[\"1\",\"0\"]]";
        var json = $$"""
            {"protocol":"groth16","curve":"bn128","nPublic":{{key.PublicInputCount}},
             "vk_alpha_1":[{{S(key.Alpha.X.ToBigInteger())}},{{S(key.Alpha.Y.ToBigInteger())}},"1"],
             "vk_beta_2":{{G2Json(key.Beta)}},"vk_gamma_2":{{G2Json(key.Gamma)}},"vk_delta_2":{{G2Json(delta)}},
             "IC":[{{ic}}]}
            """;
        return VerificationKey.Parse(json);
    }
}
