using System.Diagnostics;

namespace Prover.Benchmarks;

/// <summary>
/// An earlier commit of this repository, checked out beside the working tree and built, so that a
/// benchmark can run its own command there and here in one run and print the two side by side. The
/// checkout takes this tree's npm packages and shares the prover cache (ceremonies are keyed by power,
/// keys by circuit), so only the circuits that changed pay for a setup.
/// </summary>
internal sealed class Baseline : IDisposable
{
    private readonly string _worktree;
    private readonly string _repository;

    private Baseline(string repository, string worktree, string commit)
    {
        _repository = repository;
        _worktree = worktree;
        Commit = commit;
    }

    /// <summary>The commit checked out (its short hash).</summary>
    public string Commit { get; }

    /// <summary>Checks <paramref name="reference"/> out into a temporary worktree and builds its benchmarks.</summary>
    public static async Task<Baseline> CheckOutAsync(string reference)
    {
        var repository = RepositoryRoot();
        var commit = (await RunAsync("git", repository, "rev-parse", "--short", reference)).Trim();
        var worktree = Path.Combine(Path.GetTempPath(), $"prover-baseline-{commit}-{Environment.ProcessId}");
        await RunAsync("git", repository, "worktree", "add", "--detach", worktree, commit);
        var baseline = new Baseline(repository, worktree, commit);
        try
        {
            // The root's packages (solc, anvil) are linked; the circuits' are copied, because circom's
            // WebAssembly build does not follow a symbolic link out of the folders it was given.
            Directory.CreateSymbolicLink(Path.Combine(worktree, "node_modules"), Path.Combine(repository, "node_modules"));
            await RunAsync("cp", repository, "-a", Path.Combine(repository, "circuits", "node_modules"), Path.Combine(worktree, "circuits", "node_modules"));

            Console.Error.WriteLine($"# baseline: building {commit} in {worktree}");
            await RunAsync("dotnet", worktree, "build", "tests/Prover.Benchmarks", "-c", "Release", "--nologo", "-v", "q");
            return baseline;
        }
        catch
        {
            baseline.Dispose();
            throw;
        }
    }

    /// <summary>Runs the baseline's own benchmark program with <paramref name="args"/>; its standard output, line by line.</summary>
    public async Task<string[]> RunBenchmarkAsync(params string[] args)
    {
        var output = await RunAsync("dotnet", _worktree, ["run", "--project", "tests/Prover.Benchmarks", "-c", "Release", "--no-build", "--", .. args]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public void Dispose()
    {
        try
        {
            RunAsync("git", _repository, "worktree", "remove", "--force", _worktree).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"# baseline: could not remove the worktree {_worktree}: {e.Message}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Prover.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the benchmarks run from inside a checkout of the repository (no Prover.sln above them).");
    }

    private static async Task<string> RunAsync(string program, string directory, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode} in {directory}: {(await stderr).Trim()} {(await stdout).Trim()}");
        }

        // The baseline's progress (stderr) goes on to ours, so a long setup is visible.
        Console.Error.Write(await stderr);
        return await stdout;
    }
}
