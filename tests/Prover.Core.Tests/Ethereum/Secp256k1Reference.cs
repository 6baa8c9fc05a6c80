using System.Numerics;
using Prover.Core.Ethereum.Ecrecover;

namespace Prover.Core.Tests.Ethereum;

/// <summary>secp256k1 constants and conversions in System.Numerics.BigInteger, the reference the kernels are checked against.</summary>
public static class Secp256k1Reference
{
    public static readonly BigInteger P = (BigInteger.One << 256) - (BigInteger.One << 32) - 977;

    public static readonly BigInteger N = Parse("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");

    public static BigInteger Parse(string hex) => BigInteger.Parse("0" + hex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] ToBytes32(BigInteger v)
    {
        var b = new byte[32];
        v.TryWriteBytes(b.AsSpan(32 - v.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return b;
    }

    internal static BigInteger Big(in FieldElement f) => Big(f.L0, f.L1, f.L2, f.L3);

    internal static BigInteger Big(in Scalar s) => Big(s.L0, s.L1, s.L2, s.L3);

    internal static FieldElement FieldOf(BigInteger v) => new(Limb(v, 0), Limb(v, 1), Limb(v, 2), Limb(v, 3));

    internal static Scalar ScalarOf(BigInteger v) => new(Limb(v, 0), Limb(v, 1), Limb(v, 2), Limb(v, 3));

    public static BigInteger Mod(BigInteger v, BigInteger m) => ((v % m) + m) % m;

    private static BigInteger Big(ulong l0, ulong l1, ulong l2, ulong l3) =>
        l0 + ((BigInteger)l1 << 64) + ((BigInteger)l2 << 128) + ((BigInteger)l3 << 192);

    private static ulong Limb(BigInteger v, int i) => (ulong)((v >> (64 * i)) & ulong.MaxValue);
}
