using Prover.Crypto.Field;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// The Lagrange basis of a domain {ω^j} evaluated at a known τ, in Fr: what <c>powersoftau prepare
/// phase2</c> computes in the group by an inverse FFT over the points τ^i·G, computed here on the
/// scalars so that each point is then one fixed-base multiplication.
/// </summary>
/// <remarks>
/// ffjavascript's inverse FFT of (τ^0, …, τ^(m−1)) gives L_j(τ) = (1/m)·Σ_i ω^(−ij)·τ^i
/// = (τ^m − 1)/m · ω^j/(τ − ω^j), with ω snarkjs' primitive 2^k-th root (<see cref="Ntt.RootOfUnity"/>).
/// For the largest domain of the τG1 section, 2^(power+1), the ceremony holds one power too few and
/// snarkjs transforms with the missing τ^(m−1)·G replaced by the point at infinity; that drops the
/// term (1/m)·ω^(−j(m−1))·τ^(m−1) = (ω^j/m)·τ^(m−1) from every L_j.
/// </remarks>
internal static class Lagrange
{
    /// <summary>L_j(τ) for j = 0 … 2^<paramref name="log"/> − 1.</summary>
    /// <param name="withoutTopPower">Leave out τ^(m−1), as snarkjs does for the τG1 section's domain 2^(power+1).</param>
    /// <exception cref="SetupException">τ is a point of the domain (probability m/r).</exception>
    public static Fr[] Evaluate(Fr tau, int log, bool withoutTopPower = false)
    {
        var m = 1 << log;
        var omega = Ntt.RootOfUnity(log);
        var roots = new Fr[m];
        var differences = new Fr[m];
        var root = Fr.One;
        for (var j = 0; j < m; j++)
        {
            roots[j] = root;
            differences[j] = tau - root;
            if (differences[j].IsZero)
            {
                throw new SetupException($"τ is the {j}-th point of the domain of size 2^{log}; its Lagrange basis is degenerate there.");
            }

            root *= omega;
        }

        BatchInvert(differences);
        var mInverse = Fr.FromUInt64((ulong)m).Inverse();
        var tauToM = tau.Pow(m);
        var factor = (tauToM - Fr.One) * mInverse;
        var topTerm = withoutTopPower ? tau.Pow(m - 1) * mInverse : Fr.Zero;
        var values = differences;
        for (var j = 0; j < m; j++)
        {
            values[j] = roots[j] * ((factor * differences[j]) - topTerm);
        }

        return values;
    }

    /// <summary>Every element replaced by its inverse, with one inversion (Montgomery's trick); none may be zero.</summary>
    public static void BatchInvert(Span<Fr> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var prefix = new Fr[values.Length];
        var acc = Fr.One;
        for (var i = 0; i < values.Length; i++)
        {
            prefix[i] = acc;
            acc *= values[i];
        }

        var inverse = acc.Inverse();
        for (var i = values.Length - 1; i >= 0; i--)
        {
            var value = values[i];
            values[i] = inverse * prefix[i];
            inverse *= value;
        }
    }
}
