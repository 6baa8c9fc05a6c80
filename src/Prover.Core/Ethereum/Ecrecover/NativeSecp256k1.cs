using Secp256k1Net;
using Native = Secp256k1Net.Secp256k1;

namespace Prover.Core.Ethereum.Ecrecover;

/// <summary>
/// Public-key recovery (and receipt signing) on bitcoin-core's libsecp256k1, the C library that Bitcoin
/// Core and most Ethereum clients run, through the binaries that the Secp256k1.Net package bundles for
/// each platform. It recovers in about 38 µs where the managed <see cref="EcRecover"/> takes about 80 µs
/// on this project's machine, and recovery is the largest cost an accepted transaction pays on the RPC
/// threads. Where the library cannot be loaded (a platform the package has no binary for)
/// <see cref="IsAvailable"/> is false and callers use <see cref="EcRecover"/>; the tests hold the two
/// equal on every input class.
/// </summary>
internal static class NativeSecp256k1
{
    // A context is read-only once created, so concurrent recoveries may share it (libsecp256k1's
    // contract for everything but randomisation, which recovery does not use). It lives as long as the
    // process: there is no point at which every caller is done with it.
    private static readonly Native? s_context = TryCreate();

    /// <summary>Whether the native library loaded and passed its self-check.</summary>
    public static bool IsAvailable => s_context is not null;

    /// <summary>Exactly <see cref="EcRecover.TryRecover"/>'s contract, on the native library.</summary>
    public static bool TryRecover(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> rs64, int recoveryId, Span<byte> publicKey64) =>
        s_context is { } context ? TryRecover(context, digest32, rs64, recoveryId, publicKey64) : throw new InvalidOperationException("libsecp256k1 is not available on this platform.");

    /// <summary>
    /// Signs a 32-byte digest with RFC 6979's deterministic nonce and low s, exactly as NBitcoin's
    /// managed port does (the same algorithm, so the same signature), in about a tenth of its time.
    /// </summary>
    public static void Sign(ReadOnlySpan<byte> privateKey32, ReadOnlySpan<byte> digest32, Span<byte> rs64, out int recoveryId)
    {
        var context = s_context ?? throw new InvalidOperationException("libsecp256k1 is not available on this platform.");
        Span<byte> signature = stackalloc byte[Native.UNSERIALIZED_SIGNATURE_SIZE];
        if (!context.EcdsaSignRecoverable(signature, digest32[..32], privateKey32[..32])
            || !context.EcdsaRecoverableSignatureSerializeCompact(rs64[..64], out recoveryId, signature))
        {
            throw new InvalidOperationException("secp256k1 signing failed; the key must be in [1, n) and the digest 32 bytes.");
        }
    }

    private static bool TryRecover(Native context, ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> rs64, int recoveryId, Span<byte> publicKey64)
    {
        // Ethereum encodes only recovery ids 0 and 1; the library would also take 2 and 3 (x = r + n).
        if (recoveryId is not (0 or 1))
        {
            return false;
        }

        // Parsing refuses r or s ≥ n; recovery refuses r or s = 0, an r that is no x-coordinate and a
        // key at infinity: the same inputs EcRecover refuses.
        Span<byte> signature = stackalloc byte[Native.UNSERIALIZED_SIGNATURE_SIZE];
        Span<byte> key = stackalloc byte[Native.UNSERIALIZED_PUBKEY_LENGTH];
        if (!context.EcdsaRecoverableSignatureParseCompact(signature, rs64[..64], recoveryId)
            || !context.EcdsaRecover(key, signature, digest32[..32]))
        {
            return false;
        }

        Span<byte> serialized = stackalloc byte[Native.SERIALIZED_UNCOMPRESSED_PUBKEY_LENGTH];
        nuint length = (nuint)serialized.Length;
        if (!context.EcPubkeySerialize(serialized, ref length, key, Secp256k1EcFlags.Uncompressed) || length != 65)
        {
            return false;
        }

        serialized[1..].CopyTo(publicKey64);
        return true;
    }

    private static Native? TryCreate()
    {
        Native context;
        try
        {
            context = new Native();
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or TypeInitializationException or PlatformNotSupportedException)
        {
            return null;
        }

        // A loaded library that disagrees with the managed recovery on a known signature is not used.
        ReadOnlySpan<byte> digest = SelfCheckDigest;
        ReadOnlySpan<byte> rs = SelfCheckSignature;
        Span<byte> ours = stackalloc byte[64];
        Span<byte> theirs = stackalloc byte[64];
        if (EcRecover.TryRecover(digest, rs, 1, ours) && TryRecover(context, digest, rs, 1, theirs) && ours.SequenceEqual(theirs))
        {
            return context;
        }

        context.Dispose();
        return null;
    }

    // keccak256("") signed by private key 1 (RFC 6979 nonce, recovery id 1): any valid signature serves.
    private static ReadOnlySpan<byte> SelfCheckDigest => Convert.FromHexString("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

    private static ReadOnlySpan<byte> SelfCheckSignature => Convert.FromHexString(
        "03925438bf9bdfed9cb8d9d9467f8fc624f389846f0db71f4f5c84b483077da6" +
        "2ca68cb1027ace392bc6a84fe0ba29288aa07942f571f56201dd33c009ee3886");
}
