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
    public async Task Help_exits_zero_and_describes_the_command(string[] arguments, string mentions)
    {
        var result = await ProverProcess.RunAsync(arguments);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(mentions, result.StandardOutput, StringComparison.Ordinal);
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
