namespace Prover.Core.Ethereum;

/// <summary>
/// A strict reader of Recursive Length Prefix items over a span (Ethereum Yellow Paper, appendix B).
/// It accepts only the canonical encoding, as geth does: the shortest length form, no leading zero
/// in a length, a single byte below 0x80 as itself. Every violation is
/// <see cref="InvalidTransactionReason.MalformedRlp"/>.
/// </summary>
internal ref struct RlpReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset; // where _data starts in the whole transaction, for messages
    private int _pos;

    public RlpReader(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        _data = data;
        _baseOffset = baseOffset;
        _pos = 0;
    }

    public readonly bool AtEnd => _pos == _data.Length;

    /// <summary>Offset of the next item within this reader's span.</summary>
    public readonly int Position => _pos;

    public readonly int Remaining => _data.Length - _pos;

    /// <summary>Where this reader's span starts in the whole input.</summary>
    public readonly int Offset => _baseOffset;

    /// <summary>Reads the next item, which must be a list; returns its payload (the concatenated items).</summary>
    public RlpReader ReadList(string what)
    {
        var (isList, start, length) = ReadHeader(what);
        if (!isList)
        {
            throw Malformed($"{what} must be an RLP list, found a string at offset {_baseOffset + _pos}");
        }

        _pos = start + length;
        return new RlpReader(_data.Slice(start, length), _baseOffset + start);
    }

    /// <summary>Reads the next item, which must be a string; returns its bytes.</summary>
    public ReadOnlySpan<byte> ReadString(string what)
    {
        var (isList, start, length) = ReadHeader(what);
        if (isList)
        {
            throw Malformed($"{what} must be an RLP string, found a list at offset {_baseOffset + _pos}");
        }

        _pos = start + length;
        return _data.Slice(start, length);
    }

    /// <summary>
    /// Reads an unsigned integer: a string of at most 32 bytes with no leading zero (zero is the empty string).
    /// </summary>
    public ReadOnlySpan<byte> ReadUInt256(string what)
    {
        var at = _baseOffset + _pos;
        var value = ReadString(what);
        if (value.Length > 0 && value[0] == 0)
        {
            throw Malformed($"{what} at offset {at} is not a canonical integer (leading zero byte)");
        }

        if (value.Length > 32)
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.ValueOutOfRange,
                $"{what} is {value.Length} bytes long and does not fit 256 bits.");
        }

        return value;
    }

    private (bool IsList, int Start, int Length) ReadHeader(string what)
    {
        if (_pos >= _data.Length)
        {
            throw Malformed($"truncated: expected {what} at offset {_baseOffset + _pos}, found the end of its enclosing item");
        }

        var b = _data[_pos];
        var at = _baseOffset + _pos;
        bool isList;
        int start;
        long length;
        if (b < 0x80)
        {
            return (false, _pos, 1);
        }
        else if (b <= 0xB7)
        {
            isList = false;
            start = _pos + 1;
            length = b - 0x80;
            if (length == 1 && start < _data.Length && _data[start] < 0x80)
            {
                throw Malformed($"{what} at offset {at}: a single byte below 0x80 must encode as itself");
            }
        }
        else if (b <= 0xBF)
        {
            isList = false;
            (start, length) = ReadLongLength(b - 0xB7, what, at);
        }
        else if (b <= 0xF7)
        {
            isList = true;
            start = _pos + 1;
            length = b - 0xC0;
        }
        else
        {
            isList = true;
            (start, length) = ReadLongLength(b - 0xF7, what, at);
        }

        if (start + length > _data.Length)
        {
            throw Malformed($"truncated: {what} at offset {at} declares {length} bytes, only {Math.Max(0, _data.Length - start)} remain");
        }

        return (isList, start, (int)length);
    }

    private readonly (int Start, long Length) ReadLongLength(int lengthOfLength, string what, int at)
    {
        var start = _pos + 1 + lengthOfLength;
        if (start > _data.Length)
        {
            throw Malformed($"truncated: the length of {what} at offset {at} runs past the end");
        }

        var lengthBytes = _data.Slice(_pos + 1, lengthOfLength);
        if (lengthBytes[0] == 0)
        {
            throw Malformed($"{what} at offset {at}: length has a leading zero byte");
        }

        if (lengthOfLength > 4)
        {
            throw Malformed($"truncated: {what} at offset {at} declares a length of {lengthOfLength} bytes");
        }

        long length = 0;
        foreach (var x in lengthBytes)
        {
            length = (length << 8) | x;
        }

        if (length < 56)
        {
            throw Malformed($"{what} at offset {at}: long-form length {length} where the short form is required");
        }

        return (start, length);
    }

    private static InvalidTransactionException Malformed(string detail) =>
        new(InvalidTransactionReason.MalformedRlp, $"Malformed RLP: {detail}.");

    /// <summary>Writes the header of a list whose payload is <paramref name="payloadLength"/> bytes; returns its size.</summary>
    public static int WriteListHeader(int payloadLength, Span<byte> destination)
    {
        if (payloadLength < 56)
        {
            destination[0] = (byte)(0xC0 + payloadLength);
            return 1;
        }

        var n = LengthOfLength(payloadLength);
        destination[0] = (byte)(0xF7 + n);
        for (var i = 0; i < n; i++)
        {
            destination[n - i] = (byte)(payloadLength >> (8 * i));
        }

        return 1 + n;
    }

    /// <summary>Writes the canonical RLP of an unsigned integer; returns its size (at most 9 bytes).</summary>
    public static int WriteUInt64(ulong value, Span<byte> destination)
    {
        if (value == 0)
        {
            destination[0] = 0x80;
            return 1;
        }

        if (value < 0x80)
        {
            destination[0] = (byte)value;
            return 1;
        }

        var n = (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8;
        destination[0] = (byte)(0x80 + n);
        for (var i = 0; i < n; i++)
        {
            destination[n - i] = (byte)(value >> (8 * i));
        }

        return 1 + n;
    }

    private static int LengthOfLength(int length) => length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
}
