using Prover.Core;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Receipts;

namespace Prover.Sequencer.Log;

/// <summary>A transaction waiting to be logged, with the time the sequencer received it.</summary>
internal readonly record struct PendingTransaction(SignedTransaction Tx, ulong ReceivedMs);

/// <summary>The sequencer refuses a transaction for a reason that is about the log, not the transaction's bytes.</summary>
public sealed class TransactionRejectedException : ProverException
{
    public TransactionRejectedException(string reason, string message) : base(message) => Reason = reason;

    /// <summary>A stable, machine-readable reason, e.g. <c>already-known</c>.</summary>
    public string Reason { get; }
}

/// <summary>
/// The append-only receipt log: assigns sequence numbers and arrival times, advances the Poseidon
/// head, signs each group once, and makes the group durable before any of its receipts exists.
/// One writer appends; readers (receipt and batch queries) may call from any thread.
/// </summary>
internal sealed class ReceiptLog : IDisposable
{
    private readonly object _gate = new();
    private readonly LogFile _file;
    private readonly ReceiptSigner _signer;
    // Every entry and every group as a compact record with no references (what receipts, cuts and heads
    // need), and the full entries only for the log's tail: those of batches not yet stored, which the
    // batch emitter still reads. A stored batch's entries are let go (the log file and the batch keep
    // them), so a long-running sequencer holds 140-220 bytes per logged transaction (the records and
    // the tx-id index, see docs/receipt-log.md) instead of its decoded objects, and the collector no
    // longer carries every transaction into its oldest generation.
    private readonly ChunkedList<EntryRecord> _records = new();
    private readonly List<LogEntry> _held = []; // the last _held.Count entries of the log
    private readonly ChunkedList<GroupRecord> _groups = new();
    private readonly TxIdIndex _seqByTxId = new();
    private readonly SealedGroupCache _sealedGroups;
    private ulong _lastArrival;
    private Fr _head;

    private ReceiptLog(LogFile file, ReceiptSigner signer, Fr genesis, int sealedGroupCacheNodes)
    {
        _sealedGroups = new SealedGroupCache(sealedGroupCacheNodes);
        _file = file;
        _signer = signer;
        Genesis = genesis;
        _head = genesis;
    }

    public Fr Genesis { get; }

    /// <summary>The head after the last durable entry.</summary>
    public Fr Head
    {
        get
        {
            lock (_gate)
            {
                return _head; // 32 bytes: an unlocked read could tear while the writer commits
            }
        }
    }

    /// <summary>The next seq and the head after the entry before it, read together so they describe one moment.</summary>
    public (ulong NextSeq, Fr Head) Position
    {
        get
        {
            lock (_gate)
            {
                return (_records.Count, _head);
            }
        }
    }

    public ulong NextSeq
    {
        get
        {
            lock (_gate)
            {
                return _records.Count;
            }
        }
    }

    public string Path => _file.Path;

    /// <summary>Bytes of the file that hold the log; the file may run on with preallocated zeros.</summary>
    internal long ValidLength => _file.Length;

    /// <summary>For tests: how many groups' receipt trees are kept (see <see cref="SealedGroupCache"/>).</summary>
    internal int SealedGroupsHeld => _sealedGroups.Count;

    /// <summary>For tests: see <see cref="LogFile.FaultInjection"/>.</summary>
    internal Action<string>? StorageFault
    {
        get => _file.FaultInjection;
        set => _file.FaultInjection = value;
    }

    /// <summary>
    /// Opens the log and replays it: every entry's head is recomputed and every group's signature is
    /// checked against the sequencer key, so a log that was edited or written by another key is refused.
    /// </summary>
    /// <param name="sealedGroupCacheNodes">How many receipt-tree hashes to keep for recent groups (see <see cref="SealedGroupCache"/>).</param>
    public static ReceiptLog Open(string path, ReceiptSigner signer, out long truncatedBytes, int sealedGroupCacheNodes = SealedGroupCache.DefaultCapacityNodes)
    {
        var file = LogFile.Open(path, signer.ChainId, signer.Inbox, out var groups, out truncatedBytes);
        try
        {
            var log = new ReceiptLog(file, signer, ReceiptChain.Genesis(signer.ChainId, signer.Inbox), sealedGroupCacheNodes);
            foreach (var group in groups)
            {
                log.Replay(group);
            }

            return log;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Logs a group: one fsync, one signature. Returns, per input and in input order, the receipt or the
    /// reason it was refused. Nothing is changed in memory unless the group reached the disk.
    /// </summary>
    public IReadOnlyList<Result> Append(IReadOnlyList<PendingTransaction> pending) => Persist(Prepare(pending, after: null));

    /// <summary>
    /// The hashing half of <see cref="Append"/>: assigns seq and arrival and advances the head for each
    /// transaction it accepts, starting from the durable tail or, when <paramref name="after"/> is given,
    /// from the end of that group, which is still being persisted. Changes nothing; only the log writer
    /// calls it, so that the next group hashes while the previous one is signed and synced.
    /// </summary>
    public PreparedGroup Prepare(IReadOnlyList<PendingTransaction> pending, PreparedGroup? after)
    {
        var results = new Result[pending.Count];
        var accepted = new List<LogEntry>(pending.Count);
        var heads = new List<Fr>(pending.Count);
        var acceptedIndex = new List<int>(pending.Count);
        var inGroup = new HashSet<Fr>(pending.Count);
        ulong firstSeq;
        Fr head;
        ulong lastArrival;
        if (after is null)
        {
            lock (_gate)
            {
                firstSeq = _records.Count;
                head = _head;
                lastArrival = _lastArrival;
            }
        }
        else
        {
            (firstSeq, head, lastArrival) = (after.FirstSeq + (ulong)after.Entries.Count, after.EndHead, after.EndArrival);
        }

        for (var i = 0; i < pending.Count; i++)
        {
            var (tx, received) = pending[i];
            var txId = CircuitEncoding.TxId(tx.Hash);
            bool known;
            lock (_gate)
            {
                known = _seqByTxId.Contains(txId);
            }

            if (known || (after is not null && after.TxIds.Contains(txId)) || !inGroup.Add(txId))
            {
                results[i] = Result.Rejected(new TransactionRejectedException("already-known", $"transaction {tx.Hash} is already in the receipt log (already known)"));
                continue;
            }

            // Arrival times never decrease along the log, whatever order concurrent requests raced in.
            lastArrival = Math.Max(received, lastArrival);
            var entry = new LogEntry(firstSeq + (ulong)accepted.Count, lastArrival, tx);
            head = ReceiptChain.Step(head, entry.Leaf);
            accepted.Add(entry);
            heads.Add(head);
            acceptedIndex.Add(i);
        }

        return new PreparedGroup(firstSeq, accepted, heads, acceptedIndex, results, inGroup, head, lastArrival);
    }

    /// <summary>
    /// The durable half of <see cref="Append"/>: signs the prepared group, writes and syncs it, and only
    /// then makes it visible. The group must continue the durable tail (the one it was prepared after
    /// was persisted). Throws what the file throws; the log is then unchanged.
    /// </summary>
    public IReadOnlyList<Result> Persist(PreparedGroup group)
    {
        var results = group.Results;
        var accepted = group.Entries;
        if (accepted.Count == 0)
        {
            return results;
        }

        lock (_gate)
        {
            if (group.FirstSeq != _records.Count)
            {
                throw new InvalidOperationException($"The group at seq {group.FirstSeq} does not continue the log, which ends at seq {(long)_records.Count - 1}.");
            }
        }

        var receipts = _signer.SignGroup(ReceiptFieldsOf(accepted, group.Heads), out var sealedGroup);
        var signature = sealedGroup.Group.Signature.AsSpan();
        _file.Append(new StoredGroup(group.FirstSeq, accepted, signature.ToArray()));

        lock (_gate)
        {
            Commit(new GroupRecord(group.FirstSeq, accepted.Count, signature), accepted, group.Heads);
        }

        _sealedGroups.Add(sealedGroup);

        for (var k = 0; k < accepted.Count; k++)
        {
            results[group.AcceptedIndex[k]] = Result.Accepted(receipts[k]);
        }

        return results;
    }

    /// <summary>Whether <paramref name="txHash"/> is in the log: an index lookup, no receipt built.</summary>
    public bool Contains(Hash32 txHash)
    {
        lock (_gate)
        {
            return _seqByTxId.TryGetSeq(CircuitEncoding.TxId(txHash), out var seq) && _records[seq].TxHash == txHash;
        }
    }

    /// <summary>
    /// The receipt for a logged transaction, cut from its group's tree: kept for recent groups, rebuilt
    /// from the stored records and signature for older ones (then kept too).
    /// </summary>
    public bool TryGetReceipt(Hash32 txHash, out Receipt? receipt)
    {
        receipt = null;
        ReceiptFields entry;
        GroupRecord group;
        lock (_gate)
        {
            if (!_seqByTxId.TryGetSeq(CircuitEncoding.TxId(txHash), out var seq) || _records[seq].TxHash != txHash)
            {
                return false;
            }

            group = FindGroup(seq);
            var r = _records[seq];
            entry = new ReceiptFields(seq, r.ArrivalMs, r.TxHash, r.Head);
        }

        if (!_sealedGroups.TryGet(group.FirstSeq, out var sealedGroup))
        {
            var fields = new List<ReceiptFields>(group.Count);
            lock (_gate)
            {
                // Records are never changed once committed, so a second look sees the same group.
                for (var s = group.FirstSeq; s < group.FirstSeq + (ulong)group.Count; s++)
                {
                    var r = _records[s];
                    fields.Add(new ReceiptFields(s, r.ArrivalMs, r.TxHash, r.Head));
                }
            }

            sealedGroup = _signer.Reseal(fields, group.Signature, checkSignature: false);
            _sealedGroups.Add(sealedGroup);
        }

        receipt = sealedGroup.ReceiptOf(entry);
        return true;
    }

    /// <summary>
    /// Entries <paramref name="firstSeq"/> .. +<paramref name="count"/>, the head before the first and the
    /// head after each. The entries must still be held (not released by <see cref="ReleaseBefore"/>).
    /// </summary>
    public (Fr PrevHead, IReadOnlyList<LogEntry> Entries, IReadOnlyList<Fr> Heads) Segment(ulong firstSeq, int count)
    {
        lock (_gate)
        {
            var heldFrom = HeldFromLocked;
            if (firstSeq < heldFrom || firstSeq + (ulong)count > _records.Count)
            {
                throw new InvalidOperationException($"Entries {firstSeq}..{firstSeq + (ulong)count - 1} are not held: the log holds {heldFrom}..{(long)_records.Count - 1}.");
            }

            var prev = firstSeq == 0 ? Genesis : _records[firstSeq - 1].Head;
            var heads = new Fr[count];
            for (var i = 0; i < count; i++)
            {
                heads[i] = _records[firstSeq + (ulong)i].Head;
            }

            return (prev, _held.GetRange((int)(firstSeq - heldFrom), count), heads);
        }
    }

    /// <summary>When the entry with sequence number <paramref name="seq"/> was logged, Unix ms.</summary>
    public ulong ArrivalAt(ulong seq)
    {
        lock (_gate)
        {
            return _records[seq].ArrivalMs;
        }
    }

    /// <summary>The full entries the log still holds: from this seq to its end.</summary>
    public ulong HeldFrom
    {
        get
        {
            lock (_gate)
            {
                return HeldFromLocked;
            }
        }
    }

    private ulong HeldFromLocked => _records.Count - (ulong)_held.Count;

    /// <summary>
    /// Lets go of the full entries before <paramref name="seq"/>, once their batches are stored. Receipts,
    /// heads and arrival times stay available for every entry.
    /// </summary>
    public void ReleaseBefore(ulong seq)
    {
        lock (_gate)
        {
            var heldFrom = HeldFromLocked;
            if (seq > heldFrom)
            {
                _held.RemoveRange(0, (int)(Math.Min(seq, _records.Count) - heldFrom));
            }
        }
    }

    public void Dispose() => _file.Dispose();

    private void Replay(StoredGroup group)
    {
        var heads = new List<Fr>(group.Entries.Count);
        var head = _head;
        foreach (var e in group.Entries)
        {
            if (e.ArrivalMs < _lastArrival)
            {
                throw new CorruptStateException(_file.Path, $"entry {e.Seq} arrives at {e.ArrivalMs} ms, before its predecessor ({_lastArrival} ms).");
            }

            if (_seqByTxId.Contains(e.TxId))
            {
                throw new CorruptStateException(_file.Path, $"entry {e.Seq} repeats transaction {e.Tx.Hash}.");
            }

            head = ReceiptChain.Step(head, e.Leaf);
            heads.Add(head);
            _lastArrival = e.ArrivalMs;
        }

        SealedGroup sealedGroup;
        try
        {
            sealedGroup = _signer.Reseal(ReceiptFieldsOf(group.Entries, heads), group.Signature, checkSignature: true);
        }
        catch (ArgumentException e)
        {
            throw new CorruptStateException(_file.Path, $"the group at seq {group.FirstSeq} is not signed by this sequencer's key ({_signer.SequencerAddress}) over these entries. Start with the key that wrote this log, or restore the log.", e);
        }

        Commit(new GroupRecord(group.FirstSeq, group.Entries.Count, group.Signature), group.Entries, heads);
        _sealedGroups.Add(sealedGroup); // the last groups before a restart are the ones clients still ask for
    }

    private void Commit(GroupRecord group, IReadOnlyList<LogEntry> entries, IReadOnlyList<Fr> heads)
    {
        foreach (var e in entries)
        {
            _seqByTxId.Add(e.TxId, e.Seq);
        }

        for (var i = 0; i < entries.Count; i++)
        {
            _records.Add(new EntryRecord(entries[i].ArrivalMs, entries[i].Tx.Hash, heads[i]));
        }

        _held.AddRange(entries);
        _groups.Add(group);
        _head = heads[^1];
        _lastArrival = entries[^1].ArrivalMs;
    }

    private GroupRecord FindGroup(ulong seq)
    {
        ulong lo = 0, hi = _groups.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_groups[mid].FirstSeq <= seq)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _groups[lo];
    }

    private static List<ReceiptFields> ReceiptFieldsOf(IReadOnlyList<LogEntry> entries, IReadOnlyList<Fr> heads)
    {
        var fields = new List<ReceiptFields>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            fields.Add(new ReceiptFields(e.Seq, e.ArrivalMs, e.Tx.Hash, heads[i]));
        }

        return fields;
    }

    /// <summary>What the log keeps of every group commit: 80 bytes and no references, like <see cref="EntryRecord"/>.</summary>
    private readonly struct GroupRecord
    {
        public readonly ulong FirstSeq;
        public readonly int Count;
        public readonly GroupSignature Signature;

        public GroupRecord(ulong firstSeq, int count, ReadOnlySpan<byte> signature)
        {
            FirstSeq = firstSeq;
            Count = count;
            signature.CopyTo(Signature);
        }
    }

    /// <summary>A group's 65-byte EIP-712 signature, stored inline.</summary>
    [System.Runtime.CompilerServices.InlineArray(65)]
    private struct GroupSignature
    {
        private byte _first;
    }

    /// <summary>What the log keeps of every entry: 72 bytes and no references.</summary>
    private readonly record struct EntryRecord(ulong ArrivalMs, Hash32 TxHash, Fr Head);

    /// <summary>A group hashed onto the log's tail, not yet durable (see <see cref="Prepare"/>).</summary>
    internal sealed record PreparedGroup(
        ulong FirstSeq,
        IReadOnlyList<LogEntry> Entries,
        IReadOnlyList<Fr> Heads,
        IReadOnlyList<int> AcceptedIndex,
        Result[] Results,
        IReadOnlySet<Fr> TxIds,
        Fr EndHead,
        ulong EndArrival);

    /// <summary>Either a receipt or the reason there is none.</summary>
    internal readonly record struct Result(Receipt? Receipt, ProverException? Error)
    {
        public static Result Accepted(Receipt r) => new(r, null);
        public static Result Rejected(ProverException e) => new(null, e);
    }
}
