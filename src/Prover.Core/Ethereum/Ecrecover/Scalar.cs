using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Prover.Core.Ethereum.Ecrecover;

/// <summary>
/// An integer mod n, the secp256k1 group order, as four little-endian 64-bit limbs, always fully reduced
/// (below n). Only a handful of scalar operations run per recovery, so these favour simplicity over speed,
/// except the inverse. Variable time: every input is public.
/// </summary>
internal struct Scalar
{
    // n = 2^256 − NC, NC = 2^128 + 0x4551231950B75FC4_402DA1732FC9BEBF (SEC 2 §2.4.1).
    private const ulong N0 = 0xBFD2_5E8C_D036_4141;
    private const ulong N1 = 0xBAAE_DCE6_AF48_A03B;
    private const ulong N2 = 0xFFFF_FFFF_FFFF_FFFE;
    private const ulong N3 = 0xFFFF_FFFF_FFFF_FFFF;
    private const ulong NC0 = 0x402D_A173_2FC9_BEBF;
    private const ulong NC1 = 0x4551_2319_50B7_5FC4;

    /// <summary>−n⁻¹ mod 2^64, for dividing by powers of two mod n in <see cref="Inverse"/>.</summary>
    private static readonly ulong s_negNInv = ModInverse.NegInverse64(N0);

    public ulong L0;
    public ulong L1;
    public ulong L2;
    public ulong L3;

    public Scalar(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }

    public static Scalar N => new(N0, N1, N2, N3);

    public readonly bool IsZero => (L0 | L1 | L2 | L3) == 0;

    /// <summary>Reads 32 big-endian bytes; false where they are ≥ n.</summary>
    public static bool TryRead(ReadOnlySpan<byte> be32, out Scalar r)
    {
        r = ReadRaw(be32);
        return !r.IsAtLeastN;
    }

    /// <summary>Reads 32 big-endian bytes reduced mod n (a 256-bit value is below 2n, so one subtraction).</summary>
    public static Scalar ReadReduced(ReadOnlySpan<byte> be32)
    {
        var r = ReadRaw(be32);
        if (r.IsAtLeastN)
        {
            SubRaw(ref r, N);
        }

        return r;
    }

    private static Scalar ReadRaw(ReadOnlySpan<byte> be32) => new(
        BinaryPrimitives.ReadUInt64BigEndian(be32[24..]),
        BinaryPrimitives.ReadUInt64BigEndian(be32[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(be32[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(be32));

    private readonly bool IsAtLeastN => Compare(this, N) >= 0;

    /// <summary>Whether the value exceeds n/2, i.e. n − value is the shorter representative.</summary>
    public readonly bool IsHigh => Compare(this, new Scalar(0xDFE9_2F46_681B_20A0, 0x5D57_6E73_57A4_501D, N3, N3 >> 1)) > 0;

    public readonly int BitLength =>
        L3 != 0 ? 256 - BitOperations.LeadingZeroCount(L3)
        : L2 != 0 ? 192 - BitOperations.LeadingZeroCount(L2)
        : L1 != 0 ? 128 - BitOperations.LeadingZeroCount(L1)
        : 64 - BitOperations.LeadingZeroCount(L0);

    /// <summary>Bits [offset, offset + count) with count ≤ 32, as an unsigned integer; bits past 255 read as 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly uint GetBits(int offset, int count)
    {
        int limb = offset >> 6;
        int shift = offset & 63;
        ulong v = Limb(limb) >> shift;
        if (shift + count > 64 && limb < 3)
        {
            v |= Limb(limb + 1) << (64 - shift);
        }

        return (uint)(v & ((1UL << count) - 1));
    }

    private readonly ulong Limb(int i) => i switch { 0 => L0, 1 => L1, 2 => L2, 3 => L3, _ => 0 };

    private static int Compare(in Scalar a, in Scalar b) =>
        a.L3 != b.L3 ? a.L3.CompareTo(b.L3)
        : a.L2 != b.L2 ? a.L2.CompareTo(b.L2)
        : a.L1 != b.L1 ? a.L1.CompareTo(b.L1)
        : a.L0.CompareTo(b.L0);

    /// <summary>a −= b as 256-bit integers; returns the borrow out.</summary>
    private static ulong SubRaw(ref Scalar a, in Scalar b)
    {
        UInt128 t = (UInt128)a.L0 - b.L0;
        a.L0 = (ulong)t;
        ulong borrow = (ulong)(t >> 127);
        t = (UInt128)a.L1 - b.L1 - borrow;
        a.L1 = (ulong)t;
        borrow = (ulong)(t >> 127);
        t = (UInt128)a.L2 - b.L2 - borrow;
        a.L2 = (ulong)t;
        borrow = (ulong)(t >> 127);
        t = (UInt128)a.L3 - b.L3 - borrow;
        a.L3 = (ulong)t;
        return (ulong)(t >> 127);
    }

    /// <summary>a += b as 256-bit integers; returns the carry out.</summary>
    private static ulong AddRaw(ref Scalar a, in Scalar b)
    {
        UInt128 t = (UInt128)a.L0 + b.L0;
        a.L0 = (ulong)t;
        t = (UInt128)a.L1 + b.L1 + (ulong)(t >> 64);
        a.L1 = (ulong)t;
        t = (UInt128)a.L2 + b.L2 + (ulong)(t >> 64);
        a.L2 = (ulong)t;
        t = (UInt128)a.L3 + b.L3 + (ulong)(t >> 64);
        a.L3 = (ulong)t;
        return (ulong)(t >> 64);
    }

    public static Scalar Add(in Scalar a, in Scalar b)
    {
        var r = a;
        if (AddRaw(ref r, b) != 0 || r.IsAtLeastN)
        {
            // Both below n, so the sum is below 2n: one subtraction (its borrow cancels the carry).
            SubRaw(ref r, N);
        }

        return r;
    }

    public static Scalar Sub(in Scalar a, in Scalar b)
    {
        var r = a;
        if (SubRaw(ref r, b) != 0)
        {
            AddRaw(ref r, N);
        }

        return r;
    }

    public static Scalar Negate(in Scalar a) => Sub(default, a);

    public static Scalar Mul(in Scalar a, in Scalar b)
    {
        Span<ulong> w = stackalloc ulong[9];
        Mul512(a, b, w);
        return Reduce512(w);
    }

    /// <summary>
    /// round(a·b / 2^384) for a, b below 2^256: libsecp256k1's secp256k1_scalar_mul_shift_var, used by
    /// <see cref="SplitLambda"/> to approximate a·g/2^384 for its precomputed g = round(2^384·b/n).
    /// </summary>
    public static Scalar MulShift384(in Scalar a, in Scalar b)
    {
        Span<ulong> w = stackalloc ulong[9];
        Mul512(a, b, w);
        var r = new Scalar(w[6], w[7], 0, 0);
        AddRaw(ref r, new Scalar(w[5] >> 63, 0, 0, 0));
        return r;
    }

    private static void Mul512(in Scalar a, in Scalar b, Span<ulong> w)
    {
        ReadOnlySpan<ulong> x = [a.L0, a.L1, a.L2, a.L3];
        ReadOnlySpan<ulong> y = [b.L0, b.L1, b.L2, b.L3];
        w.Clear();
        for (int i = 0; i < 4; i++)
        {
            ulong carry = 0;
            for (int j = 0; j < 4; j++)
            {
                UInt128 t = Math.BigMul(x[i], y[j]) + w[i + j] + carry;
                w[i + j] = (ulong)t;
                carry = (ulong)(t >> 64);
            }

            w[i + 4] = carry;
        }
    }

    /// <summary>
    /// Reduces w (up to 512 bits, in w[0..8]) mod n by folding: hi·2^256 + lo ≡ lo + hi·NC, NC having 129
    /// bits, until the value fits in 256 bits (512 → 386 → 259 → 257 → 256), then subtracting n once if needed.
    /// </summary>
    private static Scalar Reduce512(Span<ulong> w)
    {
        ReadOnlySpan<ulong> nc = [NC0, NC1, 1];
        Span<ulong> t = stackalloc ulong[9];
        while ((w[4] | w[5] | w[6] | w[7] | w[8]) != 0)
        {
            t.Clear();
            w[..4].CopyTo(t);
            for (int i = 4; i < 9; i++)
            {
                if (w[i] == 0)
                {
                    continue;
                }

                ulong carry = 0;
                int k = i - 4;
                for (int j = 0; j < 3; j++, k++)
                {
                    UInt128 s = Math.BigMul(w[i], nc[j]) + t[k] + carry;
                    t[k] = (ulong)s;
                    carry = (ulong)(s >> 64);
                }

                for (; carry != 0; k++)
                {
                    t[k] += carry;
                    carry = t[k] < carry ? 1UL : 0UL;
                }
            }

            t.CopyTo(w);
        }

        var r = new Scalar(w[0], w[1], w[2], w[3]);
        if (r.IsAtLeastN)
        {
            SubRaw(ref r, N);
        }

        return r;
    }

    /// <summary>a⁻¹ mod n for a ≠ 0.</summary>
    public static Scalar Inverse(in Scalar a)
    {
        var r = ModInverse.Invert(new ModInverse.U256(a.L0, a.L1, a.L2, a.L3), new ModInverse.U256(N0, N1, N2, N3), s_negNInv);
        return new Scalar(r.L0, r.L1, r.L2, r.L3);
    }

    // GLV decomposition constants (Gallant–Lambert–Vanstone 2001; values as in libsecp256k1's scalar_impl.h,
    // rederived and checked in the tests): λ is a cube root of 1 mod n, a1 + b1·λ ≡ a2 + b2·λ ≡ 0 with
    // b2 = a1, and g1 = round(2^384·b2/n), g2 = round(2^384·(−b1)/n).
    private static readonly Scalar s_minusLambda = new(0xE0CF_C810_B512_83CF, 0xA880_B9FC_8EC7_39C2, 0x5AD9_E3FD_77ED_9BA4, 0xAC9C_52B3_3FA3_CF1F);
    private static readonly Scalar s_minusB1 = new(0x6F54_7FA9_0ABF_E4C3, 0xE443_7ED6_010E_8828, 0, 0);
    private static readonly Scalar s_minusB2 = new(0xD765_CDA8_3DB1_562C, 0x8A28_0AC5_0774_346D, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF);
    private static readonly Scalar s_g1 = new(0xE893_209A_45DB_B031, 0x3DAA_8A14_71E8_CA7F, 0xE86C_90E4_9284_EB15, 0x3086_D221_A7D4_6BCD);
    private static readonly Scalar s_g2 = new(0x1571_B4AE_8AC4_7F71, 0x2212_08AC_9DF5_06C6, 0x6F54_7FA9_0ABF_E4C4, 0xE443_7ED6_010E_8828);

    /// <summary>
    /// Splits k into (k1, k2) with k ≡ k1 + k2·λ (mod n) and k1, k2 each within about 2^128 of 0 (so either
    /// the value or n minus it is short): libsecp256k1's secp256k1_scalar_split_lambda. Callers do not rely
    /// on the bound for correctness, only for speed.
    /// </summary>
    public static void SplitLambda(in Scalar k, out Scalar k1, out Scalar k2)
    {
        var c1 = Mul(MulShift384(k, s_g1), s_minusB1);
        var c2 = Mul(MulShift384(k, s_g2), s_minusB2);
        k2 = Add(c1, c2);
        k1 = Add(Mul(k2, s_minusLambda), k);
    }

    /// <summary>λ, a primitive cube root of unity mod n: λ·(x, y) = (β·x, y) on secp256k1.</summary>
    public static Scalar Lambda => Negate(s_minusLambda);
}
