using Prover.Proving;

namespace Prover.Workers.Tests;

/// <summary>The real backend, except that its first <c>failures</c> proofs crash the way a killed or out-of-memory snarkjs does.</summary>
internal sealed class FlakyBackend(IProvingBackend inner, int failures) : IProvingBackend
{
    private int _left = failures;

    public int Crashes { get; private set; }

    public string Name => inner.Name;

    public Task<CompiledCircuit> CompileAsync(string circuitFile, string outputDirectory, CancellationToken cancellationToken) =>
        inner.CompileAsync(circuitFile, outputDirectory, cancellationToken);

    public Task<CircuitArtifacts> SetupAsync(CompiledCircuit circuit, CeremonySource ceremony, string outputDirectory, CancellationToken cancellationToken) =>
        inner.SetupAsync(circuit, ceremony, outputDirectory, cancellationToken);

    public Task ComputeWitnessAsync(CompiledCircuit circuit, string inputFile, string witnessFile, CancellationToken cancellationToken) =>
        inner.ComputeWitnessAsync(circuit, inputFile, witnessFile, cancellationToken);

    public Task<ProofFiles> ProveAsync(CircuitArtifacts artifacts, string witnessFile, string outputDirectory, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _left) >= 0)
        {
            Crashes++;
            throw new ProvingToolException("snarkjs groth16 prove failed:", "check memory, then retry.", "node snarkjs groth16 prove …", 137, "Killed");
        }

        return inner.ProveAsync(artifacts, witnessFile, outputDirectory, cancellationToken);
    }

    public Task<bool> VerifyAsync(string verificationKeyFile, ProofFiles proof, CancellationToken cancellationToken) =>
        inner.VerifyAsync(verificationKeyFile, proof, cancellationToken);

    public Task ExportSolidityVerifierAsync(CircuitArtifacts artifacts, string outputFile, CancellationToken cancellationToken) =>
        inner.ExportSolidityVerifierAsync(artifacts, outputFile, cancellationToken);
}
