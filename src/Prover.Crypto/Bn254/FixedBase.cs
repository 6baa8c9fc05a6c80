using System.Buffers;
using Prover.Crypto.Field;

namespace Prover.Crypto.Bn254;

/// <summary>
/// Many multiples k·B of one fixed point B of G1 (a trusted setup's powers of τ, Lagrange points and
/// key points are all multiples of the generator): a table of B's multiples is built once, after which a
/// scalar costs one mixed addition per window instead of a doubling and an addition per bit.
/// </summary>
/// <remarks>
/// The comb of signed windows (Brickell–Gordon–McCurley–Wilson fixed-base exponentiation with signed
/// digits): window j holds k·2^(c·j)·B for k = 1…2^(c−1), a digit above 2^(c−1) borrows from the next
/// window and uses the negated entry. Results come back affine, normalised in blocks with one inversion
/// per block (Montgomery's trick). Not constant time: a ceremony run here treats its secrets as public.
/// </remarks>
public sealed class G1FixedBase
{
    private readonly FixedBase<G1Ops, G1, G1Jacobian> _core;

    /// <summary>A table for <paramref name="point"/> with windows of <paramref name="windowBits"/> bits (2…20).</summary>
    public G1FixedBase(G1 point, int windowBits)
    {
        _core = new FixedBase<G1Ops, G1, G1Jacobian>(point, windowBits);
    }

    /// <summary>A table sized for about <paramref name="expectedScalars"/> multiplications.</summary>
    public static G1FixedBase For(G1 point, long expectedScalars) => new(point, FixedBaseWindows.Choose(expectedScalars, 16));

    public int WindowBits => _core.WindowBits;

    public G1 Multiply(Fr scalar) => _core.Multiply(scalar);

    /// <summary>results[i] = scalars[i]·B for every i, spread over <paramref name="maxDegreeOfParallelism"/> cores (−1: all).</summary>
    /// <exception cref="ArgumentException">The two differ in length.</exception>
    public void MultiplyAll(ReadOnlyMemory<Fr> scalars, Memory<G1> results, int maxDegreeOfParallelism = -1) =>
        _core.MultiplyAll(scalars, results, maxDegreeOfParallelism);

    public G1[] MultiplyAll(ReadOnlyMemory<Fr> scalars, int maxDegreeOfParallelism = -1)
    {
        var results = new G1[scalars.Length];
        _core.MultiplyAll(scalars, results, maxDegreeOfParallelism);
        return results;
    }
}

/// <summary>The G2 counterpart of <see cref="G1FixedBase"/>.</summary>
public sealed class G2FixedBase
{
    private readonly FixedBase<G2Ops, G2, G2Jacobian> _core;

    /// <summary>A table for <paramref name="point"/> with windows of <paramref name="windowBits"/> bits (2…20).</summary>
    public G2FixedBase(G2 point, int windowBits)
    {
        _core = new FixedBase<G2Ops, G2, G2Jacobian>(point, windowBits);
    }

    /// <summary>
    /// A table sized for about <paramref name="expectedScalars"/> multiplications; G2 points are twice
    /// G1's size, so its windows stop at 15 bits (a 38 MB table).
    /// </summary>
    public static G2FixedBase For(G2 point, long expectedScalars) => new(point, FixedBaseWindows.Choose(expectedScalars, 15));

    public int WindowBits => _core.WindowBits;

    public G2 Multiply(Fr scalar) => _core.Multiply(scalar);

    /// <inheritdoc cref="G1FixedBase.MultiplyAll(ReadOnlyMemory{Fr}, Memory{G1}, int)"/>
    public void MultiplyAll(ReadOnlyMemory<Fr> scalars, Memory<G2> results, int maxDegreeOfParallelism = -1) =>
        _core.MultiplyAll(scalars, results, maxDegreeOfParallelism);

    public G2[] MultiplyAll(ReadOnlyMemory<Fr> scalars, int maxDegreeOfParallelism = -1)
    {
        var results = new G2[scalars.Length];
        _core.MultiplyAll(scalars, results, maxDegreeOfParallelism);
        return results;
    }
}

/// <summary>Jacobian points to affine in bulk: one field inversion for the whole span (Montgomery's trick).</summary>
public static class BatchAffine
{
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Normalize(ReadOnlySpan<G1Jacobian> points, Span<G1> results) => Normalize<G1Ops, G1, G1Jacobian>(points, results);

    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Normalize(ReadOnlySpan<G2Jacobian> points, Span<G2> results) => Normalize<G2Ops, G2, G2Jacobian>(points, results);

    internal static void Normalize<TOps, TAffine, TJacobian>(ReadOnlySpan<TJacobian> points, Span<TAffine> results)
        where TOps : struct, IFixedBaseGroup<TAffine, TJacobian>
        where TAffine : struct
        where TJacobian : struct
    {
        if (points.Length != results.Length)
        {
            throw new ArgumentException($"{points.Length} points but room for {results.Length}.", nameof(results));
        }

        TOps.Normalize(points, results);
    }
}

internal static class FixedBaseWindows
{
    /// <summary>
    /// The window minimising table plus multiplications, windows × (scalars + 2^(c−1)·1.5) (a table
    /// entry costs an addition and its share of the normalisation), within [2, <paramref name="cap"/>].
    /// </summary>
    public static int Choose(long expectedScalars, int cap)
    {
        var best = 2;
        var bestCost = double.MaxValue;
        for (var c = 2; c <= cap; c++)
        {
            var cost = FixedBase<G1Ops, G1, G1Jacobian>.Windows(c) * (expectedScalars + (1.5 * (1L << (c - 1))));
            if (cost < bestCost)
            {
                bestCost = cost;
                best = c;
            }
        }

        return best;
    }
}

/// <summary>The group operations the table needs, so one generic body serves G1 and G2.</summary>
internal interface IFixedBaseGroup<TAffine, TJacobian>
{
    static abstract TJacobian Infinity { get; }

    static abstract TJacobian FromAffine(TAffine a);

    static abstract TJacobian AddMixed(TJacobian a, TAffine b);

    static abstract TJacobian Double(TJacobian a);

    static abstract TAffine Negate(TAffine a);

    static abstract TAffine ToAffine(TJacobian a);

    /// <summary>Every point to affine with one inversion.</summary>
    static abstract void Normalize(ReadOnlySpan<TJacobian> points, Span<TAffine> results);

    /// <summary>
    /// acc[i] += addend[i] for every i with add[i], all in affine coordinates with one inversion for the
    /// lot; a sum that needs a doubling (rare: equal points) is done on its own.
    /// </summary>
    static abstract void AddBatch(Span<TAffine> acc, ReadOnlySpan<TAffine> addend, ReadOnlySpan<bool> add);
}

internal readonly struct G1Ops : IFixedBaseGroup<G1, G1Jacobian>
{
    public static G1Jacobian Infinity => G1Jacobian.Infinity;

    public static G1Jacobian FromAffine(G1 a) => G1Jacobian.From(a);

    public static G1Jacobian AddMixed(G1Jacobian a, G1 b) => a + b;

    public static G1Jacobian Double(G1Jacobian a) => a.Double();

    public static G1 Negate(G1 a) => a.Negate();

    public static G1 ToAffine(G1Jacobian a) => a.ToAffine();

    public static void Normalize(ReadOnlySpan<G1Jacobian> points, Span<G1> results)
    {
        // prefix[i] = Z₀·…·Zᵢ over the finite points; one inversion of the total, then back down.
        var prefix = new Fq[points.Length];
        var acc = Fq.One;
        for (var i = 0; i < points.Length; i++)
        {
            if (!points[i].IsInfinity)
            {
                acc *= points[i].Z;
            }

            prefix[i] = acc;
        }

        var inverse = acc.Inverse();
        for (var i = points.Length - 1; i >= 0; i--)
        {
            var p = points[i];
            if (p.IsInfinity)
            {
                results[i] = G1.Infinity;
                continue;
            }

            var zInv = i == 0 ? inverse : inverse * prefix[i - 1];
            inverse *= p.Z;
            var zInv2 = zInv.Square();
            results[i] = new G1(p.X * zInv2, p.Y * zInv2 * zInv, false);
        }
    }

    public static void AddBatch(Span<G1> acc, ReadOnlySpan<G1> addend, ReadOnlySpan<bool> add)
    {
        // Montgomery's trick over the denominators x2 − x1 of the chords; λ = (y2 − y1)/(x2 − x1).
        var rented = ArrayPool<Fq>.Shared.Rent(acc.Length);
        var prefix = rented.AsSpan(0, acc.Length);
        var product = Fq.One;
        for (var i = 0; i < acc.Length; i++)
        {
            prefix[i] = product;
            if (add[i] && !acc[i].IsInfinity && !addend[i].IsInfinity && acc[i].X != addend[i].X)
            {
                product *= addend[i].X - acc[i].X;
            }
        }

        var inverse = product.Inverse();
        for (var i = acc.Length - 1; i >= 0; i--)
        {
            if (!add[i] || addend[i].IsInfinity)
            {
                continue;
            }

            var a = acc[i];
            var b = addend[i];
            if (a.IsInfinity)
            {
                acc[i] = b;
                continue;
            }

            if (a.X == b.X)
            {
                // Equal points need the tangent, opposite points cancel; never in the product above.
                acc[i] = a.Y == b.Y ? G1Jacobian.From(a).Double().ToAffine() : G1.Infinity;
                continue;
            }

            var dx = b.X - a.X;
            var lambda = (b.Y - a.Y) * inverse * prefix[i];
            inverse *= dx;
            var x3 = lambda.Square() - a.X - b.X;
            acc[i] = new G1(x3, (lambda * (a.X - x3)) - a.Y, false);
        }

        ArrayPool<Fq>.Shared.Return(rented);
    }
}

internal readonly struct G2Ops : IFixedBaseGroup<G2, G2Jacobian>
{
    public static G2Jacobian Infinity => G2Jacobian.Infinity;

    public static G2Jacobian FromAffine(G2 a) => G2Jacobian.From(a);

    public static G2Jacobian AddMixed(G2Jacobian a, G2 b) => a + b;

    public static G2Jacobian Double(G2Jacobian a) => a.Double();

    public static G2 Negate(G2 a) => a.Negate();

    public static G2 ToAffine(G2Jacobian a) => a.ToAffine();

    public static void Normalize(ReadOnlySpan<G2Jacobian> points, Span<G2> results)
    {
        var prefix = new Fq2[points.Length];
        var acc = Fq2.One;
        for (var i = 0; i < points.Length; i++)
        {
            if (!points[i].IsInfinity)
            {
                acc *= points[i].Z;
            }

            prefix[i] = acc;
        }

        var inverse = acc.Inverse();
        for (var i = points.Length - 1; i >= 0; i--)
        {
            var p = points[i];
            if (p.IsInfinity)
            {
                results[i] = G2.Infinity;
                continue;
            }

            var zInv = i == 0 ? inverse : inverse * prefix[i - 1];
            inverse *= p.Z;
            var zInv2 = zInv.Square();
            results[i] = new G2(p.X * zInv2, p.Y * zInv2 * zInv, false);
        }
    }

    public static void AddBatch(Span<G2> acc, ReadOnlySpan<G2> addend, ReadOnlySpan<bool> add)
    {
        var rented = ArrayPool<Fq2>.Shared.Rent(acc.Length);
        var prefix = rented.AsSpan(0, acc.Length);
        var product = Fq2.One;
        for (var i = 0; i < acc.Length; i++)
        {
            prefix[i] = product;
            if (add[i] && !acc[i].IsInfinity && !addend[i].IsInfinity && acc[i].X != addend[i].X)
            {
                product *= addend[i].X - acc[i].X;
            }
        }

        var inverse = product.Inverse();
        for (var i = acc.Length - 1; i >= 0; i--)
        {
            if (!add[i] || addend[i].IsInfinity)
            {
                continue;
            }

            var a = acc[i];
            var b = addend[i];
            if (a.IsInfinity)
            {
                acc[i] = b;
                continue;
            }

            if (a.X == b.X)
            {
                acc[i] = a.Y == b.Y ? G2Jacobian.From(a).Double().ToAffine() : G2.Infinity;
                continue;
            }

            var dx = b.X - a.X;
            var lambda = (b.Y - a.Y) * inverse * prefix[i];
            inverse *= dx;
            var x3 = lambda.Square() - a.X - b.X;
            acc[i] = new G2(x3, (lambda * (a.X - x3)) - a.Y, false);
        }

        ArrayPool<Fq2>.Shared.Return(rented);
    }
}

internal sealed class FixedBase<TOps, TAffine, TJacobian>
    where TOps : struct, IFixedBaseGroup<TAffine, TJacobian>
    where TAffine : struct
    where TJacobian : struct
{
    /// <summary>Scalars are below r &lt; 2^254.</summary>
    private const int ScalarBits = 254;

    /// <summary>Scalars per block: large enough that each window's one inversion (about 380 products) vanishes beside its additions.</summary>
    private const int Block = 2048;

    private readonly int _half;
    private readonly int _windows;

    // Window-major: entry j·half + (k − 1) is k·2^(c·j)·B.
    private readonly TAffine[] _table;

    public FixedBase(TAffine point, int windowBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBits, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowBits, 20);
        WindowBits = windowBits;
        _half = 1 << (windowBits - 1);
        _windows = Windows(windowBits);
        _table = new TAffine[_windows * _half];

        // The window bases 2^(c·j)·B, each affine so that its multiples are mixed additions.
        var bases = new TAffine[_windows];
        var b = TOps.FromAffine(point);
        for (var j = 0; j < _windows; j++)
        {
            bases[j] = TOps.ToAffine(b);
            for (var d = 0; d < windowBits; d++)
            {
                b = TOps.Double(b);
            }
        }

        Parallel.For(0, _windows, j =>
        {
            var multiples = new TJacobian[_half];
            var m = TOps.Infinity;
            for (var k = 0; k < _half; k++)
            {
                m = TOps.AddMixed(m, bases[j]);
                multiples[k] = m;
            }

            TOps.Normalize(multiples, _table.AsSpan(j * _half, _half));
        });
    }

    public int WindowBits { get; }

    /// <summary>Signed windows for a 254-bit scalar: a borrow can carry one past the top bit, hence the extra bit.</summary>
    public static int Windows(int windowBits) => (ScalarBits + windowBits) / windowBits;

    public TAffine Multiply(Fr scalar) => TOps.ToAffine(MultiplyJacobian(scalar));

    public void MultiplyAll(ReadOnlyMemory<Fr> scalars, Memory<TAffine> results, int maxDegreeOfParallelism)
    {
        if (scalars.Length != results.Length)
        {
            throw new ArgumentException($"{scalars.Length} scalars but room for {results.Length} points.", nameof(results));
        }

        var blocks = (scalars.Length + Block - 1) / Block;
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        Parallel.For(0, blocks, options, block =>
        {
            var start = block * Block;
            var count = Math.Min(Block, scalars.Length - start);
            MultiplyBlock(scalars.Span.Slice(start, count), results.Span.Slice(start, count));
        });
    }

    /// <summary>
    /// One block of scalars window by window, the block's accumulators kept affine: each window is one
    /// batch of affine additions sharing an inversion, about 6 field products per addition where a mixed
    /// Jacobian addition costs 11.
    /// </summary>
    private void MultiplyBlock(ReadOnlySpan<Fr> scalars, Span<TAffine> acc)
    {
        var n = scalars.Length;
        var limbs = new ulong[4 * n];
        for (var i = 0; i < n; i++)
        {
            scalars[i].GetCanonicalLimbs(out limbs[4 * i], out limbs[(4 * i) + 1], out limbs[(4 * i) + 2], out limbs[(4 * i) + 3]);
        }

        var carries = new int[n];
        var addend = new TAffine[n];
        var add = new bool[n];
        var infinity = TOps.ToAffine(TOps.Infinity);
        acc.Fill(infinity);
        var c = WindowBits;
        var mask = (1UL << c) - 1;
        for (var j = 0; j < _windows; j++)
        {
            for (var i = 0; i < n; i++)
            {
                var digit = (int)Bits(limbs[4 * i], limbs[(4 * i) + 1], limbs[(4 * i) + 2], limbs[(4 * i) + 3], j * c, mask) + carries[i];
                carries[i] = 0;
                if (digit > _half)
                {
                    digit -= 1 << c;
                    carries[i] = 1;
                }

                add[i] = digit != 0;
                if (digit > 0)
                {
                    addend[i] = _table[(j * _half) + digit - 1];
                }
                else if (digit < 0)
                {
                    addend[i] = TOps.Negate(_table[(j * _half) - digit - 1]);
                }
            }

            TOps.AddBatch(acc, addend, add);
        }
    }

    private TJacobian MultiplyJacobian(Fr scalar)
    {
        scalar.GetCanonicalLimbs(out var l0, out var l1, out var l2, out var l3);
        var c = WindowBits;
        var mask = (1UL << c) - 1;
        var acc = TOps.Infinity;
        var carry = 0;
        for (var j = 0; j < _windows; j++)
        {
            var digit = (int)Bits(l0, l1, l2, l3, j * c, mask) + carry;
            carry = 0;
            if (digit > _half)
            {
                digit -= 1 << c;
                carry = 1;
            }

            if (digit > 0)
            {
                acc = TOps.AddMixed(acc, _table[(j * _half) + digit - 1]);
            }
            else if (digit < 0)
            {
                acc = TOps.AddMixed(acc, TOps.Negate(_table[(j * _half) - digit - 1]));
            }
        }

        return acc;
    }

    private static ulong Bits(ulong l0, ulong l1, ulong l2, ulong l3, int bit, ulong mask)
    {
        if (bit >= 256)
        {
            return 0;
        }

        var word = bit >> 6;
        var shift = bit & 63;
        var lo = word switch { 0 => l0, 1 => l1, 2 => l2, _ => l3 };
        var value = lo >> shift;
        if (shift != 0 && word < 3)
        {
            var hi = word switch { 0 => l1, 1 => l2, _ => l3 };
            value |= hi << (64 - shift);
        }

        return value & mask;
    }
}
