using NBitcoin.Secp256k1;
using Prover.Core.Ethereum.Ecrecover;

namespace Prover.Core.Ethereum;

/// <summary>
/// Recoverable secp256k1 ECDSA as Ethereum uses it. Signing runs on NBitcoin.Secp256k1 (the managed port of
/// libsecp256k1 that Nethereum 6 ships), roughly ten times faster than Nethereum's BouncyCastle-based
/// <c>EthECKey</c> path; recovery, which every accepted transaction pays for, runs on <see cref="EcRecover"/>.
/// </summary>
internal static class Secp256k1
{
    // n, the group order, and n/2 (EIP-2's bound on s), big-endian.
    private static ReadOnlySpan<byte> N =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
    ];

    private static ReadOnlySpan<byte> HalfN =>
    [
        0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
    ];

    /// <summary>1 ≤ value &lt; n, for a 32-byte big-endian scalar.</summary>
    public static bool IsValidScalar(ReadOnlySpan<byte> value32) =>
        value32.IndexOfAnyExcept((byte)0) >= 0 && value32.SequenceCompareTo(N) < 0;

    /// <summary>s ≤ n/2: the canonical half of the (s, n − s) pair (EIP-2).</summary>
    public static bool IsLowS(ReadOnlySpan<byte> s32) => s32.SequenceCompareTo(HalfN) <= 0;

    /// <summary>
    /// Recovers the signer's address from a 32-byte digest, r and s (32 bytes each, big-endian) and
    /// the recovery id (0 or 1). False where no public key fits (r is not an x-coordinate, r or s out of range).
    /// Runs on libsecp256k1 (<see cref="NativeSecp256k1"/>) where its binary loads, else on the managed
    /// <see cref="EcRecover"/>; the tests hold both equal to NBitcoin's recovery.
    /// </summary>
    public static bool TryRecoverAddress(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> rs64, int recoveryId, out EthAddress address)
    {
        Span<byte> pub = stackalloc byte[64];
        bool recovered = NativeSecp256k1.IsAvailable
            ? NativeSecp256k1.TryRecover(digest32, rs64, recoveryId, pub)
            : EcRecover.TryRecover(digest32, rs64, recoveryId, pub);
        if (!recovered)
        {
            address = default;
            return false;
        }

        Span<byte> h = stackalloc byte[Keccak256.Size];
        Keccak256.Hash(pub, h);
        address = new EthAddress(h[12..]);
        return true;
    }

    public static EthAddress AddressOf(ECPubKey pub)
    {
        Span<byte> uncompressed = stackalloc byte[65];
        pub.WriteToSpan(compressed: false, uncompressed, out _);
        Span<byte> h = stackalloc byte[Keccak256.Size];
        Keccak256.Hash(uncompressed[1..], h);
        return new EthAddress(h[12..]);
    }

    /// <summary>
    /// Signs a 32-byte digest (RFC 6979 nonce, low s) and writes Ethereum's 65-byte r || s || v, v = 27 + recovery id.
    /// The sequencer signs once per group commit, so this runs on libsecp256k1 where it loads
    /// (<see cref="NativeSecp256k1"/>), else on NBitcoin: both make the same deterministic signature.
    /// </summary>
    public static void Sign(ECPrivKey key, ReadOnlySpan<byte> digest32, Span<byte> signature65)
    {
        if (digest32.Length != 32)
        {
            throw new ArgumentException("secp256k1 signs 32-byte digests.", nameof(digest32));
        }

        int recoveryId;
        if (NativeSecp256k1.IsAvailable)
        {
            Span<byte> secret = stackalloc byte[32];
            key.WriteToSpan(secret);
            NativeSecp256k1.Sign(secret, digest32, signature65[..64], out recoveryId);
            secret.Clear();
        }
        else
        {
            if (!key.TrySignRecoverable(digest32, out var sig) || sig is null)
            {
                throw new InvalidOperationException("secp256k1 signing failed.");
            }

            sig.WriteToSpanCompact(signature65[..64], out recoveryId);
        }

        signature65[64] = (byte)(27 + recoveryId);
    }
}
