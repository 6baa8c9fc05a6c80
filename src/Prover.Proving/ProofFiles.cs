using Prover.Crypto.Field;

namespace Prover.Proving;

/// <summary>A proof and its public signals, as files in the backend's own format (what its verifier reads as is).</summary>
/// <param name="ProofFile">The proof.</param>
/// <param name="PublicSignalsFile">The public signals, in the circuit's order (outputs first, then public inputs).</param>
/// <param name="PublicSignals">The same public signals, parsed.</param>
public sealed record ProofFiles(string ProofFile, string PublicSignalsFile, IReadOnlyList<Fr> PublicSignals);
