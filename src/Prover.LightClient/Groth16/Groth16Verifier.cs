using System.Numerics;
using Prover.Chain;
using Prover.Crypto.Field;
using Prover.Crypto.Bn254;
using Prover.Proving.Snarkjs;

namespace Prover.LightClient.Groth16;

/// <summary>
/// Groth16 verification over BN254 in C#, the check snarkjs' <c>groth16 verify</c> and its generated
/// Solidity verifier make: <c>e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ)</c> with
/// <c>vk_x = IC₀ + Σ sᵢ·ICᵢ</c>, evaluated as one product of four pairings
/// <c>e(A, B)·e(−α, β)·e(−vk_x, γ)·e(−C, δ) = 1</c> with a single final exponentiation.
/// </summary>
public static class Groth16Verifier
{
    /// <summary>
    /// Verifies a proof in the inbox's word order (<see cref="Groth16Proof.Words"/>:
    /// <c>[a.x, a.y, b.x.c1, b.x.c0, b.y.c1, b.y.c0, c.x, c.y]</c>) against public signals.
    /// </summary>
    /// <returns>Whether the pairing equation holds.</returns>
    /// <exception cref="InvalidPointException">A proof point has a coordinate ≥ p, is not on its curve, or (B) is not in G2.</exception>
    /// <exception cref="ProofFormatException">The number of public signals is not the key's.</exception>
    public static bool Verify(VerificationKey key, Groth16Proof proof, IReadOnlyList<Fr> publicSignals)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(publicSignals);
        var w = proof.Words;
        var a = Curves.CheckG1(w[0], w[1], "proof.A");
        var b = Curves.CheckG2(w[3], w[2], w[5], w[4], "proof.B");
        var c = Curves.CheckG1(w[6], w[7], "proof.C");
        return Verify(key, a, b, c, publicSignals);
    }

    /// <summary>Verifies a proof given as the eight words <c>submitBatch</c> takes (see <see cref="Verify(VerificationKey, Groth16Proof, IReadOnlyList{Fr})"/>).</summary>
    /// <exception cref="ProofFormatException">Not eight words, or the number of public signals is not the key's.</exception>
    /// <exception cref="InvalidPointException">A proof point is invalid.</exception>
    public static bool Verify(VerificationKey key, IReadOnlyList<BigInteger> words, IReadOnlyList<Fr> publicSignals) =>
        Verify(key, ProofOf(words), publicSignals);

    /// <summary>The inbox's proof type for eight words.</summary>
    /// <exception cref="ProofFormatException">Not eight words.</exception>
    internal static Groth16Proof ProofOf(IReadOnlyList<BigInteger> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        return words.Count == 8 ? new Groth16Proof(words) : throw new ProofFormatException("proof", $"{words.Count} words; a Groth16 proof has 8.");
    }

    /// <summary>Verifies snarkjs' <c>proof.json</c> and <c>public.json</c> against a key.</summary>
    /// <exception cref="ProofFormatException">A file is missing or not in snarkjs' format.</exception>
    /// <exception cref="InvalidPointException">A proof point is invalid.</exception>
    public static async Task<bool> VerifyFilesAsync(VerificationKey key, string proofFile, string publicFile, CancellationToken cancellationToken)
    {
        Groth16Proof proof;
        IReadOnlyList<Fr> signals;
        try
        {
            proof = await Groth16Proof.ReadSnarkjsAsync(proofFile, cancellationToken).ConfigureAwait(false);
            signals = await SnarkjsBackend.ReadPublicSignalsAsync(publicFile, cancellationToken).ConfigureAwait(false);
        }
        catch (Core.ProverException e) when (e is not LightClientException)
        {
            throw new ProofFormatException(proofFile, e.Message, e);
        }

        return Verify(key, proof, signals);
    }

    internal static bool Verify(VerificationKey key, G1 a, G2 b, G1 c, IReadOnlyList<Fr> publicSignals)
    {
        if (publicSignals.Count != key.PublicInputCount)
        {
            throw new ProofFormatException("public signals", $"{publicSignals.Count} given, the verification key takes {key.PublicInputCount}.");
        }

        var scalars = new BigInteger[publicSignals.Count];
        for (var i = 0; i < scalars.Length; i++)
        {
            scalars[i] = publicSignals[i].ToBigInteger();
        }

        var vkX = G1Jacobian.MultiScalarMultiply(key.IC.AsSpan(1), scalars) + key.IC[0];

        var f = key.NegatedAlphaBeta * Pairing.MillerLoop([(a, b), (vkX.ToAffine().Negate(), key.Gamma), (c.Negate(), key.Delta)]);
        return Pairing.FinalExponentiation(f).IsOne;
    }
}
