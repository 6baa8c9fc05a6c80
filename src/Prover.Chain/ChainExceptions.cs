using Prover.Core;

namespace Prover.Chain;

/// <summary>The root of the on-chain stage's failures. Every subclass carries what went wrong as data, not only as text.</summary>
public abstract class ChainException : ProverException
{
    private protected ChainException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The inbox refused a submission with one of its custom errors (docs/chain.md, "Errors"). Found by
/// simulating the call before it is sent, so nothing was mined and no gas was spent. Deterministic for
/// a given chain state: resubmitting the same batch cannot succeed until the state it names changes.
/// </summary>
public sealed class InboxRejectedException : ChainException
{
    public InboxRejectedException(string error, string selector, IReadOnlyDictionary<string, string> arguments, string advice)
        : base($"The inbox refused the call: {error}({string.Join(", ", arguments.Select(a => $"{a.Key}={a.Value}"))}). {advice}")
    {
        Error = error;
        Selector = selector;
        Arguments = arguments;
    }

    /// <summary>The custom error's name, e.g. <c>WrongHead</c>; <c>unknown</c> when the revert data matches none of the inbox's errors.</summary>
    public string Error { get; }

    /// <summary>The error's 4-byte selector as <c>0x</c> and eight hex digits.</summary>
    public string Selector { get; }

    /// <summary>The error's arguments by name, as decimal or hex text.</summary>
    public IReadOnlyDictionary<string, string> Arguments { get; }
}

/// <summary>
/// A transaction was mined but reverted (status 0), so nothing it would have done happened. For a
/// submission that passed simulation this means it ran out of gas, or the state changed between
/// simulation and inclusion.
/// </summary>
public sealed class TransactionRevertedException : ChainException
{
    public TransactionRevertedException(string what, string transactionHash, ulong gasLimit, ulong gasUsed)
        : base($"{what} was mined but reverted (transaction {transactionHash}, gas used {gasUsed:N0} of limit {gasLimit:N0}); no state changed. Check the gas limit, or the inbox's state (`prover chain status`).")
    {
        TransactionHash = transactionHash;
        GasLimit = gasLimit;
        GasUsed = gasUsed;
    }

    public string TransactionHash { get; }

    public ulong GasLimit { get; }

    public ulong GasUsed { get; }
}

/// <summary>The chain could not be reached, or answered something unusable (wrong chain id, no code at an address, an RPC error).</summary>
public sealed class ChainUnavailableException : ChainException
{
    public ChainUnavailableException(string endpoint, string problem, Exception? inner = null)
        : base($"{endpoint}: {problem}", inner)
    {
        Endpoint = endpoint;
    }

    /// <summary>The RPC endpoint: scheme, host and port only, never a path or user info, where hosted nodes keep API keys.</summary>
    public string Endpoint { get; }
}

/// <summary>A chain tool (anvil, the Solidity compiler) is missing or failed; carries the command and the tail of its output.</summary>
public sealed class ChainToolException : ChainException
{
    public ChainToolException(string problem, string advice, string commandLine, int? exitCode, string outputTail, Exception? inner = null)
        : base($"{problem} {advice}{Environment.NewLine}  command: {commandLine} ({(exitCode is { } code ? $"exit code {code}" : "not started")}){(outputTail.Length == 0 ? "" : Environment.NewLine + outputTail)}", inner)
    {
        CommandLine = commandLine;
        ExitCode = exitCode;
        OutputTail = outputTail;
    }

    public string CommandLine { get; }

    /// <summary>The exit code, or null when the tool could not be started.</summary>
    public int? ExitCode { get; }

    public string OutputTail { get; }
}

/// <summary>A setting is unusable: a malformed key or URL, a deployment record that does not match the chain, a proof for another statement.</summary>
public sealed class ChainConfigurationException : ChainException
{
    public ChainConfigurationException(string setting, string problem)
        : base($"{setting}: {problem}")
    {
        Setting = setting;
    }

    /// <summary>Which setting, option or file was wrong (never its secret value).</summary>
    public string Setting { get; }
}
