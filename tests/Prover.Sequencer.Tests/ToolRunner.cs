using System.Diagnostics;

namespace Prover.Sequencer.Tests;

/// <summary>Runs an external tool to completion with arguments passed one by one (no shell, no quoting), killing it on timeout.</summary>
internal static class ToolRunner
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout.TotalSeconds} s.");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the tool and returns its trimmed standard output; a non-zero exit fails the test with the command and its stderr.</summary>
    public static async Task<string> CheckedAsync(string fileName, params string[] arguments)
    {
        var result = await RunAsync(fileName, arguments, TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"`{Path.GetFileName(fileName)} {string.Join(' ', arguments)}` exited {result.ExitCode}: {result.StandardError}");
        return result.StandardOutput.Trim();
    }
}
