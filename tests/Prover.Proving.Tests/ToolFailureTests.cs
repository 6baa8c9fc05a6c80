using Prover.Proving.Snarkjs;

namespace Prover.Proving.Tests;

/// <summary>What happens when the tools are missing, cancelled or too slow: actionable errors, no orphan processes, no half-written cache.</summary>
public sealed class ToolFailureTests
{
    [Fact]
    public async Task A_circuits_folder_without_node_modules_says_to_run_make_setup()
    {
        using var circuits = new TempDirectory();
        var backend = new SnarkjsBackend(new SnarkjsOptions { CircuitsDirectory = circuits.Path, CacheDirectory = circuits.Combine("cache") });

        var error = await Assert.ThrowsAsync<ProvingToolException>(
            () => backend.CompileAsync(TestCircuits.RangedMultiplier, circuits.Combine("build"), CancellationToken.None));

        Assert.Contains("run `make setup` (npm ci in " + circuits.Path + ")", error.Message, StringComparison.Ordinal);
        Assert.Contains("circom2 is not installed", error.Message, StringComparison.Ordinal);
        Assert.Null(error.ExitCode);
    }

    [Fact]
    public async Task A_node_path_that_does_not_exist_is_reported_as_such()
    {
        using var dir = new TempDirectory();
        var backend = new SnarkjsBackend(new SnarkjsOptions { NodePath = dir.Combine("no-node"), CacheDirectory = dir.Combine("cache") });

        var error = await Assert.ThrowsAsync<ProvingToolException>(
            () => backend.CompileAsync(TestCircuits.RangedMultiplier, dir.Combine("build"), CancellationToken.None));

        Assert.Contains("SnarkjsOptions.NodePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_failure_carries_the_command_line_exit_code_and_output()
    {
        using var dir = new TempDirectory();
        var broken = dir.Combine("broken.circom");
        await File.WriteAllTextAsync(broken, "pragma circom 2.1.6;\ncomponent main = DoesNotExist();\n");
        var backend = new SnarkjsBackend(new SnarkjsOptions { CacheDirectory = dir.Combine("cache") });

        var error = await Assert.ThrowsAsync<ProvingToolException>(
            () => backend.CompileAsync(broken, dir.Combine("build"), CancellationToken.None));

        Assert.Contains("circom could not compile", error.Message, StringComparison.Ordinal);
        Assert.Contains("broken.circom", error.CommandLine, StringComparison.Ordinal);
        Assert.Contains("--O2", error.CommandLine, StringComparison.Ordinal);
        Assert.NotEqual(0, error.ExitCode);
        Assert.Contains("DoesNotExist", error.OutputTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_setup_kills_the_tool_and_leaves_nothing_in_the_cache()
    {
        using var dir = new TempDirectory();
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new SnarkjsBackend(new SnarkjsOptions { CacheDirectory = dir.Combine("cache") }) { ToolStarted = pid => started.TrySetResult(pid) };
        using var cancel = new CancellationTokenSource();

        var setup = backend.SetupAsync(LongSetup(), CeremonySource.Development, dir.Combine("artifacts"), cancel.Token);
        int pid = await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // Let the ceremony get going, so there is a partial file to clean up.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => setup);
        Assert.True(TestCircuits.IsGone(pid), $"process {pid} is still running");
        Assert.Empty(FilesUnder(dir.Combine("cache")));
    }

    [Fact]
    public async Task A_tool_that_runs_past_the_timeout_is_killed_with_a_message_that_says_so()
    {
        using var dir = new TempDirectory();
        int pid = 0;
        var backend = new SnarkjsBackend(new SnarkjsOptions { CacheDirectory = dir.Combine("cache"), CommandTimeout = TimeSpan.FromSeconds(3) }) { ToolStarted = p => pid = p };

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => backend.SetupAsync(LongSetup(), CeremonySource.Development, dir.Combine("artifacts"), CancellationToken.None));

        Assert.Contains("did not finish within 00:00:03 and was killed", error.Message, StringComparison.Ordinal);
        Assert.Contains("powersoftau", error.Message, StringComparison.Ordinal);
        Assert.True(TestCircuits.IsGone(pid), $"process {pid} is still running");
        Assert.Empty(FilesUnder(dir.Combine("cache")));
    }

    /// <summary>The files under <paramref name="directory"/> but the cache's lock files, which hold nothing and stay by design.</summary>
    private static string[] FilesUnder(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToArray()
            : [];

    /// <summary>A circuit that claims 2^17 constraints: its development ceremony (power 18) takes far longer than any test waits.</summary>
    private static CompiledCircuit LongSetup() =>
        new("long", TestCircuits.RangedMultiplier, "unused.r1cs", "unused.wasm", Constraints: 1 << 17, PublicInputs: 1, PublicOutputs: 0, PrivateInputs: 2);
}
