using Prover.Core.Ethereum;

namespace Prover.Workers.Tests;

/// <summary>The store's conditional updates, which every exactly-once argument rests on, on both databases.</summary>
[Collection(PoolCollection.Name)]
public sealed class PoolStoreTests(PoolFixture fixture) : IDisposable
{
    private const long Lease = 10_000;
    private readonly TempDirectory _dir = new();
    private readonly TestLog _log = new(PoolFixture.ChainId, EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Storing_a_batch_twice_keeps_the_first_and_reports_the_repeat(string database)
    {
        var store = await OpenAsync(database);
        var witness = _log.NextBatch(3);

        Assert.True(await store.AddAsync(witness, 1_000, default));
        Assert.False(await store.AddAsync(witness, 2_000, default));

        var record = await store.GetAsync(0, default);
        Assert.NotNull(record);
        Assert.Equal(BatchState.Pending, record.State);
        Assert.Equal(3, record.Count);
        Assert.Equal(1_000, record.CreatedMs);
        Assert.Equal(witness.ToJson(), record.Witness);
        Assert.Equal(0UL, await store.MaxIndexAsync(default));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Only_one_worker_claims_a_batch_until_its_lease_runs_out(string database)
    {
        var store = await OpenAsync(database);
        await store.AddAsync(_log.NextBatch(2), 0, default);

        Assert.True(await store.TryClaimAsync(0, "a", 1_000, Lease, default));
        Assert.False(await store.TryClaimAsync(0, "b", 1_001, Lease, default));
        Assert.True(await store.RenewAsync(0, "a", 5_000, Lease, default));
        Assert.False(await store.TryClaimAsync(0, "b", 14_000, Lease, default)); // renewed until 15,000
        Assert.False(await store.RenewAsync(0, "b", 14_000, Lease, default));

        Assert.True(await store.TryClaimAsync(0, "b", 15_001, Lease, default)); // a stopped renewing: b takes over
        Assert.False(await store.RenewAsync(0, "a", 15_002, Lease, default));
        Assert.False(await store.CompleteAsync(0, "a", "{}", "[]", 1, 15_003, default));
        Assert.True(await store.CompleteAsync(0, "b", "{\"pi_a\":[]}", "[\"1\"]", 1_234, 16_000, default));

        var record = (await store.GetAsync(0, default))!;
        Assert.Equal(BatchState.Proved, record.State);
        Assert.Equal("b", record.ProvedBy);
        Assert.Equal(1_234, record.ProveMs);
        Assert.Equal(2, record.Attempts);
        Assert.Null(record.LeaseOwner);
        Assert.False(await store.TryClaimAsync(0, "c", 100_000, Lease, default)); // proved: nothing to claim
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_released_lease_lets_the_next_claim_in_at_once_and_a_failure_is_final(string database)
    {
        var store = await OpenAsync(database);
        await store.AddAsync(_log.NextBatch(1), 0, default);

        Assert.True(await store.TryClaimAsync(0, "a", 1_000, Lease, default));
        Assert.True(await store.ReleaseAsync(0, "a", "snarkjs crashed", 1_100, default));
        var released = (await store.GetAsync(0, default))!;
        Assert.Equal(BatchState.Pending, released.State);
        Assert.Equal("snarkjs crashed", released.Error);
        Assert.True(await store.TryClaimAsync(0, "b", 1_200, Lease, default));

        Assert.True(await store.FailAsync(0, "unsatisfiable", 1_300, default));
        Assert.False(await store.TryClaimAsync(0, "c", 100_000, Lease, default));
        Assert.False(await store.CompleteAsync(0, "b", "{}", "[]", 1, 1_400, default));
        Assert.Equal(BatchState.Failed, (await store.GetAsync(0, default))!.State);
        Assert.True(await store.SetJobAsync(0, "job-1", 1_350, default));
        Assert.True(await store.RetryAsync(0, 1_500, default));
        var retried = (await store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Pending, null, null, 0), (retried.State, retried.Error, retried.JobId, retried.Attempts));
        Assert.False(await store.RetryAsync(0, 1_600, default)); // only a failed batch
        Assert.True(await store.TryClaimAsync(0, "d", 1_700, Lease, default));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Finality_is_recorded_once_and_counted_by_state(string database)
    {
        var store = await OpenAsync(database);
        foreach (var witness in _log.Next(3))
        {
            await store.AddAsync(witness, 0, default);
        }

        Assert.True(await store.TryClaimAsync(1, "a", 10, Lease, default));
        Assert.True(await store.CompleteAsync(1, "a", "{}", "[]", 5, 20, default));
        Assert.True(await store.MarkSubmittedAsync(1, 30, default));
        Assert.True(await store.MarkFinalizedAsync(1, "0xabc", 250_000, 40, default));
        Assert.False(await store.MarkFinalizedAsync(1, "0xdef", 1, 50, default));
        Assert.True(await store.MarkFinalizedAsync(2, null, null, 60, default)); // found final on chain, no receipt at hand

        var first = (await store.GetAsync(1, default))!;
        Assert.Equal(("0xabc", 250_000L, 40L), (first.TransactionHash, first.GasUsed!.Value, first.FinalizedMs!.Value));
        var counts = await store.CountsAsync(default);
        Assert.Equal(1, counts[BatchState.Pending]);
        Assert.Equal(2, counts[BatchState.Finalized]);
        Assert.Equal([0UL], (await store.ListAsync(default, BatchState.Pending)).Select(b => b.Index));
        Assert.All(await store.ListAsync(default), b => Assert.Null(b.Witness)); // listings leave the witness out
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_named_lease_has_one_holder_until_it_is_released_or_runs_out(string database)
    {
        var store = await OpenAsync(database);

        Assert.True(await store.TryLeaseAsync("submitter", "a", 1_000, Lease, default));
        Assert.False(await store.TryLeaseAsync("submitter", "b", 2_000, Lease, default));
        Assert.True(await store.TryLeaseAsync("submitter", "a", 3_000, Lease, default)); // the holder extends it
        Assert.False(await store.TryLeaseAsync("submitter", "b", 12_000, Lease, default));
        Assert.True(await store.TryLeaseAsync("submitter", "b", 13_001, Lease, default)); // ran out
        Assert.False(await store.ReleaseLeaseAsync("submitter", "a", default));
        Assert.True(await store.ReleaseLeaseAsync("submitter", "b", default));
        Assert.True(await store.TryLeaseAsync("submitter", "a", 13_002, Lease, default));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_setting_is_written_once_and_the_first_value_wins(string database)
    {
        var store = await OpenAsync(database);

        Assert.Null(await store.GetSettingAsync("inbox", default));
        Assert.Equal("one", await store.SetSettingOnceAsync("inbox", "one", default));
        Assert.Equal("one", await store.SetSettingOnceAsync("inbox", "two", default));
        Assert.Equal("one", await store.GetSettingAsync("inbox", default));
    }

    [Fact]
    public async Task An_unreachable_database_is_a_transient_error_naming_the_store_without_credentials()
    {
        var store = PoolStore.Postgres("Host=127.0.0.1;Port=9;Database=nowhere;Username=u;Password=secret;Timeout=2");

        var e = await Assert.ThrowsAsync<PoolStoreUnavailableException>(() => store.InitializeAsync(default));

        Assert.Equal("postgres://127.0.0.1:9/nowhere", e.Store);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
        Assert.Contains("Check that the database is running", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_with_an_example()
    {
        var e = Assert.Throws<PoolConfigurationException>(() => PoolStore.Postgres("Host=127.0.0.1;Bogus Key=1"));

        Assert.Equal("--postgres", e.Setting);
        Assert.Contains("Host=127.0.0.1;Port=5432", e.Message, StringComparison.Ordinal);
    }

    private async Task<PoolStore> OpenAsync(string database)
    {
        var store = database == "sqlite" ? PoolStore.Sqlite(_dir.Combine("pool.db")) : PoolStore.Postgres(await fixture.Postgres.CreateDatabaseAsync());
        await store.InitializeAsync(default);
        return store;
    }
}
