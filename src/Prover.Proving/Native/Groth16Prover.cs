using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native;

/// <summary>A Groth16 proof: π_A and π_C in G1, π_B in G2, affine.</summary>
internal sealed record Groth16Proof(G1 A, G2 B, G1 C)
{
    /// <summary>The proof as snarkjs writes <c>proof.json</c> (projective coordinates with z = 1, decimal strings).</summary>
    public byte[] ToSnarkjsJson()
    {
        static string D(Fq x) => x.ToString();
        var proof = new
        {
            pi_a = new[] { D(A.X), D(A.Y), "1" },
            pi_b = new[] { new[] { D(B.X.C0), D(B.X.C1) }, new[] { D(B.Y.C0), D(B.Y.C1) }, new[] { "1", "0" } },
            pi_c = new[] { D(C.X), D(C.Y), "1" },
            protocol = "groth16",
            curve = "bn128",
        };
        return JsonSerializer.SerializeToUtf8Bytes(proof, Indented);
    }

    internal static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}

/// <summary>
/// Groth16 proving over BN254 in process, from a snarkjs proving key: the same computation as
/// <c>snarkjs groth16 prove</c>, so its proofs verify against the same verification key and contract.
/// </summary>
/// <remarks>
/// <para>
/// A(X), B(X), C(X) are known by their values on the domain {ω^i}: A's and B's from the key's
/// coefficients and the witness, C's as their products. H = (A·B − C)/Z is never formed: the key's H
/// points are Lagrange-like bases on the odd coset {ω₂ₙ·ω^i} (ω₂ₙ a square root of ω), where Z = −2 is
/// constant, so the prover only needs A·B − C there. Each polynomial goes to coefficients (inverse NTT),
/// is shifted to the coset (coefficient j times ω₂ₙ^j) and evaluated there (NTT).
/// </para>
/// <para>
/// Then five multi-scalar multiplications (A, B₁, C and H in G1, B₂ in G2) and the blinding by two
/// fresh random scalars r and s: π_A = α + Σwᵢ·Aᵢ + r·δ, π_B = β + Σwᵢ·B₂ᵢ + s·δ, and
/// π_C = Σ_private wᵢ·Cᵢ + Σ hᵢ·Hᵢ + s·π_A + r·(β₁ + Σwᵢ·B₁ᵢ + s·δ₁) − r·s·δ₁.
/// </para>
/// </remarks>
internal static class Groth16Prover
{
    /// <summary>Proves a witness that satisfies the key's circuit (the caller checks that; an unsatisfying witness gives a proof that does not verify).</summary>
    public static Groth16Proof Prove(ProvingKey key, Fr[] witness, CancellationToken cancellationToken = default, int maxDegreeOfParallelism = -1)
    {
        if (witness.Length != key.Wires)
        {
            throw new ArgumentException($"the witness has {witness.Length} values; the key {key.Path} is for {key.Wires} wires.", nameof(witness));
        }

        var h = CosetEvaluations(key, witness, maxDegreeOfParallelism);
        cancellationToken.ThrowIfCancellationRequested();

        var piA = Msm.Multiply(key.A, witness, maxDegreeOfParallelism);
        var piB1 = Msm.Multiply(key.B1, witness, maxDegreeOfParallelism);
        cancellationToken.ThrowIfCancellationRequested();
        var piB = Msm.Multiply(key.B2, witness, maxDegreeOfParallelism);
        cancellationToken.ThrowIfCancellationRequested();
        var piC = Msm.Multiply(key.C, witness.AsSpan(key.PublicSignals + 1), maxDegreeOfParallelism);
        var piH = Msm.Multiply(key.H, h, maxDegreeOfParallelism);

        var r = RandomScalar();
        var s = RandomScalar();
        var a = (piA + key.Alpha1) + G1Jacobian.From(key.Delta1).Multiply(r);
        var b = (piB + key.Beta2) + G2Jacobian.From(key.Delta2).Multiply(s);
        var b1 = (piB1 + key.Beta1) + G1Jacobian.From(key.Delta1).Multiply(s);
        var c = piC + piH + a.Multiply(s) + b1.Multiply(r) + G1Jacobian.From(key.Delta1).Multiply((G1.Order - ((r * s) % G1.Order)) % G1.Order);

        if (a.IsInfinity || b.IsInfinity || c.IsInfinity)
        {
            // Probability about 3/r with honest randomness; drawing again is the only sound answer.
            return Prove(key, witness, cancellationToken, maxDegreeOfParallelism);
        }

        return new Groth16Proof(a.ToAffine(), b.ToAffine(), c.ToAffine());
    }

    /// <summary>The public signals a proof of <paramref name="witness"/> shows: wires 1…nPublic.</summary>
    public static Fr[] PublicSignals(ProvingKey key, Fr[] witness) => witness[1..(key.PublicSignals + 1)];

    /// <summary>A(X)·B(X) − C(X) on the odd coset, as the scalars of the H multiplication.</summary>
    internal static Fr[] CosetEvaluations(ProvingKey key, Fr[] witness, int maxDegreeOfParallelism = -1)
    {
        var n = key.DomainSize;
        var a = new Fr[n];
        var b = new Fr[n];
        var matrix = key.CoefficientMatrix;
        var constraint = key.CoefficientConstraint;
        var wire = key.CoefficientWire;
        var value = key.CoefficientValue;
        for (var i = 0; i < value.Length; i++)
        {
            var target = matrix[i] == 0 ? a : b;
            target[constraint[i]] += value[i] * witness[wire[i]];
        }

        var c = new Fr[n];
        for (var i = 0; i < n; i++)
        {
            c[i] = a[i] * b[i];
        }

        var shift = Ntt.RootOfUnity(key.Power + 1);
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        Parallel.ForEach(new[] { a, b, c }, options, values =>
        {
            Ntt.Inverse(values);
            Ntt.ScaleByPowers(values, shift);
            Ntt.Forward(values);
        });

        for (var i = 0; i < n; i++)
        {
            a[i] = (a[i] * b[i]) - c[i];
        }

        return a;
    }

    /// <summary>A uniform scalar in [1, r), by rejection from 254 random bits.</summary>
    private static BigInteger RandomScalar()
    {
        Span<byte> bytes = stackalloc byte[32];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            bytes[31] &= 0x3f;
            var value = new BigInteger(bytes, isUnsigned: true);
            if (value.Sign > 0 && value < G1.Order)
            {
                return value;
            }
        }
    }

    /// <summary>Public signals as snarkjs writes <c>public.json</c>: decimal strings.</summary>
    public static byte[] PublicSignalsJson(IEnumerable<Fr> signals) =>
        JsonSerializer.SerializeToUtf8Bytes(signals.Select(s => s.ToString()).ToArray(), Groth16Proof.Indented);

}
