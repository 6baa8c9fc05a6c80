using Org.BouncyCastle.Crypto.Digests;

namespace Prover.Core.Ethereum;

/// <summary>
/// Keccak-256 (the pre-NIST padding Ethereum uses, not SHA3-256) over spans, without allocating.
/// Wraps BouncyCastle's <see cref="KeccakDigest"/>, which Nethereum already ships; one digest per
/// thread is reused, so hashing is allocation-free and thread-safe.
/// </summary>
internal static class Keccak256
{
    public const int Size = 32;

    [ThreadStatic]
    private static KeccakDigest? t_digest;

    private static KeccakDigest Digest => t_digest ??= new KeccakDigest(256);

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var d = Digest;
        d.BlockUpdate(data);
        d.DoFinal(destination);
    }

    /// <summary>Hashes the concatenation <c>a || b || c</c> without building it.</summary>
    public static void Hash(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<byte> destination)
    {
        var d = Digest;
        d.BlockUpdate(a);
        d.BlockUpdate(b);
        d.BlockUpdate(c);
        d.DoFinal(destination);
    }

    public static Hash32 Hash(ReadOnlySpan<byte> data)
    {
        Span<byte> h = stackalloc byte[Size];
        Hash(data, h);
        return new Hash32(h);
    }
}
