using System.Numerics;
using FsCheck.Xunit;
using Prover.Crypto.Field;

namespace Prover.Crypto.Tests.Field;

/// <summary>
/// Poseidon's lazily reduced kernels take and return limbs anywhere in [0, 2r). Each operand is fed
/// both in its canonical form and with r added, so the top of the input range is covered; every
/// result must be the right residue and stay below 2r.
/// </summary>
[Properties(Arbitrary = [typeof(FieldGenerators)], MaxTest = 300)]
public sealed class LazyArithmeticTests
{
    private static readonly BigInteger R = Fr.Modulus;

    private static BigInteger Mod(BigInteger v) => ((v % R) + R) % R;

    private static Fr Lazy(FieldValue v, bool high) => high ? Fr.WithModulusAdded(v.ToFr()) : v.ToFr();

    private static bool Holds(Fr lazy, BigInteger expected) =>
        lazy.MontgomeryLimbs() < 2 * R && Fr.Canonical(lazy).ToBigInteger() == expected;

    [Property]
    public bool Pow5AddLazy_is_x_to_the_fifth_plus_c(FieldValue x, FieldValue c, bool xHigh, bool cHigh) =>
        Holds(Fr.Pow5AddLazy(Lazy(x, xHigh), Lazy(c, cHigh)), Mod(BigInteger.Pow(x.Value, 5) + c.Value));

    [Property]
    public bool MultiplyAddLazy_is_acc_plus_a_times_b(FieldValue acc, FieldValue a, FieldValue b, bool high) =>
        Holds(Fr.MultiplyAddLazy(Lazy(acc, high), Lazy(a, !high), Lazy(b, high)), Mod(acc.Value + a.Value * b.Value));

    [Property]
    public bool SumOfProductsLazy_matches_BigInteger_for_up_to_eight_terms(FieldValue[] a, FieldValue[] b, bool high)
    {
        int n = Math.Min(8, Math.Min(a.Length, b.Length));
        var x = a.Take(n).Select(v => v.ToFr()).ToArray();
        var y = b.Take(n).Select((v, i) => Lazy(v, high ^ (i % 2 == 0))).ToArray();
        var expected = Mod(Enumerable.Range(0, n).Aggregate(BigInteger.Zero, (s, i) => s + a[i].Value * b[i].Value));
        return Holds(Fr.SumOfProductsLazy(x, y), expected);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void SumOfProductsLazy_of_maximal_terms_stays_below_twice_r(int n)
    {
        var top = Fr.FromBigInteger(R - 1);
        var a = Enumerable.Repeat(top, n).ToArray();
        var b = Enumerable.Repeat(Fr.WithModulusAdded(top), n).ToArray();
        Assert.True(Holds(Fr.SumOfProductsLazy(a, b), Mod(n)));
    }

    [Property]
    public bool MultiplyAdd2Lazy_is_acc_plus_two_products(FieldValue acc, FieldValue a1, FieldValue b1, FieldValue a2, FieldValue b2, bool high) =>
        Holds(
            Fr.MultiplyAdd2Lazy(Lazy(acc, high), Lazy(a1, !high), b1.ToFr(), Lazy(a2, high), b2.ToFr()),
            Mod(acc.Value + a1.Value * b1.Value + a2.Value * b2.Value));

    [Fact]
    public void Lazy_values_at_the_top_of_the_range_stay_below_twice_r()
    {
        var max = Fr.FromBigInteger(R - 1);
        var top = Fr.WithModulusAdded(max);
        Assert.True(Holds(Fr.Pow5AddLazy(top, top), Mod(BigInteger.Pow(R - 1, 5) + R - 1)));
        Assert.True(Holds(Fr.MultiplyAddLazy(top, top, top), Mod((R - 1) * (R - 1) + R - 1)));
        Assert.True(Holds(Fr.MultiplyAdd2Lazy(top, top, max, top, max), Mod(2 * (R - 1) * (R - 1) + R - 1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void MultiplyAdd2Lazy_handles_zero_and_one(int small)
    {
        var v = Fr.FromUInt64((ulong)small);
        var top = Fr.WithModulusAdded(Fr.FromBigInteger(R - 1));
        Assert.True(Holds(Fr.MultiplyAdd2Lazy(v, top, v, v, Fr.FromBigInteger(R - 1)), Mod(small + (R - 1) * small + small * (R - 1))));
    }
}
