using System.Globalization;
using System.Text;
using CliWrap;
using Nethereum.Web3;

namespace Prover.Chain;

/// <summary>How to start an embedded anvil.</summary>
public sealed class AnvilOptions
{
    public ulong ChainId { get; init; } = 31337;

    /// <summary>
    /// A file the chain is loaded from at start (when it exists) and saved to at <see cref="AnvilNode.DisposeAsync"/>,
    /// so that deployments and batches outlive one process (the CLI's default chain). Null: an ephemeral chain.
    /// </summary>
    public string? StateFile { get; init; }

    /// <summary>How long anvil may take to answer its first request.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public ChainToolsOptions Tools { get; init; } = new();
}

/// <summary>
/// A local anvil (Foundry's development node, from @foundry-rs/anvil in node_modules), started on a free
/// loopback port and killed on dispose. Its accounts are anvil's public development accounts.
/// </summary>
public sealed class AnvilNode : IAsyncDisposable
{
    /// <summary>anvil's first three development keys (mnemonic "test test … junk"): PUBLIC, for local chains only.</summary>
    public static readonly IReadOnlyList<string> DevelopmentKeys =
    [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    ];

    private readonly CancellationTokenSource _stop;
    private readonly CommandTask<CommandResult> _process;
    private readonly StringBuilder _output;
    private readonly string? _stateFile;

    private AnvilNode(Uri url, ulong chainId, CancellationTokenSource stop, CommandTask<CommandResult> process, StringBuilder output, string? stateFile)
    {
        Url = url;
        ChainId = chainId;
        _stop = stop;
        _process = process;
        _output = output;
        _stateFile = stateFile;
    }

    /// <summary>The JSON-RPC endpoint, on 127.0.0.1.</summary>
    public Uri Url { get; }

    public ulong ChainId { get; }

    /// <summary>The process id (tests check that dispose ends it).</summary>
    public int ProcessId => _process.ProcessId;

    /// <summary>Starts anvil and returns once it answers JSON-RPC.</summary>
    /// <exception cref="ChainToolException">anvil is not installed, exited, or did not answer in time.</exception>
    public static async Task<AnvilNode> StartAsync(AnvilOptions? options, CancellationToken cancellationToken)
    {
        options ??= new AnvilOptions();
        var binary = new ChainTools(options.Tools).Anvil;

        // Port 0: anvil binds a free port itself and prints it. A port picked here and passed in could be
        // taken by another process first, and the readiness probe would then be answered by that one.
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var command = Cli.Wrap(binary)
            .WithArguments(args => args
                .Add("--host").Add("127.0.0.1")
                .Add("--port").Add(0)
                .Add("--chain-id").Add(options.ChainId.ToString(CultureInfo.InvariantCulture))
                .Add("--accounts").Add(DevelopmentKeys.Count))
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line =>
            {
                Append(output, line);
                if (ListeningPort(line) is { } port)
                {
                    listening.TrySetResult(port);
                }
            }))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line => Append(output, line)));
        var commandLine = $"{command.TargetFilePath} {command.Arguments}";
        CommandTask<CommandResult> process;
        try
        {
            process = command.ExecuteAsync(stop.Token);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            stop.Dispose();
            throw new ChainToolException($"anvil could not be started ({ex.Message}):", "run `make setup` to install it.", commandLine, null, "", ex);
        }

        var started = DateTime.UtcNow;
        var exited = process.Task.ContinueWith(_ => 0, TaskScheduler.Default);
        int? bound = null;
        try
        {
            var first = await Task.WhenAny(listening.Task, exited).WaitAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            if (first == listening.Task)
            {
                bound = listening.Task.Result;
            }
        }
        catch (TimeoutException)
        {
            // never said where it listens: reported below as not answering
        }

        var url = new Uri($"http://127.0.0.1:{(bound ?? 0).ToString(CultureInfo.InvariantCulture)}/");
        var node = new AnvilNode(url, options.ChainId, stop, process, output, options.StateFile);
        try
        {
            if (bound is not null && await node.WaitUntilReadyAsync(options.StartTimeout - (DateTime.UtcNow - started), cancellationToken).ConfigureAwait(false))
            {
                await node.LoadStateAsync(cancellationToken).ConfigureAwait(false);
                return node;
            }
        }
        catch
        {
            await node.KillAsync().ConfigureAwait(false);
            throw;
        }

        var exitCode = process.Task.IsCompletedSuccessfully ? process.Task.Result.ExitCode : (int?)null; // before the kill
        await node.KillAsync().ConfigureAwait(false);
        throw new ChainToolException(
            exitCode is not null ? "anvil exited before it answered JSON-RPC:" : $"anvil did not answer JSON-RPC within {options.StartTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s:",
            "see its output below.", commandLine, exitCode, ChainTools.Tail(Snapshot(output)));
    }

    /// <summary>The port in anvil's start-up line "Listening on 127.0.0.1:PORT".</summary>
    private static int? ListeningPort(string line)
    {
        const string Prefix = "Listening on 127.0.0.1:";
        var at = line.IndexOf(Prefix, StringComparison.Ordinal);
        return at >= 0 && int.TryParse(line.AsSpan(at + Prefix.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0
            ? port
            : null;
    }

    /// <summary>Saves the chain to <see cref="AnvilOptions.StateFile"/> (when set), then ends the process.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_stateFile is not null && !_process.Task.IsCompleted)
            {
                await SaveStateAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await KillAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var web3 = new Web3(Url.ToString());
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.Task.IsCompleted)
        {
            try
            {
                await web3.Eth.ChainId.SendRequestAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        return false;
    }

    // anvil_dumpState / anvil_loadState carry the whole chain (accounts, code, storage, blocks) as
    // one hex string; it is stored as is.
    private async Task LoadStateAsync(CancellationToken cancellationToken)
    {
        if (_stateFile is null || !File.Exists(_stateFile))
        {
            return;
        }

        var state = (await File.ReadAllTextAsync(_stateFile, cancellationToken).ConfigureAwait(false)).Trim();
        var web3 = new Web3(Url.ToString());
        try
        {
            await web3.Client.SendRequestAsync<bool>("anvil_loadState", null, state).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Nethereum.JsonRpc.Client.RpcResponseException e)
        {
            throw new ChainToolException($"anvil could not load the chain saved in {_stateFile} ({e.Message}):", "delete the file to start a new chain.", "anvil_loadState", null, ChainTools.Tail(Snapshot(_output)), e);
        }
    }

    private async Task SaveStateAsync(CancellationToken cancellationToken)
    {
        var web3 = new Web3(Url.ToString());
        var state = await web3.Client.SendRequestAsync<string>("anvil_dumpState").WaitAsync(cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_stateFile!))!);
        var scratch = _stateFile + ".tmp";
        await File.WriteAllTextAsync(scratch, state, cancellationToken).ConfigureAwait(false);
        File.Move(scratch, _stateFile!, overwrite: true);
    }

    private async Task KillAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _process.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the expected end: CliWrap killed it
        }

        _stop.Dispose();
    }

    private static void Append(StringBuilder output, string line)
    {
        lock (output)
        {
            // Keep the start-up messages and the latest lines, not hours of request logs.
            if (output.Length > 64 * 1024)
            {
                output.Remove(0, output.Length - 32 * 1024);
            }

            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
