using System.Numerics;
using FsCheck.Xunit;
using Prover.Core.Ethereum.Ecrecover;
using static Prover.Core.Tests.Ethereum.Secp256k1Reference;

namespace Prover.Core.Tests.Ethereum;

/// <summary>
/// The field (mod p) and scalar (mod n) kernels of the managed recovery against BigInteger. Field inputs
/// range over all of [0, 2^256), since the representation allows unreduced values; outputs must be
/// congruent, below 2^256 by construction, and canonical after Normalize.
/// </summary>
[Properties(Arbitrary = [typeof(Secp256k1Arbitraries)], MaxTest = 500)]
public class Secp256k1KernelTests
{
    private static readonly BigInteger Two256 = BigInteger.One << 256;

    [Property]
    public void Field_mul_matches_bigint(U256 a, U256 b)
    {
        FieldElement.Mul(FieldOf(a.Value), FieldOf(b.Value), out var r);
        AssertField(a.Value * b.Value, r);
    }

    [Property]
    public void Field_sqr_matches_bigint(U256 a)
    {
        FieldElement.Sqr(FieldOf(a.Value), out var r);
        AssertField(a.Value * a.Value, r);
    }

    [Property]
    public void Field_add_sub_negate_match_bigint(U256 a, U256 b)
    {
        FieldElement.Add(FieldOf(a.Value), FieldOf(b.Value), out var sum);
        AssertField(a.Value + b.Value, sum);
        FieldElement.Sub(FieldOf(a.Value), FieldOf(b.Value), out var diff);
        AssertField(a.Value - b.Value, diff);
        FieldElement.Negate(FieldOf(a.Value), out var neg);
        AssertField(-a.Value, neg);
        FieldElement.Half(FieldOf(a.Value), out var half);
        AssertField(a.Value * ((P + 1) / 2), half);
    }

    [Property]
    public void Field_inverse_matches_bigint(U256 a)
    {
        FieldElement.Inverse(FieldOf(a.Value), out var r);
        AssertField(BigInteger.ModPow(Mod(a.Value, P), P - 2, P), r);
    }

    [Property]
    public void Field_sqrt_succeeds_exactly_on_squares(U256 a)
    {
        var v = Mod(a.Value, P);
        bool isSquare = v.IsZero || BigInteger.ModPow(v, (P - 1) / 2, P).IsOne;
        Assert.Equal(isSquare, FieldElement.Sqrt(FieldOf(a.Value), out var r));
        if (isSquare)
        {
            Assert.Equal(v, Mod(Big(r) * Big(r), P));
        }
    }

    [Property]
    public void Field_read_rejects_values_from_p_and_writes_canonical_bytes(U256 a)
    {
        Assert.Equal(a.Value < P, FieldElement.TryRead(a.ToBytes(), out _));
        var bytes = new byte[32];
        FieldOf(a.Value).Write(bytes);
        Assert.Equal(ToBytes32(Mod(a.Value, P)), bytes);
        Assert.Equal(Mod(a.Value, P).IsZero, FieldOf(a.Value).IsZero);
        Assert.Equal(!Mod(a.Value, P).IsEven, FieldOf(a.Value).IsOdd);
    }

    [Fact]
    public void Field_mul_folds_the_largest_products()
    {
        // (2^256 − 1)² is the largest product, and values just under 2^256 exercise both folds' carries.
        foreach (var a in new[] { Two256 - 1, Two256 - 2, P, P + 1, Two256 - (BigInteger.One << 64) })
        {
            foreach (var b in new[] { Two256 - 1, P - 1, P, BigInteger.One, Two256 - 0x1_0000_03D1 })
            {
                FieldElement.Mul(FieldOf(a), FieldOf(b), out var r);
                AssertField(a * b, r);
                FieldElement.Sqr(FieldOf(a), out var s);
                AssertField(a * a, s);
                FieldElement.Add(FieldOf(a), FieldOf(b), out var sum);
                AssertField(a + b, sum);
                FieldElement.Sub(FieldOf(BigInteger.Zero), FieldOf(a), out var neg);
                AssertField(-a, neg);
            }
        }
    }

    [Property]
    public void Scalar_arithmetic_matches_bigint(U256 a, U256 b)
    {
        var x = Mod(a.Value, N);
        var y = Mod(b.Value, N);
        Assert.Equal(x * y % N, Big(Scalar.Mul(ScalarOf(x), ScalarOf(y))));
        Assert.Equal((x + y) % N, Big(Scalar.Add(ScalarOf(x), ScalarOf(y))));
        Assert.Equal(Mod(x - y, N), Big(Scalar.Sub(ScalarOf(x), ScalarOf(y))));
        Assert.Equal(Mod(-x, N), Big(Scalar.Negate(ScalarOf(x))));
        Assert.Equal(x > N / 2, ScalarOf(x).IsHigh);
    }

    [Property]
    public void Scalar_inverse_matches_bigint(U256 a)
    {
        var x = Mod(a.Value, N);
        if (!x.IsZero)
        {
            Assert.Equal(BigInteger.ModPow(x, N - 2, N), Big(Scalar.Inverse(ScalarOf(x))));
        }
    }

    [Property]
    public void Scalar_read_checks_range_and_reduces(U256 a)
    {
        Assert.Equal(a.Value < N, Scalar.TryRead(a.ToBytes(), out var s));
        if (a.Value < N)
        {
            Assert.Equal(a.Value, Big(s));
        }

        Assert.Equal(a.Value % N, Big(Scalar.ReadReduced(a.ToBytes())));
    }

    [Property]
    public void Scalar_mul_shift_rounds_to_nearest(U256 a, U256 b)
    {
        var product = a.Value * b.Value;
        var expected = (product >> 384) + ((product >> 383) & 1);
        Assert.Equal(expected, Big(Scalar.MulShift384(ScalarOf(a.Value), ScalarOf(b.Value))));
    }

    [Property]
    public void Lambda_split_recombines_into_two_short_halves(U256 a)
    {
        var k = Mod(a.Value, N);
        Scalar.SplitLambda(ScalarOf(k), out var k1, out var k2);
        var lambda = Big(Scalar.Lambda);
        Assert.Equal(k, (Big(k1) + (Big(k2) * lambda)) % N);

        // The GLV bound: each half or its negation is below 2^128.
        var limit = BigInteger.One << 128;
        Assert.True(BigInteger.Min(Big(k1), N - Big(k1)) < limit, $"k1 = {Big(k1):x}");
        Assert.True(BigInteger.Min(Big(k2), N - Big(k2)) < limit, $"k2 = {Big(k2):x}");
    }

    [Property]
    public void Wnaf_digits_are_odd_sparse_and_sum_to_the_scalar(U256 a)
    {
        Span<short> digits = stackalloc short[257];
        foreach (int w in new[] { 2, 5, 8, 12 })
        {
            int len = EcRecover.Wnaf(ScalarOf(a.Value), w, digits);
            var sum = BigInteger.Zero;
            int lastNonZero = -w;
            int top = -1;
            for (int i = 0; i < digits.Length; i++)
            {
                int d = digits[i];
                if (d == 0)
                {
                    continue;
                }

                Assert.True((d & 1) == 1 && Math.Abs(d) < (1 << (w - 1)), $"digit {d} at {i}, w = {w}");
                Assert.True(i - lastNonZero >= w, $"digits at {lastNonZero} and {i}, w = {w}");
                lastNonZero = i;
                top = i;
                sum += (BigInteger)d << i;
            }

            Assert.Equal(a.Value, sum);
            Assert.Equal(top + 1, len);
        }
    }

    [Fact]
    public void Endomorphism_constants_are_cube_roots_of_unity_that_agree()
    {
        var beta = Big(EcRecover.Beta);
        var lambda = Big(Scalar.Lambda);
        Assert.Equal(BigInteger.One, BigInteger.ModPow(beta, 3, P));
        Assert.NotEqual(BigInteger.One, beta);
        Assert.Equal(BigInteger.One, BigInteger.ModPow(lambda, 3, N));
        Assert.NotEqual(BigInteger.One, lambda);

        // λ·G = (β·Gx, Gy), with λ·G computed by NBitcoin.
        Assert.True(NBitcoin.Secp256k1.ECPrivKey.TryCreate(ToBytes32(lambda), out var key));
        var pub = new byte[65];
        key!.CreatePubKey().WriteToSpan(compressed: false, pub, out _);
        var g = AffinePoint.G;
        Assert.Equal(ToBytes32(beta * Big(g.X) % P), pub[1..33]);
        Assert.Equal(ToBytes32(Big(g.Y)), pub[33..65]);
        Assert.True(g.IsOnCurve);
    }

    private static void AssertField(BigInteger expected, in FieldElement actual)
    {
        Assert.Equal(Mod(expected, P), Mod(Big(actual), P));
        Assert.Equal(Mod(expected, P), Big(actual.Normalize()));
    }
}
