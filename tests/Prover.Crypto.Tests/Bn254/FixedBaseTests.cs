using System.Numerics;
using FsCheck.Xunit;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;
using Prover.Crypto.Tests.Field;

namespace Prover.Crypto.Tests.Bn254;

/// <summary>Fixed-base tables against the plain double-and-add of <see cref="G1.Multiply"/> and <see cref="G2.Multiply"/>.</summary>
[Properties(Arbitrary = [typeof(FieldGenerators)])]
public sealed class FixedBaseTests
{
    // Small windows exercise many borrows and the top window; 7 and 11 do not divide 254.
    private static readonly G1FixedBase G1Small = new(G1.Generator, 3);
    private static readonly G1FixedBase G1Odd = new(G1.Generator, 11);
    private static readonly G2FixedBase G2Small = new(G2.Generator, 2);
    private static readonly G2FixedBase G2Odd = new(G2.Generator, 7);

    private static readonly BigInteger[] Edges = [BigInteger.Zero, BigInteger.One, 2, Fr.Modulus - 1, Fr.Modulus - 2, BigInteger.Pow(2, 253), (BigInteger.One << 253) - 1, Fr.Modulus / 2];

    [Property(MaxTest = 60)]
    public bool G1_tables_agree_with_double_and_add(FieldValue k)
    {
        var expected = G1.Generator.Multiply(k.Value);
        return G1Small.Multiply(k.ToFr()) == expected && G1Odd.Multiply(k.ToFr()) == expected;
    }

    [Property(MaxTest = 25)]
    public bool G2_tables_agree_with_double_and_add(FieldValue k)
    {
        var expected = G2.Generator.Multiply(k.Value);
        return G2Small.Multiply(k.ToFr()) == expected && G2Odd.Multiply(k.ToFr()) == expected;
    }

    [Fact]
    public void Zero_one_and_r_minus_one_give_infinity_the_base_and_its_negation()
    {
        foreach (var table in new[] { G1Small, G1Odd, new G1FixedBase(G1.Generator, 16) })
        {
            Assert.True(table.Multiply(Fr.Zero).IsInfinity);
            Assert.Equal(G1.Generator, table.Multiply(Fr.One));
            Assert.Equal(G1.Generator.Negate(), table.Multiply(-Fr.One));
        }

        foreach (var table in new[] { G2Small, G2Odd })
        {
            Assert.True(table.Multiply(Fr.Zero).IsInfinity);
            Assert.Equal(G2.Generator, table.Multiply(Fr.One));
            Assert.Equal(G2.Generator.Negate(), table.Multiply(-Fr.One));
        }
    }

    [Fact]
    public void A_base_other_than_the_generator_gives_its_own_multiples()
    {
        var p = G1.Generator.Multiply(987_654_321);
        var q = G2.Generator.Multiply(123_456_789);
        var g1 = new G1FixedBase(p, 5);
        var g2 = new G2FixedBase(q, 5);
        foreach (var k in Edges)
        {
            Assert.Equal(p.Multiply(k), g1.Multiply(Fr.FromBigInteger(k)));
            Assert.Equal(q.Multiply(k), g2.Multiply(Fr.FromBigInteger(k)));
        }
    }

    [Fact]
    public void Many_scalars_at_once_match_one_at_a_time_across_normalisation_blocks_and_infinity()
    {
        // 2 500 scalars: three blocks of 1 024, the last partial, zeros inside blocks (skipped by the batch inversion).
        var random = new Random(20_240_601);
        var scalars = new Fr[2_500];
        for (var i = 0; i < scalars.Length; i++)
        {
            var bytes = new byte[32];
            random.NextBytes(bytes);
            scalars[i] = i % 97 == 0 ? Fr.Zero : Fr.Reduce(new BigInteger(bytes, isUnsigned: true));
        }

        var g1 = G1Odd.MultiplyAll(scalars);
        for (var i = 0; i < scalars.Length; i++)
        {
            Assert.Equal(G1Odd.Multiply(scalars[i]), g1[i]);
        }

        var few = scalars.AsMemory(1_020, 10);
        var g2 = G2Odd.MultiplyAll(few, maxDegreeOfParallelism: 1);
        for (var i = 0; i < few.Length; i++)
        {
            Assert.Equal(G2.Generator.Multiply(few.Span[i].ToBigInteger()), g2[i]);
        }

        Assert.Equal(G1.Generator.Multiply(scalars[2_499].ToBigInteger()), g1[2_499]);
    }

    [Fact]
    public void Batched_affine_additions_handle_doubling_cancellation_infinity_and_skipped_slots()
    {
        var p = G1.Generator.Multiply(5);
        var q = G1.Generator.Multiply(9);
        G1[] acc = [p, p, G1.Infinity, q, q];
        G1[] addend = [p, p.Negate(), q, p, p];
        bool[] add = [true, true, true, false, true];
        G1Ops.AddBatch(acc, addend, add);
        Assert.Equal([G1.Generator.Multiply(10), G1.Infinity, q, q, G1.Generator.Multiply(14)], acc);

        var r = G2.Generator.Multiply(3);
        G2[] acc2 = [r, r, G2.Infinity];
        G2Ops.AddBatch(acc2, [r, r.Negate(), r], [true, true, true]);
        Assert.Equal([G2.Generator.Multiply(6), G2.Infinity, r], acc2);
    }

    [Fact]
    public void Batch_normalisation_matches_one_inversion_per_point()
    {
        var points = new[]
        {
            G1Jacobian.From(G1.Generator).Double().Double(),
            G1Jacobian.Infinity,
            G1Jacobian.From(G1.Generator).Multiply(77),
        };
        var affine = new G1[3];
        BatchAffine.Normalize(points, affine);
        Assert.Equal(points.Select(p => p.ToAffine()), affine);
        Assert.Throws<ArgumentException>(() => BatchAffine.Normalize(points, new G1[2]));
    }

    [Fact]
    public void The_window_grows_with_the_number_of_scalars_and_stops_at_its_cap()
    {
        Assert.True(G1FixedBase.For(G1.Generator, 10).WindowBits < 8);
        Assert.InRange(FixedBaseWindowsOf(1L << 20, 16), 14, 16);
        Assert.Equal(15, FixedBaseWindowsOf(1L << 30, 15));
    }

    private static int FixedBaseWindowsOf(long scalars, int cap) => FixedBaseWindows.Choose(scalars, cap);
}
