using System.Numerics;
using System.Runtime.Intrinsics.X86;
using FsCheck.Xunit;
using Prover.Crypto.Field;

namespace Prover.Crypto.Tests.Field;

/// <summary>A fact that is skipped where the CPU has no AVX-512F (the scalar path is all there is then).</summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute()
    {
        if (!Avx512F.IsSupported)
        {
            Skip = "needs AVX-512F";
        }
    }
}

/// <summary>An FsCheck property that is skipped where the CPU has no AVX-512F.</summary>
public sealed class Avx512PropertyAttribute : PropertyAttribute
{
    public Avx512PropertyAttribute()
    {
        Arbitrary = [typeof(FieldGenerators)];
        MaxTest = 200;
        if (!Avx512F.IsSupported)
        {
            Skip = "needs AVX-512F";
        }
    }
}

/// <summary>
/// Fr8's kernels against BigInteger: every lane must be the right residue, with the output bounds
/// Fr8 documents (limbs 0..7 below 2^29, value below 2^259 + r), for canonical inputs and for raw
/// inputs at the top of the allowed range (limbs up to 2^30 − 1, values up to 2^260 − 1, limbs not
/// carried).
/// </summary>
public sealed class Fr8Tests
{
    private static readonly BigInteger R = Fr.Modulus;
    private static readonly BigInteger RInv = BigInteger.ModPow(Fr8.R, R - 2, R);
    private static readonly BigInteger InputBound = BigInteger.One << 260;
    private static readonly int Bits = Fr8.LimbBits;
    private static readonly int Count = Fr8.LimbCount;

    private static BigInteger Mod(BigInteger v) => ((v % R) + R) % R;

    private static Fr[] Eight(FieldValue[] values) =>
        Enumerable.Range(0, 8).Select(i => i < values.Length ? values[i].ToFr() : Fr.FromUInt64((ulong)i * 0x1234_5678_9abc)).ToArray();

    private static BigInteger[] Raw(Fr8 x) => Enumerable.Range(0, 8).Select(i => x.RawLane(i, out _)).ToArray();

    /// <summary>Output bounds of the kernels: normalized limbs and a value below 2^259 + r (plus acc's for MultiplyAdd).</summary>
    private static bool Bounded(in Fr8 x, BigInteger[]? acc = null)
    {
        for (int i = 0; i < 8; i++)
        {
            if (x.RawLane(i, out _) >= (BigInteger.One << 259) + R + (acc?[i] ?? 0))
            {
                return false;
            }

            // All limbs but the top one are carried.
            for (int j = 0; j < Count - 1; j++)
            {
                if (x.Limb(j)[i] > Fr8.LimbMask)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The limbs of v, the top one holding everything above (unmasked).</summary>
    private static ulong[] Limbs(BigInteger v) =>
        Enumerable.Range(0, Count).Select(j => (ulong)(j == Count - 1 ? v >> (Bits * j) : (v >> (Bits * j)) & Fr8.LimbMask)).ToArray();

    /// <summary>
    /// Raw values per lane with their limbs deliberately not carried: where possible a limb keeps
    /// 2^29 more and the limb above one less, so limbs reach up to 2^30 − 1 at the same value.
    /// </summary>
    private static Fr8 FromRaw(BigInteger[] values, bool skew)
    {
        var limbs = new ulong[8 * Count];
        for (int i = 0; i < 8; i++)
        {
            var l = Limbs(values[i]);
            if (skew)
            {
                for (int j = 0; j < Count - 1; j++)
                {
                    if (l[j + 1] > 0)
                    {
                        l[j] += 1UL << Bits;
                        l[j + 1] -= 1;
                    }
                }
            }

            for (int j = 0; j < Count; j++)
            {
                limbs[(j * 8) + i] = l[j];
            }
        }

        return Fr8.FromLimbs(limbs);
    }

    private static BigInteger[] RandomRaw(Random rng, BigInteger bound, int count = 8)
    {
        var result = new BigInteger[count];
        var bytes = new byte[36];
        for (int i = 0; i < count; i++)
        {
            rng.NextBytes(bytes);
            bytes[^1] = 0;
            result[i] = new BigInteger(bytes, isUnsigned: true) % bound;
        }

        return result;
    }

    private static BigInteger[] Edges() =>
    [
        BigInteger.Zero,
        BigInteger.One,
        R - 1,
        R,
        2 * R - 1,
        InputBound - 1,
        (R - 1) << 5,
        BigInteger.One << 259,
        InputBound - R,
    ];

    [Avx512Property]
    public bool Multiply_matches_BigInteger_lane_by_lane(FieldValue[] a, FieldValue[] b)
    {
        var x = Eight(a);
        var y = Eight(b);
        Fr8.Multiply(Fr8.FromFr(x), Fr8.FromFr(y), out var o);
        return Bounded(o) && Enumerable.Range(0, 8).All(i =>
            o.ToFr(i).ToBigInteger() == Mod(x[i].ToBigInteger() * y[i].ToBigInteger()));
    }

    [Avx512Property]
    public bool Square_matches_BigInteger_lane_by_lane(FieldValue[] a)
    {
        var x = Eight(a);
        Fr8.Square(Fr8.FromFr(x), out var o);
        return Bounded(o) && Enumerable.Range(0, 8).All(i =>
            o.ToFr(i).ToBigInteger() == Mod(x[i].ToBigInteger() * x[i].ToBigInteger()));
    }

    [Avx512Property]
    public bool MultiplyAdd_matches_BigInteger_lane_by_lane(FieldValue[] a, FieldValue[] b, FieldValue[] c)
    {
        var x = Eight(a);
        var y = Eight(b);
        var z = Eight(c);
        var acc = Fr8.FromFr(z);
        Fr8.MultiplyAdd(Fr8.FromFr(x), Fr8.FromFr(y), acc, out var o);
        return Bounded(o, Raw(acc)) && Enumerable.Range(0, 8).All(i =>
            o.ToFr(i).ToBigInteger() == Mod((x[i].ToBigInteger() * y[i].ToBigInteger()) + z[i].ToBigInteger()));
    }

    [Avx512Property]
    public bool Mix_matches_BigInteger_for_one_to_eight_terms(FieldValue[] a, FieldValue[] m, byte n)
    {
        int terms = 1 + (n % 8);
        var x = Eight(a);
        var cols = new Fr8[terms];
        var entries = new Fr[terms][];
        for (int j = 0; j < terms; j++)
        {
            entries[j] = Eight(m.Skip(j).ToArray());
            cols[j] = Fr8.Constants(entries[j]);
        }

        Fr8.Mix(Fr8.FromFr(x), cols, out var o);
        return Bounded(o) && Enumerable.Range(0, 8).All(i =>
            o.ToFr(i).ToBigInteger() == Mod(Enumerable.Range(0, terms).Aggregate(
                BigInteger.Zero, (s, j) => s + (x[j].ToBigInteger() * entries[j][i].ToBigInteger()))));
    }

    [Avx512Property]
    public bool PartialDot_is_y_squared_and_the_dot_terms_with_their_sum(FieldValue[] a, FieldValue[] b)
    {
        var x = Eight(a);
        var y = Eight(b);
        Fr8.PartialDot(Fr8.FromFr(x), Fr8.Constants(y), out var o, out var sum);
        var lanes = Enumerable.Range(0, 8).Select(i => o.ToFr(i).ToBigInteger()).ToArray();
        var expectedSum = Mod(Enumerable.Range(1, 7).Aggregate(BigInteger.Zero, (s, i) => s + (x[i].ToBigInteger() * y[i].ToBigInteger())));
        return Bounded(o)
            && lanes[0] == Mod(x[0].ToBigInteger() * x[0].ToBigInteger())
            && Enumerable.Range(1, 7).All(i => lanes[i] == Mod(x[i].ToBigInteger() * y[i].ToBigInteger()))
            && Mod(sum.RawLane(0, out ulong maxLimb) * RInv) == expectedSum
            && maxLimb < 1UL << 32
            && Enumerable.Range(1, 7).All(i => sum.RawLane(i, out _).IsZero);
    }

    [Avx512Property]
    public bool PartialUpdate_combines_its_operands_lane_by_lane(FieldValue[] state, FieldValue[] update, FieldValue[] constants, FieldValue y4, FieldValue sum)
    {
        var s = Eight(state);
        var u = Eight(update);
        var c = Eight(constants);
        var sumLanes = new Fr[8];
        sumLanes[0] = sum.ToFr();
        var y4Limbs = Limbs(y4.Value * Fr8.R % R);
        Fr8.PartialUpdate(ref y4Limbs[0], Fr8.FromFr(s), Fr8.Constants(u), Fr8.Constants(c), Fr8.FromFr(sumLanes), out var o);
        BigInteger V(Fr f) => f.ToBigInteger();
        var expected = new BigInteger[8];
        expected[0] = Mod((y4.Value * V(s[0])) + V(c[0]) + sum.Value);
        expected[1] = Mod((y4.Value * V(s[0])) + V(c[1]));
        for (int i = 2; i < 8; i++)
        {
            expected[i] = Mod((V(s[1]) * V(u[i])) + V(s[i]));
        }

        return Enumerable.Range(0, 8).All(i => o.ToFr(i).ToBigInteger() == expected[i]);
    }

    [Avx512Property]
    public bool SquareLane0_is_Fr_s_square_of_lane_0_split(FieldValue v)
    {
        var limbs = new ulong[8 * Count];
        var one = new ulong[Count];
        Fr8.SplitRaw(v.ToFr(), one);
        for (int j = 0; j < Count; j++)
        {
            limbs[j * 8] = one[j];
        }

        var squared = new ulong[Count];
        Fr8.SquareLane0(Fr8.FromLimbs(limbs), squared);
        Fr8.SplitRaw(v.ToFr().Square(), one);

        // The lazy square may be r above the canonical one.
        var lazy = squared.Select((limb, j) => (BigInteger)limb << (Bits * j)).Aggregate(BigInteger.Zero, (s, x) => s + x);
        var canonical = one.Select((limb, j) => (BigInteger)limb << (Bits * j)).Aggregate(BigInteger.Zero, (s, x) => s + x);
        return lazy == canonical || lazy == canonical + R;
    }

    [Avx512Property]
    public bool SplitRaw_and_Lane0Raw_round_trip(FieldValue v)
    {
        var limbs = new ulong[8 * Count];
        var one = new ulong[Count];
        Fr8.SplitRaw(v.ToFr(), one);
        for (int j = 0; j < Count; j++)
        {
            limbs[j * 8] = one[j];
        }

        return Fr8.FromLimbs(limbs).Lane0Raw() == v.ToFr();
    }

    [Avx512Fact]
    public void Kernels_handle_raw_inputs_at_the_top_of_their_range()
    {
        var rng = new Random(20261128);
        for (int round = 0; round < 200; round++)
        {
            var edges = Edges();
            var av = round < 8 ? Enumerable.Range(0, 8).Select(i => edges[(i + round) % edges.Length]).ToArray() : RandomRaw(rng, InputBound);
            var bv = round < 8 ? edges.Reverse().ToArray() : RandomRaw(rng, InputBound);
            var cv = RandomRaw(rng, InputBound);
            bool skew = round % 2 == 0;
            var a = FromRaw(av, skew);
            var b = FromRaw(bv, !skew);
            var c = FromRaw(cv, skew);
            Assert.Equal(av, Raw(a));

            Fr8.Multiply(a, b, out var p);
            Fr8.Square(a, out var s);
            Fr8.MultiplyAdd(a, b, c, out var q);
            Assert.True(Bounded(p));
            Assert.True(Bounded(s));
            Assert.True(Bounded(q, cv));
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(Mod(av[i] * bv[i] * RInv), Mod(p.RawLane(i, out _)));
                Assert.Equal(Mod(av[i] * av[i] * RInv), Mod(s.RawLane(i, out _)));
                Assert.Equal(Mod((av[i] * bv[i] * RInv) + cv[i]), Mod(q.RawLane(i, out _)));
            }
        }
    }

    [Avx512Fact]
    public void Mix_of_eight_maximal_terms_does_not_overflow()
    {
        // Normalized variable limbs all at 2^29 − 1 (the top one at 2^28 − 1: value just under
        // 2^260), columns at r − 1; the seventh and eighth terms come after Mix's column carry.
        var limbs = new ulong[8 * Count];
        Array.Fill(limbs, Fr8.LimbMask);
        limbs.AsSpan(8 * (Count - 1)).Fill((1UL << 28) - 1);
        var x = Fr8.FromLimbs(limbs);
        var top = Fr8.Constants(Enumerable.Repeat(Fr.FromBigInteger(R - 1), 8).ToArray());
        var cols = Enumerable.Repeat(top, 8).ToArray();
        var xv = x.RawLane(0, out _);
        Assert.True(xv < InputBound);

        Fr8.Mix(x, cols, out var o);
        Assert.True(Bounded(o));
        var column = Mod((R - 1) * Fr8.R);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(Mod(8 * xv * column * RInv), Mod(o.RawLane(i, out _)));
        }
    }

    [Avx512Fact]
    public void Conversions_round_trip_edge_values()
    {
        var values = new[] { BigInteger.Zero, BigInteger.One, R - 1, R - 2, R / 2, BigInteger.Pow(2, 253), ulong.MaxValue, 2 };
        var x = values.Select(v => Fr.FromBigInteger(v)).ToArray();
        var packed = Fr8.FromFr(x);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(x[i], packed.ToFr(i));
            Assert.True(packed.RawLane(i, out _) < InputBound);
        }

        var constants = Fr8.Constants(x);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(x[i], constants.ToFr(i));
        }
    }
}
