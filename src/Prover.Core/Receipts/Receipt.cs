using System.Collections.Immutable;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;

namespace Prover.Core.Receipts;

/// <summary>What the sequencer knows about one accepted entry when it seals a group.</summary>
/// <param name="Seq">The entry's place in the receipt log.</param>
/// <param name="ArrivalMs">When the sequencer logged it, Unix milliseconds.</param>
/// <param name="TxHash">The transaction hash; the signed <see cref="TxId"/> is derived from it.</param>
/// <param name="Head">The receipt-log head after this entry (see <see cref="ReceiptChain"/>).</param>
public readonly record struct ReceiptFields(ulong Seq, ulong ArrivalMs, Hash32 TxHash, Fr Head)
{
    /// <summary>The circuits' transaction id, <see cref="CircuitEncoding.TxId"/>.</summary>
    public Fr TxId => CircuitEncoding.TxId(TxHash);
}

/// <summary>
/// A group commit: <see cref="Count"/> consecutive entries from <see cref="FirstSeq"/>, their receipts'
/// Merkle root and the sequencer's one EIP-712 signature over <c>ReceiptGroup(firstSeq, count, receiptsRoot)</c>.
/// </summary>
/// <param name="Signature">65 bytes r || s || v, v = 27 or 28, s in the lower half (EIP-2).</param>
public sealed record ReceiptGroup(ulong FirstSeq, uint Count, Hash32 ReceiptsRoot, ImmutableArray<byte> Signature)
{
    public bool Equals(ReceiptGroup? other) =>
        other is not null
        && FirstSeq == other.FirstSeq
        && Count == other.Count
        && ReceiptsRoot == other.ReceiptsRoot
        && Signature.AsSpan().SequenceEqual(other.Signature.AsSpan());

    public override int GetHashCode() => HashCode.Combine(FirstSeq, Count, ReceiptsRoot);
}

/// <summary>
/// A signed receipt for one transaction: the sequencer's promise that the transaction sits at
/// <see cref="Seq"/> in the receipt log of rollup (<see cref="ChainId"/>, <see cref="Inbox"/>), arrived at
/// <see cref="ArrivalMs"/> and left the log at <see cref="Head"/>. Check it with <see cref="ReceiptVerifier"/>;
/// serialise it with <see cref="ReceiptJson"/>.
/// </summary>
/// <param name="Index">The entry's position in its group; <c>Seq = Group.FirstSeq + Index</c>.</param>
/// <param name="Proof">Merkle siblings from the leaf up, levels where the node is promoted omitted.</param>
public sealed record Receipt(
    ulong ChainId,
    EthAddress Inbox,
    ulong Seq,
    ulong ArrivalMs,
    Hash32 TxHash,
    Fr TxId,
    Fr Head,
    ReceiptGroup Group,
    uint Index,
    ImmutableArray<Hash32> Proof)
{
    // The group's whole tree, shared by its receipts, when the proof is to be read from it on first use.
    private readonly Hash32[][]? _tree;

    /// <summary>
    /// A receipt whose proof is cut from its group's tree only when it is read. The sequencer seals
    /// every transaction's receipt but most are never asked for their proof (a submitter gets the hash
    /// back); an eager proof was an allocation of ⌈log₂ n⌉ hashes per transaction.
    /// </summary>
    internal Receipt(ulong chainId, EthAddress inbox, ulong seq, ulong arrivalMs, Hash32 txHash, Fr txId, Fr head, ReceiptGroup group, uint index, Hash32[][] tree)
        : this(chainId, inbox, seq, arrivalMs, txHash, txId, head, group, index, default(ImmutableArray<Hash32>))
    {
        _tree = tree;
    }

    // Racing readers may both cut the proof; they cut the same one, and the array's reference is
    // written whole.
    public ImmutableArray<Hash32> Proof
    {
        get => field.IsDefault && _tree is not null ? field = ReceiptMerkle.Proof(_tree, (int)Index) : field;
        init;
    } = Proof;

    public bool Equals(Receipt? other) =>
        other is not null
        && ChainId == other.ChainId
        && Inbox == other.Inbox
        && Seq == other.Seq
        && ArrivalMs == other.ArrivalMs
        && TxHash == other.TxHash
        && TxId == other.TxId
        && Head == other.Head
        && Group.Equals(other.Group)
        && Index == other.Index
        && Proof.AsSpan().SequenceEqual(other.Proof.AsSpan());

    public override int GetHashCode() => HashCode.Combine(ChainId, Inbox, Seq, TxHash, Group);
}
