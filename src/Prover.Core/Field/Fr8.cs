using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Prover.Core.Field;

/// <summary>
/// Eight BN254 scalar field elements side by side for AVX-512F: lane i of limb vector L<i>j</i> is
/// limb j of element i in radix 2^28, and the elements are in Montgomery form with R = 2^280 (ten
/// limbs). A product is ten rows of <c>vpmuludq</c> (32×32 → 64 bits per lane, eight lanes) and ten
/// reduction steps; 28-bit limbs leave 8 bits of headroom in every 64-bit column, so sums of products
/// need no carries until one reduction at the end.
/// </summary>
/// <remarks>
/// <para>
/// r ≡ 1 (mod 2^28), so −r⁻¹ ≡ −1 and each reduction step's factor is just the negated low limb:
/// no multiplication by a Montgomery constant.
/// </para>
/// <para>
/// Bounds. A value is Σ L<i>j</i>·2^(28j) per lane, not necessarily below r. The kernels take limbs
/// below 2^29 and values below 2^278 and return limbs L0..L8 below 2^28 with values below
/// 2^276 + r &lt; 2^277: for a, b &lt; 2^278 the product is below 2^556, and the reduction returns at
/// most T/2^280 + r. So a kernel output plus a canonical constant (limbwise, limbs below 2^29, value
/// below 2^277 + r) is a valid input again, with no carry pass. <see cref="MultiplyAdd"/> returns
/// acc plus at most 2^276 + r: below 2^278 for an acc that is a kernel output or a constant. Column sums: a row product is below
/// 2^58, a column has at most ten of them plus nine reduction products below 2^56, under 2^62; in
/// <see cref="Mix"/> the columns' limbs are below 2^28, so eight terms stay under 2^63.4.
/// </para>
/// <para>
/// Conversion from <see cref="Fr"/> is free: Fr's Montgomery limbs a = x·2^256 (below r) shifted
/// left by 24 bits are x·2^280, below 2^278, and the shift only splits bits into limbs. Back, a
/// Montgomery product with 2^256 mod r yields x·2^256 mod r, Fr's own form, up to one subtraction.
/// </para>
/// </remarks>
[SkipLocalsInit]
internal partial struct Fr8
{
    internal const int Lanes = 8;
    internal const int LimbBits = 28;
    internal const ulong LimbMask = (1UL << LimbBits) - 1;

    /// <summary>Montgomery's R for this representation, 2^280.</summary>
    internal static readonly BigInteger R = BigInteger.One << (10 * LimbBits);

    internal Vector512<ulong> L0;
    internal Vector512<ulong> L1;
    internal Vector512<ulong> L2;
    internal Vector512<ulong> L3;
    internal Vector512<ulong> L4;
    internal Vector512<ulong> L5;
    internal Vector512<ulong> L6;
    internal Vector512<ulong> L7;
    internal Vector512<ulong> L8;
    internal Vector512<ulong> L9;

    /// <summary>2^256 mod r in every lane: multiplying by it leaves this Montgomery form for Fr's.</summary>
    private static readonly Fr8 ToScalarFactor = Broadcast(BigInteger.ModPow(2, 256, Fr.Modulus));

    /// <summary>Whether the kernels can run here.</summary>
    internal static bool IsSupported => Avx512F.IsSupported;

    /// <summary>Element i of <paramref name="x"/> in lane i (at most eight), zero in the other lanes.</summary>
    internal static Fr8 FromFr(ReadOnlySpan<Fr> x)
    {
        if (x.Length > Lanes)
        {
            throw new ArgumentException($"At most {Lanes} elements, got {x.Length}.", nameof(x));
        }

        Span<ulong> limbs = stackalloc ulong[10 * Lanes];
        limbs.Clear();
        for (int i = 0; i < x.Length; i++)
        {
            x[i].GetMontgomeryLimbs(out ulong m0, out ulong m1, out ulong m2, out ulong m3);
            SplitShifted(m0, m1, m2, m3, limbs, i);
        }

        return FromLimbs(limbs);
    }

    /// <summary>Lane <paramref name="lane"/> as an <see cref="Fr"/> (canonical).</summary>
    internal readonly Fr ToFr(int lane)
    {
        Multiply(in this, in ToScalarFactor, out var s);
        return s.LaneToFrUnchecked(lane);
    }

    /// <summary>Lanes 0.. into <paramref name="destination"/> (canonical), with one conversion product for all.</summary>
    internal readonly void ToFr(Span<Fr> destination)
    {
        Multiply(in this, in ToScalarFactor, out var s);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = s.LaneToFrUnchecked(i);
        }
    }

    /// <summary>
    /// Lane <paramref name="lane"/> of a value already in Fr's Montgomery form (x·2^256) and below 2r,
    /// as a kernel output times <see cref="ToScalarFactor"/> is: joins the limbs, subtracts r once.
    /// </summary>
    internal readonly Fr LaneToFrUnchecked(int lane)
    {
        ulong l0 = L0[lane], l1 = L1[lane], l2 = L2[lane], l3 = L3[lane], l4 = L4[lane];
        ulong l5 = L5[lane], l6 = L6[lane], l7 = L7[lane], l8 = L8[lane], l9 = L9[lane];
        ulong m0 = l0 | (l1 << 28) | (l2 << 56);
        ulong m1 = (l2 >> 8) | (l3 << 20) | (l4 << 48);
        ulong m2 = (l4 >> 16) | (l5 << 12) | (l6 << 40);
        ulong m3 = (l6 >> 24) | (l7 << 4) | (l8 << 32) | (l9 << 60);
        return Fr.Canonical(Fr.FromMontgomeryLimbs(m0, m1, m2, m3));
    }

    /// <summary>
    /// Lane 0's raw value (below 2^256: a kernel output with a constant multiplier is below 2r) as Fr
    /// limbs, not reduced: Fr's lazy kernels take it as is.
    /// </summary>
    internal readonly Fr Lane0Raw()
    {
        ulong l0 = L0.ToScalar(), l1 = L1.ToScalar(), l2 = L2.ToScalar(), l3 = L3.ToScalar(), l4 = L4.ToScalar();
        ulong l5 = L5.ToScalar(), l6 = L6.ToScalar(), l7 = L7.ToScalar(), l8 = L8.ToScalar(), l9 = L9.ToScalar();
        return Fr.FromMontgomeryLimbs(
            l0 | (l1 << 28) | (l2 << 56),
            (l2 >> 8) | (l3 << 20) | (l4 << 48),
            (l4 >> 16) | (l5 << 12) | (l6 << 40),
            (l6 >> 24) | (l7 << 4) | (l8 << 32) | (l9 << 60));
    }

    /// <summary>Fr's raw limbs of <paramref name="x"/> (any value below 2^256) as ten 28-bit limbs, unshifted.</summary>
    internal static void SplitRaw(in Fr x, Span<ulong> limbs)
    {
        x.GetMontgomeryLimbs(out ulong m0, out ulong m1, out ulong m2, out ulong m3);
        limbs[0] = m0 & LimbMask;
        limbs[1] = (m0 >> 28) & LimbMask;
        limbs[2] = ((m0 >> 56) | (m1 << 8)) & LimbMask;
        limbs[3] = (m1 >> 20) & LimbMask;
        limbs[4] = ((m1 >> 48) | (m2 << 16)) & LimbMask;
        limbs[5] = (m2 >> 12) & LimbMask;
        limbs[6] = ((m2 >> 40) | (m3 << 24)) & LimbMask;
        limbs[7] = (m3 >> 4) & LimbMask;
        limbs[8] = (m3 >> 32) & LimbMask;
        limbs[9] = m3 >> 60;
    }

    /// <summary>
    /// Canonical constants in this form (x·2^280 mod r, limbs below 2^28): element i of
    /// <paramref name="x"/> in lane i, zero in the other lanes.
    /// </summary>
    internal static Fr8 Constants(ReadOnlySpan<Fr> x)
    {
        if (x.Length > Lanes)
        {
            throw new ArgumentException($"At most {Lanes} elements, got {x.Length}.", nameof(x));
        }

        Span<ulong> limbs = stackalloc ulong[10 * Lanes];
        limbs.Clear();
        for (int i = 0; i < x.Length; i++)
        {
            var v = x[i].ToBigInteger() * R % Fr.Modulus;
            for (int j = 0; j < 10; j++)
            {
                limbs[j * Lanes + i] = (ulong)((v >> (LimbBits * j)) & LimbMask);
            }
        }

        return FromLimbs(limbs);
    }

    /// <summary>The integer <paramref name="raw"/> (below 2^280) as limbs in every lane, with no conversion.</summary>
    internal static Fr8 Broadcast(BigInteger raw)
    {
        Span<ulong> limbs = stackalloc ulong[10 * Lanes];
        for (int j = 0; j < 10; j++)
        {
            limbs.Slice(j * Lanes, Lanes).Fill((ulong)((raw >> (LimbBits * j)) & LimbMask));
        }

        return FromLimbs(limbs);
    }

    /// <summary>Lane-wise sum, no carries: the caller keeps the limbs below 2^29 (see the bounds above).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Add(ref Fr8 x, in Fr8 y)
    {
        x.L0 += y.L0;
        x.L1 += y.L1;
        x.L2 += y.L2;
        x.L3 += y.L3;
        x.L4 += y.L4;
        x.L5 += y.L5;
        x.L6 += y.L6;
        x.L7 += y.L7;
        x.L8 += y.L8;
        x.L9 += y.L9;
    }

    /// <summary>Lane-wise: lanes where <paramref name="mask"/> is all ones from <paramref name="a"/>, the others from <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr8 Select(Vector512<ulong> mask, in Fr8 a, in Fr8 b) => new()
    {
        L0 = Vector512.ConditionalSelect(mask, a.L0, b.L0),
        L1 = Vector512.ConditionalSelect(mask, a.L1, b.L1),
        L2 = Vector512.ConditionalSelect(mask, a.L2, b.L2),
        L3 = Vector512.ConditionalSelect(mask, a.L3, b.L3),
        L4 = Vector512.ConditionalSelect(mask, a.L4, b.L4),
        L5 = Vector512.ConditionalSelect(mask, a.L5, b.L5),
        L6 = Vector512.ConditionalSelect(mask, a.L6, b.L6),
        L7 = Vector512.ConditionalSelect(mask, a.L7, b.L7),
        L8 = Vector512.ConditionalSelect(mask, a.L8, b.L8),
        L9 = Vector512.ConditionalSelect(mask, a.L9, b.L9),
    };

    /// <summary>Lane i takes lane index[i] of a (0..7) or of b (8..15), as <c>vpermt2q</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr8 Permute(in Fr8 a, in Fr8 b, Vector512<ulong> index) => new()
    {
        L0 = Avx512F.PermuteVar8x64x2(a.L0, index, b.L0),
        L1 = Avx512F.PermuteVar8x64x2(a.L1, index, b.L1),
        L2 = Avx512F.PermuteVar8x64x2(a.L2, index, b.L2),
        L3 = Avx512F.PermuteVar8x64x2(a.L3, index, b.L3),
        L4 = Avx512F.PermuteVar8x64x2(a.L4, index, b.L4),
        L5 = Avx512F.PermuteVar8x64x2(a.L5, index, b.L5),
        L6 = Avx512F.PermuteVar8x64x2(a.L6, index, b.L6),
        L7 = Avx512F.PermuteVar8x64x2(a.L7, index, b.L7),
        L8 = Avx512F.PermuteVar8x64x2(a.L8, index, b.L8),
        L9 = Avx512F.PermuteVar8x64x2(a.L9, index, b.L9),
    };

    /// <summary>Raw limbs of one lane as an integer (tests check bounds with it).</summary>
    internal readonly BigInteger RawLane(int lane, out ulong maxLimb)
    {
        BigInteger v = BigInteger.Zero;
        maxLimb = 0;
        ReadOnlySpan<Vector512<ulong>> l = [L0, L1, L2, L3, L4, L5, L6, L7, L8, L9];
        for (int j = 9; j >= 0; j--)
        {
            v = (v << LimbBits) + l[j][lane];
            maxLimb = Math.Max(maxLimb, l[j][lane]);
        }

        return v;
    }

    /// <summary>Builds a value from raw limbs, limb j of lane i at [j·8 + i] (tests feed edge limbs with it).</summary>
    internal static Fr8 FromLimbs(ReadOnlySpan<ulong> limbs)
    {
        return new Fr8
        {
            L0 = Vector512.Create(limbs[..8]),
            L1 = Vector512.Create(limbs[8..16]),
            L2 = Vector512.Create(limbs[16..24]),
            L3 = Vector512.Create(limbs[24..32]),
            L4 = Vector512.Create(limbs[32..40]),
            L5 = Vector512.Create(limbs[40..48]),
            L6 = Vector512.Create(limbs[48..56]),
            L7 = Vector512.Create(limbs[56..64]),
            L8 = Vector512.Create(limbs[64..72]),
            L9 = Vector512.Create(limbs[72..80]),
        };
    }

    /// <summary>(m0..m3)·2^24 split into ten 28-bit limbs, written to lane <paramref name="lane"/>.</summary>
    private static void SplitShifted(ulong m0, ulong m1, ulong m2, ulong m3, Span<ulong> limbs, int lane)
    {
        // Bit b of m lands at bit b + 24 of the value: limb 0 holds m's bits 0..3 at 24..27, limb j ≥ 1
        // holds m's bits 28j − 24 .. 28j + 3.
        limbs[lane] = (m0 << 24) & LimbMask;
        limbs[Lanes + lane] = (m0 >> 4) & LimbMask;
        limbs[(2 * Lanes) + lane] = (m0 >> 32) & LimbMask;
        limbs[(3 * Lanes) + lane] = ((m0 >> 60) | (m1 << 4)) & LimbMask;
        limbs[(4 * Lanes) + lane] = (m1 >> 24) & LimbMask;
        limbs[(5 * Lanes) + lane] = ((m1 >> 52) | (m2 << 12)) & LimbMask;
        limbs[(6 * Lanes) + lane] = (m2 >> 16) & LimbMask;
        limbs[(7 * Lanes) + lane] = ((m2 >> 44) | (m3 << 20)) & LimbMask;
        limbs[(8 * Lanes) + lane] = (m3 >> 8) & LimbMask;
        limbs[(9 * Lanes) + lane] = m3 >> 36;
    }
}
