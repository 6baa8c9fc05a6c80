using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Prover.Crypto.Bn254;

/// <summary>
/// An element of the BN254 (alt_bn128) base field F_p, the field the curve's coordinates live in
/// (EIP-196). Always canonical: four little-endian 64-bit limbs holding <c>x·2^256 mod p</c>
/// (Montgomery form), below p, so <c>default(Fq)</c> is zero and equality is limb equality.
/// </summary>
/// <remarks>
/// Multiplication is word-by-word Montgomery multiplication with interleaved reduction (CIOS, Koç,
/// Acar and Kaliski 1996), unrolled. The constants are derived from p at start-up rather than typed in. Not
/// hardened against timing side channels: a verifier handles public data only.
/// </remarks>
public readonly struct Fq : IEquatable<Fq>
{
    /// <summary>p = 21888242871839275222246405745257275088696311157297823662689037894645226208583.</summary>
    public static readonly BigInteger Modulus = BigInteger.Parse(
        "21888242871839275222246405745257275088696311157297823662689037894645226208583", CultureInfo.InvariantCulture);

    private static readonly ulong P0 = Limb(Modulus, 0);
    private static readonly ulong P1 = Limb(Modulus, 1);
    private static readonly ulong P2 = Limb(Modulus, 2);
    private static readonly ulong P3 = Limb(Modulus, 3);

    // −p^−1 mod 2^64, by Newton's iteration x ← x(2 − p·x), which doubles the correct low bits each round.
    private static readonly ulong PInvNeg = ComputePInvNeg();

    // 2^512 mod p: multiplying by it (Montgomery) converts into Montgomery form.
    private static readonly Fq RSquared = FromRawLimbs(BigInteger.ModPow(2, 512, Modulus));

    private readonly ulong _l0;
    private readonly ulong _l1;
    private readonly ulong _l2;
    private readonly ulong _l3;

    private Fq(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        _l0 = l0;
        _l1 = l1;
        _l2 = l2;
        _l3 = l3;
    }

    public static Fq Zero => default;

    /// <summary>Wraps limbs already in Montgomery form, as snarkjs stores coordinates in .zkey and .ptau files.</summary>
    /// <returns>False when the limbs are not below p (a corrupt file, never reduced silently).</returns>
    internal static bool TryFromMontgomeryLimbs(ulong l0, ulong l1, ulong l2, ulong l3, out Fq result)
    {
        result = new Fq(l0, l1, l2, l3);
        return l3 < P3 || (l3 == P3 && (l2 < P2 || (l2 == P2 && (l1 < P1 || (l1 == P1 && l0 < P0)))));
    }

    /// <summary>The raw Montgomery limbs x·2^256 mod p, as snarkjs stores them.</summary>
    internal void GetMontgomeryLimbs(out ulong l0, out ulong l1, out ulong l2, out ulong l3)
    {
        l0 = _l0;
        l1 = _l1;
        l2 = _l2;
        l3 = _l3;
    }

    public static readonly Fq One = FromBigInteger(BigInteger.One);

    public bool IsZero => (_l0 | _l1 | _l2 | _l3) == 0;

    /// <summary>Takes a value in [0, p); returns false for anything else (never reduces silently).</summary>
    public static bool TryFromBigInteger(BigInteger value, out Fq result)
    {
        if (value.Sign < 0 || value >= Modulus)
        {
            result = default;
            return false;
        }

        result = FromRawLimbs(value) * RSquared;
        return true;
    }

    /// <summary>Reduces any integer modulo p.</summary>
    public static Fq FromBigInteger(BigInteger value)
    {
        var reduced = value % Modulus;
        if (reduced.Sign < 0)
        {
            reduced += Modulus;
        }

        return FromRawLimbs(reduced) * RSquared;
    }

    public static Fq FromUInt64(ulong value) => new Fq(value, 0, 0, 0) * RSquared;

    public BigInteger ToBigInteger()
    {
        var plain = Multiply(this, new Fq(1, 0, 0, 0));
        return ((BigInteger)plain._l3 << 192) | ((BigInteger)plain._l2 << 128) | ((BigInteger)plain._l1 << 64) | plain._l0;
    }

    public override string ToString() => ToBigInteger().ToString(CultureInfo.InvariantCulture);

    public static Fq operator +(Fq a, Fq b)
    {
        // p < 2^254, so a + b < 2^255 never carries out of four words.
        var r0 = a._l0 + b._l0;
        var c = r0 < a._l0 ? 1UL : 0;
        var r1 = a._l1 + b._l1 + c;
        c = (r1 < a._l1 || (c == 1 && r1 == a._l1)) ? 1UL : 0;
        var r2 = a._l2 + b._l2 + c;
        c = (r2 < a._l2 || (c == 1 && r2 == a._l2)) ? 1UL : 0;
        var r3 = a._l3 + b._l3 + c;
        return ReduceOnce(r0, r1, r2, r3);
    }

    public static Fq operator -(Fq a, Fq b)
    {
        var r0 = a._l0 - b._l0;
        var borrow = a._l0 < b._l0 ? 1UL : 0;
        var r1 = a._l1 - b._l1 - borrow;
        borrow = (a._l1 < b._l1 || (borrow == 1 && a._l1 == b._l1)) ? 1UL : 0;
        var r2 = a._l2 - b._l2 - borrow;
        borrow = (a._l2 < b._l2 || (borrow == 1 && a._l2 == b._l2)) ? 1UL : 0;
        var r3 = a._l3 - b._l3 - borrow;
        borrow = (a._l3 < b._l3 || (borrow == 1 && a._l3 == b._l3)) ? 1UL : 0;
        if (borrow == 0)
        {
            return new Fq(r0, r1, r2, r3);
        }

        // Went below zero: add p back (the carry out of the top word cancels the borrow).
        var s0 = r0 + P0;
        var c = s0 < r0 ? 1UL : 0;
        var s1 = r1 + P1 + c;
        c = (s1 < r1 || (c == 1 && s1 == r1)) ? 1UL : 0;
        var s2 = r2 + P2 + c;
        c = (s2 < r2 || (c == 1 && s2 == r2)) ? 1UL : 0;
        var s3 = r3 + P3 + c;
        return new Fq(s0, s1, s2, s3);
    }

    public static Fq operator -(Fq a) => Zero - a;

    public static Fq operator *(Fq a, Fq b) => Multiply(a, b);

    public static bool operator ==(Fq a, Fq b) => a.Equals(b);

    public static bool operator !=(Fq a, Fq b) => !a.Equals(b);

    public Fq Square() => Multiply(this, this);

    public Fq Double() => this + this;

    /// <summary>The multiplicative inverse (Fermat: x^(p−2)); zero has none.</summary>
    /// <exception cref="DivideByZeroException">The element is zero.</exception>
    public Fq Inverse()
    {
        if (IsZero)
        {
            throw new DivideByZeroException("zero has no inverse in F_p");
        }

        return FromBigInteger(BigInteger.ModPow(ToBigInteger(), Modulus - 2, Modulus));
    }

    public bool Equals(Fq other) => _l0 == other._l0 && _l1 == other._l1 && _l2 == other._l2 && _l3 == other._l3;

    public override bool Equals(object? obj) => obj is Fq other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_l0, _l1, _l2, _l3);

    private static Fq Multiply(in Fq a, in Fq b)
    {
        // Four rounds of t = (t + a·b[i] + m·p) / 2^64. With p < 2^254 every intermediate t stays below
        // 2^256 after the shift and below 2^320 before it, so five words suffice and t < 2p at the end.
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        Round(a, b._l0, ref t0, ref t1, ref t2, ref t3);
        Round(a, b._l1, ref t0, ref t1, ref t2, ref t3);
        Round(a, b._l2, ref t0, ref t1, ref t2, ref t3);
        Round(a, b._l3, ref t0, ref t1, ref t2, ref t3);
        return ReduceOnce(t0, t1, t2, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(in Fq a, ulong bi, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3)
    {
        t0 = MulAdd(a._l0, bi, t0, 0, out var c);
        t1 = MulAdd(a._l1, bi, t1, c, out c);
        t2 = MulAdd(a._l2, bi, t2, c, out c);
        t3 = MulAdd(a._l3, bi, t3, c, out var t4);

        var m = t0 * PInvNeg;
        _ = MulAdd(m, P0, t0, 0, out c);
        t0 = MulAdd(m, P1, t1, c, out c);
        t1 = MulAdd(m, P2, t2, c, out c);
        t2 = MulAdd(m, P3, t3, c, out c);
        t3 = t4 + c;
    }

    /// <summary>a·b + c + d as a 128-bit value: returns the low word, <paramref name="high"/> the high one (never overflows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAdd(ulong a, ulong b, ulong c, ulong d, out ulong high)
    {
        high = Math.BigMul(a, b, out var low);
        low += c;
        high += low < c ? 1UL : 0;
        low += d;
        high += low < d ? 1UL : 0;
        return low;
    }

    private static Fq ReduceOnce(ulong r0, ulong r1, ulong r2, ulong r3)
    {
        var s0 = r0 - P0;
        var borrow = r0 < P0 ? 1UL : 0;
        var s1 = r1 - P1 - borrow;
        borrow = (r1 < P1 || (borrow == 1 && r1 == P1)) ? 1UL : 0;
        var s2 = r2 - P2 - borrow;
        borrow = (r2 < P2 || (borrow == 1 && r2 == P2)) ? 1UL : 0;
        var s3 = r3 - P3 - borrow;
        borrow = (r3 < P3 || (borrow == 1 && r3 == P3)) ? 1UL : 0;
        return borrow == 1 ? new Fq(r0, r1, r2, r3) : new Fq(s0, s1, s2, s3);
    }

    private static Fq FromRawLimbs(BigInteger value) => new(Limb(value, 0), Limb(value, 1), Limb(value, 2), Limb(value, 3));

    private static ulong Limb(BigInteger value, int index) => (ulong)((value >> (64 * index)) & ulong.MaxValue);

    private static ulong ComputePInvNeg()
    {
        ulong inv = 1;
        for (var i = 0; i < 7; i++)
        {
            inv *= 2 - (P0 * inv);
        }

        return 0 - inv;
    }
}
