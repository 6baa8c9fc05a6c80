using Prover.Core;

namespace Prover.LightClient;

/// <summary>The root of the light client's failures; each subclass carries what was wrong as data.</summary>
public abstract class LightClientException : ProverException
{
    private protected LightClientException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// A curve point of a proof or a verification key is unusable: a coordinate at or above the base field
/// modulus p, a point not on its curve, or a G2 point outside the order-r subgroup. Such input is
/// refused before any pairing is computed (the EVM's precompiles refuse it too, EIP-196/197).
/// </summary>
public sealed class InvalidPointException : LightClientException
{
    public InvalidPointException(string point, string problem)
        : base($"{point}: {problem}")
    {
        Point = point;
        Problem = problem;
    }

    /// <summary>Which point, e.g. <c>proof.B</c> or <c>vk_delta_2</c>.</summary>
    public string Point { get; }

    public string Problem { get; }
}

/// <summary>A verification key, proof or public-signal file cannot be read: not JSON, not snarkjs' Groth16/BN254 format, or the wrong number of public inputs.</summary>
public sealed class ProofFormatException : LightClientException
{
    public ProofFormatException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner)
    {
        Source = source;
    }

    /// <summary>The file or value that was unreadable.</summary>
    public new string Source { get; }
}

/// <summary>
/// An ordering witness given to the light client is not the witness of the finalized batch it was given
/// for: it is not self-consistent, or its statement (heads, commitment, count, seqs, domain) is not the
/// batch's. It proves nothing either way, so the check it was meant for could not be made.
/// </summary>
public sealed class WitnessMismatchException : LightClientException
{
    public WitnessMismatchException(ulong batch, IReadOnlyList<Mismatch> differences)
        : base($"the ordering witness is not finalized batch {batch}'s: {string.Join("; ", differences)}")
    {
        Batch = batch;
        Differences = differences;
    }

    public ulong Batch { get; }

    public IReadOnlyList<Mismatch> Differences { get; }
}

/// <summary>A batch was asked for that the inbox has not finalized (yet).</summary>
public sealed class BatchNotFinalizedException : LightClientException
{
    public BatchNotFinalizedException(ulong batch, ulong finalized)
        : base($"batch {batch} is not finalized: the inbox has finalized {finalized} batch{(finalized == 1 ? "" : "es")}{(finalized == 0 ? "" : $" (0..{finalized - 1})")}.")
    {
        Batch = batch;
        Finalized = finalized;
    }

    public ulong Batch { get; }

    /// <summary>How many batches the inbox has finalized.</summary>
    public ulong Finalized { get; }
}
