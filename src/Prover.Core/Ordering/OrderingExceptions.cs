namespace Prover.Core.Ordering;

/// <summary>What was wrong with a policy string.</summary>
public enum PolicyFormatError
{
    /// <summary>The text is empty or not of the form <c>id</c> or <c>id:name=value,…</c>.</summary>
    Malformed,

    /// <summary>The id names no policy.</summary>
    UnknownPolicy,

    /// <summary>The policy takes no parameter of that name.</summary>
    UnknownParameter,

    /// <summary>A required parameter is absent.</summary>
    MissingParameter,

    /// <summary>A parameter is given twice.</summary>
    DuplicateParameter,

    /// <summary>A parameter's value does not parse or is out of range.</summary>
    BadValue,
}

/// <summary>A policy string (<c>timeboost:controller=0x…,delayMs=200</c>) could not be parsed.</summary>
public sealed class PolicyFormatException : ProverException
{
    public PolicyFormatException(string text, PolicyFormatError error, string problem, Exception? inner = null)
        : base($"Invalid ordering policy '{text}': {problem}", inner)
    {
        Text = text;
        Error = error;
        Problem = problem;
    }

    /// <summary>The text that was being parsed.</summary>
    public string Text { get; }

    public PolicyFormatError Error { get; }

    /// <summary>The problem alone, without the text.</summary>
    public string Problem { get; }
}

/// <summary>
/// Two entries of a segment share both sequence number and policy key, so no unique order exists.
/// A log never holds two entries at one position; this is a caller's bug.
/// </summary>
public sealed class AmbiguousOrderException : ProverException
{
    public AmbiguousOrderException(ulong seq)
        : base($"Two entries share sequence number {seq} and their policy key, so the order is not unique. Log positions must be distinct.")
    {
        Seq = seq;
    }

    public ulong Seq { get; }
}
