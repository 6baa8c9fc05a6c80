namespace Prover.Cli.Tests;

/// <summary>The command tree as an operator meets it: help for every command, clear errors for what is not there.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "--help" }, "sequencer")]
    [InlineData(new[] { "sequencer", "--help" }, "--batch-age-ms")]
    [InlineData(new[] { "batch", "show", "--help" }, "--json")]
    [InlineData(new[] { "prove", "--help" }, "--ptau")]
    [InlineData(new[] { "verify-proof", "--help" }, "--verification-key")]
    [InlineData(new[] { "chain", "--help" }, "submit")]
    [InlineData(new[] { "chain", "deploy", "--help" }, "--capacity")]
    [InlineData(new[] { "chain", "submit", "--help" }, "--proof")]
    [InlineData(new[] { "chain", "status", "--help" }, "--rpc")]
    [InlineData(new[] { "pool", "retry", "--help" }, "failed batch")]
    public async Task Help_exits_zero_and_describes_the_command(string[] arguments, string mentions)
    {
        var result = await ProverProcess.RunAsync(arguments);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(mentions, result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pool_retry_puts_a_failed_batch_back_to_pending_and_refuses_any_other()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "pool"));
        var store = Workers.PoolStore.Sqlite(Path.Combine(dir.Path, "pool", "pool.db"));
        await store.InitializeAsync(default);
        await store.AddFailedAsync(0, "fcfs", 1, "{}", "the inbox refused it", 1_000, default);

        var result = await ProverProcess.RunAsync("pool", "retry", "0", "--data-dir", dir.Path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("batch 0 is pending again", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(Workers.BatchState.Pending, (await store.GetAsync(0, default))!.State);

        var again = await ProverProcess.RunAsync("pool", "retry", "0", "--data-dir", dir.Path);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("batch 0 is pending, not failed", again.StandardError, StringComparison.Ordinal);

        var missing = await ProverProcess.RunAsync("pool", "retry", "7", "--data-dir", dir.Path);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("has no batch 7", missing.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chain deploy")]
    [InlineData("sequencer")]
    public async Task Policy_help_names_shuffle_without_a_beacon_parameter(string command)
    {
        var result = await ProverProcess.RunAsync([.. command.Split(' '), "--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("| shuffle (", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("beacon=", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pool_status_shows_whether_each_shuffle_batch_has_its_beacon()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "pool"));
        var store = Workers.PoolStore.Sqlite(Path.Combine(dir.Path, "pool", "pool.db"));
        await store.InitializeAsync(default);
        var inbox = Core.Ethereum.EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
        var head = Core.Log.ReceiptChain.Genesis(31337, inbox);
        var witnesses = new List<Core.Batches.OrderingWitness>();
        for (var i = 0; i < 2; i++)
        {
            var tx = new Core.Ethereum.SignedTransaction([], new Core.Ethereum.Hash32(Enumerable.Repeat((byte)(0x10 + i), 32).ToArray()), Core.Ethereum.TransactionType.DynamicFee, 31337, inbox, (ulong)i, 1, 21_000);
            var batch = Core.Batches.BatchBuilder.Build((ulong)i, head, [new Core.Log.LogEntry((ulong)i, 1_764_300_000_000, tx)], Core.Ordering.ShufflePolicy.Instance, 31337, inbox, 4, i == 0 ? 0UL : 1_764_300_000_000UL);
            head = batch.NewHead;
            witnesses.Add(Core.Batches.OrderingWitness.FromBatch(batch));
            await store.AddAsync(witnesses[^1], 1_000, default);
        }

        await store.RecordDrawAsync(witnesses[0].WithBeacon(Crypto.Field.Fr.FromUInt64(5)), 40, 2, 2_000, default);
        await store.AddAsync(FcfsWitness(), 1_000, default);

        var result = await ProverProcess.RunAsync("pool", "status", "--data-dir", dir.Path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("batch      0  pending      1 tx  attempts 0  beacon of block 40 (draw 2)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("batch      1  pending      1 tx  attempts 0  beacon not drawn (awaiting its commitment)", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("beacon", result.StandardOutput.Split('\n').Single(l => l.Contains("batch      2", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_show_of_a_shuffle_batch_before_its_draw_says_it_has_no_order_and_lists_its_log()
    {
        using var dir = new TempDirectory();
        var inbox = Core.Ethereum.EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
        var tx = new Core.Ethereum.SignedTransaction([], new Core.Ethereum.Hash32(Enumerable.Repeat((byte)0x33, 32).ToArray()), Core.Ethereum.TransactionType.DynamicFee, 31337, inbox, 0, 1, 21_000);
        var batch = Core.Batches.BatchBuilder.Build(0, Core.Log.ReceiptChain.Genesis(31337, inbox), [new Core.Log.LogEntry(0, 1_764_300_000_000, tx)], Core.Ordering.ShufflePolicy.Instance, 31337, inbox, 4);
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(dir.Path, "batches")).FullName, "0000000000.witness.json"), Core.Batches.OrderingWitness.FromBatch(batch).ToJson());

        var result = await ProverProcess.RunAsync("batch", "show", "0", "--data-dir", dir.Path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("outputCommitment  none yet: a shuffle batch is ordered once its beacon is drawn on chain", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("log #", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(tx.Hash.ToString(), result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_show_of_a_batch_that_does_not_exist_fails_and_says_where_it_looked()
    {
        using var dir = new TempDirectory();
        var result = await ProverProcess.RunAsync("batch", "show", "99", "--data-dir", dir.Path);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"no batch 99 in {dir.Path}", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("", result.StandardOutput);
    }

    /// <summary>An fcfs batch at index 2, for a store that holds batches of another policy.</summary>
    private static Core.Batches.OrderingWitness FcfsWitness()
    {
        var inbox = Core.Ethereum.EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
        var tx = new Core.Ethereum.SignedTransaction([], new Core.Ethereum.Hash32(Enumerable.Repeat((byte)0x44, 32).ToArray()), Core.Ethereum.TransactionType.DynamicFee, 31337, inbox, 0, 1, 21_000);
        return Core.Batches.OrderingWitness.FromBatch(Core.Batches.BatchBuilder.Build(2, Core.Log.ReceiptChain.Genesis(31337, inbox), [new Core.Log.LogEntry(0, 1_764_300_000_000, tx)], Core.Ordering.FcfsPolicy.Instance, 31337, inbox, 4));
    }
}
