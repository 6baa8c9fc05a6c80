using System.Numerics;

namespace Prover.Crypto.Field;

/// <summary>
/// The number-theoretic transform over Fr on a domain of 2^k points {ω^i}: evaluations from
/// coefficients and back, with the same roots of unity as snarkjs (ffjavascript), because a Groth16
/// proving key's Lagrange and H sections are laid out in that domain's order.
/// </summary>
/// <remarks>
/// r − 1 = 2^28·t with t odd. ffjavascript takes the smallest quadratic non-residue g (5 for this r),
/// sets ω₂₈ = g^t, a primitive 2^28-th root, and squares down: ω_k = ω₂₈^(2^(28−k)).
/// Iterative radix-2, decimation in time after a bit-reversal permutation, twiddles precomputed once
/// per transform.
/// </remarks>
public static class Ntt
{
    /// <summary>The largest domain: 2^28 points.</summary>
    public const int MaxLog = 28;

    private static readonly Fr[] Roots = ComputeRoots();

    /// <summary>The primitive 2^<paramref name="log"/>-th root of unity snarkjs uses.</summary>
    public static Fr RootOfUnity(int log)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(log);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(log, MaxLog);
        return Roots[log];
    }

    /// <summary>In place: coefficients a₀… become evaluations a(ω^i), i = 0…n−1, n a power of two.</summary>
    public static void Forward(Span<Fr> values) => Transform(values, RootOfUnity(Log2(values.Length)));

    /// <summary>In place: evaluations a(ω^i) become the coefficients (the inverse of <see cref="Forward"/>).</summary>
    public static void Inverse(Span<Fr> values)
    {
        var log = Log2(values.Length);
        Transform(values, RootOfUnity(log).Inverse());
        var nInverse = Fr.FromUInt64((ulong)values.Length).Inverse();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= nInverse;
        }
    }

    /// <summary>In place: multiplies coefficient i by shift^i, which moves the next <see cref="Forward"/> onto the coset shift·{ω^i}.</summary>
    public static void ScaleByPowers(Span<Fr> values, Fr shift)
    {
        var power = Fr.One;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= power;
            power *= shift;
        }
    }

    private static void Transform(Span<Fr> a, Fr omega)
    {
        var n = a.Length;
        var log = Log2(n);
        for (var i = 0; i < n; i++)
        {
            var j = (int)(ReverseBits((uint)i) >> (32 - Math.Max(log, 1)));
            if (log > 0 && i < j)
            {
                (a[i], a[j]) = (a[j], a[i]);
            }
        }

        // twiddles[k] = omega^k for k < n/2; the stage of half-size m steps through them by n/(2m).
        var twiddles = new Fr[Math.Max(1, n / 2)];
        twiddles[0] = Fr.One;
        for (var k = 1; k < twiddles.Length; k++)
        {
            twiddles[k] = twiddles[k - 1] * omega;
        }

        for (var m = 1; m < n; m <<= 1)
        {
            var stride = n / (2 * m);
            for (var start = 0; start < n; start += 2 * m)
            {
                for (var k = 0; k < m; k++)
                {
                    var t = a[start + k + m] * twiddles[k * stride];
                    var u = a[start + k];
                    a[start + k] = u + t;
                    a[start + k + m] = u - t;
                }
            }
        }
    }

    private static uint ReverseBits(uint x)
    {
        x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
        x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
        x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
        x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
        return (x >> 16) | (x << 16);
    }

    private static int Log2(int n)
    {
        if (n <= 0 || !BitOperations.IsPow2(n))
        {
            throw new ArgumentException($"an NTT needs a power-of-two length, not {n}.", nameof(n));
        }

        var log = BitOperations.Log2((uint)n);
        if (log > MaxLog)
        {
            throw new ArgumentException($"2^{log} points exceed the field's largest power-of-two domain, 2^{MaxLog}.", nameof(n));
        }

        return log;
    }

    private static Fr[] ComputeRoots()
    {
        var t = (Fr.Modulus - 1) >> MaxLog;
        var roots = new Fr[MaxLog + 1];
        roots[MaxLog] = Fr.FromUInt64(5).Pow(t);
        for (var k = MaxLog - 1; k >= 0; k--)
        {
            roots[k] = roots[k + 1].Square();
        }

        return roots;
    }
}
