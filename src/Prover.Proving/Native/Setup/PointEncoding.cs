using System.Buffers.Binary;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// The three ways snarkjs writes a BN254 point (wasmcurves' <c>LEM</c>, <c>U</c> and <c>C</c> forms):
/// files hold Montgomery limbs, little-endian; transcripts hash the big-endian plain coordinates,
/// uncompressed or compressed to x with a sign flag.
/// </summary>
/// <remarks>
/// An F_p² element is reversed as a whole, so its big-endian form is the imaginary part first. The point
/// at infinity is all zeros in the LEM and U forms and 0x40 followed by zeros compressed; a compressed
/// point has its top bit set when y is "negative" (see <see cref="FqMath.IsNegative(Fq)"/>).
/// </remarks>
internal static class PointEncoding
{
    public const int G1Size = 64;
    public const int G2Size = 128;
    public const int G1CompressedSize = 32;
    public const int G2CompressedSize = 64;

    // The Montgomery form of the integer 1 read as an element is 2^−256: multiplying by it leaves Montgomery form.
    private static readonly Fq MontgomeryOne = RawOne();

    // (p − 1)/2 in limbs, for the sign test on canonical limbs.
    private static readonly ulong[] HalfP = HalfLimbs();

    public static void WriteLem(G1 p, Span<byte> destination)
    {
        if (p.IsInfinity)
        {
            destination[..G1Size].Clear();
            return;
        }

        WriteMontgomery(p.X, destination);
        WriteMontgomery(p.Y, destination[32..]);
    }

    public static void WriteLem(G2 p, Span<byte> destination)
    {
        if (p.IsInfinity)
        {
            destination[..G2Size].Clear();
            return;
        }

        WriteMontgomery(p.X.C0, destination);
        WriteMontgomery(p.X.C1, destination[32..]);
        WriteMontgomery(p.Y.C0, destination[64..]);
        WriteMontgomery(p.Y.C1, destination[96..]);
    }

    public static void WriteUncompressed(G1 p, Span<byte> destination)
    {
        if (p.IsInfinity)
        {
            destination[..G1Size].Clear();
            return;
        }

        WriteBigEndian(p.X, destination);
        WriteBigEndian(p.Y, destination[32..]);
    }

    public static void WriteUncompressed(G2 p, Span<byte> destination)
    {
        if (p.IsInfinity)
        {
            destination[..G2Size].Clear();
            return;
        }

        WriteBigEndian(p.X.C1, destination);
        WriteBigEndian(p.X.C0, destination[32..]);
        WriteBigEndian(p.Y.C1, destination[64..]);
        WriteBigEndian(p.Y.C0, destination[96..]);
    }

    public static void WriteCompressed(G1 p, Span<byte> destination)
    {
        destination[..G1CompressedSize].Clear();
        if (p.IsInfinity)
        {
            destination[0] = 0x40;
            return;
        }

        WriteBigEndian(p.X, destination);
        if (IsNegative(p.Y))
        {
            destination[0] |= 0x80;
        }
    }

    public static void WriteCompressed(G2 p, Span<byte> destination)
    {
        destination[..G2CompressedSize].Clear();
        if (p.IsInfinity)
        {
            destination[0] = 0x40;
            return;
        }

        WriteBigEndian(p.X.C1, destination);
        WriteBigEndian(p.X.C0, destination[32..]);
        if (p.Y.C1.IsZero ? IsNegative(p.Y.C0) : IsNegative(p.Y.C1))
        {
            destination[0] |= 0x80;
        }
    }

    public static byte[] Uncompressed(G1 p)
    {
        var bytes = new byte[G1Size];
        WriteUncompressed(p, bytes);
        return bytes;
    }

    public static byte[] Uncompressed(G2 p)
    {
        var bytes = new byte[G2Size];
        WriteUncompressed(p, bytes);
        return bytes;
    }

    /// <summary>The 32 little-endian bytes of the scalar's canonical value.</summary>
    public static void WriteScalar(Fr value, Span<byte> destination) => value.WriteLittleEndian(destination);

    public static G1 ReadLemG1(ReadOnlySpan<byte> bytes, string path, PointName name)
    {
        var x = ReadMontgomery(bytes, path, name);
        var y = ReadMontgomery(bytes[32..], path, name);
        if (x.IsZero && y.IsZero)
        {
            return G1.Infinity;
        }

        var point = new G1(x, y, false);
        return point.IsOnCurve ? point : throw new BinFileException(path, $"{name} is not a point of G1.");
    }

    public static G2 ReadLemG2(ReadOnlySpan<byte> bytes, string path, PointName name)
    {
        var x = new Fq2(ReadMontgomery(bytes, path, name), ReadMontgomery(bytes[32..], path, name));
        var y = new Fq2(ReadMontgomery(bytes[64..], path, name), ReadMontgomery(bytes[96..], path, name));
        if (x.IsZero && y.IsZero)
        {
            return G2.Infinity;
        }

        var point = new G2(x, y, false);
        return point.IsOnCurve ? point : throw new BinFileException(path, $"{name} is not a point of the G2 twist.");
    }

    private static Fq ReadMontgomery(ReadOnlySpan<byte> bytes, string path, PointName name) =>
        Fq.TryFromMontgomeryLimbs(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]),
            out var value)
            ? value
            : throw new BinFileException(path, $"a coordinate of {name} is not below p.");

    private static void WriteMontgomery(Fq x, Span<byte> destination)
    {
        x.GetMontgomeryLimbs(out var l0, out var l1, out var l2, out var l3);
        BinaryPrimitives.WriteUInt64LittleEndian(destination, l0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], l1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], l2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], l3);
    }

    private static void WriteBigEndian(Fq x, Span<byte> destination)
    {
        (x * MontgomeryOne).GetMontgomeryLimbs(out var l0, out var l1, out var l2, out var l3);
        BinaryPrimitives.WriteUInt64BigEndian(destination, l3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], l2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], l1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], l0);
    }

    private static bool IsNegative(Fq x)
    {
        (x * MontgomeryOne).GetMontgomeryLimbs(out var l0, out var l1, out var l2, out var l3);
        Span<ulong> v = [l0, l1, l2, l3];
        for (var i = 3; i >= 0; i--)
        {
            if (v[i] != HalfP[i])
            {
                return v[i] > HalfP[i];
            }
        }

        return false;
    }

    private static Fq RawOne() => Fq.TryFromMontgomeryLimbs(1, 0, 0, 0, out var one) ? one : throw new InvalidOperationException("1 is below p.");

    private static ulong[] HalfLimbs()
    {
        var half = (Fq.Modulus - 1) / 2;
        return [.. Enumerable.Range(0, 4).Select(i => (ulong)((half >> (64 * i)) & ulong.MaxValue))];
    }
}

/// <summary>
/// A point's name for error messages, formatted only when one is thrown: keys are read a million
/// points at a time, and a string per point would cost more than the curve check.
/// </summary>
internal readonly record struct PointName(string Prefix, long Index = -1, string Suffix = "")
{
    public static implicit operator PointName(string name) => new(name);

    public override string ToString() => Index < 0 ? Prefix : $"{Prefix}{Index}{Suffix}";
}
