namespace Prover.Core.Batches;

/// <summary>
/// A witness document is not well-formed: not JSON, a missing or unknown property, a value of the
/// wrong type or format. <see cref="Pointer"/> locates the problem (RFC 6901 JSON Pointer).
/// </summary>
public class WitnessFormatException : ProverException
{
    public WitnessFormatException(string pointer, string problem, Exception? inner = null)
        : base($"Malformed ordering witness at '{pointer}': {problem}", inner)
    {
        Pointer = pointer;
        Problem = problem;
    }

    /// <summary>Where in the document, e.g. <c>/entries/3/txId</c>; empty for the whole document.</summary>
    public string Pointer { get; }

    public string Problem { get; }
}

/// <summary>The witness declares a version this build does not read.</summary>
public sealed class UnsupportedWitnessVersionException : WitnessFormatException
{
    public UnsupportedWitnessVersionException(long version)
        : base("/version", $"version {version} is not supported; this build reads version {OrderingWitness.CurrentVersion}. Regenerate the witness with a matching sequencer.")
    {
        Version = version;
    }

    public long Version { get; }
}

/// <summary>One inconsistency <see cref="OrderingWitness.Validate"/> found.</summary>
/// <param name="Pointer">Where, as an RFC 6901 JSON Pointer into the witness document, e.g. <c>/entries/2/head</c>.</param>
/// <param name="Message">What is wrong.</param>
public sealed record WitnessProblem(string Pointer, string Message)
{
    public override string ToString() => $"{Pointer}: {Message}";
}

/// <summary>A well-formed witness is inconsistent: a prover must not spend time on it.</summary>
public sealed class InvalidWitnessException : ProverException
{
    public InvalidWitnessException(WitnessProblem problem)
        : base($"The ordering witness is inconsistent at '{problem.Pointer}': {problem.Message}")
    {
        Problem = problem;
    }

    public WitnessProblem Problem { get; }
}
