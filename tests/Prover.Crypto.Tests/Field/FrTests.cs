using System.Globalization;
using System.Numerics;
using FsCheck.Xunit;
using Prover.Core;
using Prover.Crypto.Field;

namespace Prover.Crypto.Tests.Field;

[Properties(Arbitrary = [typeof(FieldGenerators)], MaxTest = 500)]
public sealed class FrTests
{
    private static readonly BigInteger R = Fr.Modulus;

    private static BigInteger Mod(BigInteger v)
    {
        var m = v % R;
        return m.Sign < 0 ? m + R : m;
    }

    [Fact]
    public void Montgomery_constants_are_derived_from_the_modulus()
    {
        var limbMask = (BigInteger.One << 64) - 1;
        var w = BigInteger.One << 64;
        var bigR = BigInteger.One << 256;
        static BigInteger Limbs(ulong l0, ulong l1, ulong l2, ulong l3) =>
            l0 + ((BigInteger)l1 << 64) + ((BigInteger)l2 << 128) + ((BigInteger)l3 << 192);

        Assert.Equal(R, Limbs(Fr.Q0, Fr.Q1, Fr.Q2, Fr.Q3));
        Assert.Equal(bigR % R, Limbs(Fr.R0, Fr.R1, Fr.R2, Fr.R3));
        Assert.Equal(bigR * bigR % R, Limbs(Fr.RR0, Fr.RR1, Fr.RR2, Fr.RR3));
        Assert.Equal(w - 1, (R * Fr.QInvNeg) & limbMask);
    }

    [Fact]
    public void Default_is_zero_and_One_is_one()
    {
        Assert.Equal(Fr.Zero, default);
        Assert.True(default(Fr).IsZero);
        Assert.Equal(BigInteger.Zero, default(Fr).ToBigInteger());
        Assert.Equal(BigInteger.One, Fr.One.ToBigInteger());
        Assert.Equal(Fr.One, Fr.FromUInt64(1));
        Assert.False(Fr.One.IsZero);
    }

    [Fact]
    public void R_minus_one_plus_one_is_zero()
    {
        var top = Fr.FromBigInteger(R - 1);
        Assert.Equal(Fr.Zero, top + Fr.One);
        Assert.True((top + Fr.One).IsZero);
    }

    [Fact]
    public void Zero_minus_one_is_r_minus_one()
    {
        Assert.Equal(R - 1, (Fr.Zero - Fr.One).ToBigInteger());
        Assert.Equal(R - 1, (-Fr.One).ToBigInteger());
        Assert.Equal(Fr.Zero, -Fr.Zero);
    }

    [Fact]
    public void R_minus_one_squared_is_one()
    {
        var top = Fr.FromBigInteger(R - 1);
        Assert.Equal(Fr.One, top * top);
        Assert.Equal(Fr.One, top.Square());
    }

    [Fact]
    public void FromUInt64_keeps_the_whole_word()
    {
        Assert.Equal((BigInteger)ulong.MaxValue, Fr.FromUInt64(ulong.MaxValue).ToBigInteger());
        Assert.Equal(BigInteger.Zero, Fr.FromUInt64(0).ToBigInteger());
    }

    [Fact]
    public void FromBigInteger_rejects_r_naming_the_field()
    {
        var e = Assert.Throws<ValueOutOfRangeException>(() => Fr.FromBigInteger(R, "txId"));
        Assert.Equal("txId", e.Field);
        Assert.Contains(R.ToString(CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBigInteger_rejects_negative_and_oversized_values()
    {
        Assert.Throws<ValueOutOfRangeException>(() => Fr.FromBigInteger(BigInteger.MinusOne));
        Assert.Throws<ValueOutOfRangeException>(() => Fr.FromBigInteger(-R));
        Assert.Throws<ValueOutOfRangeException>(() => Fr.FromBigInteger(R + 1));
        Assert.Throws<ValueOutOfRangeException>(() => Fr.FromBigInteger(BigInteger.One << 256));
        Assert.Throws<ValueOutOfRangeException>(() => Fr.FromBigInteger(BigInteger.One << 300));
    }

    [Fact]
    public void FromBytesBigEndian_rejects_r_and_above()
    {
        var rBytes = R.ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.Equal(32, rBytes.Length);
        var e = Assert.Throws<ValueOutOfRangeException>(() => Fr.FromBytesBigEndian(rBytes, "root"));
        Assert.Equal("root", e.Field);
        Assert.Throws<ValueOutOfRangeException>(() => Fr.FromBytesBigEndian(Enumerable.Repeat((byte)0xff, 32).ToArray()));

        var below = (R - 1).ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.Equal(R - 1, Fr.FromBytesBigEndian(below).ToBigInteger());
    }

    [Fact]
    public void FromBytesBigEndian_rejects_a_wrong_length()
    {
        Assert.Throws<ArgumentException>(() => Fr.FromBytesBigEndian(new byte[31]));
        Assert.Throws<ArgumentException>(() => Fr.FromBytesBigEndian(new byte[33]));
    }

    [Fact]
    public void Parse_rejects_r_in_decimal_and_hex_and_malformed_text()
    {
        Assert.Throws<ValueOutOfRangeException>(() => Fr.Parse(R.ToString(CultureInfo.InvariantCulture)));
        Assert.Throws<ValueOutOfRangeException>(() => Fr.Parse("0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"));
        Assert.Throws<FormatException>(() => Fr.Parse("-1"));
        Assert.Throws<FormatException>(() => Fr.Parse("12a"));
        Assert.Throws<FormatException>(() => Fr.Parse(""));
        Assert.Throws<FormatException>(() => Fr.Parse("0x"));
        Assert.Throws<FormatException>(() => Fr.Parse("0xzz"));
    }

    [Fact]
    public void Parse_reads_hex_with_a_high_first_digit_as_positive()
    {
        Assert.Equal((BigInteger)0xff, Fr.Parse("0xff").ToBigInteger());
        Assert.Equal((BigInteger)0xff, Fr.Parse("0XFF").ToBigInteger());
    }

    [Fact]
    public void Reduce_takes_any_integer_modulo_r()
    {
        Assert.Equal(Fr.Zero, Fr.Reduce(R));
        Assert.Equal(R - 1, Fr.Reduce(BigInteger.MinusOne).ToBigInteger());
        var huge = (BigInteger.One << 512) + 12345;
        Assert.Equal(Mod(huge), Fr.Reduce(huge).ToBigInteger());
    }

    [Fact]
    public void Inverse_of_zero_throws()
    {
        Assert.Throws<DivideByZeroException>(() => Fr.Zero.Inverse());
    }

    [Fact]
    public void ToHex_writes_64_digits_and_ToString_decimal()
    {
        Assert.Equal("0x" + new string('0', 63) + "1", Fr.One.ToHex());
        Assert.Equal("0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000", Fr.FromBigInteger(R - 1).ToHex());
        Assert.Equal("21888242871839275222246405745257275088548364400416034343698204186575808495616", Fr.FromBigInteger(R - 1).ToString());
    }

    [Fact]
    public void Arithmetic_does_not_allocate()
    {
        var a = Fr.FromBigInteger(R - 12345);
        var b = Fr.FromUInt64(987654321);
        var acc = a;
        for (int i = 0; i < 1000; i++)
        {
            acc = acc * b + a - b;
            acc = acc.Square().Pow5();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            acc = acc * b + a - b;
            acc = acc.Square().Pow5();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.NotEqual(Fr.Zero, acc);
    }

    [Property]
    public bool The_UTF8_decimal_form_is_exactly_ToString(FieldValue a)
    {
        Span<byte> utf8 = stackalloc byte[Fr.MaxDecimalDigits];
        var written = a.ToFr().FormatDecimal(utf8);
        return System.Text.Encoding.UTF8.GetString(utf8[..written]) == a.Value.ToString(CultureInfo.InvariantCulture);
    }

    [Fact]
    public void The_UTF8_decimal_form_pads_every_chunk_but_the_first()
    {
        // 19-digit chunks: values at and around each power 10^19k, whose lower chunks are all zeros or nines.
        Span<byte> utf8 = stackalloc byte[Fr.MaxDecimalDigits];
        for (var k = 0; k <= 4; k++)
        {
            var power = BigInteger.Pow(10, 19 * k);
            foreach (var v in new[] { power - 1, power, power + 1, (power * 7) + 3 })
            {
                if (v.Sign < 0 || v >= R)
                {
                    continue;
                }

                var written = Fr.FromBigInteger(v).FormatDecimal(utf8);
                Assert.Equal(v.ToString(CultureInfo.InvariantCulture), System.Text.Encoding.UTF8.GetString(utf8[..written]));
            }
        }

        var top = Fr.FromBigInteger(R - 1).FormatDecimal(utf8);
        Assert.Equal(Fr.MaxDecimalDigits, top);
    }

    [Property]
    public bool Addition_matches_BigInteger_mod_r(FieldValue a, FieldValue b) =>
        (a.ToFr() + b.ToFr()).ToBigInteger() == Mod(a.Value + b.Value);

    [Property]
    public bool Subtraction_matches_BigInteger_mod_r(FieldValue a, FieldValue b) =>
        (a.ToFr() - b.ToFr()).ToBigInteger() == Mod(a.Value - b.Value);

    [Property]
    public bool Negation_matches_BigInteger_mod_r(FieldValue a) =>
        (-a.ToFr()).ToBigInteger() == Mod(-a.Value);

    [Property]
    public bool Multiplication_matches_BigInteger_mod_r(FieldValue a, FieldValue b) =>
        (a.ToFr() * b.ToFr()).ToBigInteger() == Mod(a.Value * b.Value);

    [Property]
    public bool Squaring_matches_BigInteger_mod_r(FieldValue a) =>
        a.ToFr().Square().ToBigInteger() == Mod(a.Value * a.Value);

    [Property]
    public bool Pow5_matches_BigInteger_ModPow(FieldValue a) =>
        a.ToFr().Pow5().ToBigInteger() == BigInteger.ModPow(a.Value, 5, R);

    [Property(MaxTest = 100)]
    public bool Pow_matches_BigInteger_ModPow(FieldValue a, FieldValue e) =>
        a.ToFr().Pow(e.Value).ToBigInteger() == BigInteger.ModPow(a.Value, e.Value, R);

    [Property(MaxTest = 200)]
    public bool Inverse_matches_Fermat_and_multiplies_to_one(FieldValue a)
    {
        if (a.Value.IsZero)
        {
            return true;
        }

        var inv = a.ToFr().Inverse();
        return inv.ToBigInteger() == BigInteger.ModPow(a.Value, R - 2, R) && inv * a.ToFr() == Fr.One;
    }

    [Property]
    public bool SumOfProducts_matches_BigInteger_for_up_to_ten_terms(FieldValue[] a, FieldValue[] b)
    {
        int n = Math.Min(10, Math.Min(a.Length, b.Length));
        var x = a.Take(n).Select(v => v.ToFr()).ToArray();
        var y = b.Take(n).Select(v => v.ToFr()).ToArray();
        var expected = Mod(Enumerable.Range(0, n).Aggregate(BigInteger.Zero, (acc, i) => acc + a[i].Value * b[i].Value));
        return Fr.SumOfProducts(x, y).ToBigInteger() == expected;
    }

    [Fact]
    public void SumOfProducts_of_ten_maximal_terms_is_reduced()
    {
        var top = Enumerable.Repeat(Fr.FromBigInteger(R - 1), 10).ToArray();
        Assert.Equal(BigInteger.Parse("10", CultureInfo.InvariantCulture), Fr.SumOfProducts(top, top).ToBigInteger());
    }

    [Property]
    public bool Round_trips_through_big_endian_bytes(FieldValue a)
    {
        var bytes = a.ToFr().ToBytesBigEndian();
        Span<byte> written = stackalloc byte[40];
        written.Fill(0xaa);
        a.ToFr().WriteBigEndian(written);
        return bytes.Length == 32
            && bytes.AsSpan().SequenceEqual(PadTo32(a.Value.ToByteArray(isUnsigned: true, isBigEndian: true)))
            && written[..32].SequenceEqual(bytes)
            && written[32] == 0xaa
            && Fr.FromBytesBigEndian(bytes) == a.ToFr();
    }

    [Property]
    public bool Round_trips_through_BigInteger_decimal_and_hex(FieldValue a)
    {
        var x = a.ToFr();
        return x.ToBigInteger() == a.Value
            && x.ToString() == a.Value.ToString(CultureInfo.InvariantCulture)
            && Fr.Parse(x.ToString()) == x
            && Fr.Parse(x.ToHex()) == x
            && x.ToHex().Length == 66;
    }

    [Property]
    public bool Equal_values_are_equal_and_hash_alike(FieldValue a)
    {
        var viaBig = a.ToFr();
        var viaText = Fr.Parse(a.Value.ToString(CultureInfo.InvariantCulture));
        var viaSum = (viaBig + Fr.One) - Fr.One;
        return viaBig == viaText && viaBig.Equals(viaSum) && viaBig.Equals((object)viaSum)
            && viaBig.GetHashCode() == viaSum.GetHashCode() && !(viaBig != viaText);
    }

    [Property]
    public bool Distinct_values_are_not_equal(FieldValue a, FieldValue b) =>
        (a.Value == b.Value) == (a.ToFr() == b.ToFr());

    private static byte[] PadTo32(byte[] bytes)
    {
        var padded = new byte[32];
        bytes.CopyTo(padded, 32 - bytes.Length);
        return padded;
    }
}
