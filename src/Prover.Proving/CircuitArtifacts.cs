namespace Prover.Proving;

/// <summary>
/// The output of a trusted setup: everything a prover and a verifier need for one circuit, in one
/// directory, described by a manifest with each file's SHA-256.
/// </summary>
/// <param name="Circuit">The circuit, with paths pointing into <paramref name="Directory"/>.</param>
/// <param name="Directory">The artifact directory.</param>
/// <param name="ProvingKeyFile">The proving key.</param>
/// <param name="VerificationKeyFile">The verification key (JSON).</param>
/// <param name="VerifierContractFile">The Solidity verifier.</param>
/// <param name="ManifestFile">The manifest (JSON).</param>
/// <param name="Power">The ceremony power the keys were made at.</param>
/// <param name="IsInsecure">True for a development ceremony: proofs under these keys can be forged.</param>
public sealed record CircuitArtifacts(
    CompiledCircuit Circuit,
    string Directory,
    string ProvingKeyFile,
    string VerificationKeyFile,
    string VerifierContractFile,
    string ManifestFile,
    int Power,
    bool IsInsecure);
