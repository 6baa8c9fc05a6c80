using System.Buffers.Binary;
using System.Numerics;
using Prover.Crypto.Field;

namespace Prover.Core.Ethereum;

/// <summary>A 20-byte Ethereum address, compared by value.</summary>
public readonly struct EthAddress : IEquatable<EthAddress>
{
    private readonly ulong _hi, _mid; // bytes 0..7 and 8..15, big-endian
    private readonly uint _lo;        // bytes 16..19

    public EthAddress(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 20)
        {
            throw new ArgumentException($"An address is 20 bytes, got {bytes.Length}.", nameof(bytes));
        }

        _hi = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _mid = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _lo = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    public static EthAddress Zero => default;

    /// <summary>Parses 0x-prefixed (or bare) 40 hex digits; checksum case is not enforced.</summary>
    public static EthAddress Parse(string hex)
    {
        if (!TryParse(hex, out var a))
        {
            throw new FormatException($"'{hex}' is not an Ethereum address (0x followed by 40 hex digits).");
        }

        return a;
    }

    public static bool TryParse(string? hex, out EthAddress address)
    {
        address = default;
        if (hex is null)
        {
            return false;
        }

        var s = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex.AsSpan();
        if (s.Length != 40)
        {
            return false;
        }

        Span<byte> b = stackalloc byte[20];
        if (Convert.FromHexString(s, b, out _, out var written) != System.Buffers.OperationStatus.Done || written != 20)
        {
            return false;
        }

        address = new EthAddress(b);
        return true;
    }

    /// <summary>The address as a 160-bit big-endian integer in words: bytes 0..7, 8..15 and 16..19.</summary>
    internal void GetWords(out ulong high, out ulong middle, out uint low)
    {
        high = _hi;
        middle = _mid;
        low = _lo;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _mid);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _lo);
    }

    public byte[] ToArray()
    {
        var b = new byte[20];
        WriteTo(b);
        return b;
    }

    /// <summary>The address as a 160-bit integer, the circuit's encoding.</summary>
    public BigInteger ToBigInteger() => new(ToArray(), isUnsigned: true, isBigEndian: true);

    public Fr ToField() => Fr.FromBigInteger(ToBigInteger());

    public bool Equals(EthAddress other) => _hi == other._hi && _mid == other._mid && _lo == other._lo;
    public override bool Equals(object? obj) => obj is EthAddress a && Equals(a);
    public override int GetHashCode() => HashCode.Combine(_hi, _mid, _lo);
    public static bool operator ==(EthAddress l, EthAddress r) => l.Equals(r);
    public static bool operator !=(EthAddress l, EthAddress r) => !l.Equals(r);

    /// <summary>
    /// EIP-55 checksummed form: a hex letter is upper case where the matching nibble of
    /// keccak256(the lower-case hex digits) is 8 or more. Written here rather than through Nethereum's
    /// AddressUtil because every witness prints an address per transaction, and that path allocated
    /// several strings and ran a second keccak implementation per call.
    /// </summary>
    public override string ToString()
    {
        Span<byte> raw = stackalloc byte[20];
        WriteTo(raw);
        Span<char> text = stackalloc char[42];
        text[0] = '0';
        text[1] = 'x';
        var digits = text[2..];
        Convert.TryToHexStringLower(raw, digits, out _);
        Span<byte> ascii = stackalloc byte[40];
        for (var i = 0; i < 40; i++)
        {
            ascii[i] = (byte)digits[i];
        }

        Span<byte> hash = stackalloc byte[Keccak256.Size];
        Keccak256.Hash(ascii, hash);
        for (var i = 0; i < 40; i++)
        {
            var nibble = (i & 1) == 0 ? hash[i >> 1] >> 4 : hash[i >> 1] & 0xF;
            if (digits[i] >= 'a' && nibble >= 8)
            {
                digits[i] = (char)(digits[i] - ('a' - 'A'));
            }
        }

        return new string(text);
    }
}
