namespace Prover.Workers;

/// <summary>
/// Where a batch is on its way to finality. The data store holds it and is the source of truth; a
/// Hangfire job only ever moves a batch forward from the state it finds.
/// </summary>
public enum BatchState
{
    /// <summary>Cut by the sequencer and stored; waiting for a worker.</summary>
    Pending,

    /// <summary>A worker holds the batch's lease and is proving it.</summary>
    Proving,

    /// <summary>Its proof is stored; waiting for its turn on chain (batches finalize in index order).</summary>
    Proved,

    /// <summary>Its submitBatch transaction was sent; waiting for the receipt.</summary>
    Submitted,

    /// <summary>The inbox accepted it: final.</summary>
    Finalized,

    /// <summary>It can never be proven or finalized as it is (an unsatisfiable witness, a proof the verifier refuses); see its error.</summary>
    Failed,
}

internal static class BatchStates
{
    public static string ToText(this BatchState state) => state switch
    {
        BatchState.Pending => "pending",
        BatchState.Proving => "proving",
        BatchState.Proved => "proved",
        BatchState.Submitted => "submitted",
        BatchState.Finalized => "finalized",
        BatchState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static BatchState Parse(string text) => text switch
    {
        "pending" => BatchState.Pending,
        "proving" => BatchState.Proving,
        "proved" => BatchState.Proved,
        "submitted" => BatchState.Submitted,
        "finalized" => BatchState.Finalized,
        "failed" => BatchState.Failed,
        _ => throw new Core.CorruptStateException("prover_batches.state", $"'{text}' is not a batch state."),
    };
}
