using System.Globalization;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Crypto.Field;

namespace Prover.Workers.Tests;

/// <summary>
/// The pool on a shuffle inbox, with real proofs and the real inbox on anvil: batches arrive without
/// their order, the submitter commits them, the beacon the inbox draws orders them, and a beacon that
/// expired or moved is drawn again and the batch proven again. Every test ends by reading what the chain
/// recorded: one commitment per batch unless a redraw was due, and each batch final with the beacon of
/// its last draw.
/// </summary>
[Collection(PoolCollection.Name)]
public sealed class ShufflePoolTests(PoolFixture fixture) : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(4);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_shuffle_inbox_finalizes_every_batch_through_commit_draw_prove_and_submit()
    {
        var (chain, deployment) = await fixture.DeployAsync(PoolFixture.Shuffle);
        var witnesses = new TestLog(deployment.ChainId, deployment.Inbox, PoolFixture.Shuffle).Next(3);
        Assert.All(witnesses, w => Assert.False(w.IsOrdered)); // as the sequencer cuts them
        var folder = WriteWitnesses(witnesses);

        await using var pool = await StartAsync(chain, workers: 2, witnessDirectory: folder);
        await pool.WaitUntilSettledAsync(3, Settle, default);

        var state = await chain.Inbox.GetStateAsync(default);
        Assert.Equal((3UL, witnesses[^1].NewHead), (state.NextBatchIndex, state.Head));
        var commitments = await chain.Inbox.GetCommitmentHistoryAsync(deployment.Block, default);
        Assert.Equal([(0UL, 1U), (1UL, 1U), (2UL, 1U)], commitments.Select(c => (c.Index, c.Draws)));
        var finalized = await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default);
        Assert.Equal([0UL, 1, 2], finalized.Select(b => b.Index));
        foreach (var (commitment, batch) in commitments.Zip(finalized))
        {
            var record = (await pool.Store.GetAsync(batch.Index, default))!;
            var proven = OrderingWitness.FromJson(record.Witness!);
            Assert.Equal(BatchState.Finalized, record.State);
            Assert.Equal((1, commitment.BeaconBlock), (record.Draws, record.BeaconBlock));
            Assert.Equal(await BeaconOfBlockAsync(commitment.BeaconBlock), batch.Beacon); // the inbox's own draw
            Assert.Equal(batch.Beacon, proven.Beacon);
            Assert.Equal(batch.OrderedTxHashesHash, FinalizedBatch.HashOf(proven.OrderedTxHashes));
        }

        // Commitments run ahead of finality: no batch waited for the one before it to be final.
        Assert.All(commitments, c => Assert.True(c.BeaconBlock < finalized[0].BlockNumber, $"batch {c.Index} was committed in block {c.BeaconBlock}, after batch 0 was final in block {finalized[0].BlockNumber}"));
    }

    [Fact]
    public async Task A_batch_committed_by_a_submitter_that_died_before_recording_its_draw_is_drawn_from_the_chain_and_not_committed_again()
    {
        var (chain, deployment) = await fixture.DeployAsync(PoolFixture.Shuffle);
        var witnesses = new TestLog(deployment.ChainId, deployment.Inbox, PoolFixture.Shuffle).Next(2);
        // What the dead submitter left: batch 0 committed on chain, the store still awaiting its draw.
        var committed = await chain.Inbox.CommitAsync(0, witnesses[0].PrevHead, witnesses[0].NewHead, default);
        await using var pool = await StartAsync(chain, workers: 1);
        foreach (var w in witnesses)
        {
            await pool.Store.AddAsync(w, pool.Runtime.NowMs, default);
        }

        Assert.True((await pool.Store.GetAsync(0, default))!.AwaitsDraw);
        await pool.ReconcileAsync(default);
        await pool.WaitUntilSettledAsync(2, Settle, default);

        var commitments = await chain.Inbox.GetCommitmentHistoryAsync(deployment.Block, default);
        Assert.Equal([(0UL, committed.BeaconBlock), (1UL, commitments[1].BeaconBlock)], commitments.Select(c => (c.Index, c.BeaconBlock)));
        var record = (await pool.Store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Finalized, 1, committed.BeaconBlock), (record.State, record.Draws, record.BeaconBlock));
        Assert.Equal(committed.Beacon, OrderingWitness.FromJson(record.Witness!).Beacon);
        Assert.Equal([0UL, 1], (await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default)).Select(b => b.Index));
        await AssertInboxTransactionsAsync(deployment, expected: 4); // the dead submitter's commitment, one more, two submissions
    }

    [Fact]
    public async Task A_beacon_that_expired_before_submission_is_drawn_again_and_the_batch_proven_again_and_finalized()
    {
        var (chain, deployment) = await fixture.DeployAsync(PoolFixture.Shuffle);
        var witness = new TestLog(deployment.ChainId, deployment.Inbox, PoolFixture.Shuffle).NextBatch(3);

        // A pool that submits but proves nothing commits the batch and enqueues its proof, which waits.
        BatchRecord drawn;
        await using (var submitter = await StartAsync(chain, workers: 0))
        {
            await submitter.Store.AddAsync(witness, submitter.Runtime.NowMs, default);
            await submitter.ReconcileAsync(default);
            drawn = await WaitForAsync(submitter, 0, r => r.Draws == 1);
        }

        // More than 256 blocks later the beacon block's hash is gone from the EVM, so the proof made now
        // with that beacon can no longer be submitted.
        await AnvilAsync("anvil_mine", "0x101");
        await using var pool = await StartAsync(chain, workers: 1);
        await pool.WaitUntilSettledAsync(1, Settle, default);

        var record = (await pool.Store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Finalized, null, 2), (record.State, record.Error, record.Draws)); // never failed: final is only reached from a live batch
        Assert.Equal(2, record.Attempts); // proven with the expired beacon, then with the new one
        Assert.Equal(2, pool.Metrics.Proofs);
        var commitments = await chain.Inbox.GetCommitmentHistoryAsync(deployment.Block, default);
        Assert.Equal([(0UL, 1U), (0UL, 2U)], commitments.Select(c => (c.Index, c.Draws)));
        Assert.Equal(drawn.BeaconBlock, commitments[0].BeaconBlock);
        Assert.True(commitments[1].BeaconBlock > commitments[0].BeaconBlock + 256);
        Assert.Equal(commitments[1].BeaconBlock, record.BeaconBlock);
        var batch = Assert.Single(await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default));
        Assert.Equal(await BeaconOfBlockAsync(commitments[1].BeaconBlock), batch.Beacon);
        Assert.Equal(batch.Beacon, OrderingWitness.FromJson(record.Witness!).Beacon);
    }

    [Fact]
    public async Task A_commitment_found_on_chain_with_an_expired_beacon_is_drawn_again_before_any_proof()
    {
        var (chain, deployment) = await fixture.DeployAsync(PoolFixture.Shuffle);
        var witness = new TestLog(deployment.ChainId, deployment.Inbox, PoolFixture.Shuffle).NextBatch(1);
        // A submitter committed the batch and died long ago, before recording its draw.
        var committed = await chain.Inbox.CommitAsync(0, witness.PrevHead, witness.NewHead, default);
        await AnvilAsync("anvil_mine", "0x101");
        await using var pool = await StartAsync(chain, workers: 1);
        await pool.Store.AddAsync(witness, pool.Runtime.NowMs, default);
        await pool.ReconcileAsync(default);
        await pool.WaitUntilSettledAsync(1, Settle, default);

        var record = (await pool.Store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Finalized, 2, 1), (record.State, record.Draws, record.Attempts)); // one proof, with the new beacon
        var commitments = await chain.Inbox.GetCommitmentHistoryAsync(deployment.Block, default);
        Assert.Equal([(committed.BeaconBlock, 1U), (record.BeaconBlock!.Value, 2U)], commitments.Select(c => (c.BeaconBlock, c.Draws)));
        var batch = Assert.Single(await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default));
        Assert.Equal(await BeaconOfBlockAsync(record.BeaconBlock!.Value), batch.Beacon);
    }

    [Fact]
    public async Task A_proof_made_with_a_beacon_the_inbox_no_longer_holds_is_dropped_and_the_batch_proven_with_the_inbox_beacon()
    {
        var (chain, deployment) = await fixture.DeployAsync(PoolFixture.Shuffle);
        var witness = new TestLog(deployment.ChainId, deployment.Inbox, PoolFixture.Shuffle).NextBatch(4);
        var commitment = await chain.Inbox.CommitAsync(0, witness.PrevHead, witness.NewHead, default);
        await using var pool = await StartAsync(chain, workers: 1);

        // The store drew the batch from a block a reorg has since replaced: the inbox's beacon is another.
        var stale = witness.WithBeacon(commitment.Beacon!.Value + Fr.One);
        await pool.Store.AddAsync(witness, pool.Runtime.NowMs, default);
        Assert.True(await pool.Store.RecordDrawAsync(stale, commitment.BeaconBlock, 1, pool.Runtime.NowMs, default));
        await pool.ReconcileAsync(default);
        await pool.WaitUntilSettledAsync(1, Settle, default);

        var record = (await pool.Store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Finalized, 2), (record.State, record.Attempts));
        Assert.Equal(2, pool.Metrics.Proofs);
        var batch = Assert.Single(await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default));
        Assert.Equal(commitment.Beacon, batch.Beacon);
        Assert.Equal(commitment.Beacon, OrderingWitness.FromJson(record.Witness!).Beacon);
        Assert.Single(await chain.Inbox.GetCommitmentHistoryAsync(deployment.Block, default)); // the inbox's beacon was good: no redraw
        await AssertInboxTransactionsAsync(deployment, expected: 2); // no submission of the stale proof reached the chain
    }

    [Fact]
    public async Task A_batch_whose_commitment_a_reorg_dropped_is_committed_again_and_proven_again()
    {
        var (chain, deployment) = await fixture.DeployAsync(PoolFixture.Shuffle);
        var witness = new TestLog(deployment.ChainId, deployment.Inbox, PoolFixture.Shuffle).NextBatch(2);
        var beforeCommit = await AnvilResultAsync("evm_snapshot");
        await using (var submitter = await StartAsync(chain, workers: 0))
        {
            await submitter.Store.AddAsync(witness, submitter.Runtime.NowMs, default);
            await submitter.ReconcileAsync(default);
            await WaitForAsync(submitter, 0, r => r.Draws == 1);
        }

        // The chain forgets the block that held the commitment, as a reorg that drops the transaction does.
        await AnvilAsync("evm_revert", beforeCommit);
        Assert.Null(await chain.Inbox.GetCommitmentAsync(0, default));
        await using var pool = await StartAsync(chain, workers: 1);
        await pool.WaitUntilSettledAsync(1, Settle, default);

        var record = (await pool.Store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Finalized, 1, 2), (record.State, record.Draws, record.Attempts)); // the proof of the lost draw was dropped
        var commitment = Assert.Single(await chain.Inbox.GetCommitmentHistoryAsync(deployment.Block, default));
        var batch = Assert.Single(await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default));
        Assert.Equal(commitment.BeaconBlock, record.BeaconBlock);
        Assert.Equal(await BeaconOfBlockAsync(commitment.BeaconBlock), batch.Beacon);
    }

    [Fact]
    public async Task Two_pools_sharing_a_postgres_store_commit_and_finalize_each_shuffle_batch_once()
    {
        var (chain, deployment) = await fixture.DeployAsync(PoolFixture.Shuffle);
        var connection = await fixture.Postgres.CreateDatabaseAsync();
        var folder = WriteWitnesses(new TestLog(deployment.ChainId, deployment.Inbox, PoolFixture.Shuffle).Next(4));

        // Both submit, each with its own connection as a process of its own would, and both import the
        // same folder, so each batch's arrival asks both for a commitment.
        var other = await fixture.ConnectAsync();
        var otherChain = chain with { Connection = other, Inbox = new BatchInbox(other, deployment.Inbox) };
        await using var first = await StartAsync(chain, workers: 1, witnessDirectory: folder, storage: new PoolStorage.Postgres(connection), name: "first");
        await using var second = await StartAsync(otherChain, workers: 0, witnessDirectory: folder, storage: new PoolStorage.Postgres(connection), name: "second");
        await first.WaitUntilSettledAsync(4, Settle, default);

        var commitments = await chain.Inbox.GetCommitmentHistoryAsync(deployment.Block, default);
        Assert.Equal([(0UL, 1U), (1UL, 1U), (2UL, 1U), (3UL, 1U)], commitments.Select(c => (c.Index, c.Draws)));
        Assert.Equal([0UL, 1, 2, 3], (await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default)).Select(b => b.Index));
        Assert.All(await first.Store.ListAsync(default), r => Assert.Equal(BatchState.Finalized, r.State));
        await AssertInboxTransactionsAsync(deployment, expected: 8); // four commitments, four submissions, nothing refused when mined
    }

    private string WriteWitnesses(IEnumerable<OrderingWitness> witnesses)
    {
        var folder = Directory.CreateDirectory(_dir.Combine("batches")).FullName;
        foreach (var w in witnesses)
        {
            File.WriteAllText(Path.Combine(folder, w.BatchIndex.ToString("D10", CultureInfo.InvariantCulture) + ".witness.json"), w.ToJson());
        }

        return folder;
    }

    private async Task<Fr> BeaconOfBlockAsync(ulong number)
    {
        var web3 = new Nethereum.Web3.Web3(fixture.Anvil.Url.ToString());
        var block = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter(new HexBigInteger(number)));
        return BatchHeader.BeaconOf(Core.Ethereum.Hash32.Parse(block.BlockHash));
    }

    /// <summary>Every transaction sent to the inbox since its deployment, counted block by block.</summary>
    private async Task AssertInboxTransactionsAsync(InboxDeployment deployment, int expected) =>
        Assert.Equal(expected, await fixture.InboxTransactionsAsync(deployment));

    /// <summary>One of anvil's own JSON-RPC methods on the shared node.</summary>
    private async Task AnvilAsync(string method, params object[] parameters) => await AnvilResultAsync(method, parameters);

    /// <summary>One of anvil's own JSON-RPC methods on the shared node, and its result as text.</summary>
    private async Task<string> AnvilResultAsync(string method, params object[] parameters)
    {
        using var http = new HttpClient();
        var body = System.Text.Json.JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        using var response = await http.PostAsync(fixture.Anvil.Url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode && !text.Contains("\"error\"", StringComparison.Ordinal), $"{method}: {text}");
        using var document = System.Text.Json.JsonDocument.Parse(text);
        return document.RootElement.GetProperty("result").ToString();
    }

    private static async Task<BatchRecord> WaitForAsync(ProverPool pool, ulong index, Func<BatchRecord, bool> condition)
    {
        var deadline = DateTime.UtcNow + Settle;
        while (true)
        {
            var record = await pool.Store.GetAsync(index, default);
            if (record is not null && condition(record))
            {
                return record;
            }

            Assert.True(DateTime.UtcNow < deadline, $"batch {index} never reached the awaited state; it is {record?.State} (draws {record?.Draws}, error {record?.Error})");
            await Task.Delay(100);
        }
    }

    private async Task<ProverPool> StartAsync(PoolChain chain, int workers, string? witnessDirectory = null, PoolStorage? storage = null, string name = "pool") =>
        await ProverPool.StartAsync(
            new ProverPoolOptions
            {
                Storage = storage ?? new PoolStorage.Sqlite(_dir.Combine("pool")),
                WorkDirectory = _dir.Combine("work-" + name),
                Workers = workers,
                WorkerId = $"{name}-{Guid.NewGuid():N}"[..12],
                WitnessDirectory = witnessDirectory,
                Lease = TimeSpan.FromSeconds(15),
                ReconcileInterval = TimeSpan.FromMilliseconds(500),
                RetryBaseDelay = TimeSpan.FromMilliseconds(500),
            },
            workers > 0 ? fixture.Proving : null,
            chain,
            ProverPool.VerificationKeyHash((await fixture.ShuffleArtifactsAsync()).VerificationKeyFile),
            loggerFactory: null,
            time: null,
            default);
}
