using System.Numerics;
using FsCheck.Xunit;
using NBitcoin.Secp256k1;
using Prover.Core.Ethereum;
using Prover.Core.Ethereum.Ecrecover;
using static Prover.Core.Tests.Ethereum.Secp256k1Reference;
using Scalar = Prover.Core.Ethereum.Ecrecover.Scalar;
using Secp = Prover.Core.Ethereum.Secp256k1;

namespace Prover.Core.Tests.Ethereum;

/// <summary>
/// Both recoveries behind <see cref="Secp.TryRecoverAddress"/> — libsecp256k1 (<see cref="NativeSecp256k1"/>)
/// and the managed fallback (<see cref="EcRecover"/>) — against NBitcoin.Secp256k1: signatures NBitcoin
/// makes, their high-s twins, arbitrary (r, s) pairs that may not be valid at all, and the edges of
/// every input's range. Both must accept the same inputs and recover the same key.
/// </summary>
[Properties(Arbitrary = [typeof(Secp256k1Arbitraries)], MaxTest = 300)]
public class Secp256k1RecoverTests
{
    [Property]
    public void Recovers_the_signers_key_and_address(PrivateKey key, U256 digest)
    {
        var (rs, recoveryId, expected) = Sign(key, digest.ToBytes());
        AssertRecoversKey(digest.ToBytes(), rs, recoveryId, expected);
    }

    [Property]
    public void High_s_with_the_other_recovery_id_recovers_the_same_key(PrivateKey key, U256 digest)
    {
        // (r, n − s) is the same signature with R negated, so its recovery id flips.
        var (rs, recoveryId, expected) = Sign(key, digest.ToBytes());
        var s = new BigInteger(rs.AsSpan(32), isUnsigned: true, isBigEndian: true);
        ToBytes32(N - s).CopyTo(rs, 32);
        AssertRecoversKey(digest.ToBytes(), rs, recoveryId ^ 1, expected);
    }

    [Property]
    public void Arbitrary_r_and_s_agree_with_nbitcoin(U256 digest, U256 r, U256 s, bool odd)
    {
        byte[] rs = [.. r.ToBytes(), .. s.ToBytes()];
        AssertAgreesWithNBitcoin(digest.ToBytes(), rs, odd ? 1 : 0);
    }

    [Property]
    public void Valid_r_with_arbitrary_s_and_digest_agrees_with_nbitcoin(PrivateKey key, U256 digest, U256 otherDigest, U256 s)
    {
        // A real R (so r is an x-coordinate) with an unrelated s and digest recovers some other key.
        var (rs, recoveryId, _) = Sign(key, digest.ToBytes());
        s.ToBytes().CopyTo(rs, 32);
        AssertAgreesWithNBitcoin(otherDigest.ToBytes(), rs, recoveryId);
    }

    public static TheoryData<string> EdgeDigests() =>
    [
        "00", "01", N.ToString("x"), (N - 1).ToString("x"), (N + 1).ToString("x"), P.ToString("x"),
        ((BigInteger.One << 256) - 1).ToString("x"),
    ];

    [Theory]
    [MemberData(nameof(EdgeDigests))]
    public void Edge_digests_recover_the_signers_key(string digestHex)
    {
        var digest = ToBytes32(Parse(digestHex));
        foreach (var k in new[] { BigInteger.One, 2, N - 1, N / 2, Parse("c0ffee") })
        {
            var (rs, recoveryId, expected) = Sign(new PrivateKey(new U256(k)), digest);
            AssertRecoversKey(digest, rs, recoveryId, expected);
        }
    }

    [Fact]
    public void Out_of_range_r_and_s_are_rejected()
    {
        var (good, recoveryId, _) = Sign(new PrivateKey(new U256(Parse("1234567"))), new byte[32]);
        var digest = new byte[32];
        foreach (var bad in new[] { BigInteger.Zero, N, N + 1, P, (BigInteger.One << 256) - 1 })
        {
            byte[] badR = [.. ToBytes32(bad), .. good.AsSpan(32)];
            byte[] badS = [.. good.AsSpan(0, 32), .. ToBytes32(bad)];
            Assert.False(Secp.TryRecoverAddress(digest, badR, recoveryId, out _));
            Assert.False(Secp.TryRecoverAddress(digest, badS, recoveryId, out _));
            AssertAgreesWithNBitcoin(digest, badR, recoveryId);
            AssertAgreesWithNBitcoin(digest, badS, recoveryId);
        }
    }

    [Fact]
    public void R_that_is_not_an_x_coordinate_is_rejected()
    {
        // 5³ + 7 = 132 is a non-residue mod p, so no point has x = 5.
        Assert.False(FieldElement.Sqrt(FieldOf(132), out _));
        byte[] rs = [.. ToBytes32(5), .. ToBytes32(1)];
        Assert.False(Secp.TryRecoverAddress(new byte[32], rs, 0, out _));
        Assert.False(Secp.TryRecoverAddress(new byte[32], rs, 1, out _));
        AssertAgreesWithNBitcoin(new byte[32], rs, 0);
    }

    [Property]
    public void Signing_makes_nbitcoins_signature(PrivateKey key, U256 digest)
    {
        // Secp.Sign runs on libsecp256k1; NBitcoin ports the same RFC 6979 signer, so the bytes match,
        // except for digests of n or more (never met with keccak outputs in practice): libsecp256k1
        // derives the nonce from the digest reduced mod n, NBitcoin from the bytes as given. Either
        // way the signature is valid, low-s and recovers to the key.
        var (rs, recoveryId, publicKey) = Sign(key, digest.ToBytes());
        Assert.True(ECPrivKey.TryCreate(key.Key.ToBytes(), out var priv));
        var signature = new byte[65];
        Secp.Sign(priv!, digest.ToBytes(), signature);
        if (digest.Value < N)
        {
            Assert.Equal(rs, signature[..64]);
            Assert.Equal(27 + recoveryId, signature[64]);
        }

        Assert.True(Secp.IsLowS(signature.AsSpan(32, 32)));
        AssertRecoversKey(digest.ToBytes(), signature[..64], signature[64] - 27, publicKey);
    }

    [Fact]
    public void The_native_library_loads_on_the_platforms_it_ships_for()
    {
        // Recovery falls back to the managed code where libsecp256k1 cannot load; on the platforms the
        // package bundles a binary for, a fallback would be a packaging fault, and silent.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
        {
            Assert.True(NativeSecp256k1.IsAvailable, "libsecp256k1 did not load or failed its self-check");
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(27)]
    public void Recovery_ids_other_than_0_and_1_are_rejected(int recoveryId)
    {
        var (rs, _, _) = Sign(new PrivateKey(new U256(7)), new byte[32]);
        Assert.False(Secp.TryRecoverAddress(new byte[32], rs, recoveryId, out _));
        Assert.False(EcRecover.TryRecover(new byte[32], rs, recoveryId, new byte[64]));
        Assert.False(NativeSecp256k1.TryRecover(new byte[32], rs, recoveryId, new byte[64]));
    }

    [Property]
    public void A_signature_whose_key_would_be_infinity_is_rejected(PrivateKey nonce, U256 s)
    {
        // With R = k·G, r = x(R) and z = s·k, Q = r⁻¹(s·R − z·G) = r⁻¹(s·k − z)·G is the point at infinity.
        // x(R) ≥ n (probability about 2^-128) would make r name a different point; the property then says nothing.
        var k = nonce.Key.Value;
        var x = XOfMultipleOfG(k, out bool odd);
        if (x >= N)
        {
            return;
        }

        var sv = Mod(s.Value, N - 1) + 1;
        byte[] rs = [.. ToBytes32(x), .. ToBytes32(sv)];
        var digest = ToBytes32(sv * k % N);
        Assert.False(Secp.TryRecoverAddress(digest, rs, odd ? 1 : 0, out _));
        AssertAgreesWithNBitcoin(digest, rs, odd ? 1 : 0);
    }

    [Property]
    public void Multiply_add_matches_nbitcoin_on_each_table(PrivateKey a)
    {
        // u1 = 2^128 reads only the 2^128·G table, a's low half only the G table, u2 = λ with P = G mostly
        // the λ-table. Each result is compared with NBitcoin's k·G.
        var g = AffinePoint.G;
        var low = a.Key.Value & ((BigInteger.One << 128) - 1);
        // With P = G the two sides meet: (1, 1) doubles inside an addition and (n − 1, 1), (1, n − 1) cancel.
        (BigInteger, BigInteger)[] pairs =
        [
            (BigInteger.One << 128, 0), (low, 0), (0, a.Key.Value), (a.Key.Value, Big(Scalar.Lambda)),
            (1, 1), (N - 1, 1), (1, N - 1), (3, N - 3), (a.Key.Value, N - a.Key.Value), (a.Key.Value, a.Key.Value),
        ];
        foreach (var (u1, u2) in pairs)
        {
            var expected = Mod(u1 + u2, N);
            Assert.Equal(!expected.IsZero, EcRecover.MultiplyAdd(ScalarOf(u1), ScalarOf(u2), g, out var q));
            if (!expected.IsZero)
            {
                var x = XOfMultipleOfG(expected, out bool odd);
                Assert.Equal(x, Big(q.X.Normalize()));
                Assert.Equal(odd, q.Y.IsOdd);
            }
        }
    }

    private static BigInteger XOfMultipleOfG(BigInteger k, out bool oddY)
    {
        Assert.True(ECPrivKey.TryCreate(ToBytes32(k), out var key));
        var pub = new byte[65];
        key!.CreatePubKey().WriteToSpan(compressed: false, pub, out _);
        oddY = (pub[64] & 1) == 1;
        return new BigInteger(pub.AsSpan(1, 32), isUnsigned: true, isBigEndian: true);
    }

    private static (byte[] Rs, int RecoveryId, byte[] PublicKey) Sign(PrivateKey key, byte[] digest)
    {
        Assert.True(ECPrivKey.TryCreate(key.Key.ToBytes(), out var priv));
        Assert.True(priv!.TrySignRecoverable(digest, out var sig));
        var rs = new byte[64];
        sig!.WriteToSpanCompact(rs, out int recoveryId);
        var pub = new byte[65];
        priv.CreatePubKey().WriteToSpan(compressed: false, pub, out _);
        return (rs, recoveryId, pub[1..]);
    }

    private static void AssertRecoversKey(byte[] digest, byte[] rs, int recoveryId, byte[] expectedKey)
    {
        var pub = new byte[64];
        Assert.True(EcRecover.TryRecover(digest, rs, recoveryId, pub));
        Assert.Equal(expectedKey, pub);
        Assert.True(Secp.TryRecoverAddress(digest, rs, recoveryId, out var address));
        Assert.Equal(AddressOfKey(expectedKey), address);
        AssertAgreesWithNBitcoin(digest, rs, recoveryId);
    }

    /// <summary>Both accept or both reject; where both accept, the keys match.</summary>
    private static void AssertAgreesWithNBitcoin(byte[] digest, byte[] rs, int recoveryId)
    {
        byte[]? expected = null;
        if (SecpRecoverableECDSASignature.TryCreateFromCompact(rs, recoveryId, out var sig) && sig is not null
            && ECPubKey.TryRecover(Context.Instance, sig, digest, out var key) && key is not null)
        {
            expected = new byte[65];
            key.WriteToSpan(compressed: false, expected, out _);
        }

        bool theirs = expected is not null;
        var pub = new byte[64];
        bool ours = EcRecover.TryRecover(digest, rs, recoveryId, pub);
        Assert.Equal(theirs, ours);
        var native = new byte[64];
        Assert.Equal(theirs, NativeSecp256k1.TryRecover(digest, rs, recoveryId, native));
        Assert.Equal(pub, native);
        Assert.Equal(theirs, Secp.TryRecoverAddress(digest, rs, recoveryId, out var address));
        if (theirs)
        {
            Assert.Equal(expected![1..], pub);
            Assert.Equal(AddressOfKey(expected[1..]), address);
        }
    }

    private static EthAddress AddressOfKey(byte[] key64)
    {
        var h = new byte[32];
        Keccak256.Hash(key64, h);
        return new EthAddress(h.AsSpan(12));
    }
}
