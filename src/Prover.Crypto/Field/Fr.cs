using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using Prover.Core;
using static Prover.Crypto.Field.Words;

namespace Prover.Crypto.Field;

/// <summary>
/// An element of the BN254 (alt_bn128) scalar field, the field circom and snarkjs compute in.
/// Always canonical: its value is in [0, r).
/// </summary>
/// <remarks>
/// <para>
/// Stored as four little-endian 64-bit limbs in Montgomery form: the limbs hold <c>x·R mod r</c> with
/// <c>R = 2^256</c>, and always below r, so every element has exactly one representation and
/// <c>default(Fr)</c> is zero. Multiplication is Montgomery multiplication in its separated form (SOS in
/// Koç, Acar and Kaliski, "Analyzing and Comparing Montgomery Multiplication Algorithms", 1996): the
/// full 512-bit product, then a word-by-word reduction; because r &lt; 2^254 nothing ever needs a
/// ninth word. Squaring computes the 512-bit square with the symmetric products once (10 word
/// products instead of 16) before the same reduction, and sums of products share one reduction.
/// </para>
/// <para>
/// The arithmetic is not hardened against timing side channels: it is branch-light for speed, but it
/// handles public data (transactions, batch roots), not secrets.
/// </para>
/// </remarks>
// The kernels' out locals live in memory (see Mul); zeroing them on entry is wasted work, and every
// local and stackalloc here is written before it is read.
[SkipLocalsInit]
public readonly struct Fr : IEquatable<Fr>
{
    /// <summary>r = 21888242871839275222246405745257275088548364400416034343698204186575808495617.</summary>
    public static readonly BigInteger Modulus = BigInteger.Parse(
        "21888242871839275222246405745257275088548364400416034343698204186575808495617",
        CultureInfo.InvariantCulture);

    /// <summary>The size of the big-endian encoding.</summary>
    public const int ByteLength = 32;

    // r, little-endian limbs.
    internal const ulong Q0 = 0x43e1f593f0000001;
    internal const ulong Q1 = 0x2833e84879b97091;
    internal const ulong Q2 = 0xb85045b68181585d;
    internal const ulong Q3 = 0x30644e72e131a029;

    // -r^-1 mod 2^64: the factor that makes the low word of (t + m·r) zero.
    internal const ulong QInvNeg = 0xc2e1f593efffffff;

    // R mod r (one in Montgomery form) and R^2 mod r (converts into Montgomery form).
    internal const ulong R0 = 0xac96341c4ffffffb;
    internal const ulong R1 = 0x36fc76959f60cd29;
    internal const ulong R2 = 0x666ea36f7879462e;
    internal const ulong R3 = 0x0e0a77c19a07df2f;
    internal const ulong RR0 = 0x1bb8e645ae216da7;
    internal const ulong RR1 = 0x53fe3ab1e35c59e3;
    internal const ulong RR2 = 0x8c49833d53bb8085;
    internal const ulong RR3 = 0x0216d0b17f4e44a5;

    private readonly ulong _m0;
    private readonly ulong _m1;
    private readonly ulong _m2;
    private readonly ulong _m3;

    /// <summary>Wraps limbs already in Montgomery form and below r.</summary>
    private Fr(ulong m0, ulong m1, ulong m2, ulong m3)
    {
        _m0 = m0;
        _m1 = m1;
        _m2 = m2;
        _m3 = m3;
    }

    public static Fr Zero => default;
    public static Fr One => new(R0, R1, R2, R3);

    public bool IsZero => (_m0 | _m1 | _m2 | _m3) == 0;

    public static Fr FromUInt64(ulong value) => FromCanonical(value, 0, 0, 0);

    /// <summary>Takes a value already in [0, r); anything else is rejected, never silently reduced.</summary>
    public static Fr FromBigInteger(BigInteger value, string field = "value")
    {
        if (value.Sign < 0 || value >= Modulus)
        {
            throw OutOfRange(field, value);
        }

        Span<byte> le = stackalloc byte[ByteLength];
        le.Clear();
        value.TryWriteBytes(le, out _, isUnsigned: true, isBigEndian: false);
        return FromCanonical(
            BinaryPrimitives.ReadUInt64LittleEndian(le),
            BinaryPrimitives.ReadUInt64LittleEndian(le[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(le[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(le[24..]));
    }

    /// <summary>
    /// Takes a canonical value as little-endian 64-bit limbs (<paramref name="a0"/> least significant)
    /// without going through <see cref="BigInteger"/>; a value at or above r is rejected.
    /// </summary>
    internal static Fr FromLimbs(ulong a0, ulong a1, ulong a2, ulong a3, string field = "value")
    {
        SubtractModulus(a0, a1, a2, a3, out ulong borrow);
        if (borrow == 0)
        {
            throw OutOfRange(field, ((BigInteger)a3 << 192) | ((BigInteger)a2 << 128) | ((BigInteger)a1 << 64) | a0);
        }

        return FromCanonical(a0, a1, a2, a3);
    }

    /// <summary>Reduces any integer modulo r (for hashing and challenges, where reduction is intended).</summary>
    public static Fr Reduce(BigInteger value)
    {
        var r = value % Modulus;
        return FromBigInteger(r.Sign < 0 ? r + Modulus : r);
    }

    /// <summary>Reads a 32-byte big-endian value; it must already be below r.</summary>
    public static Fr FromBytesBigEndian(ReadOnlySpan<byte> bytes, string field = "value")
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException($"A field element is 32 bytes, got {bytes.Length}.", nameof(bytes));
        }

        ulong a3 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        ulong a2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        ulong a1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        ulong a0 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
        SubtractModulus(a0, a1, a2, a3, out ulong borrow);
        if (borrow == 0)
        {
            throw OutOfRange(field, new BigInteger(bytes, isUnsigned: true, isBigEndian: true));
        }

        return FromCanonical(a0, a1, a2, a3);
    }

    /// <summary>
    /// Reads a 32-byte little-endian value, as snarkjs' and circom's binary files (.wtns, .r1cs, .zkey)
    /// store field elements; it must already be below r.
    /// </summary>
    public static Fr FromBytesLittleEndian(ReadOnlySpan<byte> bytes, string field = "value")
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException($"A field element is 32 bytes, got {bytes.Length}.", nameof(bytes));
        }

        ulong a0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        ulong a1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        ulong a2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        ulong a3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
        SubtractModulus(a0, a1, a2, a3, out ulong borrow);
        if (borrow == 0)
        {
            throw OutOfRange(field, new BigInteger(bytes, isUnsigned: true, isBigEndian: false));
        }

        return FromCanonical(a0, a1, a2, a3);
    }

    /// <summary>Parses a decimal string (snarkjs' format) or a 0x-prefixed hex string.</summary>
    public static Fr Parse(string text, string field = "value")
    {
        ArgumentNullException.ThrowIfNull(text);
        BigInteger v;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            // The leading 0 keeps AllowHexSpecifier from reading a high first digit as a sign bit.
            if (text.Length == 2 || !BigInteger.TryParse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v))
            {
                throw new FormatException($"{field}: '{text}' is not a decimal or 0x-hex integer.");
            }
        }
        else if (!BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out v))
        {
            throw new FormatException($"{field}: '{text}' is not a decimal or 0x-hex integer.");
        }

        return FromBigInteger(v, field);
    }

    public BigInteger ToBigInteger()
    {
        Span<byte> le = stackalloc byte[ByteLength];
        ToCanonical(out ulong a0, out ulong a1, out ulong a2, out ulong a3);
        BinaryPrimitives.WriteUInt64LittleEndian(le, a0);
        BinaryPrimitives.WriteUInt64LittleEndian(le[8..], a1);
        BinaryPrimitives.WriteUInt64LittleEndian(le[16..], a2);
        BinaryPrimitives.WriteUInt64LittleEndian(le[24..], a3);
        return new BigInteger(le, isUnsigned: true, isBigEndian: false);
    }

    /// <summary>Writes the canonical value as 32 big-endian bytes into the start of <paramref name="destination"/>.</summary>
    public void WriteBigEndian(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            throw new ArgumentException($"A field element needs 32 bytes, the destination has {destination.Length}.", nameof(destination));
        }

        ToCanonical(out ulong a0, out ulong a1, out ulong a2, out ulong a3);
        BinaryPrimitives.WriteUInt64BigEndian(destination, a3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], a2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], a1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], a0);
    }

    /// <summary>Writes the canonical value as 32 little-endian bytes into the start of <paramref name="destination"/> (snarkjs' binary files).</summary>
    public void WriteLittleEndian(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            throw new ArgumentException($"A field element needs 32 bytes, the destination has {destination.Length}.", nameof(destination));
        }

        ToCanonical(out ulong a0, out ulong a1, out ulong a2, out ulong a3);
        BinaryPrimitives.WriteUInt64LittleEndian(destination, a0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], a1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], a2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], a3);
    }

    public byte[] ToBytesBigEndian()
    {
        var b = new byte[ByteLength];
        WriteBigEndian(b);
        return b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fr operator +(Fr a, Fr b) => Add(in a, in b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fr operator -(Fr a, Fr b) => Subtract(in a, in b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fr operator -(Fr a) => Subtract(default, in a);

    public static Fr operator *(Fr a, Fr b) => Multiply(in a, in b);

    public static bool operator ==(Fr a, Fr b) => a.Equals(b);
    public static bool operator !=(Fr a, Fr b) => !a.Equals(b);

    public bool Equals(Fr other) =>
        ((_m0 ^ other._m0) | (_m1 ^ other._m1) | (_m2 ^ other._m2) | (_m3 ^ other._m3)) == 0;

    public override bool Equals(object? obj) => obj is Fr other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(_m0, _m1, _m2, _m3);

    /// <summary>Decimal, as snarkjs writes public signals.</summary>
    public override string ToString() => ToBigInteger().ToString(CultureInfo.InvariantCulture);

    /// <summary>The most decimal digits a canonical value has (r − 1 has 77).</summary>
    internal const int MaxDecimalDigits = 77;

    private const ulong TenPow19 = 10_000_000_000_000_000_000UL;

    /// <summary>
    /// The canonical value in decimal, as <see cref="ToString"/> writes it, into UTF-8 bytes; returns how
    /// many it wrote (at most <see cref="MaxDecimalDigits"/>). It makes no string and no BigInteger: the
    /// batch emitter writes several per transaction into every witness.
    /// </summary>
    internal int FormatDecimal(Span<byte> utf8)
    {
        ToCanonical(out ulong a0, out ulong a1, out ulong a2, out ulong a3);

        // Nineteen digits at a time (10^19 < 2^64): each pass divides the 256-bit value word by word.
        Span<ulong> chunks = stackalloc ulong[5];
        int count = 0;
        do
        {
            ulong remainder = 0;
            a3 = DivideWord(a3, ref remainder);
            a2 = DivideWord(a2, ref remainder);
            a1 = DivideWord(a1, ref remainder);
            a0 = DivideWord(a0, ref remainder);
            chunks[count++] = remainder;
        }
        while ((a0 | a1 | a2 | a3) != 0);

        chunks[count - 1].TryFormat(utf8, out int written, default, CultureInfo.InvariantCulture);
        for (int i = count - 2; i >= 0; i--)
        {
            chunks[i].TryFormat(utf8[written..], out int more, "D19", CultureInfo.InvariantCulture);
            written += more;
        }

        return written;
    }

    /// <summary>(remainder·2^64 + word) / 10^19, leaving the new remainder; remainder &lt; 10^19 keeps the quotient in 64 bits.</summary>
    private static ulong DivideWord(ulong word, ref ulong remainder)
    {
        var value = ((UInt128)remainder << 64) | word;
        var quotient = (ulong)(value / TenPow19);
        remainder = (ulong)(value - ((UInt128)quotient * TenPow19));
        return quotient;
    }

    /// <summary>0x-prefixed, 64 hex digits.</summary>
    public string ToHex()
    {
        Span<byte> be = stackalloc byte[ByteLength];
        WriteBigEndian(be);
        return "0x" + Convert.ToHexStringLower(be);
    }

    /// <summary>This element squared; cheaper than <c>x * x</c>.</summary>
    public Fr Square() => Square(in this);

    /// <summary>x^5, Poseidon's S-box: two squarings and a multiplication.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fr Pow5()
    {
        var x2 = Square(in this);
        var x4 = Square(in x2);
        return Multiply(in x4, in this);
    }

    /// <summary>x^e by square-and-multiply, for any non-negative exponent.</summary>
    public Fr Pow(BigInteger exponent)
    {
        if (exponent.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "The exponent must be non-negative; use Inverse() for negative powers.");
        }

        var result = One;
        for (long bit = (long)exponent.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = Square(in result);
            if (!(exponent >> (int)bit).IsEven)
            {
                result = Multiply(in result, in this);
            }
        }

        return result;
    }

    /// <summary>The multiplicative inverse, x^(r−2) by Fermat's little theorem.</summary>
    /// <exception cref="DivideByZeroException">The element is zero.</exception>
    public Fr Inverse()
    {
        if (IsZero)
        {
            throw new DivideByZeroException("Zero has no inverse in the BN254 scalar field.");
        }

        // r − 2, little-endian limbs; walk its bits from the top.
        ReadOnlySpan<ulong> e = [Q0 - 2, Q1, Q2, Q3];
        var result = One;
        for (int limb = 3; limb >= 0; limb--)
        {
            for (int bit = 63; bit >= 0; bit--)
            {
                result = Square(in result);
                if (((e[limb] >> bit) & 1) != 0)
                {
                    result = Multiply(in result, in this);
                }
            }
        }

        return result;
    }

    /// <summary>Converts canonical limbs (below r) into Montgomery form: (a·R²)·R⁻¹ = a·R.</summary>
    private static Fr FromCanonical(ulong a0, ulong a1, ulong a2, ulong a3)
    {
        var a = new Fr(a0, a1, a2, a3);
        var rr = new Fr(RR0, RR1, RR2, RR3);
        return Multiply(in a, in rr);
    }

    /// <summary>Leaves Montgomery form: (a·R)·1·R⁻¹ = a.</summary>
    private void ToCanonical(out ulong a0, out ulong a1, out ulong a2, out ulong a3)
    {
        var one = new Fr(1, 0, 0, 0);
        var c = Multiply(in this, in one);
        a0 = c._m0;
        a1 = c._m1;
        a2 = c._m2;
        a3 = c._m3;
    }

    private static ValueOutOfRangeException OutOfRange(string field, BigInteger value) =>
        new(field, "the BN254 scalar field [0, r)", value.ToString(CultureInfo.InvariantCulture));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr Add(in Fr a, in Fr b)
    {
        // Both are below r < 2^254, so the sum fits in 256 bits and one conditional subtraction suffices.
        ulong s0 = AddCarry(a._m0, b._m0, 0, out ulong c);
        ulong s1 = AddCarry(a._m1, b._m1, c, out c);
        ulong s2 = AddCarry(a._m2, b._m2, c, out c);
        ulong s3 = a._m3 + b._m3 + c;
        return ReduceOnce(s0, s1, s2, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr Subtract(in Fr a, in Fr b)
    {
        ulong d0 = SubBorrow(a._m0, b._m0, 0, out ulong borrow);
        ulong d1 = SubBorrow(a._m1, b._m1, borrow, out borrow);
        ulong d2 = SubBorrow(a._m2, b._m2, borrow, out borrow);
        ulong d3 = SubBorrow(a._m3, b._m3, borrow, out borrow);

        // On borrow, add r back; the mask is all ones exactly then.
        ulong mask = 0UL - borrow;
        ulong r0 = AddCarry(d0, Q0 & mask, 0, out ulong c);
        ulong r1 = AddCarry(d1, Q1 & mask, c, out c);
        ulong r2 = AddCarry(d2, Q2 & mask, c, out c);
        ulong r3 = d3 + (Q3 & mask) + c;
        return new Fr(r0, r1, r2, r3);
    }

    /// <summary>
    /// Montgomery product a·b·R⁻¹ mod r: the 512-bit product (16 independent word products), then
    /// <see cref="MontgomeryReduce"/>. Measured against CIOS (reduction interleaved word by word) on
    /// .NET 10 x64 this is about 30% faster: the JIT has no add-with-carry, so carries cost a compare
    /// each, and CIOS's serial dependence of every reduction factor on the previous word leaves the
    /// out-of-order core idle, where the separated product's multiplications overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr Multiply(in Fr a, in Fr b)
    {
        WideMultiply(in a, in b, out ulong p0, out ulong p1, out ulong p2, out ulong p3, out ulong p4, out ulong p5, out ulong p6, out ulong p7);
        return MontgomeryReduce(p0, p1, p2, p3, p4, p5, p6, p7, 1);
    }

    /// <summary>Montgomery square: the 512-bit square from 10 word products, then one reduction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr Square(in Fr a)
    {
        WideSquare(in a, out ulong w0, out ulong w1, out ulong w2, out ulong w3, out ulong w4, out ulong w5, out ulong w6, out ulong w7);
        return MontgomeryReduce(w0, w1, w2, w3, w4, w5, w6, w7, 1);
    }

    /// <summary>The full 512-bit square of the limbs: the cross products once, doubled, plus the diagonal.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WideSquare(
        in Fr a,
        out ulong w0, out ulong w1, out ulong w2, out ulong w3, out ulong w4, out ulong w5, out ulong w6, out ulong w7)
    {
        Words.WideSquare(a._m0, a._m1, a._m2, a._m3, out w0, out w1, out w2, out w3, out w4, out w5, out w6, out w7);
    }

    /// <summary>
    /// Σ a_i·b_i with one Montgomery reduction for the whole sum instead of one per product: the
    /// 512-bit products are accumulated and reduced at the end. For up to 10 terms the sum stays
    /// below 10·r² &lt; 2^512 and the reduced value below 3r.
    /// </summary>
    internal static Fr SumOfProducts(ReadOnlySpan<Fr> a, ReadOnlySpan<Fr> b)
    {
        if (a.Length != b.Length || a.Length > 10)
        {
            throw new ArgumentException($"Expected two spans of the same length up to 10, got {a.Length} and {b.Length}.");
        }

        ulong s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ref readonly Fr x = ref a[i];
            ref readonly Fr y = ref b[i];
            WideMultiply(in x, in y, out ulong p0, out ulong p1, out ulong p2, out ulong p3, out ulong p4, out ulong p5, out ulong p6, out ulong p7);
            s0 = AddCarry(s0, p0, 0, out ulong c);
            s1 = AddCarry(s1, p1, c, out c);
            s2 = AddCarry(s2, p2, c, out c);
            s3 = AddCarry(s3, p3, c, out c);
            s4 = AddCarry(s4, p4, c, out c);
            s5 = AddCarry(s5, p5, c, out c);
            s6 = AddCarry(s6, p6, c, out c);
            s7 = s7 + p7 + c;
        }

        return MontgomeryReduce(s0, s1, s2, s3, s4, s5, s6, s7, 2);
    }

    // 2r, little-endian limbs: the bound of the lazily reduced values below.
    private const ulong TwoQ0 = Q0 << 1;
    private const ulong TwoQ1 = (Q1 << 1) | (Q0 >> 63);
    private const ulong TwoQ2 = (Q2 << 1) | (Q1 >> 63);
    private const ulong TwoQ3 = (Q3 << 1) | (Q2 >> 63);

    // Lazily reduced arithmetic, for Poseidon's inner loop. The operands and results are Fr values
    // whose limbs may lie anywhere in [0, 2r) instead of [0, r): such a value is only ever fed back
    // into these methods and made canonical with Canonical before it leaves. Staying below 2r is what
    // lets a Montgomery product skip its final subtraction: for a, b < 2r the reduction of a·b yields
    // less than a·b/R + r < 4r²/R + r < 2r, because 4r < R = 2^256. These are kernels on purpose
    // (not inlined into their callers): Poseidon's round loops are far past the JIT's inlining budget,
    // and a caller that runs out of it calls the tiny carry helpers out of line, through memory.

    /// <summary>x⁵ + c for x &lt; 2r and c &lt; 2r, result below 2r: the S-box and the next round constant.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Fr Pow5AddLazy(in Fr x, in Fr c)
    {
        var x2 = SquareLazy(in x);
        var x4 = SquareLazy(in x2);
        WideMultiply(in x4, in x, out ulong p0, out ulong p1, out ulong p2, out ulong p3, out ulong p4, out ulong p5, out ulong p6, out ulong p7);
        ReduceLazy(p0, p1, p2, p3, p4, p5, p6, p7, out ulong r0, out ulong r1, out ulong r2, out ulong r3);
        return AddLazy(r0, r1, r2, r3, in c);
    }

    /// <summary>acc + a·b for acc, a, b &lt; 2r, result below 2r.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Fr MultiplyAddLazy(in Fr acc, in Fr a, in Fr b)
    {
        WideMultiply(in a, in b, out ulong p0, out ulong p1, out ulong p2, out ulong p3, out ulong p4, out ulong p5, out ulong p6, out ulong p7);
        ReduceLazy(p0, p1, p2, p3, p4, p5, p6, p7, out ulong r0, out ulong r1, out ulong r2, out ulong r3);
        return AddLazy(r0, r1, r2, r3, in acc);
    }

    /// <summary>
    /// acc + a1·b1 + a2·b2 for lazy acc, a1, a2 (&lt; 2r) and canonical b1, b2 (&lt; r), result below 2r,
    /// with one reduction where two <see cref="MultiplyAddLazy"/> calls take two. acc enters as acc·R,
    /// added to the high half of the 512-bit sum, so the reduction returns acc itself plus the
    /// products: T &lt; 4r² + 2r·R, reduced below 4r²/R + 3r &lt; 3.8r, and one conditional
    /// subtraction of 2r brings it under 2r.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Fr MultiplyAdd2Lazy(in Fr acc, in Fr a1, in Fr b1, in Fr a2, in Fr b2)
    {
        WideMultiply(in a1, in b1, out ulong p0, out ulong p1, out ulong p2, out ulong p3, out ulong p4, out ulong p5, out ulong p6, out ulong p7);
        WideMultiply(in a2, in b2, out ulong q0, out ulong q1, out ulong q2, out ulong q3, out ulong q4, out ulong q5, out ulong q6, out ulong q7);
        ulong s0 = AddCarry(p0, q0, 0, out ulong c);
        ulong s1 = AddCarry(p1, q1, c, out c);
        ulong s2 = AddCarry(p2, q2, c, out c);
        ulong s3 = AddCarry(p3, q3, c, out c);
        ulong s4 = AddCarry(p4, q4, c, out c);
        ulong s5 = AddCarry(p5, q5, c, out c);
        ulong s6 = AddCarry(p6, q6, c, out c);
        ulong s7 = p7 + q7 + c;
        s4 = AddCarry(s4, acc._m0, 0, out c);
        s5 = AddCarry(s5, acc._m1, c, out c);
        s6 = AddCarry(s6, acc._m2, c, out c);
        s7 = s7 + acc._m3 + c;
        ReduceLazy(s0, s1, s2, s3, s4, s5, s6, s7, out ulong r0, out ulong r1, out ulong r2, out ulong r3);
        return SubtractTwiceModulusOnce(r0, r1, r2, r3);
    }

    /// <summary>
    /// Σ a_i·b_i for canonical a_i (&lt; r) and lazy b_i (&lt; 2r), up to 8 terms, result below 2r. The
    /// sum is below 8·2r² &lt; 2^512 and its reduction below (2n·r/R + 1)·r &lt; 4.1r &lt; 2^256, so
    /// conditional subtractions of r bring it under 2r: one for n ≤ 5 (2·5·r/R &lt; 1.9), two for
    /// n ≤ 7 and three for n = 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Fr SumOfProductsLazy(ReadOnlySpan<Fr> a, ReadOnlySpan<Fr> b)
    {
        if (a.Length != b.Length || a.Length > 8)
        {
            throw new ArgumentException($"Expected two spans of the same length up to 8, got {a.Length} and {b.Length}.");
        }

        ulong s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            WideMultiply(in a[i], in b[i], out ulong p0, out ulong p1, out ulong p2, out ulong p3, out ulong p4, out ulong p5, out ulong p6, out ulong p7);
            s0 = AddCarry(s0, p0, 0, out ulong c);
            s1 = AddCarry(s1, p1, c, out c);
            s2 = AddCarry(s2, p2, c, out c);
            s3 = AddCarry(s3, p3, c, out c);
            s4 = AddCarry(s4, p4, c, out c);
            s5 = AddCarry(s5, p5, c, out c);
            s6 = AddCarry(s6, p6, c, out c);
            s7 = s7 + p7 + c;
        }

        ReduceLazy(s0, s1, s2, s3, s4, s5, s6, s7, out ulong r0, out ulong r1, out ulong r2, out ulong r3);
        var r = ReduceOnce(r0, r1, r2, r3);
        if (a.Length > 5)
        {
            r = ReduceOnce(r._m0, r._m1, r._m2, r._m3);
        }

        return a.Length > 7 ? ReduceOnce(r._m0, r._m1, r._m2, r._m3) : r;
    }

    /// <summary>
    /// The same residue as <paramref name="x"/> with r added to its limbs: a lazily reduced value in
    /// [r, 2r), so that tests can feed the kernels the upper half of their input range.
    /// </summary>
    internal static Fr WithModulusAdded(in Fr x)
    {
        ulong s0 = AddCarry(x._m0, Q0, 0, out ulong c);
        ulong s1 = AddCarry(x._m1, Q1, c, out c);
        ulong s2 = AddCarry(x._m2, Q2, c, out c);
        return new Fr(s0, s1, s2, x._m3 + Q3 + c);
    }

    /// <summary>The raw Montgomery limbs as one integer, to check the bound of lazily reduced values.</summary>
    internal BigInteger MontgomeryLimbs()
    {
        Span<byte> le = stackalloc byte[ByteLength];
        BinaryPrimitives.WriteUInt64LittleEndian(le, _m0);
        BinaryPrimitives.WriteUInt64LittleEndian(le[8..], _m1);
        BinaryPrimitives.WriteUInt64LittleEndian(le[16..], _m2);
        BinaryPrimitives.WriteUInt64LittleEndian(le[24..], _m3);
        return new BigInteger(le, isUnsigned: true, isBigEndian: false);
    }

    /// <summary>Wraps raw Montgomery limbs: a lazily reduced value below 2r (for <see cref="Fr8"/>'s conversions).</summary>
    internal static Fr FromMontgomeryLimbs(ulong m0, ulong m1, ulong m2, ulong m3) => new(m0, m1, m2, m3);

    /// <summary>The raw Montgomery limbs x·2^256 (for <see cref="Fr8"/>'s conversions).</summary>
    internal void GetMontgomeryLimbs(out ulong m0, out ulong m1, out ulong m2, out ulong m3)
    {
        m0 = _m0;
        m1 = _m1;
        m2 = _m2;
        m3 = _m3;
    }

    /// <summary>Whether four little-endian limbs are below r.</summary>
    internal static bool IsBelowModulus(ulong l0, ulong l1, ulong l2, ulong l3) =>
        l3 < Q3 || (l3 == Q3 && (l2 < Q2 || (l2 == Q2 && (l1 < Q1 || (l1 == Q1 && l0 < Q0)))));

    /// <summary>The value itself (not its Montgomery form) as four little-endian limbs, below r.</summary>
    internal void GetCanonicalLimbs(out ulong l0, out ulong l1, out ulong l2, out ulong l3)
    {
        // A Montgomery product with the raw integer 1 divides by 2^256: x·R·1·R⁻¹ = x.
        var plain = Multiply(in this, new Fr(1, 0, 0, 0));
        l0 = plain._m0;
        l1 = plain._m1;
        l2 = plain._m2;
        l3 = plain._m3;
    }

    /// <summary>The canonical form (below r) of a lazily reduced value (below 2r).</summary>
    internal static Fr Canonical(in Fr x) => ReduceOnce(x._m0, x._m1, x._m2, x._m3);

    /// <summary><see cref="SquareLazy"/> for a caller that inlines it into a small kernel of its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr SquareLazyInline(in Fr a) => SquareLazy(in a);

    /// <summary>Montgomery square without the final subtraction: x &lt; 2r gives a result below 2r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fr SquareLazy(in Fr a)
    {
        WideSquare(in a, out ulong w0, out ulong w1, out ulong w2, out ulong w3, out ulong w4, out ulong w5, out ulong w6, out ulong w7);
        ReduceLazy(w0, w1, w2, w3, w4, w5, w6, w7, out ulong r0, out ulong r1, out ulong r2, out ulong r3);
        return new Fr(r0, r1, r2, r3);
    }

    /// <summary>(r0..r3) + b for both below 2r, result below 2r: the sum is below 4r &lt; 2^256, minus 2r if at least 2r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fr AddLazy(ulong r0, ulong r1, ulong r2, ulong r3, in Fr b)
    {
        ulong s0 = AddCarry(r0, b._m0, 0, out ulong c);
        ulong s1 = AddCarry(r1, b._m1, c, out c);
        ulong s2 = AddCarry(r2, b._m2, c, out c);
        ulong s3 = r3 + b._m3 + c;
        return SubtractTwiceModulusOnce(s0, s1, s2, s3);
    }

    /// <summary>A value below 4r brought below 2r: minus 2r if it is at least 2r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fr SubtractTwiceModulusOnce(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        ulong d0 = SubBorrow(s0, TwoQ0, 0, out ulong borrow);
        ulong d1 = SubBorrow(s1, TwoQ1, borrow, out borrow);
        ulong d2 = SubBorrow(s2, TwoQ2, borrow, out borrow);
        ulong d3 = SubBorrow(s3, TwoQ3, borrow, out borrow);
        ulong keep = 0UL - borrow;
        return new Fr(
            (s0 & keep) | (d0 & ~keep),
            (s1 & keep) | (d1 & ~keep),
            (s2 & keep) | (d2 & ~keep),
            (s3 & keep) | (d3 & ~keep));
    }

    /// <summary>The full 512-bit product of the limbs (schoolbook, 16 word products).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WideMultiply(
        in Fr a, in Fr b,
        out ulong p0, out ulong p1, out ulong p2, out ulong p3, out ulong p4, out ulong p5, out ulong p6, out ulong p7)
    {
        Words.WideMultiply(a._m0, a._m1, a._m2, a._m3, b._m0, b._m1, b._m2, b._m3, out p0, out p1, out p2, out p3, out p4, out p5, out p6, out p7);
    }

    /// <summary>
    /// Montgomery reduction T·R⁻¹ mod r of a 512-bit T (word by word: add m·r·2^(64i) to clear word i).
    /// For T &lt; k·r² the result before the final subtractions is below (k·r/R + 1)·r, so
    /// <paramref name="subtractions"/> conditional subtractions of r make it canonical.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fr MontgomeryReduce(
        ulong w0, ulong w1, ulong w2, ulong w3, ulong w4, ulong w5, ulong w6, ulong w7, int subtractions)
    {
        ReduceLazy(w0, w1, w2, w3, w4, w5, w6, w7, out ulong r0, out ulong r1, out ulong r2, out ulong r3);
        var r = ReduceOnce(r0, r1, r2, r3);
        return subtractions > 1 ? ReduceOnce(r._m0, r._m1, r._m2, r._m3) : r;
    }

    /// <summary>T·R⁻¹ mod r before any final subtraction: for T &lt; k·r² the result is below (k·r/R + 1)·r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReduceLazy(
        ulong w0, ulong w1, ulong w2, ulong w3, ulong w4, ulong w5, ulong w6, ulong w7,
        out ulong r0, out ulong r1, out ulong r2, out ulong r3)
    {
        // Word i is cleared, words i+1..i+3 take the product, the carry lands in word i+4, and that
        // addition's own carry (top) goes into word i+5 with the next step.
        ulong m = w0 * QInvNeg;
        ulong c = LowWordCarry(m, w0);
        c = MulAdd2(m, Q1, w1, c, out w1);
        c = MulAdd2(m, Q2, w2, c, out w2);
        c = MulAdd2(m, Q3, w3, c, out w3);
        w4 = AddCarry(w4, c, 0, out ulong top);

        m = w1 * QInvNeg;
        c = LowWordCarry(m, w1);
        c = MulAdd2(m, Q1, w2, c, out w2);
        c = MulAdd2(m, Q2, w3, c, out w3);
        c = MulAdd2(m, Q3, w4, c, out w4);
        w5 = AddCarry(w5, c, top, out top);

        m = w2 * QInvNeg;
        c = LowWordCarry(m, w2);
        c = MulAdd2(m, Q1, w3, c, out w3);
        c = MulAdd2(m, Q2, w4, c, out w4);
        c = MulAdd2(m, Q3, w5, c, out w5);
        w6 = AddCarry(w6, c, top, out top);

        m = w3 * QInvNeg;
        c = LowWordCarry(m, w3);
        c = MulAdd2(m, Q1, w4, c, out w4);
        c = MulAdd2(m, Q2, w5, c, out w5);
        c = MulAdd2(m, Q3, w6, c, out w6);
        r0 = w4;
        r1 = w5;
        r2 = w6;
        r3 = w7 + c + top;
    }

    /// <summary>
    /// The carry out of w + m·Q0 where m = w·QInvNeg, so the low word of the sum is zero by
    /// construction: no need to compute it, and there is a carry exactly when w is not zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LowWordCarry(ulong m, ulong w) => MulHigh(m, Q0) + (w != 0 ? 1UL : 0UL);

    /// <summary>Subtracts r once if the 256-bit value is at least r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fr ReduceOnce(ulong t0, ulong t1, ulong t2, ulong t3)
    {
        ulong d0 = SubBorrow(t0, Q0, 0, out ulong borrow);
        ulong d1 = SubBorrow(t1, Q1, borrow, out borrow);
        ulong d2 = SubBorrow(t2, Q2, borrow, out borrow);
        ulong d3 = SubBorrow(t3, Q3, borrow, out borrow);

        // Keep t when subtracting borrowed (t < r), else the difference.
        ulong keep = 0UL - borrow;
        return new Fr(
            (t0 & keep) | (d0 & ~keep),
            (t1 & keep) | (d1 & ~keep),
            (t2 & keep) | (d2 & ~keep),
            (t3 & keep) | (d3 & ~keep));
    }

    /// <summary>Computes a − r only for its borrow: 1 when a &lt; r.</summary>
    private static void SubtractModulus(ulong a0, ulong a1, ulong a2, ulong a3, out ulong borrow)
    {
        SubBorrow(a0, Q0, 0, out borrow);
        SubBorrow(a1, Q1, borrow, out borrow);
        SubBorrow(a2, Q2, borrow, out borrow);
        SubBorrow(a3, Q3, borrow, out borrow);
    }
}
