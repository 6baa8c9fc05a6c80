namespace Prover.Cli.Tests;

/// <summary><c>--backend native|snarkjs</c> on every command that sets up keys or proves: offered, native by default, and an unknown name refused before anything runs.</summary>
public sealed class BackendOptionTests
{
    [Theory]
    [InlineData("prove")]
    [InlineData("chain deploy")]
    [InlineData("chain submit")]
    [InlineData("worker")]
    [InlineData("demo")]
    public async Task Every_command_that_sets_up_or_proves_offers_the_backend_with_native_as_default(string command)
    {
        var result = await ProverProcess.RunAsync([.. command.Split(' '), "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--backend <native|snarkjs>", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[default: native]", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prove {dir}/0000000000.witness.json --out {dir}/proof")]
    [InlineData("chain deploy --policy fcfs --capacity 4 --data-dir {dir}")]
    [InlineData("chain submit 0 --data-dir {dir}")]
    [InlineData("worker --workers 0 --data-dir {dir}")]
    [InlineData("demo --data-dir {dir}")]
    public async Task An_unknown_backend_is_refused_with_the_names_of_those_that_exist_and_nothing_runs(string command)
    {
        using var dir = new TempDirectory();

        var result = await ProverProcess.RunAsync([.. command.Replace("{dir}", dir.Path, StringComparison.Ordinal).Split(' '), "--backend", "gnark"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--backend: 'gnark' is not a proving backend: use native or snarkjs.", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path)); // refused while parsing: no command ran
    }

    [Theory]
    [InlineData("snarkjs")]
    [InlineData("SNARKJS")]
    [InlineData("native")]
    public async Task A_known_backend_is_accepted_in_any_case(string backend)
    {
        // A missing witness fails in the command itself, which only runs once the options parsed.
        using var dir = new TempDirectory();

        var result = await ProverProcess.RunAsync("prove", Path.Combine(dir.Path, "missing.witness.json"), "--backend", backend);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing.witness.json: no such file", result.StandardError, StringComparison.Ordinal);
    }
}
