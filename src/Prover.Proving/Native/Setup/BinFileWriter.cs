using System.Buffers.Binary;
using System.Text;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// Writes iden3's binary container (see <see cref="BinFile"/>): magic, version, section count, then
/// sections of (type, size, payload). Sizes are declared up front and checked when the section ends,
/// so a file is written in one forward pass.
/// </summary>
internal sealed class BinFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;
    private int _type = -1;
    private long _expected;
    private long _start;

    public BinFileWriter(string path, string magic, int version, int sections)
    {
        _path = path;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> header = stackalloc byte[12];
        Encoding.ASCII.GetBytes(magic, header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], version);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], sections);
        _stream.Write(header);
    }

    public void BeginSection(int type, long size)
    {
        if (_type >= 0)
        {
            throw new InvalidOperationException($"section {_type} of {_path} is still open.");
        }

        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(header, type);
        BinaryPrimitives.WriteInt64LittleEndian(header[4..], size);
        _stream.Write(header);
        _type = type;
        _expected = size;
        _start = _stream.Position;
    }

    public void Write(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    public void WriteUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        _stream.Write(bytes);
    }

    public void EndSection()
    {
        var written = _stream.Position - _start;
        if (written != _expected)
        {
            throw new InvalidOperationException($"section {_type} of {_path}: {written} bytes written, {_expected} declared.");
        }

        _type = -1;
    }

    /// <summary>A whole section whose payload is already in memory.</summary>
    public void Section(int type, ReadOnlySpan<byte> payload)
    {
        BeginSection(type, payload.Length);
        Write(payload);
        EndSection();
    }

    public void Dispose() => _stream.Dispose();
}
