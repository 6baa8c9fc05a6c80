using Prover.Core;

namespace Prover.Proving;

/// <summary>
/// A proving tool could not run or failed. Transient from a caller's point of view (a missing install,
/// a crash, memory): fix the cause the message names and retry.
/// </summary>
public sealed class ProvingToolException : ProverException
{
    public ProvingToolException(string problem, string advice, string commandLine, int? exitCode, string outputTail, Exception? inner = null)
        : base(Describe(problem, advice, commandLine, exitCode, outputTail), inner)
    {
        CommandLine = commandLine;
        ExitCode = exitCode;
        OutputTail = outputTail;
    }

    /// <summary>The command as it was (or would have been) run, for copying into a shell.</summary>
    public string CommandLine { get; }

    /// <summary>The exit code, or null when the command could not be started.</summary>
    public int? ExitCode { get; }

    /// <summary>The last lines of the command's standard error and output.</summary>
    public string OutputTail { get; }

    private static string Describe(string problem, string advice, string commandLine, int? exitCode, string outputTail)
    {
        string exit = exitCode is { } code ? $"exit code {code}" : "not started";
        string tail = outputTail.Length == 0 ? "" : $"{Environment.NewLine}{outputTail}";
        return $"{problem} {advice}{Environment.NewLine}  command: {commandLine} ({exit}){tail}";
    }
}

/// <summary>
/// The circuit input violates a constraint: no valid witness exists for it. Deterministic: a bug in
/// whoever built the input, or an attempt to prove something false. Never retry it.
/// </summary>
public sealed class UnsatisfiedConstraintsException : ProverException
{
    public UnsatisfiedConstraintsException(string inputFile, string detail)
        : base($"{inputFile}: the circuit input does not satisfy the circuit's constraints: {detail}")
    {
        InputFile = inputFile;
        Detail = detail;
    }

    /// <summary>The input that was rejected.</summary>
    public string InputFile { get; }

    /// <summary>What failed, as the witness generator reported it (e.g. the template and line of the failed assertion).</summary>
    public string Detail { get; }
}

/// <summary>
/// The circuit input does not fit the circuit: a signal is missing, unknown, or has the wrong number of
/// values. Deterministic like <see cref="UnsatisfiedConstraintsException"/>: fix the input, do not retry.
/// </summary>
public sealed class InvalidCircuitInputException : ProverException
{
    public InvalidCircuitInputException(string inputFile, string detail)
        : base($"{inputFile}: the circuit input does not match the circuit's input signals: {detail}")
    {
        InputFile = inputFile;
        Detail = detail;
    }

    public string InputFile { get; }

    public string Detail { get; }
}

/// <summary>A phase-1 ceremony file cannot be used for a circuit: unreadable, not prepared for phase 2, or too small.</summary>
public sealed class CeremonyFileException : ProverException
{
    public CeremonyFileException(string path, string problem, int? filePower = null, int? requiredPower = null)
        : base($"{path}: {problem}")
    {
        Path = path;
        FilePower = filePower;
        RequiredPower = requiredPower;
    }

    public string Path { get; }

    /// <summary>The file's power, when it could be read.</summary>
    public int? FilePower { get; }

    /// <summary>The power the circuit needs, when the file was too small for it.</summary>
    public int? RequiredPower { get; }
}
