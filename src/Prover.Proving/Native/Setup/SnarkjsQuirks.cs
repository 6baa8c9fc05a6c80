using System.Buffers.Binary;
using System.Numerics;
using Prover.Crypto.Bn254;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// What snarkjs 0.7.6 computes where it reads past the data it means to: reproduced so the circuit hash
/// (and so section 10 and <c>zkey verify</c>) agree with snarkjs'.
/// </summary>
internal static class SnarkjsQuirks
{
    /// <summary>
    /// For D > 2^14, zkey_new.js' <c>hashHPoints</c> hashes one difference too many, tauG1[2D − 1] −
    /// tauG1[D − 1]; in a ptau of the circuit's own power tauG1 ends at index 2D − 2, so the 64 bytes
    /// read are section 3's header (type 3, its size) and the first 52 bytes of τ^0·G2 in Montgomery
    /// form. wasmcurves' subtraction takes them as a point (x, y) anyway.
    /// </summary>
    /// <remarks>
    /// The difference is taken here as the chord through (x, y) and −tauG1[D − 1], with x and y the
    /// raw limbs reduced mod p and divided by 2^256 (leaving Montgomery form). That is what wasmcurves
    /// computes when its arithmetic on the unreduced limbs stays congruent mod p.
    /// </remarks>
    public static G1 PastTauG1(int ceremonyPower, G1 lastInRange)
    {
        Span<byte> bytes = stackalloc byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, 3);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[4..], (1L << ceremonyPower) * PointEncoding.G2Size);
        Span<byte> g2 = stackalloc byte[PointEncoding.G2Size];
        PointEncoding.WriteLem(G2.Generator, g2);
        g2[..52].CopyTo(bytes[12..]);
        return Difference(bytes, lastInRange);
    }

    /// <summary>The same difference for the 64 bytes a ptau file actually holds there.</summary>
    public static G1 Difference(ReadOnlySpan<byte> bytes, G1 lastInRange)
    {
        var x = FromRawMontgomery(bytes[..32]);
        var y = FromRawMontgomery(bytes[32..]);
        return Chord(x, y, lastInRange.Negate());
    }

    private static Fq FromRawMontgomery(ReadOnlySpan<byte> littleEndian)
    {
        var raw = new BigInteger(littleEndian, isUnsigned: true);
        var rInverse = BigInteger.ModPow(BigInteger.One << 256, Fq.Modulus - 2, Fq.Modulus);
        return Fq.FromBigInteger(raw * rInverse);
    }

    /// <summary>(x1, y1) + (x2, y2) by the chord, whether or not (x1, y1) is on the curve.</summary>
    private static G1 Chord(Fq x1, Fq y1, G1 q)
    {
        var lambda = (q.Y - y1) * (q.X - x1).Inverse();
        var x3 = lambda.Square() - x1 - q.X;
        return new G1(x3, (lambda * (x1 - x3)) - y1, false);
    }
}
