using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Prover.Cli.Tests;

/// <summary>The real <c>prover</c> executable as a child process: one-shot commands, or a running sequencer.</summary>
internal sealed partial class ProverProcess : IAsyncDisposable
{
    /// <summary>anvil's account #0, passed through the environment as an operator would.</summary>
    public const string SequencerKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProverProcess(Process process) => _process = process;

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public Uri Url { get; private set; } = null!;

    public int Id => _process.Id;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Runs <c>prover ARGS</c> to completion, within 2 minutes: a guard against a hang, not a speed
    /// check, and wide because a loaded CI machine is slow to start .NET, anvil and node.
    /// </summary>
    public static Task<Result> RunAsync(params string[] arguments) => RunAsync(TimeSpan.FromMinutes(2), arguments);

    /// <summary>Runs <c>prover ARGS</c> to completion, within <paramref name="limit"/> (a cold trusted setup takes minutes).</summary>
    public static async Task<Result> RunAsync(TimeSpan limit, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(arguments)) ?? throw new InvalidOperationException("Could not start prover.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"prover {string.Join(' ', arguments)} did not finish within {limit.TotalSeconds} s.");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>prover sequencer --data-dir DIR --port 0 ARGS</c> and waits until it listens.</summary>
    public static async Task<ProverProcess> StartSequencerAsync(string dataDirectory, params string[] arguments)
    {
        // Port 0: the sequencer binds a free port itself and logs it, so there is no window in which
        // another process can take a port we picked.
        var process = Process.Start(StartInfo(["sequencer", "--data-dir", dataDirectory, "--port", "0", .. arguments]))
            ?? throw new InvalidOperationException("Could not start prover sequencer.");
        var sequencer = new ProverProcess(process);
        process.OutputDataReceived += (_, e) => sequencer.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => sequencer.OnLine(e.Data);
        process.Exited += (_, _) => sequencer._listening.TrySetException(new InvalidOperationException("prover sequencer exited before listening."));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            sequencer.Url = await sequencer._listening.Task.WaitAsync(TimeSpan.FromMinutes(2)); // a hang guard, see RunAsync
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await sequencer.DisposeAsync();
            Assert.Fail($"prover sequencer did not start listening ({e.Message}). Its output:\n{sequencer.Output}");
        }

        return sequencer;
    }

    /// <summary>SIGKILL, the whole tree: no shutdown code runs, as in a power cut or an OOM kill.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        Assert.True(File.Exists(RepoPaths.ProverDll), $"{RepoPaths.ProverDll} is missing; build the solution first.");
        var info = new ProcessStartInfo(RepoPaths.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepoPaths.ProverDll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PROVER_SEQUENCER_KEY"] = SequencerKey;
        return info;
    }

    [GeneratedRegex(@"JSON-RPC on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex ListeningLine();
}
