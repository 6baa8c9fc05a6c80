using System.Text;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Builders;

namespace Prover.Proving.Snarkjs;

/// <summary>What a finished tool run printed, with colour codes removed.</summary>
internal sealed record ToolRun(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>
    /// snarkjs reports some failures (a bad beacon parameter, a too-small ceremony) with an <c>[ERROR]</c>
    /// line and exit code 0, so a zero exit alone does not mean success.
    /// </summary>
    public bool Succeeded => ExitCode == 0 && !Output.Contains("[ERROR]", StringComparison.Ordinal);

    public string Output => StandardError + StandardOutput;

    /// <summary>The last lines of each stream: enough to see the error without a multi-megabyte log.</summary>
    public string Tail
    {
        get
        {
            var parts = new List<string>();
            if (TailOf(StandardError) is { Length: > 0 } err)
            {
                parts.Add("  stderr (tail):" + Environment.NewLine + err);
            }

            if (TailOf(StandardOutput) is { Length: > 0 } output)
            {
                parts.Add("  stdout (tail):" + Environment.NewLine + output);
            }

            return string.Join(Environment.NewLine, parts);
        }
    }

    public ProvingToolException Failure(string problem, string advice) =>
        new(problem, advice, CommandLine, ExitCode, Tail);

    private static string TailOf(string text)
    {
        const int MaxLines = 20;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Length - MaxLines)).Select(l => "    " + l));
    }
}

/// <summary>
/// Runs node scripts (circom2, snarkjs) through CliWrap: arguments go through its escaping builder, the
/// working directory is fixed, output is captured, and cancellation or the timeout kills the process.
/// </summary>
internal sealed partial class ToolRunner
{
    private readonly Toolchain _toolchain;
    private readonly TimeSpan _timeout;

    public ToolRunner(Toolchain toolchain, TimeSpan timeout)
    {
        _toolchain = toolchain;
        _timeout = timeout;
    }

    /// <summary>Called with the process id of every child started; tests use it to check that cancelled children are gone.</summary>
    public Action<int>? ProcessStarted { get; set; }

    /// <summary>
    /// Runs <c>node <paramref name="script"/> arguments…</c> in the circuits folder (circom2 runs under WASI
    /// and sees only the folders above its working directory, so that is where it must start) and returns
    /// what it printed, whatever its exit code.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled, or ran past the timeout (the message says which); the process was killed.</exception>
    public async Task<ToolRun> RunAsync(string script, Action<ArgumentsBuilder> arguments, CancellationToken cancellationToken)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var command = Cli.Wrap(_toolchain.Node)
            .WithArguments(args =>
            {
                args.Add(script);
                arguments(args);
            })
            .WithWorkingDirectory(_toolchain.CircuitsDirectory)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr));
        var commandLine = $"{command.TargetFilePath} {command.Arguments}";

        using var timeout = new CancellationTokenSource(_timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // CliWrap kills the process (and its descendants) when the token fires, then throws.
            var task = command.ExecuteAsync(linked.Token);
            ProcessStarted?.Invoke(task.ProcessId);
            var result = await task.ConfigureAwait(false);
            return new ToolRun(commandLine, result.ExitCode, StripColours(stdout.ToString()), StripColours(stderr.ToString()));
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(
                $"`{commandLine}` did not finish within {_timeout} and was killed; raise SnarkjsOptions.CommandTimeout if the circuit is that large.",
                ex,
                timeout.Token);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ProvingToolException($"{command.TargetFilePath} could not be started ({ex.Message}):", "check that node is installed and executable.", commandLine, exitCode: null, outputTail: "", ex);
        }
    }

    private static string StripColours(string text) => AnsiEscape().Replace(text, "");

    [GeneratedRegex("\u001b\\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();
}
