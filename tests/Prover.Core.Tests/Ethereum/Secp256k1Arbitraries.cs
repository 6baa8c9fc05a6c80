using System.Globalization;
using System.Numerics;
using FsCheck;
using FsCheck.Fluent;

namespace Prover.Core.Tests.Ethereum;

/// <summary>A 256-bit unsigned value, printed in hex so a failing case can be replayed.</summary>
public sealed record U256(BigInteger Value)
{
    public byte[] ToBytes() => Secp256k1Reference.ToBytes32(Value);

    public override string ToString() => "0x" + Value.ToString("x64", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0');
}

/// <summary>A valid private key, 1 ≤ k &lt; n.</summary>
public sealed record PrivateKey(U256 Key)
{
    public override string ToString() => Key.ToString();
}

/// <summary>
/// FsCheck generators for secp256k1 values: uniform 256-bit values mixed with the edges where limb
/// arithmetic breaks (0, 1, p − 1, p, p + 1, n ± 1, 2^256 − 1, all-ones limbs, single high bits) and
/// values within a few units of p and n.
/// </summary>
public static class Secp256k1Arbitraries
{
    private static readonly BigInteger P = Secp256k1Reference.P;
    private static readonly BigInteger N = Secp256k1Reference.N;
    private static readonly BigInteger Max = (BigInteger.One << 256) - 1;

    private static readonly BigInteger[] Edges =
    [
        0, 1, 2, 3, 7, P - 1, P, P + 1, P + 2, N - 1, N, N + 1, N / 2, N / 2 + 1, Max, Max - 1,
        BigInteger.One << 255, (BigInteger.One << 128) - 1, BigInteger.One << 128, ulong.MaxValue,
        (BigInteger.One << 192) - 1, Max - ulong.MaxValue, Max - (BigInteger.One << 64), (BigInteger.One << 256) - 0x1_0000_03D1,
    ];

    public static Arbitrary<U256> Values() => Arb.From(ValueGen(), Shrink);

    public static Arbitrary<PrivateKey> Keys() =>
        Arb.From(ValueGen().Select(v => v.Value % (N - 1) + 1).Select(k => new PrivateKey(new U256(k))));

    private static Gen<U256> ValueGen() =>
        Gen.Frequency(
            (6, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 32).Select(b => new BigInteger(b, isUnsigned: true, isBigEndian: true))),
            (2, Gen.Elements(Edges)),
            (1, Gen.Choose(-64, 64).Select(d => P + d)),
            (1, Gen.Choose(-64, 64).Select(d => N + d)))
        .Select(v => new U256(v));

    private static IEnumerable<U256> Shrink(U256 v) =>
        v.Value <= 1 ? [] : [new U256(v.Value >> 1), new U256(v.Value - 1)];
}
