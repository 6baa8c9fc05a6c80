namespace Prover.Proving;

/// <summary>
/// A Groth16 proving backend: everything between a circuit source and a proof a verifier accepts.
/// Paths and plain data go in, files come out; nothing here names a tool, so another backend (gnark)
/// can implement it with its own formats behind the same calls.
/// </summary>
/// <remarks>
/// Failures of the tools themselves (missing installation, a crash, a timeout) are transient from the
/// caller's point of view and surface as <see cref="ProvingToolException"/> (or, for a timeout, an
/// <see cref="OperationCanceledException"/> that says so). An input the circuit rejects is not weather:
/// it surfaces as <see cref="UnsatisfiedConstraintsException"/> or <see cref="InvalidCircuitInputException"/>,
/// and retrying it can never succeed.
/// </remarks>
public interface IProvingBackend
{
    /// <summary>The backend and proof system, as recorded in artifact manifests (e.g. <c>circom2+snarkjs/groth16</c>).</summary>
    string Name { get; }

    /// <summary>Compiles <paramref name="circuitFile"/> into <paramref name="outputDirectory"/> and counts its constraints.</summary>
    Task<CompiledCircuit> CompileAsync(string circuitFile, string outputDirectory, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the trusted setup for <paramref name="circuit"/> from <paramref name="ceremony"/> and writes a
    /// self-contained artifact set (constraint system, witness generator, proving key, verification key,
    /// Solidity verifier, manifest) into <paramref name="outputDirectory"/>.
    /// </summary>
    Task<CircuitArtifacts> SetupAsync(CompiledCircuit circuit, CeremonySource ceremony, string outputDirectory, CancellationToken cancellationToken);

    /// <summary>
    /// Computes the witness (no setup needed: only the compiled circuit) for the circuit input in <paramref name="inputFile"/> (a JSON object from signal
    /// name to decimal string or array of them) into <paramref name="witnessFile"/>, and checks it against the
    /// constraint system.
    /// </summary>
    /// <exception cref="UnsatisfiedConstraintsException">The input violates a constraint.</exception>
    /// <exception cref="InvalidCircuitInputException">The input does not match the circuit's input signals.</exception>
    Task ComputeWitnessAsync(CompiledCircuit circuit, string inputFile, string witnessFile, CancellationToken cancellationToken);

    /// <summary>Proves <paramref name="witnessFile"/> and writes the proof and its public signals into <paramref name="outputDirectory"/>.</summary>
    Task<ProofFiles> ProveAsync(CircuitArtifacts artifacts, string witnessFile, string outputDirectory, CancellationToken cancellationToken);

    /// <summary>Checks <paramref name="proof"/> against a verification key: false for a proof that does not verify.</summary>
    Task<bool> VerifyAsync(string verificationKeyFile, ProofFiles proof, CancellationToken cancellationToken);

    /// <summary>Writes a Solidity contract that verifies this circuit's proofs on chain.</summary>
    Task ExportSolidityVerifierAsync(CircuitArtifacts artifacts, string outputFile, CancellationToken cancellationToken);
}
