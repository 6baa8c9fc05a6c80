using System.Globalization;
using System.Numerics;

namespace Prover.LightClient.Bn254;

/// <summary>
/// An element of the BN254 (alt_bn128) base field F_p, the field the curve's coordinates live in
/// (EIP-196). Always canonical: four little-endian 64-bit limbs holding <c>x·2^256 mod p</c>
/// (Montgomery form), below p, so <c>default(Fq)</c> is zero and equality is limb equality.
/// </summary>
/// <remarks>
/// Multiplication is word-by-word Montgomery multiplication with interleaved reduction (CIOS, Koç,
/// Acar and Kaliski 1996). The constants are derived from p at start-up rather than typed in. Not
/// hardened against timing side channels: a verifier handles public data only.
/// </remarks>
internal readonly struct Fq : IEquatable<Fq>
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
        Span<ulong> t = stackalloc ulong[6];
        t.Clear();
        ReadOnlySpan<ulong> x = [a._l0, a._l1, a._l2, a._l3];
        ReadOnlySpan<ulong> y = [b._l0, b._l1, b._l2, b._l3];
        ReadOnlySpan<ulong> p = [P0, P1, P2, P3];
        for (var i = 0; i < 4; i++)
        {
            // t += x · y[i]
            ulong carry = 0;
            for (var j = 0; j < 4; j++)
            {
                t[j] = MulAdd(x[j], y[i], t[j], carry, out carry);
            }

            t[4] = AddCarry(t[4], carry, out var top);
            t[5] = top;

            // t = (t + m·p) / 2^64 with m chosen to clear the low word.
            var m = t[0] * PInvNeg;
            _ = MulAdd(m, p[0], t[0], 0, out carry);
            for (var j = 1; j < 4; j++)
            {
                t[j - 1] = MulAdd(m, p[j], t[j], carry, out carry);
            }

            t[3] = AddCarry(t[4], carry, out var c2);
            t[4] = t[5] + c2;
        }

        // t < 2p < 2^255 here, so t[4] is zero and one conditional subtraction makes it canonical.
        return ReduceOnce(t[0], t[1], t[2], t[3]);
    }

    /// <summary>a·b + c + d as a 128-bit value: returns the low word, <paramref name="high"/> the high one (never overflows).</summary>
    private static ulong MulAdd(ulong a, ulong b, ulong c, ulong d, out ulong high)
    {
        var product = (UInt128)a * b + c + d;
        high = (ulong)(product >> 64);
        return (ulong)product;
    }

    private static ulong AddCarry(ulong a, ulong b, out ulong carry)
    {
        var sum = a + b;
        carry = sum < a ? 1UL : 0;
        return sum;
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
