using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Prover.Crypto.Field;

/// <summary>
/// Eight BN254 scalar field elements side by side for AVX-512F: lane i of limb vector L<i>j</i> is
/// limb j of element i in radix 2^29, and the elements are in Montgomery form with R = 2^261 (nine
/// limbs). A product is nine rows of <c>vpmuludq</c> (32×32 → 64 bits per lane, eight lanes) and
/// nine reduction steps; 29-bit limbs leave room in every 64-bit column for a row's products and the
/// reduction's, so sums of products need no carries until one reduction at the end.
/// </summary>
/// <remarks>
/// <para>
/// r ≡ 1 + 2^28 (mod 2^29), so −r⁻¹ ≡ 2^28 − 1 and each reduction step's factor is
/// m = (t·2^28 − t) mod 2^29, with m·r₀ = m + m·2^28: shifts and adds, no multiplication. Nine limbs
/// of 29 bits take 81 limb products where ten of 28 bits took 100, for about 15% less work per kernel.
/// </para>
/// <para>
/// Bounds. A value is Σ L<i>j</i>·2^(29j) per lane, not necessarily below r (r &lt; 2^253.7). The
/// kernels take values below 2^260 with limbs below 2^30 (a kernel output plus a constant, added
/// limbwise, qualifies) and return normalized limbs (L0..L7 below 2^29) with values below
/// T/2^261 + r: below 2^259 + r for two inputs below 2^260, below r/2 + r for an input times a
/// constant. <see cref="MultiplyAdd"/> and <see cref="PartialUpdate"/> add their accumulator, which
/// enters unreduced. Column sums: a row product of limbs below 2^30 is below 2^60, nine of them
/// 2^63.17, and a column's eight reduction products (m and r's limbs below 2^29) add 2^61: under
/// 2^64. <see cref="Mix"/> needs normalized inputs: six terms fill a column to 54·2^58 + 2^61 &lt;
/// 2^63.96, so it carries the columns before a seventh term.
/// </para>
/// <para>
/// Conversion from <see cref="Fr"/> is free: Fr's Montgomery limbs a = x·2^256 (below r) shifted
/// left by 5 bits are x·2^261, below 2^259, and the shift only splits bits into limbs. Back, a
/// Montgomery product with 2^256 mod r yields x·2^256 mod r, Fr's own form, below 1.5r: one
/// conditional subtraction.
/// </para>
/// </remarks>
[SkipLocalsInit]
internal partial struct Fr8
{
    internal const int Lanes = 8;
    internal const ulong LimbMask = (1UL << LimbBits) - 1;

    /// <summary>Montgomery's R for this representation, 2^261.</summary>
    internal static readonly BigInteger R = BigInteger.One << (LimbCount * LimbBits);

    /// <summary>2^261 mod r: multiplying by it puts an Fr's value into this Montgomery form.</summary>
    private static readonly Fr RModR = Fr.Reduce(R);

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

        Span<ulong> limbs = stackalloc ulong[LimbCount * Lanes];
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

    /// <summary>
    /// Lane <paramref name="lane"/> of a value already in Fr's Montgomery form (x·2^256) and below 2r,
    /// as a kernel output times <see cref="ToScalarFactor"/> is: joins the limbs, subtracts r once.
    /// </summary>
    internal readonly Fr LaneToFrUnchecked(int lane) => Fr.Canonical(JoinLane(lane));

    /// <summary>
    /// Lane 0's raw value (normalized limbs, below 2^256: a kernel output with a constant multiplier
    /// or a small square is below 2r) as Fr limbs, not reduced: Fr's lazy kernels take it as is.
    /// </summary>
    internal readonly Fr Lane0Raw() => JoinLane0();

    /// <summary>
    /// Fr's lazy Montgomery square (R = 2^256) of lane 0's raw value (below 2r), split into limbs:
    /// one call for the join, the scalar square and the split.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void SquareLane0(in Fr8 a, Span<ulong> limbs) => SplitRaw(Fr.SquareLazyInline(a.JoinLane0()), limbs);

    /// <summary>
    /// Canonical constants in this form (x·2^261 mod r, normalized limbs): element i of
    /// <paramref name="x"/> in lane i, zero in the other lanes.
    /// </summary>
    internal static Fr8 Constants(ReadOnlySpan<Fr> x)
    {
        if (x.Length > Lanes)
        {
            throw new ArgumentException($"At most {Lanes} elements, got {x.Length}.", nameof(x));
        }

        Span<ulong> limbs = stackalloc ulong[LimbCount * Lanes];
        limbs.Clear();
        Span<byte> bytes = stackalloc byte[Fr.ByteLength];
        Span<ulong> one = stackalloc ulong[LimbCount];
        for (int i = 0; i < x.Length; i++)
        {
            // The canonical integer x·2^261 mod r, split as if it were raw limbs.
            (x[i] * RModR).WriteBigEndian(bytes);
            SplitRaw(
                Fr.FromMontgomeryLimbs(
                    BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]),
                    BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
                    BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
                    BinaryPrimitives.ReadUInt64BigEndian(bytes)),
                one);
            for (int j = 0; j < LimbCount; j++)
            {
                limbs[(j * Lanes) + i] = one[j];
            }
        }

        return FromLimbs(limbs);
    }

    /// <summary>The integer <paramref name="raw"/> (below 2^261) as limbs in every lane, with no conversion.</summary>
    internal static Fr8 Broadcast(BigInteger raw)
    {
        Span<ulong> limbs = stackalloc ulong[LimbCount * Lanes];
        for (int j = 0; j < LimbCount; j++)
        {
            limbs.Slice(j * Lanes, Lanes).Fill((ulong)((raw >> (LimbBits * j)) & LimbMask));
        }

        return FromLimbs(limbs);
    }

    /// <summary>Raw limbs of one lane as an integer, and the largest limb (tests check bounds with them).</summary>
    internal readonly BigInteger RawLane(int lane, out ulong maxLimb)
    {
        BigInteger v = BigInteger.Zero;
        maxLimb = 0;
        for (int j = LimbCount - 1; j >= 0; j--)
        {
            ulong limb = Limb(j)[lane];
            v = (v << LimbBits) + limb;
            maxLimb = Math.Max(maxLimb, limb);
        }

        return v;
    }
}
