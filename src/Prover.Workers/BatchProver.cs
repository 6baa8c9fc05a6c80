using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Prover.Core;
using Prover.Core.Batches;
using Prover.Proving;

namespace Prover.Workers;

/// <summary>A batch's proof in snarkjs' JSON formats, as stored and submitted.</summary>
/// <param name="ProofJson">proof.json.</param>
/// <param name="PublicSignalsJson">public.json.</param>
/// <param name="Elapsed">Witness computation plus proving.</param>
public sealed record StoredProof(string ProofJson, string PublicSignalsJson, TimeSpan Elapsed);

/// <summary>
/// Proves ordering witnesses with a <see cref="IProvingBackend"/>: the circuit of each (policy, capacity)
/// is compiled and set up once per process, then every batch is a witness computation and a proof in a
/// scratch folder. Sorts failures into the two kinds the pool treats differently: a
/// <see cref="BatchFailedException"/> (the batch itself is bad; retrying cannot help) and everything else (transient).
/// A backend's failure comes out as a <see cref="ProvingStepException"/> naming the circuit and the step.
/// </summary>
public sealed class BatchProver
{
    private readonly IProvingBackend _backend;
    private readonly CeremonySource _ceremony;
    private readonly string _circuitsDirectory;
    private readonly string _workDirectory;
    private readonly string? _expectedVerificationKeySha256;
    private readonly ConcurrentDictionary<(string Policy, int Capacity), Lazy<Task<CircuitArtifacts>>> _artifacts = new();

    /// <param name="circuitsDirectory">The folder holding <c>main/&lt;policy&gt;_&lt;N&gt;.circom</c>.</param>
    /// <param name="workDirectory">Where compiled circuits, keys and per-batch scratch folders go.</param>
    /// <param name="expectedVerificationKeySha256">The SHA-256 of the deployed verifier's verification key: keys set up here must match it, or every proof would be refused on chain.</param>
    public BatchProver(IProvingBackend backend, CeremonySource ceremony, string circuitsDirectory, string workDirectory, string? expectedVerificationKeySha256)
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        _ceremony = ceremony ?? throw new ArgumentNullException(nameof(ceremony));
        _circuitsDirectory = circuitsDirectory;
        _workDirectory = Directory.CreateDirectory(workDirectory).FullName;
        _expectedVerificationKeySha256 = expectedVerificationKeySha256;
    }

    /// <summary>Compiles and sets up the circuit of (<paramref name="policyId"/>, <paramref name="capacity"/>) unless this process already has.</summary>
    /// <exception cref="PoolConfigurationException">There is no such circuit, or its keys are not the deployed verifier's.</exception>
    public Task<CircuitArtifacts> ArtifactsAsync(string policyId, int capacity, CancellationToken cancellationToken)
    {
        var lazy = _artifacts.GetOrAdd((policyId, capacity), key => new Lazy<Task<CircuitArtifacts>>(() => SetupAsync(key.Policy, key.Capacity, cancellationToken)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed setup (a tool crashed, a cancelled shutdown) must not poison the process: the next call tries again.
            _artifacts.TryRemove(new KeyValuePair<(string, int), Lazy<Task<CircuitArtifacts>>>((policyId, capacity), lazy));
        }

        return task;
    }

    /// <summary>Proves one batch.</summary>
    /// <exception cref="BatchFailedException">The witness is invalid, the circuit rejects it, or the proof is not the witness's statement.</exception>
    public async Task<StoredProof> ProveAsync(OrderingWitness witness, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(witness);
        var index = witness.BatchIndex;
        if (witness.Validate() is { } problem)
        {
            throw new BatchFailedException(index, $"its ordering witness is invalid at {problem.Pointer}: {problem.Message}");
        }

        var artifacts = await ArtifactsAsync(witness.Policy.Id, witness.Capacity, cancellationToken).ConfigureAwait(false);
        var scratch = Directory.CreateDirectory(Path.Combine(_workDirectory, "jobs", $"{index}-{Guid.NewGuid():N}")).FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var input = Path.Combine(scratch, "input.json");
            await File.WriteAllTextAsync(input, CircuitInputs.ToJson(witness), cancellationToken).ConfigureAwait(false);
            var wtns = Path.Combine(scratch, "witness.wtns");
            var circuit = artifacts.Circuit.Name;
            ProofFiles proof;
            try
            {
                await ProvingSteps.RunAsync(circuit, ProvingStep.Witness, () => _backend.ComputeWitnessAsync(artifacts.Circuit, input, wtns, cancellationToken)).ConfigureAwait(false);
                proof = await ProvingSteps.RunAsync(circuit, ProvingStep.Prove, () => _backend.ProveAsync(artifacts, wtns, scratch, cancellationToken)).ConfigureAwait(false);
            }
            catch (ProvingStepException e) when (e.IsInputRejected)
            {
                throw new BatchFailedException(index, $"the circuit rejects its witness: {e.Message}", e);
            }

            var elapsed = clock.Elapsed;
            var statement = CircuitInputs.PublicSignals(witness);
            if (!statement.SequenceEqual(proof.PublicSignals))
            {
                throw new BatchFailedException(index, $"the proof's public signals ({string.Join(", ", proof.PublicSignals)}) are not the witness's statement ({string.Join(", ", statement)}).");
            }

            return new StoredProof(
                await File.ReadAllTextAsync(proof.ProofFile, cancellationToken).ConfigureAwait(false),
                await File.ReadAllTextAsync(proof.PublicSignalsFile, cancellationToken).ConfigureAwait(false),
                elapsed);
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
                // A child process still holding a file after a kill; the folder is scratch, and the next start may clean it.
            }
        }
    }

    private async Task<CircuitArtifacts> SetupAsync(string policyId, int capacity, CancellationToken cancellationToken)
    {
        var main = Path.Combine(_circuitsDirectory, CircuitInputs.MainFor(policyId, capacity));
        if (!File.Exists(main))
        {
            throw new PoolConfigurationException("circuits", $"there is no {policyId} circuit for capacity {capacity} ({main}); deploy the inbox with a capacity that has a main under circuits/main/.");
        }

        var name = Path.GetFileNameWithoutExtension(main);
        var folder = Path.Combine(_workDirectory, "circuits", $"{policyId}_{capacity}");
        var circuit = await ProvingSteps.RunAsync(name, ProvingStep.Compile, () => _backend.CompileAsync(main, Path.Combine(folder, "build"), cancellationToken)).ConfigureAwait(false);
        var artifacts = await ProvingSteps.RunAsync(name, ProvingStep.Setup, () => _backend.SetupAsync(circuit, _ceremony, Path.Combine(folder, "artifacts"), cancellationToken)).ConfigureAwait(false);
        if (_expectedVerificationKeySha256 is { } expected)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(artifacts.VerificationKeyFile, cancellationToken).ConfigureAwait(false)));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new PoolConfigurationException(
                    "keys",
                    $"the {policyId} keys set up here (verification key sha256 {actual}) are not the deployed verifier's ({expected}): give this worker the ceremony (--ptau) and circuits the inbox was deployed with.");
            }
        }

        return artifacts;
    }
}

/// <summary>Which failures are the batch's own fault.</summary>
internal static class Failures
{
    /// <summary>True when retrying cannot help: the batch (or the pool's configuration) is wrong, not the weather.</summary>
    public static bool IsDeterministic(Exception e) =>
        e is BatchFailedException or PoolConfigurationException or InvalidWitnessException or WitnessFormatException ||
        (e.InnerException is { } inner && IsDeterministic(inner));

    /// <summary>A one-line reason for the store and the log.</summary>
    public static string Describe(Exception e) => e is ProverException ? e.Message : $"{e.GetType().Name}: {e.Message}";
}
