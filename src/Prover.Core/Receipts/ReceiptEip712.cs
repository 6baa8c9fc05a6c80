using System.Buffers.Binary;
using System.Text;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Receipts;

/// <summary>
/// The EIP-712 encoding of receipts, hand-rolled over spans so that a group costs one keccak per leaf
/// and per tree node and nothing else. Tests prove it equal to Nethereum's generic
/// <c>Eip712TypedDataEncoder</c>. See docs/receipts.md.
/// </summary>
internal static class ReceiptEip712
{
    public const string Name = "Prover Sequencer";
    public const string Version = "1";
    public const string DomainType = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
    public const string ReceiptType = "Receipt(uint64 seq,uint64 arrivalMs,bytes32 txId,bytes32 head)";
    public const string GroupType = "ReceiptGroup(uint64 firstSeq,uint32 count,bytes32 receiptsRoot)";

    private static readonly byte[] DomainTypeHash = HashText(DomainType);
    private static readonly byte[] ReceiptTypeHash = HashText(ReceiptType);
    private static readonly byte[] GroupTypeHash = HashText(GroupType);
    private static readonly byte[] NameHash = HashText(Name);
    private static readonly byte[] VersionHash = HashText(Version);

    private static byte[] HashText(string s)
    {
        var h = new byte[32];
        Keccak256.Hash(Encoding.UTF8.GetBytes(s), h);
        return h;
    }

    /// <summary>hashStruct(EIP712Domain{name, version, chainId, verifyingContract = inbox}).</summary>
    public static Hash32 DomainSeparator(ulong chainId, EthAddress inbox)
    {
        Span<byte> buf = stackalloc byte[5 * 32];
        buf.Clear();
        DomainTypeHash.CopyTo(buf);
        NameHash.CopyTo(buf[32..]);
        VersionHash.CopyTo(buf[64..]);
        BinaryPrimitives.WriteUInt64BigEndian(buf[(96 + 24)..], chainId);
        inbox.WriteTo(buf[(128 + 12)..]);
        return Keccak256.Hash(buf);
    }

    /// <summary>The Merkle leaf of one entry: hashStruct(Receipt{seq, arrivalMs, txId, head}).</summary>
    public static Hash32 Leaf(ulong seq, ulong arrivalMs, Fr txId, Fr head)
    {
        Span<byte> buf = stackalloc byte[5 * 32];
        buf[..96].Clear();
        ReceiptTypeHash.CopyTo(buf);
        BinaryPrimitives.WriteUInt64BigEndian(buf[(32 + 24)..], seq);
        BinaryPrimitives.WriteUInt64BigEndian(buf[(64 + 24)..], arrivalMs);
        txId.WriteBigEndian(buf[96..]);
        head.WriteBigEndian(buf[128..]);
        return Keccak256.Hash(buf);
    }

    /// <summary>hashStruct(ReceiptGroup{firstSeq, count, receiptsRoot}).</summary>
    public static Hash32 GroupStructHash(ulong firstSeq, uint count, Hash32 receiptsRoot)
    {
        Span<byte> buf = stackalloc byte[4 * 32];
        buf[..96].Clear();
        GroupTypeHash.CopyTo(buf);
        BinaryPrimitives.WriteUInt64BigEndian(buf[(32 + 24)..], firstSeq);
        BinaryPrimitives.WriteUInt32BigEndian(buf[(64 + 28)..], count);
        receiptsRoot.WriteTo(buf[96..]);
        return Keccak256.Hash(buf);
    }

    /// <summary>The digest the sequencer signs: keccak256(0x19 0x01 || domainSeparator || hashStruct(group)) (EIP-712).</summary>
    public static void GroupDigest(Hash32 domainSeparator, ulong firstSeq, uint count, Hash32 receiptsRoot, Span<byte> digest32)
    {
        Span<byte> buf = stackalloc byte[2 + 32 + 32];
        buf[0] = 0x19;
        buf[1] = 0x01;
        domainSeparator.WriteTo(buf[2..]);
        GroupStructHash(firstSeq, count, receiptsRoot).WriteTo(buf[34..]);
        Keccak256.Hash(buf, digest32);
    }
}
