using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

using Prover.Crypto.Field;

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


    // p − 2 as limbs, the exponent of Fermat's inverse.
    private static readonly ulong[] PMinusTwo = [Limb(Modulus - 2, 0), Limb(Modulus - 2, 1), Limb(Modulus - 2, 2), Limb(Modulus - 2, 3)];

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
        return l3 < FqModulus.M3 || (l3 == FqModulus.M3 && (l2 < FqModulus.M2 || (l2 == FqModulus.M2 && (l1 < FqModulus.M1 || (l1 == FqModulus.M1 && l0 < FqModulus.M0)))));
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
        var r0 = Words.AddCarry(a._l0, b._l0, 0, out var c);
        var r1 = Words.AddCarry(a._l1, b._l1, c, out c);
        var r2 = Words.AddCarry(a._l2, b._l2, c, out c);
        var r3 = a._l3 + b._l3 + c;
        Montgomery<FqModulus>.ReduceOnce(r0, r1, r2, r3, out r0, out r1, out r2, out r3);
        return new Fq(r0, r1, r2, r3);
    }

    public static Fq operator -(Fq a, Fq b)
    {
        var r0 = Words.SubBorrow(a._l0, b._l0, 0, out var borrow);
        var r1 = Words.SubBorrow(a._l1, b._l1, borrow, out borrow);
        var r2 = Words.SubBorrow(a._l2, b._l2, borrow, out borrow);
        var r3 = Words.SubBorrow(a._l3, b._l3, borrow, out borrow);

        // Went below zero: add p back (the carry out of the top word cancels the borrow); branch-free.
        var mask = 0UL - borrow;
        r0 = Words.AddCarry(r0, FqModulus.M0 & mask, 0, out var c);
        r1 = Words.AddCarry(r1, FqModulus.M1 & mask, c, out c);
        r2 = Words.AddCarry(r2, FqModulus.M2 & mask, c, out c);
        r3 += (FqModulus.M3 & mask) + c;
        return new Fq(r0, r1, r2, r3);
    }

    public static Fq operator -(Fq a) => Zero - a;

    public static Fq operator *(Fq a, Fq b) => Multiply(a, b);

    public static bool operator ==(Fq a, Fq b) => a.Equals(b);

    public static bool operator !=(Fq a, Fq b) => !a.Equals(b);

    public Fq Square()
    {
        Montgomery<FqModulus>.Square(_l0, _l1, _l2, _l3, out var r0, out var r1, out var r2, out var r3);
        return new Fq(r0, r1, r2, r3);
    }

    public Fq Double() => this + this;

    /// <summary>The multiplicative inverse (Fermat: x^(p−2)); zero has none.</summary>
    /// <exception cref="DivideByZeroException">The element is zero.</exception>
    public Fq Inverse()
    {
        if (IsZero)
        {
            throw new DivideByZeroException("zero has no inverse in F_p");
        }

        // Fermat, x^(p−2), by square-and-multiply over the exponent's bits: about 380 Montgomery
        // products, far cheaper than a BigInteger round trip; batch inversions call this once per batch.
        var result = One;
        for (var word = 3; word >= 0; word--)
        {
            var e = PMinusTwo[word];
            for (var bit = 63; bit >= 0; bit--)
            {
                result = result.Square();
                if (((e >> bit) & 1) != 0)
                {
                    result = Multiply(result, this);
                }
            }
        }

        return result;
    }

    public bool Equals(Fq other) => _l0 == other._l0 && _l1 == other._l1 && _l2 == other._l2 && _l3 == other._l3;

    public override bool Equals(object? obj) => obj is Fq other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_l0, _l1, _l2, _l3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fq Multiply(in Fq a, in Fq b)
    {
        Montgomery<FqModulus>.Multiply(a._l0, a._l1, a._l2, a._l3, b._l0, b._l1, b._l2, b._l3, out var r0, out var r1, out var r2, out var r3);
        return new Fq(r0, r1, r2, r3);
    }

    private static Fq FromRawLimbs(BigInteger value) => new(Limb(value, 0), Limb(value, 1), Limb(value, 2), Limb(value, 3));

    private static ulong Limb(BigInteger value, int index) => (ulong)((value >> (64 * index)) & ulong.MaxValue);
}

/// <summary>p's words for <see cref="Montgomery{TModulus}"/>; the tests check them against <see cref="Fq.Modulus"/>.</summary>
internal readonly struct FqModulus : IModulus256
{
    public static ulong M0 => 0x3c208c16d87cfd47;

    public static ulong M1 => 0x97816a916871ca8d;

    public static ulong M2 => 0xb85045b68181585d;

    public static ulong M3 => 0x30644e72e131a029;

    public static ulong InvNeg => 0x87d20782e4866389;
}
