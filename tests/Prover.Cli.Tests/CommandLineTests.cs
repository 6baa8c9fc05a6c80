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

    [Fact]
    public async Task Batch_show_of_a_batch_that_does_not_exist_fails_and_says_where_it_looked()
    {
        using var dir = new TempDirectory();
        var result = await ProverProcess.RunAsync("batch", "show", "99", "--data-dir", dir.Path);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"no batch 99 in {dir.Path}", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("", result.StandardOutput);
    }
}
