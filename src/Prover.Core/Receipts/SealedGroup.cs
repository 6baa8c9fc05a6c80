using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Receipts;

/// <summary>
/// A signed group and its receipts' Merkle tree: any member's receipt comes out of it without hashing
/// the group again. Cutting one receipt from a group of n entries otherwise costs n leaf hashes and
/// n − 1 node hashes, so a server that keeps the trees of recent groups answers receipt queries in
/// constant time (see <see cref="ReceiptSigner.SignGroup(IReadOnlyList{ReceiptFields}, out SealedGroup)"/>
/// and <see cref="ReceiptSigner.Reseal(IReadOnlyList{ReceiptFields}, ReadOnlySpan{byte}, bool)"/>). Holds no per-entry objects: the tree is fewer than 2n + log₂ n + 1 hashes (a promoted node is
/// repeated on its next level).
/// Immutable and thread-safe.
/// </summary>
public sealed class SealedGroup
{
    private readonly ulong _chainId;
    private readonly EthAddress _inbox;
    private readonly Hash32[][] _levels;

    internal SealedGroup(ulong chainId, EthAddress inbox, ReceiptGroup group, Hash32[][] levels)
    {
        _chainId = chainId;
        _inbox = inbox;
        _levels = levels;
        Group = group;
        var nodes = 0;
        foreach (var level in levels)
        {
            nodes += level.Length;
        }

        NodeCount = nodes;
    }

    public ReceiptGroup Group { get; }

    /// <summary>The hashes the tree holds, leaves included: what keeping this group costs, 32 bytes each.</summary>
    public int NodeCount { get; }

    /// <summary>
    /// The receipt of <paramref name="entry"/>, which must be the entry this group sealed at its seq:
    /// its leaf is recomputed (one keccak) and compared, so a caller that passes the wrong fields gets
    /// an <see cref="ArgumentException"/>, never a receipt whose proof does not verify.
    /// </summary>
    public Receipt ReceiptOf(in ReceiptFields entry)
    {
        if (entry.Seq < Group.FirstSeq || entry.Seq - Group.FirstSeq >= Group.Count)
        {
            throw new ArgumentException($"Seq {entry.Seq} is not in the group of {Group.Count} from seq {Group.FirstSeq}.", nameof(entry));
        }

        var index = (int)(entry.Seq - Group.FirstSeq);
        var txId = entry.TxId;
        if (ReceiptEip712.Leaf(entry.Seq, entry.ArrivalMs, txId, entry.Head) != _levels[0][index])
        {
            throw new ArgumentException($"The fields given for seq {entry.Seq} are not the ones this group sealed.", nameof(entry));
        }

        return At(entry, txId, index);
    }

    /// <summary>The receipt at <paramref name="index"/>, for fields the caller has just hashed into this tree.</summary>
    internal Receipt At(in ReceiptFields entry, Fr txId, int index) =>
        new(_chainId, _inbox, entry.Seq, entry.ArrivalMs, entry.TxHash, txId, entry.Head, Group, (uint)index, _levels);
}
