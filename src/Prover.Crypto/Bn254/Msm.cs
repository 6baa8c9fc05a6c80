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
/// windows spread over the cores. Zeros cost nothing and ones one addition each; the rest go through
/// Pippenger in two groups, up to 64 bits and full width, each with only as many windows as its largest
/// scalar needs. (In the ordering circuits' witnesses about a fifth of the values are 0 or 1 and almost
/// all others are full width: Poseidon states, grand products, inverses.)
/// </para>
/// <para>
/// Buckets are affine and filled by batches of additions that share one inversion (see
/// <c>AffineBuckets</c>); a point for a bucket already in the batch goes to that bucket's Jacobian
/// overflow. Not constant time: a prover's scalars are its witness, so this must not run where an
/// attacker can time it and the witness is secret.
/// </para>
/// </remarks>
public static class Msm
{
    /// <summary>Σ scalars[i]·bases[i] in G1.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static G1Jacobian Multiply(ReadOnlyMemory<G1> bases, ReadOnlySpan<Fr> scalars, int maxDegreeOfParallelism = -1) =>
        Multiply<G1Group, G1, G1Jacobian, Fq>(bases, scalars, maxDegreeOfParallelism);

    /// <summary>Σ scalars[i]·bases[i] in G2.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static G2Jacobian Multiply(ReadOnlyMemory<G2> bases, ReadOnlySpan<Fr> scalars, int maxDegreeOfParallelism = -1) =>
        Multiply<G2Group, G2, G2Jacobian, Fq2>(bases, scalars, maxDegreeOfParallelism);

    private static TJacobian Multiply<TGroup, TAffine, TJacobian, TField>(ReadOnlyMemory<TAffine> bases, ReadOnlySpan<Fr> scalars, int parallelism)
        where TGroup : struct, IGroup<TAffine, TJacobian, TField>
        where TAffine : struct
        where TJacobian : struct
        where TField : struct
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
        var result = SumOfOnes<TGroup, TAffine, TJacobian, TField>(bases, ones, options);
        result = TGroup.Add(result, Pippenger<TGroup, TAffine, TJacobian, TField>(bases, limbs, small, smallBits, options));
        return TGroup.Add(result, Pippenger<TGroup, TAffine, TJacobian, TField>(bases, limbs, large, largeBits, options));
    }

    private static TJacobian SumOfOnes<TGroup, TAffine, TJacobian, TField>(ReadOnlyMemory<TAffine> bases, List<int> indices, ParallelOptions options)
        where TGroup : struct, IGroup<TAffine, TJacobian, TField>
        where TAffine : struct
        where TJacobian : struct
        where TField : struct
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
    private static TJacobian Pippenger<TGroup, TAffine, TJacobian, TField>(ReadOnlyMemory<TAffine> bases, ulong[] limbs, List<int> indices, int bits, ParallelOptions options)
        where TGroup : struct, IGroup<TAffine, TJacobian, TField>
        where TAffine : struct
        where TJacobian : struct
        where TField : struct
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
        Parallel.For(0, windows, options, w => sums[w] = Window<TGroup, TAffine, TJacobian, TField>(bases, indices, digits.AsSpan(w * n, n), c));

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

    private static TJacobian Window<TGroup, TAffine, TJacobian, TField>(ReadOnlyMemory<TAffine> bases, List<int> indices, ReadOnlySpan<int> digits, int c)
        where TGroup : struct, IGroup<TAffine, TJacobian, TField>
        where TAffine : struct
        where TJacobian : struct
        where TField : struct
    {
        var points = bases.Span;
        if (!AffineBucketsEnabled)
        {
            return JacobianWindow<TGroup, TAffine, TJacobian, TField>(points, indices, digits, c);
        }

        var buckets = new AffineBuckets<TGroup, TAffine, TJacobian, TField>(1 << (c - 1));
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[i];
            if (d != 0)
            {
                buckets.Add(points, d > 0 ? d - 1 : -d - 1, indices[i], d < 0);
            }
        }

        buckets.Finish();

        // Σ (j+1)·bucket[j] by running sums from the top: two additions per bucket.
        var running = TGroup.Infinity;
        var sum = TGroup.Infinity;
        for (var j = buckets.Count - 1; j >= 0; j--)
        {
            running = TGroup.Add(running, buckets.Sum(j));
            sum = TGroup.Add(sum, running);
        }

        return sum;
    }

    /// <summary>Off only to measure affine buckets against Jacobian ones in one process (the benchmarks).</summary>
    internal static bool AffineBucketsEnabled { get; set; } = true;

    /// <summary>Jacobian buckets with mixed additions: the plain method, kept as the affine buckets' yardstick.</summary>
    private static TJacobian JacobianWindow<TGroup, TAffine, TJacobian, TField>(ReadOnlySpan<TAffine> points, List<int> indices, ReadOnlySpan<int> digits, int c)
        where TGroup : struct, IGroup<TAffine, TJacobian, TField>
        where TAffine : struct
        where TJacobian : struct
        where TField : struct
    {
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

    /// <summary>
    /// Buckets kept in affine coordinates and filled by batches of affine additions that share one
    /// field inversion (Montgomery's trick): about 6 multiplications per addition where a Jacobian
    /// mixed addition costs 11. A batch may touch each bucket once; a second point for a bucket already
    /// in the batch waits for the next pass.
    /// </summary>
    private sealed class AffineBuckets<TGroup, TAffine, TJacobian, TField>
        where TGroup : struct, IGroup<TAffine, TJacobian, TField>
        where TAffine : struct
        where TJacobian : struct
        where TField : struct
    {
        private const int BatchSize = 256;

        private readonly TAffine[] _buckets;
        private readonly bool[] _used;
        private readonly int[] _stamp;
        private readonly int[] _pendingBucket = new int[BatchSize];
        private readonly TAffine[] _pendingPoint = new TAffine[BatchSize];
        private readonly byte[] _kind = new byte[BatchSize];
        private readonly TField[] _denominator;
        private readonly TField[] _prefix;
        private readonly TJacobian[] _overflow;
        private readonly bool[] _overflowUsed;
        private int _count;
        private int _batch = 1;

        public AffineBuckets(int count)
        {
            _buckets = new TAffine[count];
            _used = new bool[count];
            _stamp = new int[count];
            _overflow = new TJacobian[count];
            _overflowUsed = new bool[count];
            _denominator = new TField[BatchSize];
            _prefix = new TField[BatchSize];
        }

        public int Count => _buckets.Length;

        public void Add(ReadOnlySpan<TAffine> points, int bucket, int point, bool negative)
        {
            var p = points[point];
            if (TGroup.IsInfinity(p))
            {
                return;
            }

            if (negative)
            {
                p = TGroup.Negate(p);
            }

            if (!_used[bucket])
            {
                _buckets[bucket] = p;
                _used[bucket] = true;
                return;
            }

            if (_stamp[bucket] == _batch)
            {
                // Already in this batch. Waiting for a later batch degrades to one batch per point when
                // most points share a few buckets (a top window has few digit values), so the point
                // goes into the bucket's Jacobian overflow instead.
                _overflow[bucket] = TGroup.AddMixed(_overflowUsed[bucket] ? _overflow[bucket] : TGroup.Infinity, p);
                _overflowUsed[bucket] = true;
                return;
            }

            _stamp[bucket] = _batch;
            _pendingBucket[_count] = bucket;
            _pendingPoint[_count] = p;
            _count++;
            if (_count == BatchSize)
            {
                Flush();
            }
        }

        public void Finish() => Flush();

        /// <summary>The bucket's sum, in Jacobian coordinates (its affine part plus its overflow).</summary>
        public TJacobian Sum(int bucket)
        {
            var sum = _overflowUsed[bucket] ? _overflow[bucket] : TGroup.Infinity;
            return _used[bucket] ? TGroup.AddMixed(sum, _buckets[bucket]) : sum;
        }

        private void Flush()
        {
            // Kinds: 0 adds two distinct points, 1 doubles (the same point), 2 empties the bucket (P + −P).
            var product = TGroup.FieldOne;
            for (var j = 0; j < _count; j++)
            {
                var b = _buckets[_pendingBucket[j]];
                var p = _pendingPoint[j];
                var dx = TGroup.Sub(TGroup.X(p), TGroup.X(b));
                byte kind = 0;
                if (TGroup.FieldIsZero(dx))
                {
                    var sameY = TGroup.FieldEquals(TGroup.Y(p), TGroup.Y(b));
                    kind = sameY && !TGroup.FieldIsZero(TGroup.Y(b)) ? (byte)1 : (byte)2;
                    dx = kind == 1 ? TGroup.Add(TGroup.Y(b), TGroup.Y(b)) : TGroup.FieldOne;
                }

                _kind[j] = kind;
                _denominator[j] = dx;
                _prefix[j] = product;
                product = TGroup.Mul(product, dx);
            }

            var inverse = _count > 0 ? TGroup.Inverse(product) : product;
            for (var j = _count - 1; j >= 0; j--)
            {
                // inverse is 1/(d_0·…·d_j) here: times the prefix d_0·…·d_{j−1} it is 1/d_j.
                var dInverse = TGroup.Mul(inverse, _prefix[j]);
                inverse = TGroup.Mul(inverse, _denominator[j]);
                var bucket = _pendingBucket[j];
                if (_kind[j] == 2)
                {
                    _used[bucket] = false;
                    continue;
                }

                var b = _buckets[bucket];
                var p = _pendingPoint[j];
                var bx = TGroup.X(b);
                var by = TGroup.Y(b);
                TField lambda;
                if (_kind[j] == 0)
                {
                    lambda = TGroup.Mul(TGroup.Sub(TGroup.Y(p), by), dInverse);
                }
                else
                {
                    var xx = TGroup.Square(bx);
                    lambda = TGroup.Mul(TGroup.Add(TGroup.Add(xx, xx), xx), dInverse);
                }

                var x3 = TGroup.Sub(TGroup.Sub(TGroup.Square(lambda), bx), TGroup.X(p));
                var y3 = TGroup.Sub(TGroup.Mul(lambda, TGroup.Sub(bx, x3)), by);
                _buckets[bucket] = TGroup.Affine(x3, y3);
            }

            _count = 0;
            _batch++;
        }
    }

    /// <summary>The group operations Pippenger needs, so one generic body serves G1 and G2 (the JIT specialises it per struct).</summary>
    private interface IGroup<TAffine, TJacobian, TField>
    {
        static abstract TJacobian Infinity { get; }

        static abstract TJacobian AddMixed(TJacobian a, TAffine b);

        static abstract TJacobian Add(TJacobian a, TJacobian b);

        static abstract TJacobian Double(TJacobian a);

        static abstract TAffine Negate(TAffine a);

        static abstract bool IsInfinity(in TAffine a);

        static abstract TField X(in TAffine a);

        static abstract TField Y(in TAffine a);

        static abstract TAffine Affine(TField x, TField y);

        static abstract TField FieldOne { get; }

        static abstract bool FieldIsZero(in TField a);

        static abstract bool FieldEquals(in TField a, in TField b);

        static abstract TField Add(in TField a, in TField b);

        static abstract TField Sub(in TField a, in TField b);

        static abstract TField Mul(in TField a, in TField b);

        static abstract TField Square(in TField a);

        static abstract TField Inverse(in TField a);
    }
    private readonly struct G1Group : IGroup<G1, G1Jacobian, Fq>
    {
        public static G1Jacobian Infinity => G1Jacobian.Infinity;

        public static Fq FieldOne => Fq.One;

        public static G1Jacobian AddMixed(G1Jacobian a, G1 b) => a + b;

        public static G1Jacobian Add(G1Jacobian a, G1Jacobian b) => a + b;

        public static G1Jacobian Double(G1Jacobian a) => a.Double();

        public static G1 Negate(G1 a) => a.Negate();

        public static bool IsInfinity(in G1 a) => a.IsInfinity;

        public static Fq X(in G1 a) => a.X;

        public static Fq Y(in G1 a) => a.Y;

        public static G1 Affine(Fq x, Fq y) => new(x, y, false);

        public static bool FieldIsZero(in Fq a) => a.IsZero;

        public static bool FieldEquals(in Fq a, in Fq b) => a == b;

        public static Fq Add(in Fq a, in Fq b) => a + b;

        public static Fq Sub(in Fq a, in Fq b) => a - b;

        public static Fq Mul(in Fq a, in Fq b) => a * b;

        public static Fq Square(in Fq a) => a.Square();

        public static Fq Inverse(in Fq a) => a.Inverse();
    }

    private readonly struct G2Group : IGroup<G2, G2Jacobian, Fq2>
    {
        public static G2Jacobian Infinity => G2Jacobian.Infinity;

        public static Fq2 FieldOne => Fq2.One;

        public static G2Jacobian AddMixed(G2Jacobian a, G2 b) => a + b;

        public static G2Jacobian Add(G2Jacobian a, G2Jacobian b) => a + b;

        public static G2Jacobian Double(G2Jacobian a) => a.Double();

        public static G2 Negate(G2 a) => a.Negate();

        public static bool IsInfinity(in G2 a) => a.IsInfinity;

        public static Fq2 X(in G2 a) => a.X;

        public static Fq2 Y(in G2 a) => a.Y;

        public static G2 Affine(Fq2 x, Fq2 y) => new(x, y, false);

        public static bool FieldIsZero(in Fq2 a) => a.IsZero;

        public static bool FieldEquals(in Fq2 a, in Fq2 b) => a == b;

        public static Fq2 Add(in Fq2 a, in Fq2 b) => a + b;

        public static Fq2 Sub(in Fq2 a, in Fq2 b) => a - b;

        public static Fq2 Mul(in Fq2 a, in Fq2 b) => a * b;

        public static Fq2 Square(in Fq2 a) => a.Square();

        public static Fq2 Inverse(in Fq2 a) => a.Inverse();
    }
}
