using System.Globalization;
using Hangfire.States;
using Prover.Crypto.Field;
using Prover.Proving;

namespace Prover.Workers.Tests;

/// <summary>
/// The pool in one process on the embedded store (SQLite), with real proofs and a real inbox on anvil:
/// the flow, its exactly-once effects on at-least-once jobs, failures, and the reconciler.
/// </summary>
[Collection(PoolCollection.Name)]
public sealed class PoolTests(PoolFixture fixture) : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(3);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Batches_cut_into_the_witness_folder_are_proven_and_finalized_in_index_order()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var witnesses = new TestLog(deployment.ChainId, deployment.Inbox).Next(6);
        var folder = Directory.CreateDirectory(_dir.Combine("batches")).FullName;
        foreach (var w in witnesses)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, w.BatchIndex.ToString("D10", CultureInfo.InvariantCulture) + ".witness.json"), w.ToJson());
        }

        await using var pool = await StartAsync(chain, workers: 2, witnessDirectory: folder);
        await pool.WaitUntilSettledAsync(6, Settle, default);

        var state = await chain.Inbox.GetStateAsync(default);
        Assert.Equal(6UL, state.NextBatchIndex);
        Assert.Equal(witnesses[^1].NewHead, state.Head);
        var events = await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default);
        Assert.Equal([0UL, 1, 2, 3, 4, 5], events.Select(e => e.Index));
        var records = await pool.Store.ListAsync(default);
        Assert.All(records, r => Assert.Equal(BatchState.Finalized, r.State));
        Assert.Equal(events.Select(e => e.TransactionHash), records.Select(r => r.TransactionHash));
        Assert.Equal(events.Select(e => (long)e.GasUsed), records.Select(r => r.GasUsed!.Value));
        Assert.All(records, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(6, pool.Metrics.Proofs);
        Assert.Equal(witnesses.Sum(w => w.Count), pool.Metrics.FinalizedTransactions);
    }

    [Fact]
    public async Task A_job_delivered_three_times_proves_and_finalizes_its_batch_once()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        await using var pool = await StartAsync(chain, workers: 2);
        var witness = new TestLog(deployment.ChainId, deployment.Inbox).NextBatch(4);
        await pool.Store.AddAsync(witness, pool.Runtime.NowMs, default);
        for (var i = 0; i < 3; i++)
        {
            await pool.Runtime.EnqueueProveAsync(0, default);
        }

        await pool.WaitUntilSettledAsync(1, Settle, default);

        var record = (await pool.Store.GetAsync(0, default))!;
        Assert.Equal(BatchState.Finalized, record.State);
        Assert.Equal(1, record.Attempts);
        Assert.Single(await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default));
        Assert.Equal(1, pool.Metrics.Proofs);
    }

    [Fact]
    public async Task An_invalid_witness_fails_at_once_without_retries_and_later_batches_wait_behind_it()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var witnesses = new TestLog(deployment.ChainId, deployment.Inbox).Next(3);
        var forged = witnesses[1] with { OutputCommitment = witnesses[1].OutputCommitment + Fr.One };
        await using var pool = await StartAsync(chain, workers: 1);
        await pool.Store.AddAsync(witnesses[0], pool.Runtime.NowMs, default);
        await pool.Store.AddAsync(forged, pool.Runtime.NowMs, default);
        await pool.Store.AddAsync(witnesses[2], pool.Runtime.NowMs, default);
        await pool.ReconcileAsync(default); // the store holds batches without jobs: the reconciler enqueues them

        await WaitForAsync(pool, async () =>
            (await pool.Store.ListAsync(default)).Select(r => r.State).SequenceEqual([BatchState.Finalized, BatchState.Failed, BatchState.Proved]));

        var failed = (await pool.Store.GetAsync(1, default))!;
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("batch 1 failed for good", failed.Error, StringComparison.Ordinal);
        Assert.Contains("/outputCommitment", failed.Error, StringComparison.Ordinal);
        Assert.Equal(FailedState.StateName, JobStates.Of(pool.Runtime.JobStorage, failed.JobId!)); // failed, not scheduled for a retry
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1UL, (await chain.Inbox.GetStateAsync(default)).NextBatchIndex);
        Assert.Equal(1, (await pool.Store.GetAsync(1, default))!.Attempts);
    }

    [Fact]
    public async Task A_crashed_proof_is_retried_after_a_backoff_and_the_batch_finalizes()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var flaky = new FlakyBackend(fixture.Backend, failures: 2);
        await using var pool = await StartAsync(chain, workers: 1, proving: new ProvingSetup(flaky, CeremonySource.Development, fixture.Backend.CircuitsDirectory));
        await pool.Store.AddAsync(new TestLog(deployment.ChainId, deployment.Inbox).NextBatch(2), pool.Runtime.NowMs, default);

        // The batch's one job comes from a reconcile pass. Enqueued here besides, it could meet the
        // timer's pass enqueueing it too, and the second job's crash would count as the first's retry.
        await pool.ReconcileAsync(default);
        var job = (await pool.Store.GetAsync(0, default))!.JobId!;

        await pool.WaitUntilSettledAsync(1, Settle, default);

        var record = (await pool.Store.GetAsync(0, default))!;
        Assert.Equal(BatchState.Finalized, record.State);
        Assert.Equal(2, flaky.Crashes);
        Assert.Equal(3, record.Attempts); // two crashes, each releasing the lease, then the proof
        Assert.Equal(job, record.JobId); // retried as the same job, not re-enqueued
        using var connection = pool.Runtime.JobStorage.GetConnection();
        Assert.Equal("2", connection.GetJobParameter(job, "RetryCount"));
        var history = pool.Runtime.JobStorage.GetMonitoringApi().JobDetails(job).History.Select(h => h.StateName).Reverse().ToList();
        Assert.Equal(2, history.Count(s => s == ScheduledState.StateName)); // each retry waited its backoff
        Assert.Equal(SucceededState.StateName, history[^1]);
    }

    [Fact]
    public async Task A_batch_the_chain_already_finalized_counts_as_success()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var witnesses = new TestLog(deployment.ChainId, deployment.Inbox).Next(2);
        var external = await chain.Inbox.SubmitAsync(await fixture.ProveDirectlyAsync(witnesses[0]), default);
        await using var pool = await StartAsync(chain, workers: 1);
        foreach (var w in witnesses)
        {
            await pool.Store.AddAsync(w, pool.Runtime.NowMs, default);
        }

        await pool.ReconcileAsync(default);
        await pool.WaitUntilSettledAsync(2, Settle, default);

        var records = await pool.Store.ListAsync(default);
        Assert.All(records, r => Assert.Equal(BatchState.Finalized, r.State));
        Assert.Equal(external.TransactionHash, records[0].TransactionHash);
        Assert.Null(records[0].ProvedBy); // recorded from the chain, not proved again
        Assert.NotNull(records[1].ProvedBy);
        var events = await chain.Inbox.GetFinalizedBatchesAsync(deployment.Block, default);
        Assert.Equal([0UL, 1], events.Select(e => e.Index));
        Assert.Equal(1, pool.Metrics.FinalizedBatches);
    }

    [Fact]
    public async Task A_batch_whose_worker_died_mid_proof_goes_to_another_worker_when_its_lease_runs_out()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        await using var pool = await StartAsync(chain, workers: 1);
        await pool.Store.AddAsync(new TestLog(deployment.ChainId, deployment.Inbox).NextBatch(3), pool.Runtime.NowMs, default);
        Assert.True(await pool.Store.TryClaimAsync(0, "worker-that-died", pool.Runtime.NowMs, 1_500, default));

        await pool.WaitUntilSettledAsync(1, Settle, default);

        var record = (await pool.Store.GetAsync(0, default))!;
        Assert.Equal(BatchState.Finalized, record.State);
        Assert.Equal(2, record.Attempts);
        Assert.Equal(pool.WorkerId, record.ProvedBy);
    }

    [Fact]
    public async Task A_lost_queue_is_rebuilt_from_the_store_and_pending_batches_resume()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var witnesses = new TestLog(deployment.ChainId, deployment.Inbox).Next(2);
        var folder = Directory.CreateDirectory(_dir.Combine("batches")).FullName;
        foreach (var w in witnesses)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, w.BatchIndex.ToString("D10", CultureInfo.InvariantCulture) + ".witness.json"), w.ToJson());
        }

        // A process with no workers and no chain imports and enqueues, then goes away with its queue.
        await using (var importer = await StartAsync(chain: null, workers: 0, witnessDirectory: folder))
        {
            await importer.ReconcileAsync(default);
            Assert.All(await importer.Store.ListAsync(default), r => Assert.NotNull(r.JobId));
        }

        foreach (var file in Directory.GetFiles(_dir.Combine("pool"), "hangfire.db*"))
        {
            File.Delete(file);
        }

        await using var pool = await StartAsync(chain, workers: 1, witnessDirectory: folder);
        await pool.WaitUntilSettledAsync(2, Settle, default);

        Assert.Equal(2UL, (await chain.Inbox.GetStateAsync(default)).NextBatchIndex);
        Assert.Equal(2, pool.Metrics.Proofs);
    }

    [Fact]
    public async Task Overlapping_reconcile_passes_enqueue_each_pending_batch_once()
    {
        var (_, deployment) = await fixture.DeployAsync();
        await using var pool = await StartAsync(chain: null, workers: 0);
        foreach (var witness in new TestLog(deployment.ChainId, deployment.Inbox).Next(16))
        {
            await pool.Store.AddAsync(witness, pool.Runtime.NowMs, default);
        }

        // Passes that overlap (the timer's and explicit ones) would each see the batches without a job.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => pool.ReconcileAsync(default))));

        Assert.Equal(16, pool.Runtime.JobStorage.GetMonitoringApi().EnqueuedCount(PoolQueues.Prove));
        Assert.All(await pool.Store.ListAsync(default), r => Assert.NotNull(r.JobId));
    }

    [Fact]
    public async Task A_store_of_one_inbox_refuses_a_pool_of_another()
    {
        var (first, _) = await fixture.DeployAsync();
        var (second, _) = await fixture.DeployAsync();
        await (await StartAsync(first, workers: 0)).DisposeAsync();

        var e = await Assert.ThrowsAsync<PoolConfigurationException>(() => StartAsync(second, workers: 0));

        Assert.Contains($"belongs to chain {PoolFixture.ChainId}, inbox {first.Inbox.Address}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pool_whose_account_is_not_the_inbox_sequencer_refuses_to_start_naming_both()
    {
        var (chain, _) = await fixture.DeployAsync();
        var stranger = await fixture.ConnectAsync(account: 1);
        var wrong = chain with { Connection = stranger, Inbox = new Prover.Chain.BatchInbox(stranger, chain.Inbox.Address) };

        var e = await Assert.ThrowsAsync<PoolConfigurationException>(() => StartAsync(wrong, workers: 0));

        Assert.Contains($"the submitting account {stranger.Account} is not the sequencer of inbox {chain.Inbox.Address} ({chain.Connection.Account})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_submitter_keeps_its_lease_while_its_transaction_waits_to_be_mined()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var witness = new TestLog(deployment.ChainId, deployment.Inbox).Next(1)[0];
        var lease = TimeSpan.FromSeconds(3);
        await using var pool = await StartAsync(chain, workers: 1, lease: lease);
        await AnvilAsync("evm_setAutomine", false);
        try
        {
            await pool.Store.AddAsync(witness, pool.Runtime.NowMs, default);
            await pool.ReconcileAsync(default);
            var deadline = DateTime.UtcNow + Settle;
            while ((await pool.Store.GetAsync(0, default))!.State != BatchState.Submitted)
            {
                Assert.True(DateTime.UtcNow < deadline, "batch 0 was never submitted");
                await Task.Delay(100);
            }

            // The transaction sits unmined for three leases; nobody else may take the submitter's lease
            // meanwhile, or a second process could send from the same account.
            await Task.Delay(lease * 3);
            Assert.False(
                await pool.Store.TryLeaseAsync(SubmitJob.LeaseName, "intruder", pool.Runtime.NowMs, (long)lease.TotalMilliseconds, default),
                "the submitter's lease ran out while its transaction waited to be mined");
        }
        finally
        {
            await AnvilAsync("evm_setAutomine", true);
            await AnvilAsync("evm_mine");
        }

        await pool.WaitUntilSettledAsync(1, Settle, default);
        Assert.Equal(BatchState.Finalized, (await pool.Store.GetAsync(0, default))!.State);
    }

    [Fact]
    public async Task A_submission_the_node_refuses_is_recorded_on_the_batch_and_retried_after_a_backoff()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var witness = new TestLog(deployment.ChainId, deployment.Inbox).Next(1)[0];
        var sequencer = chain.Connection.Account.ToString();
        await using var pool = await StartAsync(chain, workers: 1);
        await AnvilAsync("anvil_setBalance", sequencer, "0x0"); // every send is refused: no funds for gas
        try
        {
            await pool.Store.AddAsync(witness, pool.Runtime.NowMs, default);
            await pool.ReconcileAsync(default);
            var deadline = DateTime.UtcNow + Settle;
            while ((await pool.Store.GetAsync(0, default))!.Error is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "batch 0's failed submission was never recorded");
                await Task.Delay(100);
            }

            var record = (await pool.Store.GetAsync(0, default))!;
            Assert.Equal(BatchState.Submitted, record.State); // not failed: nothing is wrong with the batch
            Assert.Contains("submission failed", record.Error, StringComparison.Ordinal);

            // The reconciler asks for a submit pass every 500 ms; with the backoff (0.5, 1, 2 s …) only
            // a few of them in four seconds reach the node.
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.InRange(pool.Runtime.SubmitFailures, 1, 4);
        }
        finally
        {
            await AnvilAsync("anvil_setBalance", sequencer, "0x21e19e0c9bab2400000"); // anvil's 10,000 ether
        }

        await pool.WaitUntilSettledAsync(1, Settle, default);
        var final = (await pool.Store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Finalized, null), (final.State, final.Error));
        Assert.Equal(0, pool.Runtime.SubmitFailures);
    }

    /// <summary>One of anvil's own JSON-RPC methods on the shared node (mining, balances).</summary>
    private async Task AnvilAsync(string method, params object[] parameters)
    {
        using var http = new HttpClient();
        var body = System.Text.Json.JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        using var response = await http.PostAsync(fixture.Anvil.Url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode && !text.Contains("\"error\"", StringComparison.Ordinal), $"{method}: {text}");
    }

    [Fact]
    public async Task The_dashboard_is_served_on_loopback_and_refuses_changes_by_default()
    {
        await using var pool = await StartAsync(chain: null, workers: 0, dashboardPort: 0);
        Assert.NotNull(pool.DashboardUrl);
        Assert.Equal("127.0.0.1", pool.DashboardUrl.Host);
        using var http = new HttpClient();

        var page = await http.GetAsync(pool.DashboardUrl);
        var delete = await http.PostAsync(pool.DashboardUrl + "/jobs/enqueued/delete", new FormUrlEncodedContent([new("jobs[]", "1")]));

        Assert.True(page.IsSuccessStatusCode, $"GET {pool.DashboardUrl}: {page.StatusCode}");
        Assert.Contains("Hangfire", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(delete.IsSuccessStatusCode, $"a read-only dashboard accepted a delete ({delete.StatusCode})");
    }

    private Task<ProverPool> StartAsync(PoolChain? chain, int workers, string? witnessDirectory = null, int? dashboardPort = null, ProvingSetup? proving = null, TimeSpan? lease = null) =>
        ProverPool.StartAsync(
            new ProverPoolOptions
            {
                Storage = new PoolStorage.Sqlite(_dir.Combine("pool")),
                WorkDirectory = _dir.Combine("work"),
                Workers = workers,
                WitnessDirectory = witnessDirectory,
                DashboardPort = dashboardPort,
                // Renewed every third of it, so a worker stalled a few seconds on a loaded machine keeps
                // a live lease; the dead-worker test claims with a lease of its own (1.5 s).
                Lease = lease ?? TimeSpan.FromSeconds(15),
                ReconcileInterval = TimeSpan.FromMilliseconds(500),
                RetryBaseDelay = TimeSpan.FromMilliseconds(500),
            },
            workers > 0 ? proving ?? fixture.Proving : null,
            chain,
            fixture.VerificationKeyHash,
            loggerFactory: null,
            time: null,
            default);

    private static async Task WaitForAsync(ProverPool pool, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Settle;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("timed out; the store holds: " + string.Join(", ", (await pool.Store.ListAsync(default)).Select(r => $"{r.Index} {r.State} {r.Error}")));
            }

            await Task.Delay(200);
        }
    }
}
