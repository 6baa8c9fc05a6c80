using Prover.Core;

namespace Prover.Proving;

/// <summary>The steps from a circuit source to a checked proof, as failures name them.</summary>
public enum ProvingStep
{
    Compile,
    Setup,
    Witness,
    Prove,
    Verify,
}

/// <summary>
/// A backend call failed. Names the circuit and the step (<c>priority_fee_64: prove failed: …</c>) so an
/// operator sees where, and keeps what went wrong as <see cref="Exception.InnerException"/>: callers that
/// sort failures (the pool: an input the circuit rejects is never retried) look at that.
/// </summary>
public sealed class ProvingStepException : ProverException
{
    public ProvingStepException(string circuit, ProvingStep step, Exception inner)
        : base($"{circuit}: {ProvingSteps.NameOf(step)} failed: {(inner ?? throw new ArgumentNullException(nameof(inner))).Message}", inner)
    {
        Circuit = circuit;
        Step = step;
    }

    /// <summary>The circuit's name (its main file's name without extension), or the file the step worked on when no circuit is known.</summary>
    public string Circuit { get; }

    public ProvingStep Step { get; }

    /// <summary>True when the failure is the input's, not the weather: the circuit rejected it, and retrying cannot help.</summary>
    public bool IsInputRejected => InnerException is UnsatisfiedConstraintsException or InvalidCircuitInputException;
}

/// <summary>Runs backend calls so that their failures say which circuit and which step.</summary>
public static class ProvingSteps
{
    /// <summary>The step's name in messages: <c>compile</c>, <c>setup</c>, <c>witness</c>, <c>prove</c>, <c>verify</c>.</summary>
    public static string NameOf(ProvingStep step) => step switch
    {
        ProvingStep.Compile => "compile",
        ProvingStep.Setup => "setup",
        ProvingStep.Witness => "witness",
        ProvingStep.Prove => "prove",
        ProvingStep.Verify => "verify",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "Unknown step."),
    };

    /// <summary>
    /// Runs <paramref name="call"/>; any failure but a cancellation comes out as a <see cref="ProvingStepException"/>.
    /// Cancellations (and timeouts, which are cancellations that say so) pass unchanged, because callers
    /// tell shutdown from failure by their type.
    /// </summary>
    public static async Task<T> RunAsync<T>(string circuit, ProvingStep step, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or ProvingStepException))
        {
            throw new ProvingStepException(circuit, step, e);
        }
    }

    /// <inheritdoc cref="RunAsync{T}(string, ProvingStep, Func{Task{T}})"/>
    public static Task RunAsync(string circuit, ProvingStep step, Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return RunAsync(circuit, step, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });
    }
}
