using System.Numerics;
using FsCheck;
using FsCheck.Xunit;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Crypto.Tests.Bn254;

/// <summary>
/// Multi-scalar multiplication against the naive sum Σ kᵢ·Pᵢ (one double-and-add per term), over the
/// cases Pippenger with affine buckets treats apart: zero, one, small and full-width scalars, r − 1,
/// repeated points (two additions into one bucket become a doubling), a point and its negation (a
/// bucket that empties), the point at infinity, and more terms than one batch of affine additions.
/// </summary>
public sealed class MsmTests
{
    private static readonly BigInteger R = G1.Order;

    [Property(MaxTest = 25)]
    public void G1_equals_the_naive_sum(PositiveInt seed, PositiveInt size)
    {
        var random = new Random(seed.Get);
        var n = 1 + (size.Get % 700);
        var (points, scalars) = Terms(random, n, i => G1.Generator.Multiply(RandomScalar(random)), p => p.Negate(), G1.Infinity);
        Assert.Equal(Naive(points, scalars), Msm.Multiply(points, scalars.Select(Fr.Reduce).ToArray()).ToAffine());
    }

    [Property(MaxTest = 8)]
    public void G2_equals_the_naive_sum(PositiveInt seed, PositiveInt size)
    {
        var random = new Random(seed.Get);
        var n = 1 + (size.Get % 300);
        var (points, scalars) = Terms(random, n, i => G2.Generator.Multiply(RandomScalar(random)), p => p.Negate(), G2.Infinity);
        var expected = G2Jacobian.Infinity;
        for (var i = 0; i < n; i++)
        {
            expected += G2Jacobian.From(points[i]).Multiply(scalars[i]);
        }

        Assert.Equal(expected.ToAffine(), Msm.Multiply(points, scalars.Select(Fr.Reduce).ToArray()).ToAffine());
    }

    [Fact]
    public void One_point_many_times_with_one_scalar_doubles_inside_a_bucket()
    {
        // 600 copies of P with scalar 5: every addition after the first lands in the same bucket.
        var p = G1.Generator.Multiply(123456789);
        var points = Enumerable.Repeat(p, 600).ToArray();
        var scalars = Enumerable.Repeat(Fr.FromUInt64(5), 600).ToArray();
        Assert.Equal(p.Multiply(3000), Msm.Multiply(points, scalars).ToAffine());
    }

    [Fact]
    public void A_point_and_its_negation_cancel_in_a_bucket()
    {
        var p = G1.Generator.Multiply(987654321);
        var points = new[] { p, p.Negate(), p, G1.Generator };
        var scalars = new[] { Fr.FromUInt64(7), Fr.FromUInt64(7), Fr.FromUInt64(7), Fr.FromUInt64(7) };
        Assert.Equal(p.Multiply(7) + G1.Generator.Multiply(7), Msm.Multiply(points, scalars).ToAffine());
    }

    [Fact]
    public void Minus_one_and_zero_and_infinity()
    {
        var p = G1.Generator.Multiply(42);
        var points = new[] { p, G1.Generator, G1.Infinity, p };
        var scalars = new[] { Fr.Reduce(R - 1), Fr.Zero, Fr.FromUInt64(9), Fr.One };
        Assert.True(Msm.Multiply(points, scalars).IsInfinity);
        Assert.True(Msm.Multiply(Array.Empty<G1>(), []).IsInfinity);
    }

    [Fact]
    public void Lengths_must_match() =>
        Assert.Throws<ArgumentException>(() => Msm.Multiply(new[] { G1.Generator }, []));

    private static G1 Naive(G1[] points, BigInteger[] scalars)
    {
        var sum = G1Jacobian.Infinity;
        for (var i = 0; i < points.Length; i++)
        {
            sum += G1Jacobian.From(points[i]).Multiply(scalars[i]);
        }

        return sum.ToAffine();
    }

    /// <summary>n terms: a mix of scalar kinds, some points repeated or negated, one at infinity.</summary>
    private static (TPoint[] Points, BigInteger[] Scalars) Terms<TPoint>(Random random, int n, Func<int, TPoint> fresh, Func<TPoint, TPoint> negate, TPoint infinity)
    {
        var points = new TPoint[n];
        var scalars = new BigInteger[n];
        for (var i = 0; i < n; i++)
        {
            points[i] = (random.Next(6), i) switch
            {
                (_, 0) => fresh(i),
                (0, _) => points[random.Next(i)],
                (1, _) => negate(points[random.Next(i)]),
                (2, _) when random.Next(10) == 0 => infinity,
                _ => fresh(i),
            };
            scalars[i] = random.Next(7) switch
            {
                0 => BigInteger.Zero,
                1 => BigInteger.One,
                2 => R - 1,
                3 => random.Next(1, 1000),
                4 => (ulong)random.NextInt64() | 1UL << 62,
                _ => RandomScalar(random),
            };
        }

        return (points, scalars);
    }

    private static BigInteger RandomScalar(Random random)
    {
        var bytes = new byte[33];
        random.NextBytes(bytes);
        bytes[32] = 0;
        return new BigInteger(bytes) % R;
    }
}
