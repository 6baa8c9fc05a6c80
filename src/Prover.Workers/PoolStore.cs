using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Prover.Core.Batches;
using Prover.Core.Ordering;

namespace Prover.Workers;

/// <summary>A batch as the data store holds it.</summary>
/// <param name="ProvedBy">The worker that stored the proof.</param>
/// <param name="ProveMs">How long computing the witness and proving took, in ms.</param>
/// <param name="Draws">
/// For a policy that draws a beacon on chain (the shuffle): 0 while the batch is not committed and has no
/// order, else the inbox's draw counter of the beacon its stored witness is ordered with (1, plus one per
/// redraw after an expiry). Null for the other policies.
/// </param>
/// <param name="BeaconBlock">The block whose hash is the stored witness's beacon; null before the draw.</param>
/// <param name="Beacon">That beacon (hex); null before the draw.</param>
/// <param name="DrawnMs">When the stored witness's beacon was recorded.</param>
public sealed record BatchRecord(
    ulong Index,
    BatchState State,
    string Policy,
    int Count,
    string? Witness,
    string? Proof,
    string? PublicSignals,
    string? LeaseOwner,
    long? LeaseUntilMs,
    string? JobId,
    int Attempts,
    string? Error,
    string? ProvedBy,
    long? ProveMs,
    string? TransactionHash,
    long? GasUsed,
    long CreatedMs,
    long? ProvedMs,
    long? FinalizedMs,
    long UpdatedMs,
    int? Draws = null,
    ulong? BeaconBlock = null,
    string? Beacon = null,
    long? DrawnMs = null)
{
    /// <summary>A batch whose policy draws a beacon on chain and that is not committed yet: it has no order, so nothing can prove it.</summary>
    public bool AwaitsDraw => Draws == 0;
}

/// <summary>
/// The pool's source of truth: every batch with its state, proof and lease, plus named leases (the
/// submitter's) and the inbox the store belongs to. The queue only carries hints; everything a job
/// does is decided by a conditional update here, so a job that runs twice changes nothing the second time.
/// </summary>
/// <remarks>
/// One SQL text serves SQLite and PostgreSQL (both take <c>@name</c> parameters, <c>ON CONFLICT</c> and
/// <c>RETURNING</c>). Times are the workers' clocks in Unix ms: leases are tens of seconds long, so clocks
/// that agree to within a second (NTP) are enough.
/// </remarks>
public sealed class PoolStore
{
    private const string Columns =
        "batch_index, state, policy, tx_count, witness, proof, public_signals, lease_owner, lease_until_ms, job_id, attempts, error, proved_by, prove_ms, tx_hash, gas_used, created_ms, proved_ms, finalized_ms, updated_ms, draws, beacon_block, beacon, drawn_ms";

    private const string SummaryColumns =
        "batch_index, state, policy, tx_count, NULL, NULL, NULL, lease_owner, lease_until_ms, job_id, attempts, error, proved_by, prove_ms, tx_hash, gas_used, created_ms, proved_ms, finalized_ms, updated_ms, draws, beacon_block, beacon, drawn_ms";

    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS prover_batches (
            batch_index BIGINT PRIMARY KEY,
            state TEXT NOT NULL,
            policy TEXT NOT NULL,
            tx_count INTEGER NOT NULL,
            witness TEXT NOT NULL,
            proof TEXT NULL,
            public_signals TEXT NULL,
            lease_owner TEXT NULL,
            lease_until_ms BIGINT NULL,
            job_id TEXT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT NULL,
            proved_by TEXT NULL,
            prove_ms BIGINT NULL,
            tx_hash TEXT NULL,
            gas_used BIGINT NULL,
            created_ms BIGINT NOT NULL,
            proved_ms BIGINT NULL,
            finalized_ms BIGINT NULL,
            updated_ms BIGINT NOT NULL,
            draws INTEGER NULL,
            beacon_block BIGINT NULL,
            beacon TEXT NULL,
            drawn_ms BIGINT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS prover_batches_state ON prover_batches (state, batch_index)",
        "CREATE TABLE IF NOT EXISTS prover_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ms BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS prover_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ];

    // A store created before batches could await a beacon lacks these columns; InitializeAsync adds them
    // (empty, which is what every batch of such a store is: a policy without a beacon).
    private static readonly (string Name, string Type)[] DrawColumns =
        [("draws", "INTEGER NULL"), ("beacon_block", "BIGINT NULL"), ("beacon", "TEXT NULL"), ("drawn_ms", "BIGINT NULL")];

    private readonly Func<DbConnection> _connect;
    private readonly bool _sqlite;

    private PoolStore(Func<DbConnection> connect, string description, bool sqlite)
    {
        _connect = connect;
        Description = description;
        _sqlite = sqlite;
    }

    /// <summary>Where the store is, without credentials.</summary>
    public string Description { get; }

    /// <summary>The embedded store: one SQLite file (WAL, so readers never block the writer).</summary>
    public static PoolStore Sqlite(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = full, DefaultTimeout = 30, Pooling = true }.ToString();
        return new PoolStore(() => new SqliteConnection(connectionString), "sqlite:" + full, sqlite: true);
    }

    /// <summary>The distributed store: a PostgreSQL database that every worker shares.</summary>
    public static PoolStore Postgres(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new PoolConfigurationException("--postgres", $"not a PostgreSQL connection string ({e.Message}); e.g. \"Host=127.0.0.1;Port=5432;Database=prover;Username=prover\".");
        }

        return new PoolStore(() => new NpgsqlConnection(connectionString), $"postgres://{builder.Host}:{builder.Port}/{builder.Database}", sqlite: false);
    }

    /// <summary>Creates the tables if they are missing.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await RunAsync("creating the schema", async connection =>
        {
            if (_sqlite)
            {
                await ExecuteAsync(connection, "PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
            }

            foreach (var statement in Schema)
            {
                await ExecuteAsync(connection, statement, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (name, type) in DrawColumns)
            {
                await AddColumnAsync(connection, name, type, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores a newly cut batch as pending. False when the index is already stored (a repeated import):
    /// nothing changes. A batch whose policy draws a beacon on chain (the shuffle) is stored awaiting its
    /// draw (<see cref="BatchRecord.AwaitsDraw"/>), whatever order its file may hold: only the inbox's
    /// commitment gives it one.
    /// </summary>
    public Task<bool> AddAsync(OrderingWitness witness, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(witness);
        var draws = DrawsBeacon(witness) ? (object)0 : TypedNull.Int32;
        return AffectsOneAsync(
            "storing a batch",
            "INSERT INTO prover_batches (batch_index, state, policy, tx_count, witness, draws, created_ms, updated_ms) VALUES (@i, 'pending', @p, @c, @w, @d, @now, @now) ON CONFLICT (batch_index) DO NOTHING",
            cancellationToken,
            ("i", (long)witness.BatchIndex), ("p", witness.Policy.Spec), ("c", witness.Count), ("w", witness.ToJson()), ("d", draws), ("now", nowMs));
    }

    /// <summary>Whether the witness's policy has the inbox draw a beacon for each batch (the shuffle): such a batch is stored awaiting its draw.</summary>
    public static bool DrawsBeacon(OrderingWitness witness)
    {
        ArgumentNullException.ThrowIfNull(witness);
        return OrderingPolicy.TryParse(witness.Policy.Spec, out var policy, out _) && policy is { NeedsBeacon: true };
    }

    /// <summary>Stores a batch that is failed from the start (its witness is invalid), so the failure is visible and the index is not lost.</summary>
    public Task<bool> AddFailedAsync(ulong index, string policy, int count, string witnessJson, string error, long nowMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "storing a failed batch",
            "INSERT INTO prover_batches (batch_index, state, policy, tx_count, witness, error, created_ms, updated_ms) VALUES (@i, 'failed', @p, @c, @w, @e, @now, @now) ON CONFLICT (batch_index) DO NOTHING",
            cancellationToken,
            ("i", (long)index), ("p", policy), ("c", count), ("w", witnessJson), ("e", error), ("now", nowMs));

    /// <summary>The batch with its witness and proof, or null when the index is not stored.</summary>
    public async Task<BatchRecord?> GetAsync(ulong index, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("reading a batch", $"SELECT {Columns} FROM prover_batches WHERE batch_index = @i", cancellationToken, ("i", (long)index)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Batches in <paramref name="states"/> (all when empty), in index order, without witness and proof.</summary>
    public Task<IReadOnlyList<BatchRecord>> ListAsync(CancellationToken cancellationToken, params BatchState[] states)
    {
        var filter = states.Length == 0 ? "" : $"WHERE state IN ({string.Join(", ", states.Select(s => $"'{s.ToText()}'"))})";
        return QueryAsync("listing batches", $"SELECT {SummaryColumns} FROM prover_batches {filter} ORDER BY batch_index", cancellationToken);
    }

    /// <summary>How many batches are in each state.</summary>
    public async Task<IReadOnlyDictionary<BatchState, int>> CountsAsync(CancellationToken cancellationToken)
    {
        var counts = Enum.GetValues<BatchState>().ToDictionary(s => s, _ => 0);
        await RunAsync("counting batches", async connection =>
        {
            using var command = Command(connection, "SELECT state, COUNT(*) FROM prover_batches GROUP BY state");
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                counts[BatchStates.Parse(reader.GetString(0))] = Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return counts;
    }

    /// <summary>The highest stored index, or null for an empty store.</summary>
    public async Task<ulong?> MaxIndexAsync(CancellationToken cancellationToken)
    {
        var value = await ScalarAsync("reading the last batch index", "SELECT MAX(batch_index) FROM prover_batches", cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Records the Hangfire job that was last enqueued for a batch.</summary>
    public Task<bool> SetJobAsync(ulong index, string jobId, long nowMs, CancellationToken cancellationToken) =>
        AffectsOneAsync("recording a batch's job", "UPDATE prover_batches SET job_id = @j, updated_ms = @now WHERE batch_index = @i", cancellationToken, ("i", (long)index), ("j", jobId), ("now", nowMs));

    /// <summary>
    /// Takes the batch's proving lease for <paramref name="owner"/>: only a pending batch, or one whose
    /// lease ran out (its worker died), can be claimed, and never one awaiting its beacon's draw (it has no
    /// order to prove). False when another worker holds it or it is past proving.
    /// </summary>
    public Task<bool> TryClaimAsync(ulong index, string owner, long nowMs, long leaseMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "claiming a batch",
            "UPDATE prover_batches SET state = 'proving', lease_owner = @o, lease_until_ms = @until, attempts = attempts + 1, updated_ms = @now " +
            "WHERE batch_index = @i AND (state = 'pending' OR (state = 'proving' AND lease_until_ms < @now)) AND (draws IS NULL OR draws > 0)",
            cancellationToken,
            ("i", (long)index), ("o", owner), ("until", nowMs + leaseMs), ("now", nowMs));

    /// <summary>Extends a lease <paramref name="owner"/> still holds. False when it lost it (it ran out and another worker took the batch).</summary>
    public Task<bool> RenewAsync(ulong index, string owner, long nowMs, long leaseMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "renewing a lease",
            "UPDATE prover_batches SET lease_until_ms = @until, updated_ms = @now WHERE batch_index = @i AND state = 'proving' AND lease_owner = @o",
            cancellationToken,
            ("i", (long)index), ("o", owner), ("until", nowMs + leaseMs), ("now", nowMs));

    /// <summary>Stores the proof if <paramref name="owner"/> still holds the lease. False when it does not: another worker's proof counts instead.</summary>
    public Task<bool> CompleteAsync(ulong index, string owner, string proof, string publicSignals, long proveMs, long nowMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "storing a proof",
            "UPDATE prover_batches SET state = 'proved', proof = @proof, public_signals = @pub, proved_by = @o, prove_ms = @ms, proved_ms = @now, lease_owner = NULL, lease_until_ms = NULL, error = NULL, updated_ms = @now " +
            "WHERE batch_index = @i AND state = 'proving' AND lease_owner = @o",
            cancellationToken,
            ("i", (long)index), ("o", owner), ("proof", proof), ("pub", publicSignals), ("ms", proveMs), ("now", nowMs));

    /// <summary>Gives a lease back after a transient failure, so the retry (or another worker) can claim the batch at once.</summary>
    public Task<bool> ReleaseAsync(ulong index, string owner, string error, long nowMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "releasing a lease",
            "UPDATE prover_batches SET state = 'pending', lease_owner = NULL, lease_until_ms = NULL, error = @e, updated_ms = @now WHERE batch_index = @i AND state = 'proving' AND lease_owner = @o",
            cancellationToken,
            ("i", (long)index), ("o", owner), ("e", error), ("now", nowMs));

    /// <summary>Marks a batch failed for good, from any state before finality.</summary>
    public Task<bool> FailAsync(ulong index, string error, long nowMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "marking a batch failed",
            "UPDATE prover_batches SET state = 'failed', error = @e, lease_owner = NULL, lease_until_ms = NULL, updated_ms = @now WHERE batch_index = @i AND state <> 'finalized'",
            cancellationToken,
            ("i", (long)index), ("e", error), ("now", nowMs));

    /// <summary>
    /// Puts a failed batch back to pending (an operator's retry after fixing the cause): its old job and
    /// attempts are forgotten, so the reconciler enqueues it on its next pass without a backoff.
    /// </summary>
    public Task<bool> RetryAsync(ulong index, long nowMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "retrying a failed batch",
            "UPDATE prover_batches SET state = 'pending', error = NULL, proof = NULL, public_signals = NULL, job_id = NULL, attempts = 0, lease_owner = NULL, lease_until_ms = NULL, updated_ms = @now WHERE batch_index = @i AND state = 'failed'",
            cancellationToken,
            ("i", (long)index), ("now", nowMs));

    /// <summary>
    /// Records a batch's first draw: the witness ordered with the beacon the inbox drew when it recorded
    /// the batch's commitment. Only a batch still pending and awaiting its draw takes it, so a draw
    /// recorded twice (two submitters, a retried pass) changes nothing the second time.
    /// </summary>
    /// <param name="draws">The inbox's draw counter of that beacon (1 unless it was drawn again since).</param>
    public Task<bool> RecordDrawAsync(OrderingWitness drawn, ulong beaconBlock, uint draws, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drawn);
        return AffectsOneAsync(
            "recording a batch's beacon",
            "UPDATE prover_batches SET witness = @w, draws = @d, beacon_block = @b, beacon = @beacon, drawn_ms = @now, error = NULL, updated_ms = @now " +
            "WHERE batch_index = @i AND state = 'pending' AND draws = 0",
            cancellationToken,
            ("i", (long)drawn.BatchIndex), ("w", drawn.ToJson()), ("d", (int)draws), ("b", (long)beaconBlock), ("beacon", BeaconText(drawn)), ("now", nowMs));
    }

    /// <summary>
    /// Replaces a drawn batch's order with one for another beacon (its beacon expired and was drawn again,
    /// or a reorg moved its commitment to another block): the batch is pending again, its proof (made for
    /// the old beacon, which the inbox would refuse) is dropped and any worker's lease on it ends, so a
    /// late proof of the old order cannot be stored. Not a failure: nothing about the batch is wrong.
    /// Applies once per beacon; a batch final or failed keeps what it has.
    /// </summary>
    /// <param name="reason">Why, kept as the batch's last error for <c>prover pool status</c>.</param>
    public Task<bool> RedrawAsync(OrderingWitness drawn, ulong beaconBlock, uint draws, string reason, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drawn);
        return AffectsOneAsync(
            "recording a batch's new beacon",
            "UPDATE prover_batches SET state = 'pending', witness = @w, draws = @d, beacon_block = @b, beacon = @beacon, drawn_ms = @now, error = @e, " +
            "proof = NULL, public_signals = NULL, proved_by = NULL, prove_ms = NULL, proved_ms = NULL, job_id = NULL, lease_owner = NULL, lease_until_ms = NULL, updated_ms = @now " +
            "WHERE batch_index = @i AND state IN ('pending', 'proving', 'proved', 'submitted') AND draws > 0 AND beacon <> @beacon",
            cancellationToken,
            ("i", (long)drawn.BatchIndex), ("w", drawn.ToJson()), ("d", (int)draws), ("b", (long)beaconBlock), ("beacon", BeaconText(drawn)), ("e", reason), ("now", nowMs));
    }

    /// <summary>
    /// Puts a drawn batch back to awaiting its draw, with <paramref name="undrawn"/> as its witness: the
    /// inbox no longer holds its commitment (a reorg dropped the transaction), so it must be committed
    /// again and gets a new beacon. Its proof is dropped, as in <see cref="RedrawAsync"/>.
    /// </summary>
    public Task<bool> UndrawAsync(OrderingWitness undrawn, string reason, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(undrawn);
        return AffectsOneAsync(
            "returning a batch to its commitment",
            "UPDATE prover_batches SET state = 'pending', witness = @w, draws = 0, beacon_block = NULL, beacon = NULL, drawn_ms = NULL, error = @e, " +
            "proof = NULL, public_signals = NULL, proved_by = NULL, prove_ms = NULL, proved_ms = NULL, job_id = NULL, lease_owner = NULL, lease_until_ms = NULL, updated_ms = @now " +
            "WHERE batch_index = @i AND state IN ('pending', 'proving', 'proved', 'submitted') AND draws > 0",
            cancellationToken,
            ("i", (long)undrawn.BatchIndex), ("w", undrawn.ToJson()), ("e", reason), ("now", nowMs));
    }

    /// <summary>
    /// Records why the batch's last submission (or, awaiting its draw, its commitment) failed, on a batch
    /// still waiting for the chain (shown by <c>prover pool status</c>).
    /// </summary>
    public Task<bool> NoteErrorAsync(ulong index, string error, long nowMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "recording a submission error",
            "UPDATE prover_batches SET error = @e, updated_ms = @now WHERE batch_index = @i AND (state IN ('proved', 'submitted') OR (state = 'pending' AND draws = 0))",
            cancellationToken,
            ("i", (long)index), ("e", error), ("now", nowMs));

    /// <summary>Records that the batch's submitBatch transaction was sent.</summary>
    public Task<bool> MarkSubmittedAsync(ulong index, long nowMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "marking a batch submitted",
            "UPDATE prover_batches SET state = 'submitted', updated_ms = @now WHERE batch_index = @i AND state IN ('proved', 'submitted')",
            cancellationToken,
            ("i", (long)index), ("now", nowMs));

    /// <summary>Records finality. Idempotent: a batch already final keeps its first record.</summary>
    public Task<bool> MarkFinalizedAsync(ulong index, string? transactionHash, long? gasUsed, long nowMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "marking a batch finalized",
            "UPDATE prover_batches SET state = 'finalized', tx_hash = @tx, gas_used = @gas, finalized_ms = @now, lease_owner = NULL, lease_until_ms = NULL, error = NULL, updated_ms = @now WHERE batch_index = @i AND state <> 'finalized'",
            cancellationToken,
            ("i", (long)index), ("tx", (object?)transactionHash ?? TypedNull.Text), ("gas", (object?)gasUsed ?? TypedNull.Int64), ("now", nowMs));

    /// <summary>
    /// Takes or extends the named lease (e.g. the submitter's) for <paramref name="owner"/>: granted when
    /// free, expired, or already this owner's.
    /// </summary>
    public Task<bool> TryLeaseAsync(string name, string owner, long nowMs, long leaseMs, CancellationToken cancellationToken) =>
        AffectsOneAsync(
            "taking a lease",
            "INSERT INTO prover_leases (name, owner, until_ms) VALUES (@n, @o, @until) " +
            "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms WHERE prover_leases.until_ms < @now OR prover_leases.owner = excluded.owner",
            cancellationToken,
            ("n", name), ("o", owner), ("until", nowMs + leaseMs), ("now", nowMs));

    /// <summary>Gives the named lease back if <paramref name="owner"/> holds it.</summary>
    public Task<bool> ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken) =>
        AffectsOneAsync("releasing a lease", "DELETE FROM prover_leases WHERE name = @n AND owner = @o", cancellationToken, ("n", name), ("o", owner));

    /// <summary>A setting, or null.</summary>
    public async Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken) =>
        await ScalarAsync("reading a setting", "SELECT value FROM prover_settings WHERE name = @n", cancellationToken, ("n", name)).ConfigureAwait(false) as string;

    /// <summary>Sets a setting once: returns the value now stored, which is <paramref name="value"/> unless another process set it first.</summary>
    public async Task<string> SetSettingOnceAsync(string name, string value, CancellationToken cancellationToken)
    {
        await AffectsOneAsync("writing a setting", "INSERT INTO prover_settings (name, value) VALUES (@n, @v) ON CONFLICT (name) DO NOTHING", cancellationToken, ("n", name), ("v", value)).ConfigureAwait(false);
        return await GetSettingAsync(name, cancellationToken).ConfigureAwait(false) ?? value;
    }

    private async Task<bool> AffectsOneAsync(string operation, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        await RunAsync(operation, async connection =>
        {
            using var command = Command(connection, sql, parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false) == 1;

    private Task<object?> ScalarAsync(string operation, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RunAsync(operation, async connection =>
        {
            using var command = Command(connection, sql, parameters);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private Task<IReadOnlyList<BatchRecord>> QueryAsync(string operation, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RunAsync<IReadOnlyList<BatchRecord>>(operation, async connection =>
        {
            using var command = Command(connection, sql, parameters);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<BatchRecord>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Read(reader));
            }

            return rows;
        }, cancellationToken);

    private static BatchRecord Read(DbDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        long? Long(int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        return new BatchRecord(
            (ulong)Long(0)!.Value, BatchStates.Parse(r.GetString(1)), r.GetString(2), (int)Long(3)!.Value, Text(4), Text(5), Text(6),
            Text(7), Long(8), Text(9), (int)Long(10)!.Value, Text(11), Text(12), Long(13), Text(14), Long(15), Long(16)!.Value, Long(17), Long(18), Long(19)!.Value,
            (int?)Long(20), (ulong?)Long(21), Text(22), Long(23));
    }

    private static string BeaconText(OrderingWitness drawn) =>
        (drawn.Beacon ?? throw new ArgumentException($"Batch {drawn.BatchIndex}'s witness has no beacon: order it with the drawn one first.", nameof(drawn))).ToHex();

    /// <summary>Adds a column to <c>prover_batches</c> unless it is there.</summary>
    private async Task AddColumnAsync(DbConnection connection, string name, string type, CancellationToken cancellationToken)
    {
        if (!_sqlite)
        {
            await ExecuteAsync(connection, $"ALTER TABLE prover_batches ADD COLUMN IF NOT EXISTS {name} {type}", cancellationToken).ConfigureAwait(false);
            return;
        }

        using var probe = Command(connection, "SELECT COUNT(*) FROM pragma_table_info('prover_batches') WHERE name = @n", ("n", name));
        if (Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            await ExecuteAsync(connection, $"ALTER TABLE prover_batches ADD COLUMN {name} {type}", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> RunAsync<T>(string operation, Func<DbConnection, Task<T>> body, CancellationToken cancellationToken)
    {
        await using var connection = _connect();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await body(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or TimeoutException or IOException or System.Net.Sockets.SocketException && !cancellationToken.IsCancellationRequested)
        {
            if (connection is NpgsqlConnection postgres)
            {
                // After a server restart every idle pooled connection is dead, and each would fail one
                // more operation; drop them all so the retry opens a fresh one.
                NpgsqlConnection.ClearPool(postgres);
            }

            throw new PoolStoreUnavailableException(Description, operation, e);
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = Command(connection, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value is null or TypedNull ? DBNull.Value : value;
            parameter.DbType = value switch
            {
                long => DbType.Int64,
                int => DbType.Int32,
                TypedNull n => n.Type,
                _ => DbType.String,
            };
            command.Parameters.Add(parameter);
        }

        return command;
    }
}

/// <summary>A NULL parameter that keeps its column type: PostgreSQL refuses an untyped (text) NULL for a BIGINT column.</summary>
internal sealed record TypedNull(DbType Type)
{
    public static readonly TypedNull Int64 = new(DbType.Int64);
    public static readonly TypedNull Int32 = new(DbType.Int32);
    public static readonly TypedNull Text = new(DbType.String);
}
