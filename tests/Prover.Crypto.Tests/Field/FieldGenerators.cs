using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Prover.Crypto.Field;

namespace Prover.Crypto.Tests.Field;

/// <summary>An integer in [0, r), the expected value of an <see cref="Fr"/> in the properties.</summary>
public sealed record FieldValue(BigInteger Value)
{
    public Fr ToFr() => Fr.FromBigInteger(Value);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// FsCheck generators: mostly uniform field elements, with a share of the values where limb carries
/// and the final conditional subtraction go wrong first (0, 1, r − 1, limb boundaries, small values).
/// </summary>
public static class FieldGenerators
{
    private static readonly BigInteger R = Fr.Modulus;

    private static readonly BigInteger[] Edges =
    [
        BigInteger.Zero,
        BigInteger.One,
        2,
        R - 1,
        R - 2,
        R / 2,
        (R + 1) / 2,
        ulong.MaxValue,
        (BigInteger)ulong.MaxValue + 1,
        BigInteger.Pow(2, 128) - 1,
        BigInteger.Pow(2, 128),
        BigInteger.Pow(2, 192) - 1,
        BigInteger.Pow(2, 253),
        BigInteger.Pow(2, 253) - 1,
    ];

    public static Arbitrary<FieldValue> FieldValues()
    {
        var uniform = Gen.ArrayOf(Gen.Choose(0, 255), 32)
            .Select(bytes => new BigInteger(bytes.Select(b => (byte)b).ToArray(), isUnsigned: true) % R);
        var small = Gen.Choose(0, int.MaxValue).Select(v => (BigInteger)v);
        var nearTop = Gen.Choose(1, int.MaxValue).Select(v => R - v);
        var edge = Gen.Elements(Edges);
        return Gen.Frequency(
                (6, uniform),
                (1, small),
                (1, nearTop),
                (2, edge))
            .Select(v => new FieldValue(v))
            .ToArbitrary();
    }
}
