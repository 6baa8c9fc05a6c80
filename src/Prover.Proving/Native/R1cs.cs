using System.Buffers.Binary;
using Prover.Crypto.Field;

namespace Prover.Proving.Native;

/// <summary>
/// A circom constraint system (.r1cs, version 1): constraints <c>(A·w)·(B·w) = C·w</c> over the wires
/// <c>w</c>, wire 0 the constant 1, then the public outputs, the public inputs and the private inputs.
/// Read once; <see cref="FirstUnsatisfied"/> checks a witness against it, which is what
/// <c>snarkjs wtns check</c> does.
/// </summary>
public sealed class R1cs
{
    // Every linear combination of every constraint, one after another (A, B, C of constraint 0, then of
    // constraint 1, …): combination k holds terms Starts[k] .. Starts[k + 1] − 1.
    private readonly int[] _starts;
    private readonly int[] _wires;
    private readonly Fr[] _coefficients;

    private R1cs(int wires, int publicOutputs, int publicInputs, int privateInputs, int[] starts, int[] termWires, Fr[] coefficients)
    {
        Wires = wires;
        PublicOutputs = publicOutputs;
        PublicInputs = publicInputs;
        PrivateInputs = privateInputs;
        _starts = starts;
        _wires = termWires;
        _coefficients = coefficients;
    }

    /// <summary>The number of wires, the constant wire included: the length of a witness.</summary>
    public int Wires { get; }

    public int PublicOutputs { get; }

    public int PublicInputs { get; }

    public int PrivateInputs { get; }

    public int Constraints => (_starts.Length - 1) / 3;

    /// <summary>
    /// The sizes in a .r1cs file's header (section 1) without reading its constraints: what a compile
    /// reports, for circuits whose constraint system is larger than a node heap (snarkjs' <c>r1cs info</c>
    /// runs out of memory on a 512-transaction circuit).
    /// </summary>
    /// <exception cref="BinFileException">It is not a version-1 constraint system over the BN254 scalar field, or its header is cut short.</exception>
    public static (int Constraints, int PublicOutputs, int PublicInputs, int PrivateInputs) ReadCounts(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[12];
        if (file.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12 || head[0] != (byte)'r' || head[1] != (byte)'1' || head[2] != (byte)'c' || head[3] != (byte)'s')
        {
            throw new BinFileException(path, "not a r1cs file (its first bytes are not \"r1cs\").");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(head[4..]);
        if (version != 1)
        {
            throw new BinFileException(path, $"constraint system version {version}; only version 1 is read.");
        }

        var sections = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        for (var i = 0; i < sections; i++)
        {
            if (file.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12)
            {
                break;
            }

            var type = BinaryPrimitives.ReadInt32LittleEndian(head);
            var size = BinaryPrimitives.ReadInt64LittleEndian(head[4..]);
            if (type != 1)
            {
                file.Seek(size, SeekOrigin.Current);
                continue;
            }

            if (size is < 0 or > 4096)
            {
                break;
            }

            var header = new byte[size];
            if (file.ReadAtLeast(header, (int)size, throwOnEndOfStream: false) < size)
            {
                break;
            }

            BinFile.CheckScalarField(header, path, out var at);
            if (header.Length < at + 28)
            {
                break;
            }

            return (
                BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(at + 24)),
                BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(at + 4)),
                BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(at + 8)),
                BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(at + 12)));
        }

        throw new BinFileException(path, "its header section is missing or cut short.");
    }

    /// <summary>Reads a .r1cs file.</summary>
    /// <exception cref="BinFileException">It is not a version-1 constraint system over the BN254 scalar field, or it is cut short.</exception>
    public static R1cs Read(string path)
    {
        var data = File.ReadAllBytes(path);
        var sections = BinFile.Sections(data, "r1cs", path, out var version);
        if (version != 1)
        {
            throw new BinFileException(path, $"constraint system version {version}; only version 1 is read.");
        }

        if (!sections.TryGetValue(1, out var headerAt) || !sections.TryGetValue(2, out var constraintsAt))
        {
            throw new BinFileException(path, "it lacks its header or its constraints section.");
        }

        var header = data.AsSpan(headerAt.Offset, headerAt.Length);
        BinFile.CheckScalarField(header, path, out var at);
        if (header.Length < at + 28)
        {
            throw new BinFileException(path, "its header is cut short.");
        }

        var wires = BinaryPrimitives.ReadInt32LittleEndian(header[at..]);
        var outputs = BinaryPrimitives.ReadInt32LittleEndian(header[(at + 4)..]);
        var inputs = BinaryPrimitives.ReadInt32LittleEndian(header[(at + 8)..]);
        var privates = BinaryPrimitives.ReadInt32LittleEndian(header[(at + 12)..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(header[(at + 24)..]);

        var body = data.AsSpan(constraintsAt.Offset, constraintsAt.Length);
        var starts = new int[(3 * count) + 1];
        var termWires = new List<int>(count * 6);
        var coefficients = new List<Fr>(count * 6);
        var position = 0;
        for (var k = 0; k < 3 * count; k++)
        {
            starts[k] = termWires.Count;
            if (position + 4 > body.Length)
            {
                throw new BinFileException(path, $"constraint {k / 3} is cut short.");
            }

            var terms = BinaryPrimitives.ReadInt32LittleEndian(body[position..]);
            position += 4;
            if (terms < 0 || position + ((long)terms * 36) > body.Length)
            {
                throw new BinFileException(path, $"constraint {k / 3} claims {terms} terms the file does not hold.");
            }

            for (var t = 0; t < terms; t++)
            {
                var wire = BinaryPrimitives.ReadInt32LittleEndian(body[position..]);
                if (wire < 0 || wire >= wires)
                {
                    throw new BinFileException(path, $"constraint {k / 3} names wire {wire} of {wires}.");
                }

                termWires.Add(wire);
                coefficients.Add(Fr.FromBytesLittleEndian(body.Slice(position + 4, Fr.ByteLength), "coefficient"));
                position += 36;
            }
        }

        starts[3 * count] = termWires.Count;
        return new R1cs(wires, outputs, inputs, privates, starts, [.. termWires], [.. coefficients]);
    }

    /// <summary>The wires of one linear combination of a constraint (matrix 0 = A, 1 = B, 2 = C), in file order: a trusted setup needs the matrices themselves.</summary>
    internal ReadOnlySpan<int> TermWires(int constraint, int matrix)
    {
        var k = (3 * constraint) + matrix;
        return _wires.AsSpan(_starts[k], _starts[k + 1] - _starts[k]);
    }

    /// <summary>The coefficients matching <see cref="TermWires"/>.</summary>
    internal ReadOnlySpan<Fr> TermCoefficients(int constraint, int matrix)
    {
        var k = (3 * constraint) + matrix;
        return _coefficients.AsSpan(_starts[k], _starts[k + 1] - _starts[k]);
    }

    /// <summary>The index of the first constraint the witness violates, or null when it satisfies them all.</summary>
    /// <exception cref="ArgumentException">The witness does not have one value per wire, or its first value is not 1.</exception>
    public int? FirstUnsatisfied(ReadOnlySpan<Fr> witness)
    {
        if (witness.Length != Wires)
        {
            throw new ArgumentException($"A witness of this system has {Wires} values, this one {witness.Length}.", nameof(witness));
        }

        if (witness[0] != Fr.One)
        {
            throw new ArgumentException("A witness starts with the constant 1.", nameof(witness));
        }

        for (var c = 0; c < Constraints; c++)
        {
            var a = Evaluate(3 * c, witness);
            var b = Evaluate((3 * c) + 1, witness);
            var product = Evaluate((3 * c) + 2, witness);
            if (a * b != product)
            {
                return c;
            }
        }

        return null;
    }

    private Fr Evaluate(int combination, ReadOnlySpan<Fr> witness)
    {
        var sum = Fr.Zero;
        for (var t = _starts[combination]; t < _starts[combination + 1]; t++)
        {
            sum += _coefficients[t] * witness[_wires[t]];
        }

        return sum;
    }
}
