using System.Numerics;
using System.Runtime.CompilerServices;
using Prover.Crypto.Field;

namespace Prover.Crypto.Bn254;

/// <summary>
/// Multi-scalar multiplication Σ kᵢ·Pᵢ over G1 and G2: what a Groth16 prover spends its time on.
/// </summary>
/// <remarks>
/// <para>
/// Pippenger's bucket method with signed digits (a window of c bits needs 2^(c−1) buckets, not 2^c),
/// windows spread over the cores. Circom witnesses are mostly 0 and 1 (bits, flags, selectors) and
/// otherwise often small (amounts, times, indices), so the scalars are first sorted by size: zeros cost
/// nothing, ones one addition each, and the rest go through Pippenger in two groups, up to 64 bits and
/// full width, each with only as many windows as its largest scalar needs.
/// </para>
/// <para>
/// Buckets are Jacobian and take the bases by mixed addition. Not constant time: a prover's scalars
/// are its witness, so this must not run where an attacker can time it and the witness is secret.
/// </para>
/// </remarks>
public static class Msm
{
    /// <summary>Σ scalars[i]·bases[i] in G1.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static G1Jacobian Multiply(ReadOnlyMemory<G1> bases, ReadOnlySpan<Fr> scalars, int maxDegreeOfParallelism = -1) =>
        Multiply<G1Group, G1, G1Jacobian>(bases, scalars, maxDegreeOfParallelism);

    /// <summary>Σ scalars[i]·bases[i] in G2.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static G2Jacobian Multiply(ReadOnlyMemory<G2> bases, ReadOnlySpan<Fr> scalars, int maxDegreeOfParallelism = -1) =>
        Multiply<G2Group, G2, G2Jacobian>(bases, scalars, maxDegreeOfParallelism);

    private static TJacobian Multiply<TGroup, TAffine, TJacobian>(ReadOnlyMemory<TAffine> bases, ReadOnlySpan<Fr> scalars, int parallelism)
        where TGroup : struct, IGroup<TAffine, TJacobian>
        where TAffine : struct
        where TJacobian : struct
    {
        if (bases.Length != scalars.Length)
        {
            throw new ArgumentException($"{bases.Length} bases but {scalars.Length} scalars.", nameof(scalars));
        }

        // Canonical limbs, and the scalars sorted by size into index lists.
        var n = scalars.Length;
        var limbs = new ulong[4 * n];
        var ones = new List<int>();
        var small = new List<int>();
        var large = new List<int>();
        var smallBits = 0;
        var largeBits = 0;
        for (var i = 0; i < n; i++)
        {
            scalars[i].GetCanonicalLimbs(out var l0, out var l1, out var l2, out var l3);
            limbs[4 * i] = l0;
            limbs[(4 * i) + 1] = l1;
            limbs[(4 * i) + 2] = l2;
            limbs[(4 * i) + 3] = l3;
            if ((l1 | l2 | l3) != 0)
            {
                large.Add(i);
                largeBits = Math.Max(largeBits, BitLength(l0, l1, l2, l3));
            }
            else if (l0 > 1)
            {
                small.Add(i);
                smallBits = Math.Max(smallBits, 64 - BitOperations.LeadingZeroCount(l0));
            }
            else if (l0 == 1)
            {
                ones.Add(i);
            }
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism };
        var result = SumOfOnes<TGroup, TAffine, TJacobian>(bases, ones, options);
        result = TGroup.Add(result, Pippenger<TGroup, TAffine, TJacobian>(bases, limbs, small, smallBits, options));
        return TGroup.Add(result, Pippenger<TGroup, TAffine, TJacobian>(bases, limbs, large, largeBits, options));
    }

    private static TJacobian SumOfOnes<TGroup, TAffine, TJacobian>(ReadOnlyMemory<TAffine> bases, List<int> indices, ParallelOptions options)
        where TGroup : struct, IGroup<TAffine, TJacobian>
        where TAffine : struct
        where TJacobian : struct
    {
        var chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, indices.Count / 1024));
        var partial = new TJacobian[chunks];
        Parallel.For(0, chunks, options, c =>
        {
            var points = bases.Span;
            var sum = TGroup.Infinity;
            for (var j = c; j < indices.Count; j += chunks)
            {
                sum = TGroup.AddMixed(sum, points[indices[j]]);
            }

            partial[c] = sum;
        });

        var result = TGroup.Infinity;
        foreach (var p in partial)
        {
            result = TGroup.Add(result, p);
        }

        return result;
    }

    /// <summary>Pippenger over the points <paramref name="indices"/> whose scalars have at most <paramref name="bits"/> bits.</summary>
    private static TJacobian Pippenger<TGroup, TAffine, TJacobian>(ReadOnlyMemory<TAffine> bases, ulong[] limbs, List<int> indices, int bits, ParallelOptions options)
        where TGroup : struct, IGroup<TAffine, TJacobian>
        where TAffine : struct
        where TJacobian : struct
    {
        var n = indices.Count;
        if (n == 0)
        {
            return TGroup.Infinity;
        }

        var c = WindowBits(n, bits);

        // A signed digit can carry one past the top bit, hence bits + 1.
        var windows = (bits + c) / c;
        var digits = SignedDigits(limbs, indices, c, windows);
        var sums = new TJacobian[windows];
        Parallel.For(0, windows, options, w => sums[w] = Window<TGroup, TAffine, TJacobian>(bases, indices, digits.AsSpan(w * n, n), c));

        var result = sums[windows - 1];
        for (var w = windows - 2; w >= 0; w--)
        {
            for (var d = 0; d < c; d++)
            {
                result = TGroup.Double(result);
            }

            result = TGroup.Add(result, sums[w]);
        }

        return result;
    }

    private static TJacobian Window<TGroup, TAffine, TJacobian>(ReadOnlyMemory<TAffine> bases, List<int> indices, ReadOnlySpan<int> digits, int c)
        where TGroup : struct, IGroup<TAffine, TJacobian>
        where TAffine : struct
        where TJacobian : struct
    {
        var points = bases.Span;
        var buckets = new TJacobian[1 << (c - 1)];
        buckets.AsSpan().Fill(TGroup.Infinity);
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[i];
            if (d > 0)
            {
                buckets[d - 1] = TGroup.AddMixed(buckets[d - 1], points[indices[i]]);
            }
            else if (d < 0)
            {
                buckets[-d - 1] = TGroup.AddMixed(buckets[-d - 1], TGroup.Negate(points[indices[i]]));
            }
        }

        // Σ (j+1)·bucket[j] by running sums from the top: two additions per bucket.
        var running = TGroup.Infinity;
        var sum = TGroup.Infinity;
        for (var j = buckets.Length - 1; j >= 0; j--)
        {
            running = TGroup.Add(running, buckets[j]);
            sum = TGroup.Add(sum, running);
        }

        return sum;
    }

    /// <summary>
    /// Each scalar as digits in [−2^(c−1), 2^(c−1)], window-major (all scalars' digit w are adjacent,
    /// which is what one window's pass reads): a digit above half the window borrows from the next.
    /// </summary>
    private static int[] SignedDigits(ulong[] limbs, List<int> indices, int c, int windows)
    {
        var n = indices.Count;
        var digits = new int[windows * n];
        var mask = (1UL << c) - 1;
        var half = 1 << (c - 1);
        for (var i = 0; i < n; i++)
        {
            var s = indices[i] * 4;
            var carry = 0;
            for (var w = 0; w < windows; w++)
            {
                var bit = w * c;
                var digit = (int)(ExtractBits(limbs, s, bit, mask)) + carry;
                carry = 0;
                if (digit > half)
                {
                    digit -= 1 << c;
                    carry = 1;
                }

                digits[(w * n) + i] = digit;
            }
        }

        return digits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ExtractBits(ulong[] limbs, int start, int bit, ulong mask)
    {
        if (bit >= 256)
        {
            return 0;
        }

        var word = bit >> 6;
        var shift = bit & 63;
        var value = limbs[start + word] >> shift;
        if (shift != 0 && word < 3)
        {
            value |= limbs[start + word + 1] << (64 - shift);
        }

        return value & mask;
    }

    /// <summary>
    /// The window that minimises additions, windows × (points + 2^c) (the bucket pass plus the running
    /// sums), capped at 16 bits so the buckets of both cores stay in cache-sized memory.
    /// </summary>
    internal static int WindowBits(int points, int bits)
    {
        var best = 1;
        var bestCost = long.MaxValue;
        for (var c = 2; c <= 16; c++)
        {
            long windows = (bits + c) / c;
            var cost = windows * (points + (1L << c));
            if (cost < bestCost)
            {
                bestCost = cost;
                best = c;
            }
        }

        return best;
    }

    private static int BitLength(ulong l0, ulong l1, ulong l2, ulong l3) =>
        l3 != 0 ? 256 - BitOperations.LeadingZeroCount(l3)
        : l2 != 0 ? 192 - BitOperations.LeadingZeroCount(l2)
        : l1 != 0 ? 128 - BitOperations.LeadingZeroCount(l1)
        : 64 - BitOperations.LeadingZeroCount(l0);

    /// <summary>The group operations Pippenger needs, so one generic body serves G1 and G2 (the JIT specialises it per struct).</summary>
    private interface IGroup<TAffine, TJacobian>
    {
        static abstract TJacobian Infinity { get; }

        static abstract TJacobian AddMixed(TJacobian a, TAffine b);

        static abstract TJacobian Add(TJacobian a, TJacobian b);

        static abstract TJacobian Double(TJacobian a);

        static abstract TAffine Negate(TAffine a);
    }

    private readonly struct G1Group : IGroup<G1, G1Jacobian>
    {
        public static G1Jacobian Infinity => G1Jacobian.Infinity;

        public static G1Jacobian AddMixed(G1Jacobian a, G1 b) => a + b;

        public static G1Jacobian Add(G1Jacobian a, G1Jacobian b) => a + b;

        public static G1Jacobian Double(G1Jacobian a) => a.Double();

        public static G1 Negate(G1 a) => a.Negate();
    }

    private readonly struct G2Group : IGroup<G2, G2Jacobian>
    {
        public static G2Jacobian Infinity => G2Jacobian.Infinity;

        public static G2Jacobian AddMixed(G2Jacobian a, G2 b) => a + b;

        public static G2Jacobian Add(G2Jacobian a, G2Jacobian b) => a + b;

        public static G2Jacobian Double(G2Jacobian a) => a.Double();

        public static G2 Negate(G2 a) => a.Negate();
    }
}
