using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Prover.Core.Ethereum.Ecrecover;

/// <summary>
/// An element of the secp256k1 base field, p = 2^256 − 2^32 − 977, as four little-endian 64-bit limbs.
/// Values are kept weakly reduced: any 256-bit value congruent to the element (so [p, 2^256) is allowed
/// and means v − p). Every operation accepts and returns that form; <see cref="Normalize"/> gives the
/// canonical value below p, needed only for comparisons and output. Variable time: the recovery inputs
/// (digest, signature) are public.
/// </summary>
internal struct FieldElement
{
    /// <summary>2^256 mod p = 2^32 + 977: a carry out of bit 256 folds back in as this (SEC 2 §2.4.1's special form).</summary>
    private const ulong C = 0x1_0000_03D1;

    private const ulong P0 = 0xFFFF_FFFE_FFFF_FC2F;

    public ulong L0;
    public ulong L1;
    public ulong L2;
    public ulong L3;

    public FieldElement(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }

    public static FieldElement One => new(1, 0, 0, 0);

    /// <summary>Reads 32 big-endian bytes; false (and the value unset) where they are ≥ p.</summary>
    public static bool TryRead(ReadOnlySpan<byte> be32, out FieldElement r)
    {
        r = new FieldElement(
            BinaryPrimitives.ReadUInt64BigEndian(be32[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(be32[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(be32[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(be32));
        return !r.IsAtLeastP;
    }

    /// <summary>Writes the canonical value as 32 big-endian bytes.</summary>
    public readonly void Write(Span<byte> be32)
    {
        var n = Normalize();
        BinaryPrimitives.WriteUInt64BigEndian(be32, n.L3);
        BinaryPrimitives.WriteUInt64BigEndian(be32[8..], n.L2);
        BinaryPrimitives.WriteUInt64BigEndian(be32[16..], n.L1);
        BinaryPrimitives.WriteUInt64BigEndian(be32[24..], n.L0);
    }

    private readonly bool IsAtLeastP => (L3 & L2 & L1) == ulong.MaxValue && L0 >= P0;

    /// <summary>The canonical representative, below p. A weakly reduced value is below 2p, so one subtraction suffices.</summary>
    public readonly FieldElement Normalize() =>
        IsAtLeastP ? new FieldElement(L0 + C, 0, 0, 0) : this; // v − p = v + C − 2^256 and v − p < C here.

    public readonly bool IsZero
    {
        get
        {
            var n = Normalize();
            return (n.L0 | n.L1 | n.L2 | n.L3) == 0;
        }
    }

    public readonly bool IsOdd => (Normalize().L0 & 1) != 0;

    public readonly bool EqualsMod(in FieldElement other)
    {
        var a = Normalize();
        var b = other.Normalize();
        return a.L0 == b.L0 && a.L1 == b.L1 && a.L2 == b.L2 && a.L3 == b.L3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(in FieldElement a, in FieldElement b, out FieldElement r)
    {
        ulong r0 = a.L0 + b.L0;
        ulong c = r0 < a.L0 ? 1UL : 0UL;
        ulong t = a.L1 + c;
        c = t < c ? 1UL : 0UL;
        ulong r1 = t + b.L1;
        c += r1 < t ? 1UL : 0UL;
        t = a.L2 + c;
        c = t < c ? 1UL : 0UL;
        ulong r2 = t + b.L2;
        c += r2 < t ? 1UL : 0UL;
        t = a.L3 + c;
        c = t < c ? 1UL : 0UL;
        ulong r3 = t + b.L3;
        c += r3 < t ? 1UL : 0UL;

        // A carry out of 2^256 (about half of all sums of weakly reduced values, so no branch on it) is
        // worth 2^256 mod p = C; adding it carries further only when r0 ≥ 2^64 − C, about 2^-31 of the time.
        ulong k = C & (0 - c);
        r0 += k;
        r = r0 < k ? PropagateCarry(r0, r1, r2, r3) : new FieldElement(r0, r1, r2, r3);
    }

    /// <summary>Carries r0's overflow up (the rare path, kept out of line so the hot one stays in registers).</summary>
    private static FieldElement PropagateCarry(ulong r0, ulong r1, ulong r2, ulong r3)
    {
        if (++r1 == 0 && ++r2 == 0 && ++r3 == 0)
        {
            // Wrapped again; what is left is below C, so this addition cannot carry.
            r0 += C;
        }

        return new FieldElement(r0, r1, r2, r3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sub(in FieldElement a, in FieldElement b, out FieldElement r)
    {
        ulong r0 = a.L0 - b.L0;
        ulong br = a.L0 < b.L0 ? 1UL : 0UL;
        ulong t = a.L1 - b.L1;
        ulong br2 = a.L1 < b.L1 ? 1UL : 0UL;
        ulong r1 = t - br;
        br = br2 | (t < br ? 1UL : 0UL);
        t = a.L2 - b.L2;
        br2 = a.L2 < b.L2 ? 1UL : 0UL;
        ulong r2 = t - br;
        br = br2 | (t < br ? 1UL : 0UL);
        t = a.L3 - b.L3;
        br2 = a.L3 < b.L3 ? 1UL : 0UL;
        ulong r3 = t - br;
        br = br2 | (t < br ? 1UL : 0UL);

        // Borrowing 2^256 (about half the time, so no branch on it) is undone by adding p = 2^256 − C,
        // i.e. subtracting C; that borrows further only when r0 < C, about 2^-31 of the time.
        ulong k = C & (0 - br);
        r = r0 < k ? PropagateBorrow(r0 - k, r1, r2, r3) : new FieldElement(r0 - k, r1, r2, r3);
    }

    /// <summary>Borrows r0's underflow from above (the rare path, out of line).</summary>
    private static FieldElement PropagateBorrow(ulong r0, ulong r1, ulong r2, ulong r3)
    {
        if (r1-- == 0 && r2-- == 0 && r3-- == 0)
        {
            // Still negative (only when b ≥ p): add p once more. The value is now ≥ 2^256 − C, so no borrow.
            r0 -= C;
        }

        return new FieldElement(r0, r1, r2, r3);
    }

    public static void Negate(in FieldElement a, out FieldElement r) => Sub(default, a, out r);

    /// <summary>r = a/2 mod p: a if even, else a + p (odd), shifted right by one; branch-free on the parity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Half(in FieldElement a, out FieldElement r)
    {
        ulong mask = 0 - (a.L0 & 1);
        UInt128 t = (UInt128)a.L0 + (P0 & mask);
        ulong t0 = (ulong)t;
        t = (UInt128)a.L1 + mask + (ulong)(t >> 64);
        ulong t1 = (ulong)t;
        t = (UInt128)a.L2 + mask + (ulong)(t >> 64);
        ulong t2 = (ulong)t;
        t = (UInt128)a.L3 + mask + (ulong)(t >> 64);
        ulong t3 = (ulong)t;
        ulong t4 = (ulong)(t >> 64);
        r = new FieldElement((t0 >> 1) | (t1 << 63), (t1 >> 1) | (t2 << 63), (t2 >> 1) | (t3 << 63), (t3 >> 1) | (t4 << 63));
    }

    /// <summary>r = a·b mod p (weakly reduced).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Mul(in FieldElement a, in FieldElement b, out FieldElement r)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3;
        ulong b0 = b.L0, b1 = b.L1, b2 = b.L2, b3 = b.L3;

        // Operand scanning: each row adds a_i·b_j + r_{i+j} + carry, which fits in 128 bits.
        ulong r0, r1, r2, r3, r4, r5, r6, r7, c;
        c = BigMul(a0, b0, out r0);
        c = MulAdd(a0, b1, c, out r1);
        c = MulAdd(a0, b2, c, out r2);
        r4 = MulAdd(a0, b3, c, out r3);

        c = MulAdd2(a1, b0, r1, 0, out r1);
        c = MulAdd2(a1, b1, r2, c, out r2);
        c = MulAdd2(a1, b2, r3, c, out r3);
        r5 = MulAdd2(a1, b3, r4, c, out r4);

        c = MulAdd2(a2, b0, r2, 0, out r2);
        c = MulAdd2(a2, b1, r3, c, out r3);
        c = MulAdd2(a2, b2, r4, c, out r4);
        r6 = MulAdd2(a2, b3, r5, c, out r5);

        c = MulAdd2(a3, b0, r3, 0, out r3);
        c = MulAdd2(a3, b1, r4, c, out r4);
        c = MulAdd2(a3, b2, r5, c, out r5);
        r7 = MulAdd2(a3, b3, r6, c, out r6);

        Reduce(r0, r1, r2, r3, r4, r5, r6, r7, out r);
    }

    /// <summary>r = a² mod p: the six cross products once, doubled, plus the four squares.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sqr(in FieldElement a, out FieldElement r)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3;
        ulong r1, r2, r3, r4, r5, r6, c;

        c = BigMul(a0, a1, out r1);
        c = MulAdd(a0, a2, c, out r2);
        r4 = MulAdd(a0, a3, c, out r3);

        c = MulAdd2(a1, a2, r3, 0, out r3);
        r5 = MulAdd2(a1, a3, r4, c, out r4);

        r6 = MulAdd2(a2, a3, r5, 0, out r5);

        // Double the cross products (bits move up by one; bit 511 of the doubled sum is r7's low bit).
        ulong r7 = r6 >> 63;
        r6 = (r6 << 1) | (r5 >> 63);
        r5 = (r5 << 1) | (r4 >> 63);
        r4 = (r4 << 1) | (r3 >> 63);
        r3 = (r3 << 1) | (r2 >> 63);
        r2 = (r2 << 1) | (r1 >> 63);
        r1 <<= 1;

        // Add the squares a_i² at limb 2i.
        ulong h = BigMul(a0, a0, out ulong r0);
        r1 += h;
        c = r1 < h ? 1UL : 0UL;
        h = MulAdd(a1, a1, c, out ulong lo);
        r2 += lo;
        c = r2 < lo ? 1UL : 0UL;
        h += c;
        r3 += h;
        c = r3 < h ? 1UL : 0UL;
        h = MulAdd(a2, a2, c, out lo);
        r4 += lo;
        c = r4 < lo ? 1UL : 0UL;
        h += c;
        r5 += h;
        c = r5 < h ? 1UL : 0UL;
        h = MulAdd(a3, a3, c, out lo);
        r6 += lo;
        c = r6 < lo ? 1UL : 0UL;
        r7 += h + c;

        Reduce(r0, r1, r2, r3, r4, r5, r6, r7, out r);
    }

    /// <summary>
    /// a·b as (high, low). With BMI2 the halves come from MULX and IMUL: Math.BigMul's low half goes through
    /// a stack slot (its intrinsic takes a pointer), which measured about twice as slow in the field multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BigMul(ulong a, ulong b, out ulong lo)
    {
        if (Bmi2.X64.IsSupported)
        {
            lo = a * b;
            return Bmi2.X64.MultiplyNoFlags(a, b);
        }

        return Math.BigMul(a, b, out lo);
    }

    /// <summary>a·b + c as (high, low); fits in 128 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAdd(ulong a, ulong b, ulong c, out ulong lo)
    {
        ulong hi = BigMul(a, b, out ulong l);
        lo = l + c;
        return hi + (lo < c ? 1UL : 0UL);
    }

    /// <summary>a·b + c + d as (high, low); (2^64 − 1)² + 2(2^64 − 1) = 2^128 − 1, so it fits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAdd2(ulong a, ulong b, ulong c, ulong d, out ulong lo)
    {
        ulong hi = BigMul(a, b, out ulong l);
        l += c;
        hi += l < c ? 1UL : 0UL;
        lo = l + d;
        return hi + (lo < d ? 1UL : 0UL);
    }

    /// <summary>
    /// Reduces the 512-bit r7..r0 mod p: high·2^256 + low ≡ low + high·C (C = 2^32 + 977 has 33 bits), so
    /// one fold leaves 256 bits plus a carry below 2^34, and a second fold of that carry leaves 256 bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Reduce(ulong r0, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5, ulong r6, ulong r7, out FieldElement r)
    {
        ulong c = MulAdd(r4, C, r0, out r0);
        c = MulAdd2(r5, C, r1, c, out r1);
        c = MulAdd2(r6, C, r2, c, out r2);
        c = MulAdd2(r7, C, r3, c, out r3);

        // c < 2^34, so c·C < 2^67: add it across, folding a final carry out of 2^256 once more.
        ulong hi = BigMul(c, C, out ulong lo);
        r0 += lo;
        ulong k = r0 < lo ? 1UL : 0UL;
        ulong t = r1 + hi;
        ulong k2 = t < hi ? 1UL : 0UL;
        r1 = t + k;
        k = k2 + (r1 < k ? 1UL : 0UL);
        if (k != 0 && ++r2 == 0 && ++r3 == 0)
        {
            // Wrapped: the value left is below 2^67, so adding C carries at most into r1.
            r0 += C;
            r1 += r0 < C ? 1UL : 0UL;
        }

        r = new FieldElement(r0, r1, r2, r3);
    }

    private static readonly ulong s_negPInv = ModInverse.NegInverse64(P0);

    /// <summary>a⁻¹ mod p; 0 maps to 0.</summary>
    public static void Inverse(in FieldElement a, out FieldElement r)
    {
        var n = a.Normalize();
        if ((n.L0 | n.L1 | n.L2 | n.L3) == 0)
        {
            r = default;
            return;
        }

        var inv = ModInverse.Invert(
            new ModInverse.U256(n.L0, n.L1, n.L2, n.L3),
            new ModInverse.U256(P0, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue),
            s_negPInv);
        r = new FieldElement(inv.L0, inv.L1, inv.L2, inv.L3);
    }

    /// <summary>
    /// A square root of a, if a is a square. p ≡ 3 (mod 4), so a^((p+1)/4) is one when one exists
    /// (libsecp256k1's secp256k1_fe_sqrt chain); the result is checked by squaring.
    /// </summary>
    public static bool Sqrt(in FieldElement a, out FieldElement r)
    {
        PowChain223(a, out var x2, out var x22, out var t);

        // libsecp256k1's secp256k1_fe_sqrt chain for (p + 1)/4 = (((2^223 − 1)·2^23 + 2^22 − 1)·2^6 + 3)·2^2.
        SqrN(ref t, 23);
        Mul(t, x22, out t);
        SqrN(ref t, 6);
        Mul(t, x2, out t);
        SqrN(ref t, 2);
        r = t;

        Sqr(r, out var check);
        return check.EqualsMod(a);
    }

    /// <summary>x2 = a^(2^2−1), x22 = a^(2^22−1), x223 = a^(2^223−1): the start of the square-root chain.</summary>
    private static void PowChain223(in FieldElement a, out FieldElement x2, out FieldElement x22, out FieldElement x223)
    {
        Sqr(a, out x2);
        Mul(x2, a, out x2);
        Sqr(x2, out var x3);
        Mul(x3, a, out x3);
        var t = x3;
        SqrN(ref t, 3);
        Mul(t, x3, out var x6);
        t = x6;
        SqrN(ref t, 3);
        Mul(t, x3, out var x9);
        t = x9;
        SqrN(ref t, 2);
        Mul(t, x2, out var x11);
        t = x11;
        SqrN(ref t, 11);
        Mul(t, x11, out x22);
        t = x22;
        SqrN(ref t, 22);
        Mul(t, x22, out var x44);
        t = x44;
        SqrN(ref t, 44);
        Mul(t, x44, out var x88);
        t = x88;
        SqrN(ref t, 88);
        Mul(t, x88, out var x176);
        t = x176;
        SqrN(ref t, 44);
        Mul(t, x44, out var x220);
        t = x220;
        SqrN(ref t, 3);
        Mul(t, x3, out x223);
    }

    private static void SqrN(ref FieldElement t, int n)
    {
        for (int i = 0; i < n; i++)
        {
            Sqr(t, out t);
        }
    }
}
