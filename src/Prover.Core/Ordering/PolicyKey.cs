using System.Buffers.Binary;
using System.Numerics;
using Prover.Crypto.Field;

namespace Prover.Core.Ordering;

/// <summary>
/// A policy's sort key for one entry: an unsigned integer below the BN254 scalar modulus, compared as
/// an integer. Every policy sorts ascending by <c>(key, seq)</c>; a policy that wants "larger first"
/// (priority fee) maps its quantity to a complement so that one comparator serves every policy — in
/// C# and, later, in the circuit.
/// </summary>
/// <remarks>
/// Held as four 64-bit limbs so that sorting thousands of entries compares plain integers instead of
/// <see cref="BigInteger"/>s.
/// </remarks>
public readonly struct PolicyKey : IEquatable<PolicyKey>, IComparable<PolicyKey>
{
    private readonly ulong _l3, _l2, _l1, _l0; // big-endian limbs, _l3 most significant

    private PolicyKey(ulong l3, ulong l2, ulong l1, ulong l0)
    {
        _l3 = l3;
        _l2 = l2;
        _l1 = l1;
        _l0 = l0;
    }

    public static PolicyKey FromUInt64(ulong value) => new(0, 0, 0, value);

    public static PolicyKey FromField(Fr value)
    {
        Span<byte> b = stackalloc byte[32];
        value.WriteBigEndian(b);
        return new PolicyKey(
            BinaryPrimitives.ReadUInt64BigEndian(b),
            BinaryPrimitives.ReadUInt64BigEndian(b[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(b[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(b[24..]));
    }

    /// <summary>The key as a field element; every key a policy produces is below r, so this never reduces.</summary>
    public Fr ToField()
    {
        Span<byte> b = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(b, _l3);
        BinaryPrimitives.WriteUInt64BigEndian(b[8..], _l2);
        BinaryPrimitives.WriteUInt64BigEndian(b[16..], _l1);
        BinaryPrimitives.WriteUInt64BigEndian(b[24..], _l0);
        return Fr.FromBytesBigEndian(b, "policy key");
    }

    /// <summary>The key as a 64-bit integer; every key but a legacy full-width one fits.</summary>
    /// <exception cref="InvalidOperationException">The key is wider than 64 bits.</exception>
    public ulong ToUInt64() =>
        (_l3 | _l2 | _l1) == 0 ? _l0 : throw new InvalidOperationException($"Policy key {this} is wider than 64 bits.");

    public BigInteger ToBigInteger() =>
        ((BigInteger)_l3 << 192) | ((BigInteger)_l2 << 128) | ((BigInteger)_l1 << 64) | _l0;

    public int CompareTo(PolicyKey other)
    {
        if (_l3 != other._l3)
        {
            return _l3 < other._l3 ? -1 : 1;
        }

        if (_l2 != other._l2)
        {
            return _l2 < other._l2 ? -1 : 1;
        }

        if (_l1 != other._l1)
        {
            return _l1 < other._l1 ? -1 : 1;
        }

        return _l0 == other._l0 ? 0 : _l0 < other._l0 ? -1 : 1;
    }

    public bool Equals(PolicyKey other) => _l3 == other._l3 && _l2 == other._l2 && _l1 == other._l1 && _l0 == other._l0;
    public override bool Equals(object? obj) => obj is PolicyKey k && Equals(k);
    public override int GetHashCode() => HashCode.Combine(_l3, _l2, _l1, _l0);
    public static bool operator ==(PolicyKey l, PolicyKey r) => l.Equals(r);
    public static bool operator !=(PolicyKey l, PolicyKey r) => !l.Equals(r);
    public static bool operator <(PolicyKey l, PolicyKey r) => l.CompareTo(r) < 0;
    public static bool operator >(PolicyKey l, PolicyKey r) => l.CompareTo(r) > 0;
    public static bool operator <=(PolicyKey l, PolicyKey r) => l.CompareTo(r) <= 0;
    public static bool operator >=(PolicyKey l, PolicyKey r) => l.CompareTo(r) >= 0;

    /// <summary>Decimal, like a field element.</summary>
    public override string ToString() => ToBigInteger().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
