using System.Numerics;
using FsCheck;
using FsCheck.Xunit;
using Prover.Crypto.Bn254;

namespace Prover.Crypto.Tests.Bn254;

/// <summary>F_p's arithmetic against BigInteger arithmetic modulo p, edge values included.</summary>
public sealed class FqTests
{
    private static readonly BigInteger P = Fq.Modulus;

    public static TheoryData<string> Edges() => new() { "0", "1", "2", (P - 1).ToString(), (P - 2).ToString(), ((P - 1) / 2).ToString(), ((BigInteger.One << 253) - 1).ToString() };

    [Fact]
    public void The_modulus_words_are_p_and_minus_its_inverse_modulo_2_64()
    {
        var words = FqModulus.M0 | ((BigInteger)FqModulus.M1 << 64) | ((BigInteger)FqModulus.M2 << 128) | ((BigInteger)FqModulus.M3 << 192);
        Assert.Equal(P, words);
        Assert.Equal(BigInteger.Zero, ((P * FqModulus.InvNeg) + 1) % (BigInteger.One << 64));
    }

    [Property(MaxTest = 300)]
    public void Sums_differences_products_squares_and_inverses_match_BigInteger(NonNegativeInt seedA, NonNegativeInt seedB)
    {
        var a = Draw(seedA.Get);
        var b = Draw(seedB.Get + 7919);
        Check(a, b);
    }

    [Theory]
    [MemberData(nameof(Edges))]
    public void Edge_values_match_BigInteger(string value)
    {
        var a = BigInteger.Parse(value);
        foreach (var b in new[] { BigInteger.Zero, BigInteger.One, P - 1, a })
        {
            Check(a, b);
        }
    }

    private static void Check(BigInteger a, BigInteger b)
    {
        var x = Fq.FromBigInteger(a);
        var y = Fq.FromBigInteger(b);
        Assert.Equal((a + b) % P, (x + y).ToBigInteger());
        Assert.Equal(((a - b) % P + P) % P, (x - y).ToBigInteger());
        Assert.Equal(a * b % P, (x * y).ToBigInteger());
        Assert.Equal(a * a % P, x.Square().ToBigInteger());
        if (!a.IsZero)
        {
            Assert.Equal(BigInteger.ModPow(a, P - 2, P), x.Inverse().ToBigInteger());
            Assert.Equal(Fq.One, x * x.Inverse());
        }
    }

    private static BigInteger Draw(int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[33];
        random.NextBytes(bytes);
        bytes[32] = 0;
        return new BigInteger(bytes) % P;
    }
}
