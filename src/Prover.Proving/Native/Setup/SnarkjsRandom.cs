using System.Globalization;
using System.Numerics;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// Field elements and curve points drawn from a <see cref="ChaChaRng"/> exactly as ffjavascript draws
/// them (<c>fromRng</c> of its WebAssembly fields and curves), so that a beacon's secrets and public
/// keys come out as snarkjs' do.
/// </summary>
/// <remarks>
/// ffjavascript fills an element's bytes with four 64-bit draws, masks them to the modulus' 254 bits,
/// retries above the modulus, and keeps the result as the element's <i>Montgomery</i> form: the element
/// drawn is v·2^−256, not v. A point draws x and a sign bit until x³ + b is a square, takes the root
/// whose sign (above (p−1)/2; for F_p², the imaginary part's unless it is zero) matches the bit, and
/// in G2 multiplies by the cofactor.
/// </remarks>
internal static class SnarkjsRandom
{
    /// <summary>The cofactor of the G2 twist, 2p − r, as ffjavascript's bn128 lists it.</summary>
    public static readonly BigInteger G2Cofactor = BigInteger.Parse(
        "030644e72e131a029b85045b68181585e06ceecda572a2489345f2299c0f9fa8d", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static readonly BigInteger Mask254 = (BigInteger.One << 254) - 1;

    public static Fr NextFr(ChaChaRng rng)
    {
        while (true)
        {
            var v = NextMasked(rng);
            if (v < Fr.Modulus)
            {
                GetLimbs(v, out var l0, out var l1, out var l2, out var l3);
                return Fr.FromMontgomeryLimbs(l0, l1, l2, l3);
            }
        }
    }

    public static Fq NextFq(ChaChaRng rng)
    {
        while (true)
        {
            var v = NextMasked(rng);
            GetLimbs(v, out var l0, out var l1, out var l2, out var l3);
            if (Fq.TryFromMontgomeryLimbs(l0, l1, l2, l3, out var value))
            {
                return value;
            }
        }
    }

    public static G1 NextG1(ChaChaRng rng)
    {
        while (true)
        {
            var x = NextFq(rng);
            var greatest = rng.NextBool();
            var x3b = (x.Square() * x) + G1.B;
            if (!FqMath.IsSquare(x3b))
            {
                continue;
            }

            var y = FqMath.Sqrt(x3b);
            if (FqMath.IsNegative(y) != greatest)
            {
                y = -y;
            }

            return new G1(x, y, false);
        }
    }

    public static G2 NextG2(ChaChaRng rng)
    {
        while (true)
        {
            var x = new Fq2(NextFq(rng), NextFq(rng));
            var greatest = rng.NextBool();
            var x3b = (x.Square() * x) + G2.B;
            if (!FqMath.IsSquare(x3b))
            {
                continue;
            }

            var y = FqMath.Sqrt(x3b);
            if (FqMath.IsNegative(y) != greatest)
            {
                y = -y;
            }

            return new G2(x, y, false).Multiply(G2Cofactor);
        }
    }

    /// <summary>snarkjs' <c>hashToG2</c>: a G2 point drawn from a generator seeded by the hash.</summary>
    public static G2 HashToG2(ReadOnlySpan<byte> hash) => NextG2(ChaChaRng.FromHash(hash));

    private static BigInteger NextMasked(ChaChaRng rng)
    {
        var v = BigInteger.Zero;
        for (var i = 0; i < 4; i++)
        {
            v |= (BigInteger)rng.NextU64() << (64 * i);
        }

        return v & Mask254;
    }

    private static void GetLimbs(BigInteger v, out ulong l0, out ulong l1, out ulong l2, out ulong l3)
    {
        l0 = (ulong)(v & ulong.MaxValue);
        l1 = (ulong)((v >> 64) & ulong.MaxValue);
        l2 = (ulong)((v >> 128) & ulong.MaxValue);
        l3 = (ulong)(v >> 192);
    }
}

/// <summary>Square roots and signs in F_p and F_p² (p ≡ 3 mod 4), for the few points a ceremony draws; BigInteger is fast enough there.</summary>
internal static class FqMath
{
    private static readonly BigInteger P = Fq.Modulus;
    private static readonly BigInteger Half = (P - 1) / 2;

    /// <summary>ffjavascript's sign: the canonical value is above (p − 1)/2.</summary>
    public static bool IsNegative(Fq x) => x.ToBigInteger() > Half;

    /// <summary>The imaginary part's sign, or the real part's when the imaginary part is zero.</summary>
    public static bool IsNegative(Fq2 x) => x.C1.IsZero ? IsNegative(x.C0) : IsNegative(x.C1);

    public static bool IsSquare(Fq x) => x.IsZero || BigInteger.ModPow(x.ToBigInteger(), Half, P).IsOne;

    /// <summary>An element of F_p² is a square exactly when its norm c0² + c1² is one in F_p.</summary>
    public static bool IsSquare(Fq2 x) => IsSquare(x.C0.Square() + x.C1.Square());

    /// <summary>A square root (p ≡ 3 mod 4: x^((p+1)/4)); which of the two is returned does not matter to callers, who fix the sign.</summary>
    /// <exception cref="ArgumentException">x is not a square.</exception>
    public static Fq Sqrt(Fq x)
    {
        var root = Fq.FromBigInteger(BigInteger.ModPow(x.ToBigInteger(), (P + 1) / 4, P));
        return root.Square() == x ? root : throw new ArgumentException("not a square in F_p", nameof(x));
    }

    /// <summary>
    /// A square root in F_p² = F_p[i]/(i² + 1) by the norm: with s = √(c0² + c1²), one of (c0 ± s)/2 is a
    /// square t, and √x = √t + c1/(2√t)·i.
    /// </summary>
    /// <exception cref="ArgumentException">x is not a square.</exception>
    public static Fq2 Sqrt(Fq2 x)
    {
        if (x.C1.IsZero)
        {
            return IsSquare(x.C0) ? new Fq2(Sqrt(x.C0), Fq.Zero) : new Fq2(Fq.Zero, Sqrt(-x.C0));
        }

        var s = Sqrt(x.C0.Square() + x.C1.Square());
        var halfInverse = Fq.FromUInt64(2).Inverse();
        var t = (x.C0 + s) * halfInverse;
        if (!IsSquare(t))
        {
            t = (x.C0 - s) * halfInverse;
        }

        var a = Sqrt(t);
        var root = new Fq2(a, x.C1 * (a.Double().Inverse()));
        return root.Square() == x ? root : throw new ArgumentException("not a square in F_p²", nameof(x));
    }
}
