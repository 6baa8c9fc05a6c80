using NBitcoin.Secp256k1;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Receipts;

/// <summary>
/// Seals groups of log entries with one signature each. The sequencer calls
/// <see cref="SignGroup(IReadOnlyList{ReceiptFields}, out SealedGroup)"/> once per group commit, before
/// the group is written (the signature is stored with it): a group of n entries costs n leaf hashes,
/// n − 1 node hashes and one secp256k1 signature. Thread-safe.
/// </summary>
public sealed class ReceiptSigner : IDisposable
{
    private readonly ECPrivKey _key;
    private readonly Hash32 _domainSeparator;

    /// <param name="privateKey">The sequencer's 32-byte secp256k1 private key.</param>
    /// <param name="inbox">The rollup's inbox contract, the EIP-712 <c>verifyingContract</c>.</param>
    public ReceiptSigner(ReadOnlySpan<byte> privateKey, ulong chainId, EthAddress inbox)
    {
        if (privateKey.Length != 32 || !ECPrivKey.TryCreate(privateKey, out var key) || key is null)
        {
            throw new ArgumentException("The sequencer key must be 32 bytes, in [1, n) for the secp256k1 order n.", nameof(privateKey));
        }

        _key = key;
        ChainId = chainId;
        Inbox = inbox;
        SequencerAddress = Secp256k1.AddressOf(key.CreatePubKey());
        _domainSeparator = ReceiptEip712.DomainSeparator(chainId, inbox);
    }

    public ulong ChainId { get; }

    public EthAddress Inbox { get; }

    /// <summary>The address receipts recover to; publish it so clients can verify.</summary>
    public EthAddress SequencerAddress { get; }

    /// <summary>
    /// Signs one group: <paramref name="entries"/> must be non-empty and have consecutive sequence
    /// numbers in order. Returns one receipt per entry, in the same order, all sharing one <see cref="ReceiptGroup"/>.
    /// </summary>
    public IReadOnlyList<Receipt> SignGroup(IReadOnlyList<ReceiptFields> entries) => SignGroup(entries, out _);

    /// <summary>
    /// <see cref="SignGroup(IReadOnlyList{ReceiptFields})"/>, and the sealed group itself, from which any of these
    /// receipts can be cut again later without hashing the group (keep it for groups still being queried).
    /// </summary>
    public IReadOnlyList<Receipt> SignGroup(IReadOnlyList<ReceiptFields> entries, out SealedGroup sealedGroup)
    {
        var (levels, txIds, digest) = Prepare(entries);
        var signature = new byte[65];
        Secp256k1.Sign(_key, digest, signature);
        sealedGroup = Seal(entries, levels, signature);
        return Assemble(sealedGroup, entries, txIds);
    }

    /// <summary>
    /// Rebuilds a group signed earlier (read back from the log) from its entries and its stored
    /// signature, as <see cref="SignGroup(IReadOnlyList{ReceiptFields}, out SealedGroup)"/> sealed it, to
    /// cut any of its receipts from (<see cref="SealedGroup.ReceiptOf"/>). With
    /// <paramref name="checkSignature"/> the signature must recover to <see cref="SequencerAddress"/> over
    /// these very entries, else <see cref="ArgumentException"/>: a log written by another key, or edited,
    /// is refused rather than served.
    /// </summary>
    public SealedGroup Reseal(IReadOnlyList<ReceiptFields> entries, ReadOnlySpan<byte> signature, bool checkSignature)
    {
        var (levels, _, digest) = Prepare(entries);
        if (signature.Length != 65)
        {
            throw new ArgumentException("A group signature is 65 bytes.", nameof(signature));
        }

        if (checkSignature
            && (signature[64] is not (27 or 28)
                || !Secp256k1.TryRecoverAddress(digest, signature[..64], signature[64] - 27, out var signer)
                || signer != SequencerAddress))
        {
            throw new ArgumentException($"The group from seq {entries[0].Seq} is not signed by {SequencerAddress}.", nameof(signature));
        }

        return Seal(entries, levels, signature);
    }

    private (Hash32[][] Levels, Fr[] TxIds, byte[] Digest) Prepare(IReadOnlyList<ReceiptFields> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException("A group has at least one entry.", nameof(entries));
        }

        var firstSeq = entries[0].Seq;
        if ((ulong)(entries.Count - 1) > ulong.MaxValue - firstSeq)
        {
            throw new ArgumentException($"A group of {entries.Count} from seq {firstSeq} overflows 64 bits.", nameof(entries));
        }

        var leaves = new Hash32[entries.Count];
        var txIds = new Fr[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.Seq != firstSeq + (ulong)i)
            {
                throw new ArgumentException($"Group entries must be consecutive: entry {i} has seq {e.Seq}, expected {firstSeq + (ulong)i}.", nameof(entries));
            }

            txIds[i] = e.TxId;
            leaves[i] = ReceiptEip712.Leaf(e.Seq, e.ArrivalMs, txIds[i], e.Head);
        }

        var levels = ReceiptMerkle.Build(leaves);
        var digest = new byte[32];
        ReceiptEip712.GroupDigest(_domainSeparator, firstSeq, (uint)entries.Count, levels[^1][0], digest);
        return (levels, txIds, digest);
    }

    private SealedGroup Seal(IReadOnlyList<ReceiptFields> entries, Hash32[][] levels, ReadOnlySpan<byte> signature) =>
        new(ChainId, Inbox, new ReceiptGroup(entries[0].Seq, (uint)entries.Count, levels[^1][0], [.. signature]), levels);

    private static Receipt[] Assemble(SealedGroup sealedGroup, IReadOnlyList<ReceiptFields> entries, Fr[] txIds)
    {
        var receipts = new Receipt[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            receipts[i] = sealedGroup.At(entries[i], txIds[i], i);
        }

        return receipts;
    }

    public void Dispose() => _key.Dispose();
}
