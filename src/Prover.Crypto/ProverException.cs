namespace Prover.Core;

/// <summary>
/// The root of every exception Prover throws on purpose. Messages are written for the operator:
/// they say what was wrong and, where there is one, what to do about it.
/// </summary>
public abstract class ProverException : Exception
{
    protected ProverException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A value does not fit the encoding a circuit or a protocol field requires.</summary>
public sealed class ValueOutOfRangeException : ProverException
{
    public ValueOutOfRangeException(string field, string limit, string actual)
        : base($"{field} is out of range: {actual} does not fit {limit}.")
    {
        Field = field;
        Limit = limit;
    }

    /// <summary>The name of the offending field, e.g. <c>maxPriorityFeePerGas</c>.</summary>
    public string Field { get; }

    /// <summary>The limit it broke, e.g. <c>64 bits</c>.</summary>
    public string Limit { get; }
}

/// <summary>Stored state (a log file, a batch file, a witness) is corrupt or from an incompatible version.</summary>
public sealed class CorruptStateException : ProverException
{
    public CorruptStateException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
    }

    public string Path { get; }
}
