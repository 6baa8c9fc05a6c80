using System.Buffers.Binary;
using System.Text;
using Prover.Crypto.Field;

namespace Prover.Proving.Native;

/// <summary>
/// The binary container iden3's tools write (.r1cs, .wtns, .zkey, .ptau): a 4-byte magic, a version, a
/// section count, then sections of (type u32, size u64, payload), all little-endian. Sections may come
/// in any order; each type appears at most once in the files read here.
/// </summary>
internal static class BinFile
{
    /// <summary>The payload of each section by type, after checking the magic and that every section fits the file.</summary>
    /// <exception cref="BinFileException">The file is not of this kind or is cut short.</exception>
    public static Dictionary<int, (int Offset, int Length)> Sections(ReadOnlySpan<byte> data, string magic, string path, out int version)
    {
        if (data.Length < 12 || Encoding.ASCII.GetString(data[..4]) != magic)
        {
            throw new BinFileException(path, $"not a {magic} file (its first bytes are not \"{magic}\").");
        }

        version = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        var sections = new Dictionary<int, (int, int)>();
        var position = 12L;
        for (var i = 0; i < count; i++)
        {
            if (position + 12 > data.Length)
            {
                throw new BinFileException(path, $"section {i + 1} of {count} starts past the end of the file.");
            }

            var type = BinaryPrimitives.ReadInt32LittleEndian(data[(int)position..]);
            var size = BinaryPrimitives.ReadInt64LittleEndian(data[(int)(position + 4)..]);
            position += 12;
            if (size < 0 || position + size > data.Length)
            {
                throw new BinFileException(path, $"section {type} claims {size} bytes; the file ends {data.Length - position} bytes after its header.");
            }

            if (!sections.TryAdd(type, ((int)position, (int)size)))
            {
                throw new BinFileException(path, $"section {type} appears twice.");
            }

            position += size;
        }

        return sections;
    }

    /// <summary>Checks a header's field: 32-byte elements of the BN254 scalar field, the only one the circuits use.</summary>
    public static void CheckScalarField(ReadOnlySpan<byte> header, string path, out int read)
    {
        var n8 = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (n8 != Fr.ByteLength || header.Length < 4 + n8)
        {
            throw new BinFileException(path, $"its field elements are {n8} bytes, not the BN254 scalar field's 32.");
        }

        var prime = new System.Numerics.BigInteger(header.Slice(4, n8), isUnsigned: true, isBigEndian: false);
        if (prime != Fr.Modulus)
        {
            throw new BinFileException(path, $"its field is modulo {prime}, not the BN254 scalar field's r.");
        }

        read = 4 + n8;
    }
}

/// <summary>A binary proving file (.r1cs, .wtns) that cannot be read: the path and what is wrong with it.</summary>
public sealed class BinFileException : Core.ProverException
{
    public BinFileException(string path, string problem)
        : base($"{path}: {problem}")
    {
        Path = path;
    }

    public string Path { get; }
}
