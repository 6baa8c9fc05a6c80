using System.Numerics;
using FsCheck;
using FsCheck.Xunit;
using Prover.Crypto.Field;

namespace Prover.Crypto.Tests.Field;

/// <summary>The NTT against the polynomial's definition, its inverse, and snarkjs' roots of unity.</summary>
public sealed class NttTests
{
    [Property(MaxTest = 30)]
    public void Forward_evaluates_the_polynomial_at_the_powers_of_omega(PositiveInt seed, PositiveInt logSize)
    {
        var log = logSize.Get % 7;
        var n = 1 << log;
        var random = new Random(seed.Get);
        var coefficients = Enumerable.Range(0, n).Select(_ => Fr.FromUInt64((ulong)random.NextInt64())).ToArray();
        var values = coefficients.ToArray();
        Ntt.Forward(values);

        var omega = Ntt.RootOfUnity(log);
        var x = Fr.One;
        for (var i = 0; i < n; i++)
        {
            var evaluation = Fr.Zero;
            for (var j = n - 1; j >= 0; j--)
            {
                evaluation = (evaluation * x) + coefficients[j];
            }

            Assert.Equal(evaluation, values[i]);
            x *= omega;
        }

        Ntt.Inverse(values);
        Assert.Equal(coefficients, values);
    }

    [Fact]
    public void Scaling_by_powers_moves_the_evaluation_to_the_coset()
    {
        var coefficients = new[] { Fr.FromUInt64(3), Fr.FromUInt64(1), Fr.FromUInt64(4), Fr.FromUInt64(1) };
        var shift = Ntt.RootOfUnity(3);
        var values = coefficients.ToArray();
        Ntt.ScaleByPowers(values, shift);
        Ntt.Forward(values);
        var point = shift * Ntt.RootOfUnity(2);
        Assert.Equal(coefficients[0] + (coefficients[1] * point) + (coefficients[2] * point.Square()) + (coefficients[3] * point.Square() * point), values[1]);
    }

    [Fact]
    public void The_roots_have_exact_order_and_are_ffjavascripts()
    {
        for (var k = 1; k <= Ntt.MaxLog; k++)
        {
            var omega = Ntt.RootOfUnity(k);
            Assert.Equal(Fr.One, omega.Pow(BigInteger.One << k));
            Assert.NotEqual(Fr.One, omega.Pow(BigInteger.One << (k - 1)));
        }

        // 5 is the smallest quadratic non-residue mod r: ffjavascript's generator of the 2-adic roots.
        Assert.Equal(Fr.FromUInt64(5).Pow((Fr.Modulus - 1) >> 28), Ntt.RootOfUnity(28));
        Assert.NotEqual(Fr.One, Fr.FromUInt64(5).Pow((Fr.Modulus - 1) / 2));
        Assert.Equal(Fr.One, Fr.FromUInt64(3).Pow((Fr.Modulus - 1) / 2));
    }

    [Fact]
    public void A_length_that_is_not_a_power_of_two_is_refused() =>
        Assert.Throws<ArgumentException>(() => Ntt.Forward(new Fr[3]));
}
