using System.Buffers.Binary;
using System.Numerics;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// A circuit's Groth16 key from a prepared ptau whose secrets are unknown (a public ceremony): snarkjs'
/// <c>groth16 setup</c> gathering each wire's points from the ptau's Lagrange sections by
/// multi-exponentiation, then one phase 2 contribution dividing C and H by δ.
/// </summary>
internal static class PtauKeys
{
    public static void Write(R1cs r1cs, string ptauPath, Func<byte[], Phase2Contribution> contribute, string path, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        var shape = new CircuitShape(r1cs);
        using var ptau = PreparedPtau.Open(ptauPath);
        if (shape.Power > ptau.Power)
        {
            throw new SetupException(
                $"{ptauPath}: the circuit needs a ceremony of power {shape.Power} ({shape.Constraints:N0} constraints + {shape.Public} public signals), but this one has power {ptau.Power}.");
        }

        var d = shape.DomainSize;
        var tauG1 = ptau.G1s(12, d - 1, d);
        var tauG2 = ptau.G2s(13, d - 1, d);
        var alphaTauG1 = ptau.G1s(14, d - 1, d);
        var betaTauG1 = ptau.G1s(15, d - 1, d);
        cancellationToken.ThrowIfCancellationRequested();

        var wires = shape.Wires;
        var a = Terms(wires);
        var b = Terms(wires);
        var k = Terms(wires);
        for (var row = 0; row < shape.Constraints; row++)
        {
            var aw = r1cs.TermWires(row, 0);
            var ac = r1cs.TermCoefficients(row, 0);
            for (var t = 0; t < aw.Length; t++)
            {
                a[aw[t]].Add((row, ac[t]));
                k[aw[t]].Add((Beta(row), ac[t]));
            }

            var bw = r1cs.TermWires(row, 1);
            var bc = r1cs.TermCoefficients(row, 1);
            for (var t = 0; t < bw.Length; t++)
            {
                b[bw[t]].Add((row, bc[t]));
                k[bw[t]].Add((Alpha(row), bc[t]));
            }

            var cw = r1cs.TermWires(row, 2);
            var cc = r1cs.TermCoefficients(row, 2);
            for (var t = 0; t < cw.Length; t++)
            {
                k[cw[t]].Add((row, cc[t]));
            }
        }

        for (var s = 0; s <= shape.Public; s++)
        {
            a[s].Add((shape.Constraints + s, Fr.One));
            k[s].Add((Beta(shape.Constraints + s), Fr.One));
        }

        // k's terms index one array of the three G1 sections: L·G1, then α·L·G1, then β·L·G1.
        var kBases = new G1[3 * d];
        tauG1.CopyTo(kBases, 0);
        alphaTauG1.CopyTo(kBases, d);
        betaTauG1.CopyTo(kBases, 2 * d);
        var kSums = Sums(kBases, k, maxDegreeOfParallelism, cancellationToken);
        var key = new InitialKey
        {
            Alpha1 = ptau.G1s(4, 0, 1)[0],
            Beta1 = ptau.G1s(5, 0, 1)[0],
            Beta2 = ptau.G2s(6, 0, 1)[0],
            IC = kSums[..(shape.Public + 1)],
            HashedH = HashedH(ptau, shape),
            C = kSums[(shape.Public + 1)..],
            A = Sums(tauG1, a, maxDegreeOfParallelism, cancellationToken),
            B1 = Sums(tauG1, b, maxDegreeOfParallelism, cancellationToken),
            B2 = Sums(tauG2, b, maxDegreeOfParallelism, cancellationToken),
        };

        var circuitHash = key.CircuitHash(shape);
        var contribution = contribute(circuitHash);
        var deltaInverse = contribution.Delta.Inverse();
        var doubled = ptau.G1s(12, (2 * d) - 1, 2 * d);
        var h = new G1[d];
        for (var i = 0; i < d; i++)
        {
            h[i] = doubled[(2 * i) + 1];
        }

        cancellationToken.ThrowIfCancellationRequested();
        ZkeyWriter.Write(
            path,
            shape,
            key,
            circuitHash,
            contribution,
            Scale(key.C, deltaInverse, maxDegreeOfParallelism),
            Scale(h, deltaInverse, maxDegreeOfParallelism));

        int Alpha(int row) => d + row;
        int Beta(int row) => (2 * d) + row;
    }

    private static List<(int Point, Fr Coefficient)>[] Terms(int wires)
    {
        var terms = new List<(int, Fr)>[wires];
        for (var i = 0; i < wires; i++)
        {
            terms[i] = [];
        }

        return terms;
    }

    /// <summary>Σ coefficient·base over each wire's terms, wires spread over the cores.</summary>
    private static G1[] Sums(G1[] bases, List<(int Point, Fr Coefficient)>[] terms, int parallelism, CancellationToken cancellationToken)
    {
        var sums = new G1Jacobian[terms.Length];
        Parallel.For(0, terms.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, s =>
        {
            var (points, scalars) = Signed(terms[s], i => bases[i], p => p.Negate());
            sums[s] = points.Length == 0 ? G1Jacobian.Infinity : Msm.Multiply(points, scalars, 1);
        });

        var affine = new G1[sums.Length];
        BatchAffine.Normalize(sums, affine);
        return affine;
    }

    private static G2[] Sums(G2[] bases, List<(int Point, Fr Coefficient)>[] terms, int parallelism, CancellationToken cancellationToken)
    {
        var sums = new G2Jacobian[terms.Length];
        Parallel.For(0, terms.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, s =>
        {
            var (points, scalars) = Signed(terms[s], i => bases[i], p => p.Negate());
            sums[s] = points.Length == 0 ? G2Jacobian.Infinity : Msm.Multiply(points, scalars, 1);
        });

        var affine = new G2[sums.Length];
        BatchAffine.Normalize(sums, affine);
        return affine;
    }

    /// <summary>
    /// The terms as bases and scalars, a coefficient near r (circom's −1, −2^k) turned into a small one
    /// on the negated base, which the multi-exponentiation then treats as the small scalar it is.
    /// </summary>
    private static (T[] Points, Fr[] Scalars) Signed<T>(List<(int Point, Fr Coefficient)> terms, Func<int, T> basis, Func<T, T> negate)
    {
        var points = new T[terms.Count];
        var scalars = new Fr[terms.Count];
        for (var t = 0; t < terms.Count; t++)
        {
            var (index, coefficient) = terms[t];
            var negated = -coefficient;
            negated.GetCanonicalLimbs(out _, out var n1, out var n2, out var n3);
            if ((n1 | n2 | n3) == 0)
            {
                points[t] = negate(basis(index));
                scalars[t] = negated;
            }
            else
            {
                points[t] = basis(index);
                scalars[t] = coefficient;
            }
        }

        return (points, scalars);
    }

    /// <summary>Every point times one scalar (δ^−1 on C and H), by signed 4-bit windows.</summary>
    private static G1[] Scale(G1[] points, Fr scalar, int parallelism)
    {
        scalar.GetCanonicalLimbs(out var l0, out var l1, out var l2, out var l3);
        ulong[] limbs = [l0, l1, l2, l3];
        var digits = new int[65];
        var carry = 0;
        for (var w = 0; w < 65; w++)
        {
            var bit = 4 * w;
            var value = bit < 256 ? (int)((limbs[bit >> 6] >> (bit & 63)) & 15) : 0;
            var digit = value + carry;
            carry = digit > 8 ? 1 : 0;
            digits[w] = digit > 8 ? digit - 16 : digit;
        }

        var result = new G1Jacobian[points.Length];
        Parallel.For(0, points.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, () => new G1Jacobian[8], (i, _, multiples) =>
        {
            var p = G1Jacobian.From(points[i]);
            multiples[0] = p;
            for (var m = 1; m < 8; m++)
            {
                multiples[m] = multiples[m - 1] + p;
            }

            var acc = G1Jacobian.Infinity;
            for (var w = 64; w >= 0; w--)
            {
                acc = acc.Double().Double().Double().Double();
                var digit = digits[w];
                if (digit > 0)
                {
                    acc += multiples[digit - 1];
                }
                else if (digit < 0)
                {
                    acc += multiples[-digit - 1].Negate();
                }
            }

            result[i] = acc;
            return multiples;
        }, _ => { });

        var affine = new G1[points.Length];
        BatchAffine.Normalize(result, affine);
        return affine;
    }

    /// <summary>tauG1[i + D] − tauG1[i] as zkey_new.js hashes them, reading past section 2 where it does (see <see cref="SnarkjsQuirks"/>).</summary>
    private static G1[] HashedH(PreparedPtau ptau, CircuitShape shape)
    {
        var d = shape.DomainSize;
        var low = ptau.G1s(2, 0, d);
        // tauG1 holds 2^(power+1) − 1 points; the last difference may need one more.
        var available = (int)Math.Min(shape.HashedHPoints, (2L << ptau.Power) - 1 - d);
        var high = ptau.G1s(2, d, available);
        var differences = new G1Jacobian[available];
        for (var i = 0; i < differences.Length; i++)
        {
            differences[i] = G1Jacobian.From(high[i]) + low[i].Negate();
        }

        var points = new G1[shape.HashedHPoints];
        BatchAffine.Normalize(differences, points.AsSpan(0, differences.Length));
        if (differences.Length < points.Length)
        {
            points[d - 1] = SnarkjsQuirks.Difference(ptau.RawPastSection(2, (2L * d - 1) * PointEncoding.G1Size, PointEncoding.G1Size), low[d - 1]);
        }

        return points;
    }
}

/// <summary>A prepared ptau opened for reading sections by point range, without loading it whole (a power-20 file is over a gigabyte).</summary>
internal sealed class PreparedPtau : IDisposable
{
    private readonly FileStream _stream;
    private readonly Dictionary<int, (long Offset, long Length)> _sections;

    private PreparedPtau(string path, FileStream stream, Dictionary<int, (long, long)> sections, int power)
    {
        Path = path;
        _stream = stream;
        _sections = sections;
        Power = power;
    }

    public string Path { get; }

    public int Power { get; }

    /// <exception cref="BinFileException">Not a BN254 ptau, or not prepared for phase 2.</exception>
    public static PreparedPtau Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        try
        {
            Span<byte> head = stackalloc byte[12];
            stream.ReadExactly(head);
            if (!head[..4].SequenceEqual("ptau"u8))
            {
                throw new BinFileException(path, "not a ptau file (its first bytes are not \"ptau\").");
            }

            var count = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
            var sections = new Dictionary<int, (long, long)>();
            for (var i = 0; i < count; i++)
            {
                stream.ReadExactly(head);
                var type = BinaryPrimitives.ReadInt32LittleEndian(head);
                var size = BinaryPrimitives.ReadInt64LittleEndian(head[4..]);
                if (size < 0 || stream.Position + size > stream.Length || !sections.TryAdd(type, (stream.Position, size)))
                {
                    throw new BinFileException(path, $"section {type} is cut short or repeated.");
                }

                stream.Position += size;
            }

            foreach (var required in new[] { 1, 2, 4, 5, 6, 12, 13, 14, 15 })
            {
                if (!sections.ContainsKey(required))
                {
                    throw new BinFileException(path, required >= 12
                        ? "it is not prepared for phase 2 (no Lagrange sections): run `snarkjs powersoftau prepare phase2` on it."
                        : $"it lacks section {required}.");
                }
            }

            var header = new byte[sections[1].Item2];
            stream.Position = sections[1].Item1;
            stream.ReadExactly(header);
            if (header.Length < 44 || BinaryPrimitives.ReadInt32LittleEndian(header) != 32 || new BigInteger(header.AsSpan(4, 32), isUnsigned: true) != Fq.Modulus)
            {
                throw new BinFileException(path, "its curve is not BN254 (bn128).");
            }

            var power = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(36));
            if (power is < 1 or > 28)
            {
                throw new BinFileException(path, $"its power {power} is out of range.");
            }

            return new PreparedPtau(path, stream, sections, power);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public G1[] G1s(int section, long first, int count)
    {
        var bytes = Read(section, first * PointEncoding.G1Size, (long)count * PointEncoding.G1Size);
        var points = new G1[count];
        var prefix = $"section {section} point ";
        Parallel.For(0, count, i => points[i] = PointEncoding.ReadLemG1(bytes.AsSpan(i * PointEncoding.G1Size), Path, new PointName(prefix, first + i)));
        return points;
    }

    public G2[] G2s(int section, long first, int count)
    {
        var bytes = Read(section, first * PointEncoding.G2Size, (long)count * PointEncoding.G2Size);
        var points = new G2[count];
        var prefix = $"section {section} point ";
        Parallel.For(0, count, i => points[i] = PointEncoding.ReadLemG2(bytes.AsSpan(i * PointEncoding.G2Size), Path, new PointName(prefix, first + i)));
        return points;
    }

    /// <summary>Bytes at an offset from a section's start, allowed to run past its end as snarkjs' reads do.</summary>
    public byte[] RawPastSection(int section, long offset, int length)
    {
        var bytes = new byte[length];
        _stream.Position = _sections[section].Offset + offset;
        _stream.ReadExactly(bytes);
        return bytes;
    }

    public void Dispose() => _stream.Dispose();

    private byte[] Read(int section, long offset, long length)
    {
        var (start, size) = _sections[section];
        if (offset < 0 || offset + length > size)
        {
            throw new BinFileException(Path, $"section {section} holds {size} bytes; {offset + length} were needed.");
        }

        var bytes = new byte[length];
        _stream.Position = start + offset;
        _stream.ReadExactly(bytes);
        return bytes;
    }
}
