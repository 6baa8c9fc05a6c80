using System.Numerics;
using System.Runtime.CompilerServices;

namespace Prover.Core.Ethereum.Ecrecover;

/// <summary>
/// Modular inversion for an odd 256-bit modulus by the binary extended Euclidean algorithm (HAC 14.61,
/// variable time; every input here is public). Shared by the field (mod p) and the scalars (mod n): it beats
/// Fermat's a^(m−2) because it needs no full multiplications.
/// </summary>
internal static class ModInverse
{
    /// <summary>A 256-bit value as four little-endian limbs.</summary>
    internal struct U256
    {
        public ulong L0;
        public ulong L1;
        public ulong L2;
        public ulong L3;

        public U256(ulong l0, ulong l1, ulong l2, ulong l3)
        {
            L0 = l0;
            L1 = l1;
            L2 = l2;
            L3 = l3;
        }

        public readonly bool IsOne => ((L0 ^ 1) | L1 | L2 | L3) == 0;
    }

    /// <summary>−m⁻¹ mod 2^64 for odd m: Newton's iteration doubles the correct low bits each step (3 → 96).</summary>
    public static ulong NegInverse64(ulong m)
    {
        ulong inv = m; // m·m ≡ 1 mod 8 for odd m.
        for (int i = 0; i < 5; i++)
        {
            inv *= 2 - (m * inv);
        }

        return 0 - inv;
    }

    /// <summary>
    /// a⁻¹ mod m for 0 &lt; a &lt; m, m odd and a prime (so gcd(a, m) = 1). It keeps x1·a ≡ u and x2·a ≡ v
    /// (mod m) while shrinking u and v to 1. Runs of trailing zeros are stripped up to 63 at a time:
    /// x/2^k mod m is (x + q·m)/2^k with q = −x·m⁻¹ mod 2^k, as in Montgomery reduction.
    /// </summary>
    public static U256 Invert(in U256 a, in U256 m, ulong negMInv)
    {
        var u = a;
        var v = m;
        var x1 = new U256(1, 0, 0, 0);
        var x2 = default(U256);
        while (true)
        {
            StripTwos(ref u, ref x1, m, negMInv);
            if (u.IsOne)
            {
                return x1;
            }

            StripTwos(ref v, ref x2, m, negMInv);
            if (v.IsOne)
            {
                return x2;
            }

            // Both odd and coprime, so they differ unless both are 1; the difference is even.
            if (Greater(u, v))
            {
                Sub(ref u, v);
                SubMod(ref x1, x2, m);
            }
            else
            {
                Sub(ref v, u);
                SubMod(ref x2, x1, m);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Greater(in U256 a, in U256 b) =>
        a.L3 != b.L3 ? a.L3 > b.L3
        : a.L2 != b.L2 ? a.L2 > b.L2
        : a.L1 != b.L1 ? a.L1 > b.L1
        : a.L0 > b.L0;

    /// <summary>a −= b; returns the borrow out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Sub(ref U256 a, in U256 b)
    {
        UInt128 t = (UInt128)a.L0 - b.L0;
        a.L0 = (ulong)t;
        t = (UInt128)a.L1 - b.L1 - (ulong)(t >> 127);
        a.L1 = (ulong)t;
        t = (UInt128)a.L2 - b.L2 - (ulong)(t >> 127);
        a.L2 = (ulong)t;
        t = (UInt128)a.L3 - b.L3 - (ulong)(t >> 127);
        a.L3 = (ulong)t;
        return (ulong)(t >> 127);
    }

    /// <summary>a = a − b mod m for a, b below m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubMod(ref U256 a, in U256 b, in U256 m)
    {
        if (Sub(ref a, b) != 0)
        {
            UInt128 t = (UInt128)a.L0 + m.L0;
            a.L0 = (ulong)t;
            t = (UInt128)a.L1 + m.L1 + (ulong)(t >> 64);
            a.L1 = (ulong)t;
            t = (UInt128)a.L2 + m.L2 + (ulong)(t >> 64);
            a.L2 = (ulong)t;
            a.L3 = a.L3 + m.L3 + (ulong)(t >> 64);
        }
    }

    private static void StripTwos(ref U256 u, ref U256 x, in U256 m, ulong negMInv)
    {
        while ((u.L0 & 1) == 0)
        {
            int k = u.L0 == 0 ? 63 : BitOperations.TrailingZeroCount(u.L0);
            u.L0 = (u.L0 >> k) | (u.L1 << (64 - k));
            u.L1 = (u.L1 >> k) | (u.L2 << (64 - k));
            u.L2 = (u.L2 >> k) | (u.L3 << (64 - k));
            u.L3 >>= k;

            // x + q·m ≡ 0 mod 2^k, and x + q·m < m + (2^k − 1)·m, so the quotient is below m.
            ulong q = (x.L0 * negMInv) & ((1UL << k) - 1);
            UInt128 t = Math.BigMul(q, m.L0) + x.L0;
            ulong s0 = (ulong)t;
            t = Math.BigMul(q, m.L1) + x.L1 + (ulong)(t >> 64);
            ulong s1 = (ulong)t;
            t = Math.BigMul(q, m.L2) + x.L2 + (ulong)(t >> 64);
            ulong s2 = (ulong)t;
            t = Math.BigMul(q, m.L3) + x.L3 + (ulong)(t >> 64);
            ulong s3 = (ulong)t;
            ulong s4 = (ulong)(t >> 64);
            x.L0 = (s0 >> k) | (s1 << (64 - k));
            x.L1 = (s1 >> k) | (s2 << (64 - k));
            x.L2 = (s2 >> k) | (s3 << (64 - k));
            x.L3 = (s3 >> k) | (s4 << (64 - k));
        }
    }
}
