using System.Buffers.Binary;
using System.Numerics;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native;

/// <summary>
/// A Groth16 proving key as snarkjs writes it (.zkey, protocol 1): the header's points, the
/// verification key's IC points, the A and B matrices' coefficients, and the five point sections the
/// prover's multi-scalar multiplications run over.
/// </summary>
/// <remarks>
/// <para>
/// Sections: 1 protocol; 2 Groth16 header (base and scalar field, nVars, nPublic, domain size, α₁, β₁,
/// β₂, γ₂, δ₁, δ₂); 3 IC; 4 coefficients; 5 A (G1, one per wire); 6 B₁ (G1); 7 B₂ (G2); 8 C (G1, one per
/// private wire, divided by δ); 9 H (G1, one per point of the domain); 10 the contributions.
/// </para>
/// <para>
/// Coordinates are little-endian Montgomery forms of F_p (x·2^256 mod p), the point at infinity all
/// zeros, G2 coordinates real part first. A coefficient is stored in Montgomery form twice over
/// (v·2^512 mod r): it was written for a Montgomery multiplication with a witness value kept plain.
/// There is no C matrix: a satisfied witness makes C's evaluations A's times B's.
/// </para>
/// </remarks>
internal sealed class ProvingKey
{
    private ProvingKey(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>Wires, the constant 1 first.</summary>
    public int Wires { get; private set; }

    /// <summary>Public signals (outputs and public inputs), wires 1…nPublic.</summary>
    public int PublicSignals { get; private set; }

    /// <summary>The evaluation domain's size, a power of two: constraints plus one per public signal and the constant.</summary>
    public int DomainSize { get; private set; }

    public int Power => BitOperations.Log2((uint)DomainSize);

    public G1 Alpha1 { get; private set; }

    public G1 Beta1 { get; private set; }

    public G2 Beta2 { get; private set; }

    public G1 Delta1 { get; private set; }

    public G2 Delta2 { get; private set; }

    /// <summary>Which matrix (0 = A, 1 = B) each coefficient belongs to.</summary>
    public byte[] CoefficientMatrix { get; private set; } = [];

    /// <summary>The constraint (row) of each coefficient.</summary>
    public int[] CoefficientConstraint { get; private set; } = [];

    /// <summary>The wire (column) of each coefficient.</summary>
    public int[] CoefficientWire { get; private set; } = [];

    public Fr[] CoefficientValue { get; private set; } = [];

    public G1[] A { get; private set; } = [];

    public G1[] B1 { get; private set; } = [];

    public G2[] B2 { get; private set; } = [];

    /// <summary>One per private wire, wire nPublic + 1 first.</summary>
    public G1[] C { get; private set; } = [];

    public G1[] H { get; private set; } = [];

    /// <summary>Reads and checks a .zkey file: every section present and of the size its header implies, every point on its curve.</summary>
    /// <exception cref="BinFileException">The file is not a Groth16 zkey over BN254, or it is corrupt or cut short.</exception>
    public static ProvingKey Read(string path, CancellationToken cancellationToken = default)
    {
        var data = File.ReadAllBytes(path);
        var sections = BinFile.Sections(data, "zkey", path, out _);
        var key = new ProvingKey(path);
        var protocol = Section(data, sections, 1, path, "its protocol");
        if (protocol.Length < 4 || BinaryPrimitives.ReadInt32LittleEndian(protocol) != 1)
        {
            throw new BinFileException(path, "not a Groth16 proving key (protocol section is not 1).");
        }

        key.ReadHeader(Section(data, sections, 2, path, "its Groth16 header"));
        cancellationToken.ThrowIfCancellationRequested();
        key.ReadCoefficients(Section(data, sections, 4, path, "its coefficients"));
        cancellationToken.ThrowIfCancellationRequested();
        var privateWires = key.Wires - key.PublicSignals - 1;
        key.A = ReadG1s(Section(data, sections, 5, path, "its A points"), key.Wires, path, "A");
        key.B1 = ReadG1s(Section(data, sections, 6, path, "its B1 points"), key.Wires, path, "B1");
        cancellationToken.ThrowIfCancellationRequested();
        key.B2 = ReadG2s(Section(data, sections, 7, path, "its B2 points"), key.Wires, path, "B2");
        cancellationToken.ThrowIfCancellationRequested();
        key.C = ReadG1s(Section(data, sections, 8, path, "its C points"), privateWires, path, "C");
        key.H = ReadG1s(Section(data, sections, 9, path, "its H points"), key.DomainSize, path, "H");
        return key;
    }

    private void ReadHeader(ReadOnlySpan<byte> header)
    {
        var n8q = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (n8q != 32 || header.Length < 4 + 32 + 4 + 32 + 12 + (3 * 64) + (3 * 128))
        {
            throw new BinFileException(Path, $"its header is {header.Length} bytes with {n8q}-byte base field elements; a BN254 Groth16 key has 32.");
        }

        if (new BigInteger(header.Slice(4, 32), isUnsigned: true) != Fq.Modulus)
        {
            throw new BinFileException(Path, "its base field is not BN254's p.");
        }

        BinFile.CheckScalarField(header[36..], Path, out var read);
        var at = 36 + read;
        Wires = BinaryPrimitives.ReadInt32LittleEndian(header[at..]);
        PublicSignals = BinaryPrimitives.ReadInt32LittleEndian(header[(at + 4)..]);
        DomainSize = BinaryPrimitives.ReadInt32LittleEndian(header[(at + 8)..]);
        if (Wires < 1 || PublicSignals < 0 || PublicSignals >= Wires || DomainSize < 1 || !BitOperations.IsPow2(DomainSize) || DomainSize > (1 << Ntt.MaxLog) - 1)
        {
            throw new BinFileException(Path, $"its header is inconsistent: {Wires} wires, {PublicSignals} public, domain {DomainSize}.");
        }

        at += 12;
        Alpha1 = ReadG1(header[at..], "alpha_1");
        Beta1 = ReadG1(header[(at + 64)..], "beta_1");
        Beta2 = ReadG2(header[(at + 128)..], "beta_2");
        Delta1 = ReadG1(header[(at + 384)..], "delta_1");
        Delta2 = ReadG2(header[(at + 448)..], "delta_2");
    }

    private void ReadCoefficients(ReadOnlySpan<byte> section)
    {
        const int Size = 12 + 32;
        var count = section.Length < 4 ? -1 : BinaryPrimitives.ReadInt32LittleEndian(section);
        if (count < 0 || 4L + ((long)count * Size) != section.Length)
        {
            throw new BinFileException(Path, $"its coefficient section ({section.Length} bytes) does not hold the {count} coefficients it announces.");
        }

        // Montgomery limbs m = v·R² read as an element give v·R; one more Montgomery product with the raw 1 gives v.
        var rawOne = Fr.FromMontgomeryLimbs(1, 0, 0, 0);
        CoefficientMatrix = new byte[count];
        CoefficientConstraint = new int[count];
        CoefficientWire = new int[count];
        CoefficientValue = new Fr[count];
        for (var i = 0; i < count; i++)
        {
            var entry = section.Slice(4 + (i * Size), Size);
            var matrix = BinaryPrimitives.ReadInt32LittleEndian(entry);
            var constraint = BinaryPrimitives.ReadInt32LittleEndian(entry[4..]);
            var wire = BinaryPrimitives.ReadInt32LittleEndian(entry[8..]);
            if (matrix is not (0 or 1) || constraint < 0 || constraint >= DomainSize || wire < 0 || wire >= Wires)
            {
                throw new BinFileException(Path, $"coefficient {i} is out of range: matrix {matrix}, constraint {constraint}, wire {wire}.");
            }

            var l0 = BinaryPrimitives.ReadUInt64LittleEndian(entry[12..]);
            var l1 = BinaryPrimitives.ReadUInt64LittleEndian(entry[20..]);
            var l2 = BinaryPrimitives.ReadUInt64LittleEndian(entry[28..]);
            var l3 = BinaryPrimitives.ReadUInt64LittleEndian(entry[36..]);
            if (!Fr.IsBelowModulus(l0, l1, l2, l3))
            {
                throw new BinFileException(Path, $"coefficient {i} is not below r.");
            }

            CoefficientMatrix[i] = (byte)matrix;
            CoefficientConstraint[i] = constraint;
            CoefficientWire[i] = wire;
            CoefficientValue[i] = Fr.FromMontgomeryLimbs(l0, l1, l2, l3) * rawOne;
        }
    }

    private static ReadOnlySpan<byte> Section(byte[] data, Dictionary<int, (int Offset, int Length)> sections, int type, string path, string what) =>
        sections.TryGetValue(type, out var at)
            ? data.AsSpan(at.Offset, at.Length)
            : throw new BinFileException(path, $"it lacks {what} (section {type}).");

    private static G1[] ReadG1s(ReadOnlySpan<byte> section, int count, string path, string name)
    {
        if (section.Length != count * 64L)
        {
            throw new BinFileException(path, $"its {name} section holds {section.Length} bytes, not {count} G1 points.");
        }

        var points = new G1[count];
        var prefix = $"{name}[";
        for (var i = 0; i < count; i++)
        {
            points[i] = Setup.PointEncoding.ReadLemG1(section.Slice(i * 64, 64), path, new Setup.PointName(prefix, i, "]"));
        }

        return points;
    }

    private static G2[] ReadG2s(ReadOnlySpan<byte> section, int count, string path, string name)
    {
        if (section.Length != count * 128L)
        {
            throw new BinFileException(path, $"its {name} section holds {section.Length} bytes, not {count} G2 points.");
        }

        var points = new G2[count];
        var prefix = $"{name}[";
        for (var i = 0; i < count; i++)
        {
            points[i] = Setup.PointEncoding.ReadLemG2(section.Slice(i * 128, 128), path, new Setup.PointName(prefix, i, "]"));
        }

        return points;
    }

    private G1 ReadG1(ReadOnlySpan<byte> bytes, string name) => Setup.PointEncoding.ReadLemG1(bytes, Path, name);

    private G2 ReadG2(ReadOnlySpan<byte> bytes, string name) => Setup.PointEncoding.ReadLemG2(bytes, Path, name);
}
