using System.Buffers.Binary;
using Prover.Crypto.Field;

namespace Prover.Proving.Native;

/// <summary>
/// A witness file (.wtns, version 2) as circom's generator and snarkjs write and read it: a header
/// (element size, the field's prime, the number of values) and the values, little-endian.
/// </summary>
public static class WitnessFile
{
    /// <summary>Reads a .wtns file.</summary>
    /// <exception cref="BinFileException">It is not a version-2 witness over the BN254 scalar field, or it is cut short.</exception>
    public static Fr[] Read(string path)
    {
        var data = File.ReadAllBytes(path);
        var sections = BinFile.Sections(data, "wtns", path, out var version);
        if (version != 2)
        {
            throw new BinFileException(path, $"witness version {version}; only version 2 is read.");
        }

        if (!sections.TryGetValue(1, out var headerAt) || !sections.TryGetValue(2, out var valuesAt))
        {
            throw new BinFileException(path, "it lacks its header or its values.");
        }

        var header = data.AsSpan(headerAt.Offset, headerAt.Length);
        BinFile.CheckScalarField(header, path, out var at);
        var count = BinaryPrimitives.ReadInt32LittleEndian(header[at..]);
        if (count < 0 || (long)count * Fr.ByteLength != valuesAt.Length)
        {
            throw new BinFileException(path, $"it announces {count} values in a section of {valuesAt.Length} bytes.");
        }

        var values = new Fr[count];
        var body = data.AsSpan(valuesAt.Offset, valuesAt.Length);
        for (var i = 0; i < count; i++)
        {
            values[i] = Fr.FromBytesLittleEndian(body.Slice(i * Fr.ByteLength, Fr.ByteLength), "witness value");
        }

        return values;
    }

    /// <summary>Writes a .wtns file (through a temporary file, so a reader never sees half of one).</summary>
    public static void Write(string path, ReadOnlySpan<Fr> values)
    {
        var headerLength = 4 + Fr.ByteLength + 4;
        var data = new byte[12 + 12 + headerLength + 12 + (values.Length * Fr.ByteLength)];
        var span = data.AsSpan();
        "wtns"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 2);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], 2);
        var at = 12;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], 1);
        BinaryPrimitives.WriteInt64LittleEndian(span[(at + 4)..], headerLength);
        at += 12;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], Fr.ByteLength);
        Fr.Modulus.TryWriteBytes(span.Slice(at + 4, Fr.ByteLength), out _, isUnsigned: true, isBigEndian: false);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 4 + Fr.ByteLength)..], values.Length);
        at += headerLength;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], 2);
        BinaryPrimitives.WriteInt64LittleEndian(span[(at + 4)..], (long)values.Length * Fr.ByteLength);
        at += 12;
        foreach (var value in values)
        {
            value.WriteLittleEndian(span[at..]);
            at += Fr.ByteLength;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var scratch = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(scratch, data);
        File.Move(scratch, path, overwrite: true);
    }
}
