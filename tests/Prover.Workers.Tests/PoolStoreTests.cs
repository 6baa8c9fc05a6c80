using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Workers.Tests;

/// <summary>The store's conditional updates, which every exactly-once argument rests on, on both databases.</summary>
[Collection(PoolCollection.Name)]
public sealed class PoolStoreTests(PoolFixture fixture) : IDisposable
{
    private const long Lease = 10_000;
    private readonly TempDirectory _dir = new();
    private static readonly EthAddress Inbox = EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    private readonly TestLog _log = new(PoolFixture.ChainId, Inbox);
    private readonly TestLog _shuffleLog = new(PoolFixture.ChainId, Inbox, PoolFixture.Shuffle);

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

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_shuffle_batch_is_not_claimed_for_proving_until_its_draw_is_recorded_and_the_draw_is_recorded_once(string database)
    {
        var store = await OpenAsync(database);
        Assert.True(await store.AddAsync(_log.NextBatch(1), 0, default));
        _shuffleLog.NextBatch(1); // index 0 is the fcfs batch's
        var witness = _shuffleLog.NextBatch(2);
        Assert.True(await store.AddAsync(witness, 1_000, default));

        Assert.Null((await store.GetAsync(0, default))!.Draws); // fcfs draws no beacon
        Assert.True((await store.GetAsync(witness.BatchIndex, default))!.AwaitsDraw);
        Assert.False(await store.TryClaimAsync(witness.BatchIndex, "a", 2_000, Lease, default));
        var drawn = witness.WithBeacon(Fr.FromUInt64(7));
        Assert.True(await store.RecordDrawAsync(drawn, 40, 1, 3_000, default));
        Assert.False(await store.RecordDrawAsync(witness.WithBeacon(Fr.FromUInt64(8)), 41, 1, 3_100, default)); // drawn already
        Assert.True(await store.TryClaimAsync(witness.BatchIndex, "a", 4_000, Lease, default));

        var record = (await store.GetAsync(witness.BatchIndex, default))!;
        Assert.Equal((1, 40UL, Fr.FromUInt64(7).ToHex(), 3_000L), (record.Draws, record.BeaconBlock, record.Beacon, record.DrawnMs));
        Assert.Equal(drawn.ToJson(), record.Witness);
        Assert.Equal(1, (await store.ListAsync(default, BatchState.Proving)).Single().Draws); // listings carry the draw
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_redraw_drops_the_proof_ends_the_proving_lease_and_applies_once_per_beacon(string database)
    {
        var store = await OpenAsync(database);
        var witness = _shuffleLog.NextBatch(3);
        await store.AddAsync(witness, 0, default);
        await store.RecordDrawAsync(witness.WithBeacon(Fr.FromUInt64(7)), 40, 1, 10, default);
        Assert.True(await store.TryClaimAsync(0, "a", 20, Lease, default));

        var redrawn = witness.WithBeacon(Fr.FromUInt64(9));
        Assert.True(await store.RedrawAsync(redrawn, 300, 2, "expired", 30, default));
        Assert.False(await store.RedrawAsync(redrawn, 300, 2, "expired", 31, default)); // the same beacon again changes nothing
        Assert.False(await store.RenewAsync(0, "a", 35, Lease, default)); // the worker proving the old order learns it lost the batch
        Assert.False(await store.CompleteAsync(0, "a", "{}", "[]", 1, 40, default)); // and its proof is not stored

        var record = (await store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Pending, 2, 300UL, "expired", null), (record.State, record.Draws, record.BeaconBlock, record.Error, record.LeaseOwner));
        Assert.Equal(redrawn.ToJson(), record.Witness);
        Assert.True(await store.TryClaimAsync(0, "b", 50, Lease, default));
        Assert.True(await store.CompleteAsync(0, "b", "{}", "[]", 1, 60, default));
        Assert.True(await store.RedrawAsync(witness.WithBeacon(Fr.FromUInt64(10)), 600, 3, "moved", 65, default));
        var reproved = (await store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Pending, null, null, null), (reproved.State, reproved.Proof, reproved.ProvedBy, reproved.JobId));

        Assert.True(await store.UndrawAsync(witness, "commitment lost", 70, default));
        var undrawn = (await store.GetAsync(0, default))!;
        Assert.Equal((true, null, null, witness.ToJson()), (undrawn.AwaitsDraw, undrawn.BeaconBlock, undrawn.Beacon, undrawn.Witness));
        Assert.False(await store.TryClaimAsync(0, "c", 80, Lease, default));
        await store.RecordDrawAsync(redrawn, 700, 1, 90, default);
        await store.MarkFinalizedAsync(0, "0xabc", 1, 100, default);
        Assert.False(await store.RedrawAsync(witness.WithBeacon(Fr.FromUInt64(11)), 800, 2, "late", 110, default)); // final stays final
        Assert.False(await store.UndrawAsync(witness, "late", 110, default));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_store_made_before_beacon_draws_gains_their_columns_and_keeps_its_batches(string database)
    {
        var (store, connect) = database == "sqlite"
            ? (PoolStore.Sqlite(_dir.Combine("old.db")), (Func<System.Data.Common.DbConnection>)(() => new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_dir.Combine("old.db")}")))
            : await PostgresWithConnectionAsync();
        await using (var connection = connect())
        {
            await connection.OpenAsync();
            foreach (var sql in new[]
            {
                "CREATE TABLE prover_batches (batch_index BIGINT PRIMARY KEY, state TEXT NOT NULL, policy TEXT NOT NULL, tx_count INTEGER NOT NULL, witness TEXT NOT NULL, proof TEXT NULL, public_signals TEXT NULL, lease_owner TEXT NULL, lease_until_ms BIGINT NULL, job_id TEXT NULL, attempts INTEGER NOT NULL DEFAULT 0, error TEXT NULL, proved_by TEXT NULL, prove_ms BIGINT NULL, tx_hash TEXT NULL, gas_used BIGINT NULL, created_ms BIGINT NOT NULL, proved_ms BIGINT NULL, finalized_ms BIGINT NULL, updated_ms BIGINT NOT NULL)",
                "INSERT INTO prover_batches (batch_index, state, policy, tx_count, witness, tx_hash, created_ms, updated_ms) VALUES (0, 'finalized', 'fcfs', 2, '{}', '0xabc', 1, 2)",
            })
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync();
            }
        }

        await store.InitializeAsync(default);
        await store.InitializeAsync(default); // a second process starting on it

        var old = (await store.GetAsync(0, default))!;
        Assert.Equal((BatchState.Finalized, "0xabc", null, null), (old.State, old.TransactionHash, old.Draws, old.BeaconBlock));
        _shuffleLog.NextBatch(1); // index 0 is the old store's
        Assert.True(await store.AddAsync(_shuffleLog.NextBatch(1), 3, default));
        Assert.True((await store.ListAsync(default, BatchState.Pending)).Single().AwaitsDraw);
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

    private async Task<(PoolStore Store, Func<System.Data.Common.DbConnection> Connect)> PostgresWithConnectionAsync()
    {
        var connection = await fixture.Postgres.CreateDatabaseAsync();
        return (PoolStore.Postgres(connection), () => new Npgsql.NpgsqlConnection(connection));
    }

    private async Task<PoolStore> OpenAsync(string database)
    {
        var store = database == "sqlite" ? PoolStore.Sqlite(_dir.Combine("pool.db")) : PoolStore.Postgres(await fixture.Postgres.CreateDatabaseAsync());
        await store.InitializeAsync(default);
        return store;
    }
}
