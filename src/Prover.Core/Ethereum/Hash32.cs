using System.Buffers.Binary;

namespace Prover.Core.Ethereum;

/// <summary>A 32-byte hash (transaction hash, keccak digest), compared by value.</summary>
public readonly struct Hash32 : IEquatable<Hash32>
{
    private readonly ulong _a, _b, _c, _d; // big-endian words, _a most significant

    public Hash32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 32)
        {
            throw new ArgumentException($"A hash is 32 bytes, got {bytes.Length}.", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>Parses 0x-prefixed (or bare) 64 hex digits.</summary>
    public static Hash32 Parse(string hex)
    {
        if (!TryParse(hex, out var h))
        {
            throw new FormatException($"'{hex}' is not a 32-byte hex hash (0x followed by 64 hex digits).");
        }

        return h;
    }

    public static bool TryParse(string? hex, out Hash32 hash)
    {
        hash = default;
        if (hex is null)
        {
            return false;
        }

        var s = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex.AsSpan();
        if (s.Length != 64)
        {
            return false;
        }

        Span<byte> b = stackalloc byte[32];
        if (Convert.FromHexString(s, b, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        hash = new Hash32(b);
        return true;
    }

    /// <summary>The hash as four 64-bit words, most significant first (bytes 0..7 are <paramref name="w0"/>).</summary>
    internal void GetWords(out ulong w0, out ulong w1, out ulong w2, out ulong w3)
    {
        w0 = _a;
        w1 = _b;
        w2 = _c;
        w3 = _d;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var b = new byte[32];
        WriteTo(b);
        return b;
    }

    public bool Equals(Hash32 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;
    public override bool Equals(object? obj) => obj is Hash32 h && Equals(h);
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);
    public static bool operator ==(Hash32 l, Hash32 r) => l.Equals(r);
    public static bool operator !=(Hash32 l, Hash32 r) => !l.Equals(r);

    /// <summary>0x-prefixed lower-case hex.</summary>
    public override string ToString() => "0x" + Convert.ToHexStringLower(ToArray());

    /// <summary>The 66 bytes of <see cref="ToString"/> as UTF-8, without making a string of them.</summary>
    internal void FormatHex(Span<byte> utf8)
    {
        Span<byte> raw = stackalloc byte[32];
        WriteTo(raw);
        utf8[0] = (byte)'0';
        utf8[1] = (byte)'x';
        Convert.TryToHexStringLower(raw, utf8[2..66], out _);
    }
}
