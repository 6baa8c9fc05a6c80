using System.Numerics;
using Nethereum.ABI;
using Nethereum.Util;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

/// <summary>
/// The inbox's list binding, checked against naive definitions: the challenge against Nethereum's ABI
/// encoder and keccak (what Solidity's <c>keccak256(abi.encode(…))</c> computes), the digest and the
/// multiset against sums and products written with BigInteger.
/// </summary>
public class PostedListTests
{
    private static readonly BigInteger R = Fr.Modulus;

    private static readonly Hash32[] List = [HashFor(3), HashFor(1), Ones(), HashFor(2)];

    [Fact]
    public void The_list_hash_is_keccak256_of_the_packed_hashes()
    {
        var packed = List.SelectMany(h => h.ToArray()).ToArray();
        Assert.Equal(new Hash32(new Sha3Keccack().CalculateHash(packed)), PostedList.Hash(List));
        Assert.Equal(new Hash32(new Sha3Keccack().CalculateHash([])), PostedList.Hash([]));
    }

    [Fact]
    public void The_challenge_is_keccak256_of_the_abi_encoded_statement_and_list_hash_reduced_mod_r()
    {
        // Values near p and with high bytes set, so a wrong word width or byte order shows.
        Fr domain = -Fr.One, prevHead = Fr.FromUInt64(1), newHead = Fr.FromBigInteger(BigInteger.Pow(2, 250) + 7);
        Fr output = Fr.FromUInt64(0xDEAD_BEEF), header = BatchHeader.Pack(4, 1_000, 2_000, Fr.FromUInt64(99));
        var listHash = PostedList.Hash(List);

        var digest = new ABIEncode().GetSha3ABIEncoded(
            new ABIValue("uint256", domain.ToBigInteger()),
            new ABIValue("uint256", prevHead.ToBigInteger()),
            new ABIValue("uint256", newHead.ToBigInteger()),
            new ABIValue("uint256", output.ToBigInteger()),
            new ABIValue("uint256", header.ToBigInteger()),
            new ABIValue("bytes32", listHash.ToArray()));
        var expected = new BigInteger(digest, isUnsigned: true, isBigEndian: true) % R;

        Assert.Equal(expected, PostedList.Challenge(domain, prevHead, newHead, output, header, listHash).ToBigInteger());
        Assert.NotEqual(expected, PostedList.Challenge(domain, prevHead, newHead, output, header, PostedList.Hash(List[..3])).ToBigInteger());
    }

    [Fact]
    public void The_digest_is_the_sum_of_each_id_times_the_challenge_to_its_position()
    {
        var gamma = Fr.FromBigInteger(BigInteger.Pow(3, 150) % R);
        var naive = BigInteger.Zero;
        for (var i = 0; i < List.Length; i++)
        {
            naive += Id(List[i]) * BigInteger.ModPow(gamma.ToBigInteger(), i, R);
        }

        Assert.Equal(naive % R, PostedList.Digest(List, gamma).ToBigInteger());
        Assert.Equal(Fr.Zero, PostedList.Digest([], gamma));
    }

    [Fact]
    public void The_multiset_is_the_product_of_the_challenge_minus_each_id_with_one_challenge_per_padding_slot()
    {
        var gamma = Fr.FromUInt64(123_456_789);
        var naive = BigInteger.One;
        foreach (var hash in List)
        {
            naive = naive * (gamma.ToBigInteger() - Id(hash) + R) % R;
        }

        // Capacity 8: four padding slots of txId 0.
        naive = naive * BigInteger.ModPow(gamma.ToBigInteger(), 4, R) % R;
        Assert.Equal(naive, PostedList.Multiset(List, gamma, 8).ToBigInteger());
        Assert.Throws<ArgumentOutOfRangeException>(() => PostedList.Multiset(List, gamma, 3));
    }

    [Fact]
    public void Swapping_two_hashes_changes_the_digest_but_not_the_multiset()
    {
        var gamma = Fr.FromUInt64(987_654_321);
        Hash32[] swapped = [List[1], List[0], List[2], List[3]];
        Assert.NotEqual(PostedList.Digest(List, gamma), PostedList.Digest(swapped, gamma));
        Assert.Equal(PostedList.Multiset(List, gamma, 4), PostedList.Multiset(swapped, gamma, 4));

        // A replaced hash changes both.
        Hash32[] replaced = [List[0], HashFor(9), List[2], List[3]];
        Assert.NotEqual(PostedList.Digest(List, gamma), PostedList.Digest(replaced, gamma));
        Assert.NotEqual(PostedList.Multiset(List, gamma, 4), PostedList.Multiset(replaced, gamma, 4));
    }

    [Fact]
    public void Ids_are_the_hashes_with_their_top_three_bits_cleared()
    {
        var gamma = Fr.FromUInt64(5);
        Assert.Equal(BigInteger.Pow(2, 253) - 1, PostedList.Digest([Ones()], gamma).ToBigInteger());

        // So hashes that differ in those bits alone bind as one (docs/circuits.md, "What the id does not bind").
        var bytes = Ones().ToArray();
        bytes[0] = 0x1F;
        Assert.Equal(PostedList.Digest([Ones()], gamma), PostedList.Digest([new Hash32(bytes)], gamma));
        bytes[0] = 0x0F;
        Assert.NotEqual(PostedList.Digest([Ones()], gamma), PostedList.Digest([new Hash32(bytes)], gamma));
    }

    private static BigInteger Id(Hash32 hash) =>
        new BigInteger(hash.ToArray(), isUnsigned: true, isBigEndian: true) % BigInteger.Pow(2, 253);

    private static Hash32 Ones()
    {
        var bytes = new byte[32];
        Array.Fill(bytes, (byte)0xFF);
        return new Hash32(bytes);
    }
}
