using System.Globalization;
using System.Numerics;

namespace Prover.Core.Field;

/// <summary>
/// An element of the BN254 (alt_bn128) scalar field, the field circom and snarkjs compute in.
/// Always canonical: its value is in [0, r).
/// </summary>
public readonly struct Fr : IEquatable<Fr>
{
    /// <summary>r = 21888242871839275222246405745257275088548364400416034343698204186575808495617.</summary>
    public static readonly BigInteger Modulus = BigInteger.Parse(
        "21888242871839275222246405745257275088548364400416034343698204186575808495617",
        CultureInfo.InvariantCulture);

    private readonly BigInteger _value;

    private Fr(BigInteger value) => _value = value;

    public static Fr Zero => default;
    public static Fr One => new(BigInteger.One);

    public static Fr FromUInt64(ulong value) => new(value);

    /// <summary>Takes a value already in [0, r); anything else is rejected, never silently reduced.</summary>
    public static Fr FromBigInteger(BigInteger value, string field = "value")
    {
        if (value.Sign < 0 || value >= Modulus)
        {
            throw new ValueOutOfRangeException(field, "the BN254 scalar field [0, r)", value.ToString(CultureInfo.InvariantCulture));
        }

        return new Fr(value);
    }

    /// <summary>Reduces any integer modulo r (for hashing and challenges, where reduction is intended).</summary>
    public static Fr Reduce(BigInteger value)
    {
        var r = value % Modulus;
        return new Fr(r.Sign < 0 ? r + Modulus : r);
    }

    /// <summary>Reads a 32-byte big-endian value; it must already be below r.</summary>
    public static Fr FromBytesBigEndian(ReadOnlySpan<byte> bytes, string field = "value")
    {
        if (bytes.Length != 32)
        {
            throw new ArgumentException($"A field element is 32 bytes, got {bytes.Length}.", nameof(bytes));
        }

        return FromBigInteger(new BigInteger(bytes, isUnsigned: true, isBigEndian: true), field);
    }

    /// <summary>Parses a decimal string (snarkjs' format) or a 0x-prefixed hex string.</summary>
    public static Fr Parse(string text, string field = "value")
    {
        ArgumentNullException.ThrowIfNull(text);
        BigInteger v;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            v = BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }
        else if (!BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out v))
        {
            throw new FormatException($"{field}: '{text}' is not a decimal or 0x-hex integer.");
        }

        return FromBigInteger(v, field);
    }

    public BigInteger ToBigInteger() => _value;

    public void WriteBigEndian(Span<byte> destination)
    {
        destination[..32].Clear();
        var bytes = _value.ToByteArray(isUnsigned: true, isBigEndian: true);
        bytes.CopyTo(destination[(32 - bytes.Length)..32]);
    }

    public byte[] ToBytesBigEndian()
    {
        var b = new byte[32];
        WriteBigEndian(b);
        return b;
    }

    public static Fr operator +(Fr a, Fr b) => Reduce(a._value + b._value);
    public static Fr operator -(Fr a, Fr b) => Reduce(a._value - b._value);
    public static Fr operator *(Fr a, Fr b) => Reduce(a._value * b._value);
    public static bool operator ==(Fr a, Fr b) => a._value == b._value;
    public static bool operator !=(Fr a, Fr b) => a._value != b._value;

    public bool Equals(Fr other) => _value == other._value;
    public override bool Equals(object? obj) => obj is Fr other && Equals(other);
    public override int GetHashCode() => _value.GetHashCode();

    /// <summary>Decimal, as snarkjs writes public signals.</summary>
    public override string ToString() => _value.ToString(CultureInfo.InvariantCulture);

    /// <summary>0x-prefixed, 64 hex digits.</summary>
    public string ToHex() => "0x" + Convert.ToHexStringLower(ToBytesBigEndian());
}
