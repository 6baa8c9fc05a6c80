using System.Numerics;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;

namespace Prover.Core.Batches;

/// <summary>
/// How the inbox binds the transaction hashes a batch is posted with to the order its proof proves
/// (docs/circuits.md, "The posted list"): a challenge drawn from the statement and the posted list,
/// and the list's digest and multiset at that challenge, over each hash's circuit id.
/// </summary>
/// <remarks>
/// <c>γ = keccak256(abi.encode(domain, prevHead, newHead, outputCommitment, header, keccak256(list))) mod r</c>,
/// <c>digest = Σ id_i·γ^i</c>, <c>multiset = Π (γ − id_i) · γ^(capacity − count)</c>, with
/// <c>id_i</c> the hash with its top three bits cleared (<see cref="CircuitEncoding.TxId"/>). The
/// contract computes the same values (Contracts/BatchInbox.sol); the circuit proves the digest and the
/// multiset of its own order at γ.
/// </remarks>
public static class PostedList
{
    /// <summary>keccak256 of the packed 32-byte hashes, as the inbox hashes its calldata.</summary>
    public static Hash32 Hash(IReadOnlyList<Hash32> orderedTxHashes)
    {
        ArgumentNullException.ThrowIfNull(orderedTxHashes);
        var packed = new byte[orderedTxHashes.Count * 32];
        for (var i = 0; i < orderedTxHashes.Count; i++)
        {
            orderedTxHashes[i].WriteTo(packed.AsSpan(i * 32, 32));
        }

        return Keccak256.Hash(packed);
    }

    /// <summary>γ: keccak256 of the ABI encoding of the statement's first five signals and the list's hash, reduced mod r.</summary>
    public static Fr Challenge(Fr domain, Fr prevHead, Fr newHead, Fr outputCommitment, Fr header, Hash32 listHash)
    {
        Span<byte> encoded = stackalloc byte[6 * 32];
        domain.ToBytesBigEndian().CopyTo(encoded);
        prevHead.ToBytesBigEndian().CopyTo(encoded[32..]);
        newHead.ToBytesBigEndian().CopyTo(encoded[64..]);
        outputCommitment.ToBytesBigEndian().CopyTo(encoded[96..]);
        header.ToBytesBigEndian().CopyTo(encoded[128..]);
        listHash.WriteTo(encoded[160..]);
        var digest = Keccak256.Hash(encoded);
        return Fr.Reduce(new BigInteger(digest.ToArray(), isUnsigned: true, isBigEndian: true));
    }

    /// <summary><c>Σ id_i·γ^i</c> over the list in its order.</summary>
    public static Fr Digest(IReadOnlyList<Hash32> orderedTxHashes, Fr challenge)
    {
        ArgumentNullException.ThrowIfNull(orderedTxHashes);
        var sum = Fr.Zero;
        for (var i = orderedTxHashes.Count - 1; i >= 0; i--)
        {
            sum = (sum * challenge) + CircuitEncoding.TxId(orderedTxHashes[i]);
        }

        return sum;
    }

    /// <summary><c>Π (γ − id_i)</c> over the list, times <c>γ</c> for each of the circuit's padding slots (txId 0).</summary>
    public static Fr Multiset(IReadOnlyList<Hash32> orderedTxHashes, Fr challenge, int capacity)
    {
        ArgumentNullException.ThrowIfNull(orderedTxHashes);
        if (capacity < orderedTxHashes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"The capacity must hold the list's {orderedTxHashes.Count} hashes.");
        }

        var product = Fr.One;
        foreach (var hash in orderedTxHashes)
        {
            product *= challenge - CircuitEncoding.TxId(hash);
        }

        for (var i = orderedTxHashes.Count; i < capacity; i++)
        {
            product *= challenge;
        }

        return product;
    }
}
