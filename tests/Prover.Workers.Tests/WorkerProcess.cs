using System.Diagnostics;
using System.Text;
using Prover.Chain;

namespace Prover.Workers.Tests;

/// <summary>The real <c>prover worker</c> as a child process, started as an operator would start it on another machine.</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

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

    /// <summary>Runs <c>prover ARGS</c> to completion within a minute: its exit code and stdout.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var info = StartInfo(arguments);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start prover");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Starts <c>prover worker ARGS</c> with the sequencer key in the environment and waits until it runs.</summary>
    public static async Task<WorkerProcess> StartAsync(params string[] arguments)
    {
        var info = StartInfo(["worker", .. arguments]);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start prover worker");
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data);
        process.Exited += (_, _) => worker._running.TrySetException(new InvalidOperationException("prover worker exited before running."));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await worker._running.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await worker.DisposeAsync();
            Assert.Fail($"prover worker did not start ({e.Message}). Its output:\n{worker.Output}");
        }

        return worker;
    }

    /// <summary>SIGKILL of the worker and its snarkjs children: no shutdown code runs.</summary>
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

    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "prover.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; build the solution first.");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PROVER_CHAIN_KEY"] = AnvilNode.DevelopmentKeys[0];
        return info;
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

        if (line.Contains(" running: ", StringComparison.Ordinal))
        {
            _running.TrySetResult();
        }
    }
}
