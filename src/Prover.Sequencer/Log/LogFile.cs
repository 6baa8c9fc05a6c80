using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Prover.Core;
using Prover.Core.Ethereum;
using Prover.Core.Log;

namespace Prover.Sequencer.Log;

/// <summary>One group commit as it is stored: its entries (seq-contiguous) and the one signature over them.</summary>
internal sealed record StoredGroup(ulong FirstSeq, IReadOnlyList<LogEntry> Entries, byte[] Signature);

/// <summary>
/// The receipt log on disk: a header binding it to one rollup, then one CRC-framed record per group
/// commit. A frame is written with a single write and made durable (fdatasync) before any of its
/// receipts is returned, so after a crash the only thing that can be damaged is a tail that nobody
/// was ever promised; recovery cuts exactly that and nothing else.
/// </summary>
/// <remarks>
/// The file is grown ahead of the log, <see cref="PreallocationChunk"/> bytes of written zeros at a
/// time. Appending at the end of a file changes its size, and on ext4 every such sync commits a
/// journal transaction as well as the data; a frame written into space that already exists, as
/// initialized blocks, syncs its data alone. Measured on this project's machine, that took the sync's
/// 90th percentile from 0.32–0.49 ms to 0.19–0.27 ms (BENCHMARKS.md, `log-sync`). Zeros past the last frame are
/// therefore normal, and recovery already reads them as "nothing written here".
/// </remarks>
internal sealed class LogFile : IDisposable
{
    /// <summary>
    /// How far the file grows at a time. Writing and syncing 1 MiB of zeros takes about a millisecond
    /// here, paid by one group in every few thousand transactions; larger chunks stalled that group for
    /// 4–40 ms.
    /// </summary>
    internal const int PreallocationChunk = 1 << 20;

    private const int HeaderSize = 64;
    private const int FrameHeaderSize = 8; // u32 payload length, u32 CRC-32C of the payload
    private const uint FormatVersion = 1;
    private const int SignatureSize = 65;
    private const int EntryFixedSize = 8 + 1 + 32 + 20 + 8 + 8 + 8 + 4;
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("PROVERLG");

    private static readonly byte[] Zeros = new byte[64 * 1024];

    private readonly FileStream _stream;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private long _end;
    private long _allocated;
    private bool _unrecoverable;

    private LogFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
        _end = _allocated = stream.Length;
    }

    public string Path { get; }

    /// <summary>Bytes of valid log, i.e. where the next frame goes. The file itself may be longer (zeros).</summary>
    public long Length => _end;

    /// <summary>
    /// For tests: called with "grow", "write", "sync" or "truncate" before that step of an append, so
    /// that a test can make it fail the way a full or failing disk would.
    /// </summary>
    internal Action<string>? FaultInjection { get; set; }

    /// <summary>
    /// Opens (creating if absent) the log and reads back every intact group. Whatever follows the last
    /// intact frame — a torn frame, zeros the filesystem left in place of lost data, unused preallocated
    /// space — is cut off; <paramref name="truncatedBytes"/> counts the part of it that holds data (up to
    /// its last non-zero byte), so a clean stop reports 0. A damaged frame with data after it is
    /// corruption of acknowledged entries and stops the start with an explanation.
    /// </summary>
    public static LogFile Open(string path, ulong chainId, EthAddress inbox, out List<StoredGroup> groups, out long truncatedBytes)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
        try
        {
            groups = [];
            truncatedBytes = 0;
            if (stream.Length == 0)
            {
                WriteHeader(stream, chainId, inbox);
            }
            else
            {
                CheckHeader(path, stream, chainId, inbox);
                var (validEnd, dataEnd) = ReadFrames(path, stream, chainId, groups);
                truncatedBytes = dataEnd - validEnd;
                if (stream.Length > validEnd)
                {
                    stream.SetLength(validEnd);
                    stream.Flush(flushToDisk: true);
                }
            }

            stream.Seek(0, SeekOrigin.End);
            return new LogFile(path, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends one group and returns only once it is on disk (fdatasync). A failed append leaves the
    /// file as it was; if even that fails, every later append is refused until a restart recovers the
    /// log from what the disk holds.
    /// </summary>
    public void Append(StoredGroup group)
    {
        if (_unrecoverable)
        {
            throw new IOException($"{Path} could not be cut back to its last acknowledged group after a failed write, so nothing more is appended to it. Restart the sequencer: it recovers the log from what the disk holds.");
        }

        _buffer.ResetWrittenCount();
        _buffer.GetSpan(FrameHeaderSize);
        _buffer.Advance(FrameHeaderSize); // filled in below, once the payload's length and CRC are known
        WritePayload(_buffer, group);

        var frame = MemoryMarshalWritten();
        var payload = frame[FrameHeaderSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(frame.Span, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.Span[4..], Crc32C.Compute(payload.Span));

        var before = _end;
        try
        {
            var handle = _stream.SafeFileHandle;
            if (before + frame.Length > _allocated)
            {
                // Grow first, so that a full disk fails here, before any byte of the frame is written.
                FaultInjection?.Invoke("grow");
                var grown = (before + frame.Length + PreallocationChunk - 1) / PreallocationChunk * PreallocationChunk;
                for (var at = _allocated; at < grown; at += Zeros.Length)
                {
                    RandomAccess.Write(handle, Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, grown - at)), at);
                }

                _allocated = grown;
            }

            FaultInjection?.Invoke("write");
            RandomAccess.Write(handle, frame.Span, before);
            FaultInjection?.Invoke("sync");
            DataSync.Flush(_stream);
            _end = before + frame.Length;
        }
        catch (IOException)
        {
            // Leave no partial frame behind (disk full, I/O error): the next append, or the next
            // start, must find the log exactly as it was before this group. If the file cannot be
            // cut back, appending behind whatever is left could strand it between acknowledged
            // groups, where the next start would read it as damage: stop instead, and let a restart
            // recover (it cuts a torn tail).
            _unrecoverable = !TryTruncate(before);
            throw;
        }
    }

    private bool TryTruncate(long length)
    {
        try
        {
            // The preallocated space goes too: the frame may have landed in part, and the next append
            // grows the file again with zeros.
            FaultInjection?.Invoke("truncate");
            _allocated = length;
            _stream.SetLength(length);
            _stream.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => _stream.Dispose();

    private Memory<byte> MemoryMarshalWritten() =>
        System.Runtime.InteropServices.MemoryMarshal.AsMemory(_buffer.WrittenMemory);

    private static void WriteHeader(FileStream stream, ulong chainId, EthAddress inbox)
    {
        Span<byte> h = stackalloc byte[HeaderSize];
        h.Clear();
        Magic.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], FormatVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(h[12..], chainId);
        inbox.WriteTo(h[20..40]);
        stream.Write(h);
        stream.Flush(flushToDisk: true);
    }

    private static void CheckHeader(string path, FileStream stream, ulong chainId, EthAddress inbox)
    {
        Span<byte> h = stackalloc byte[HeaderSize];
        stream.Seek(0, SeekOrigin.Begin);
        if (stream.ReadAtLeast(h, HeaderSize, throwOnEndOfStream: false) < HeaderSize || !h[..8].SequenceEqual(Magic))
        {
            throw new CorruptStateException(path, "is not a Prover receipt log (bad header). Point --data-dir at an empty directory or at a directory written by `prover sequencer`.");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(h[8..]);
        if (version != FormatVersion)
        {
            throw new CorruptStateException(path, $"has log format version {version}; this build reads version {FormatVersion}.");
        }

        var fileChain = BinaryPrimitives.ReadUInt64LittleEndian(h[12..]);
        var fileInbox = new EthAddress(h[20..40]);
        if (fileChain != chainId || fileInbox != inbox)
        {
            throw new SequencerConfigurationException(
                $"{path} belongs to chain {fileChain}, inbox {fileInbox}, but the sequencer was started for chain {chainId}, inbox {inbox}. " +
                "Start it with the log's chain id and inbox, or use another --data-dir.");
        }
    }

    /// <summary>Reads every intact frame; returns where they end and where the data after them ends (see <see cref="EndOfIntactLog"/>).</summary>
    private static (long ValidEnd, long DataEnd) ReadFrames(string path, FileStream stream, ulong chainId, List<StoredGroup> groups)
    {
        var length = stream.Length;
        var offset = (long)HeaderSize;
        var expectedSeq = 0UL;
        Span<byte> fh = stackalloc byte[FrameHeaderSize];
        var payload = Array.Empty<byte>();
        while (offset < length)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            if (length - offset < FrameHeaderSize)
            {
                return (offset, EndOfIntactLog(path, stream, offset, 0, 0, expectedSeq, "a frame header cut short"));
            }

            stream.ReadExactly(fh);
            var payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(fh);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(fh[4..]);
            var end = offset + FrameHeaderSize + payloadLength;
            if (end > length)
            {
                // The frame runs past the end: its write never completed, unless it is the length that is damaged.
                return (offset, EndOfIntactLog(path, stream, offset, payloadLength, crc, expectedSeq, "a frame that runs past the end of the file"));
            }

            if (payloadLength == 0)
            {
                return (offset, EndOfIntactLog(path, stream, offset, payloadLength, crc, expectedSeq, "an empty frame"));
            }

            if (payload.Length < payloadLength)
            {
                payload = new byte[Math.Max(payloadLength, payload.Length * 2)];
            }

            var span = payload.AsSpan(0, (int)payloadLength);
            stream.ReadExactly(span);
            if (Crc32C.Compute(span) != crc)
            {
                return (offset, EndOfIntactLog(path, stream, offset, payloadLength, crc, expectedSeq, "the group commit there fails its checksum"));
            }

            var group = ReadPayload(path, offset, span, chainId);
            if (group.FirstSeq != expectedSeq)
            {
                throw new CorruptStateException(path, $"the group commit at byte {offset} starts at seq {group.FirstSeq}, expected {expectedSeq}.");
            }

            expectedSeq += (ulong)group.Entries.Count;
            groups.Add(group);
            offset = end;
        }

        return (offset, offset);
    }

    /// <summary>
    /// A frame that seems to run past the end of the file, or whose checksum fails, is normally the tail
    /// of an interrupted write. A damaged length field looks the same, and cutting there would drop the
    /// acknowledged group behind it. A torn write leaves only part of one frame, so its entries cannot
    /// all be present and match its checksum: if a complete group for the expected seq, matching the
    /// frame's checksum, can be read at this offset, the length field is what is damaged.
    /// </summary>
    private static bool HoldsCompleteGroup(FileStream stream, long offset, long length, uint crc, ulong expectedSeq)
    {
        // Walks the entries' lengths field by field, so that only the group itself is ever read whole,
        // however much of the log lies behind it.
        var available = length - offset - FrameHeaderSize;
        if (available < 12 + SignatureSize)
        {
            return false;
        }

        Span<byte> field = stackalloc byte[12];
        stream.Seek(offset + FrameHeaderSize, SeekOrigin.Begin);
        stream.ReadExactly(field);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(field[8..]);
        if (BinaryPrimitives.ReadUInt64LittleEndian(field) != expectedSeq || count == 0)
        {
            return false;
        }

        var size = 12L + SignatureSize;
        for (var i = 0U; i < count; i++)
        {
            if (available - size < EntryFixedSize)
            {
                return false;
            }

            stream.Seek(offset + FrameHeaderSize + size + EntryFixedSize - 4, SeekOrigin.Begin);
            stream.ReadExactly(field[..4]);
            var rawLength = BinaryPrimitives.ReadUInt32LittleEndian(field);
            size += EntryFixedSize + (long)rawLength;
            if (rawLength == 0 || size > available || size > Array.MaxLength)
            {
                return false; // zero fill, or entries that run past the end: a torn write after all
            }
        }

        var group = new byte[size];
        stream.Seek(offset + FrameHeaderSize, SeekOrigin.Begin);
        stream.ReadExactly(group);
        return Crc32C.Compute(group) == crc;
    }

    private static CorruptStateException DamagedLength(string path, long offset, uint payloadLength) =>
        new(path, $"the group commit at byte {offset} has a damaged length field ({payloadLength} bytes), yet a complete group that passes its checksum is stored there, so acknowledged entries would be lost by cutting the log. Restore the data directory from a copy; Prover will not guess.");

    /// <summary>
    /// The log could not be read past <paramref name="offset"/>: decides whether that is the tail of an
    /// interrupted write, to be cut, or damage to acknowledged entries, which stops the start. Only one
    /// frame is ever in flight, and a write into preallocated space can land any subset of its sectors,
    /// so a torn frame may show its header without its payload, its payload without its header, or any
    /// mix with zeros. What a torn write cannot leave is a complete group: neither at this offset behind
    /// a damaged length field, nor a frame after it that passes its checksum. Either means an
    /// acknowledged group is stored past the point where reading failed, and cutting would lose it.
    /// </summary>
    /// <returns>Where the data after <paramref name="offset"/> ends (see <see cref="EndOfData"/>), what a cut there removes.</returns>
    private static long EndOfIntactLog(string path, FileStream stream, long offset, uint payloadLength, uint crc, ulong expectedSeq, string what)
    {
        var dataEnd = EndOfData(stream, offset);
        if (dataEnd == offset)
        {
            return dataEnd; // only zeros: preallocated space, or a write the filesystem lost entirely
        }

        if (HoldsCompleteGroup(stream, offset, stream.Length, crc, expectedSeq))
        {
            throw DamagedLength(path, offset, payloadLength);
        }

        if (IntactFrameAfter(stream, offset, expectedSeq) is { } next)
        {
            throw new CorruptStateException(path, $"reading stops at byte {offset} ({what}), yet an intact group commit follows at byte {next}, so acknowledged entries are damaged. Restore the data directory from a copy; Prover will not guess.");
        }

        return dataEnd;
    }

    /// <summary>
    /// The first offset after <paramref name="damaged"/> where a frame that passes its checksum starts,
    /// continuing the log past the group expected at <paramref name="damaged"/>; null if there is none.
    /// Every byte offset is a candidate, so a damaged header does not hide the frames behind it; the
    /// seq and count fields rule out almost every candidate before a checksum is computed.
    /// </summary>
    private static long? IntactFrameAfter(FileStream stream, long damaged, ulong expectedSeq)
    {
        const int Window = 1 << 20;
        const int Probe = FrameHeaderSize + 12; // length, CRC, first seq, count
        var length = stream.Length;
        var window = new byte[Window + Probe];
        for (var start = damaged + 1; start + Probe <= length; start += Window)
        {
            var read = (int)Math.Min(window.Length, length - start);
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(window.AsSpan(0, read));
            for (var i = 0; i + Probe <= read && i < Window; i++)
            {
                var candidate = start + i;
                var payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(window.AsSpan(i));
                var firstSeq = BinaryPrimitives.ReadUInt64LittleEndian(window.AsSpan(i + FrameHeaderSize));
                var count = BinaryPrimitives.ReadUInt32LittleEndian(window.AsSpan(i + FrameHeaderSize + 8));

                // A later group starts past the expected seq by at most one entry per EntryFixedSize bytes.
                if (firstSeq <= expectedSeq || firstSeq - expectedSeq > (ulong)(candidate - damaged) / EntryFixedSize || count == 0
                    || payloadLength < 12 + SignatureSize + ((ulong)count * EntryFixedSize) || candidate + FrameHeaderSize + payloadLength > length)
                {
                    continue;
                }

                var payload = new byte[payloadLength];
                stream.Seek(candidate + FrameHeaderSize, SeekOrigin.Begin);
                stream.ReadExactly(payload);
                if (Crc32C.Compute(payload) == BinaryPrimitives.ReadUInt32LittleEndian(window.AsSpan(i + 4)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Where the data after <paramref name="from"/> ends: one past its last non-zero byte, or <paramref name="from"/> if only zeros follow.</summary>
    private static long EndOfData(FileStream stream, long from)
    {
        var chunk = new byte[64 * 1024];
        var end = stream.Length;
        while (end > from)
        {
            var start = Math.Max(from, end - chunk.Length);
            var span = chunk.AsSpan(0, (int)(end - start));
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(span);
            var last = span.LastIndexOfAnyExcept((byte)0);
            if (last >= 0)
            {
                return start + last + 1;
            }

            end = start;
        }

        return from;
    }

    private static void WritePayload(ArrayBufferWriter<byte> w, StoredGroup group)
    {
        var head = w.GetSpan(8 + 4 + SignatureSize);
        BinaryPrimitives.WriteUInt64LittleEndian(head, group.FirstSeq);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], (uint)group.Entries.Count);
        if (group.Signature.Length != SignatureSize)
        {
            throw new ArgumentException($"A group signature is {SignatureSize} bytes.", nameof(group));
        }

        group.Signature.CopyTo(head[12..]);
        w.Advance(8 + 4 + SignatureSize);

        foreach (var e in group.Entries)
        {
            var tx = e.Tx;
            var s = w.GetSpan(EntryFixedSize + tx.Raw.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(s, e.ArrivalMs);
            s[8] = (byte)tx.Type;
            tx.Hash.WriteTo(s[9..41]);
            tx.Sender.WriteTo(s[41..61]);
            BinaryPrimitives.WriteUInt64LittleEndian(s[61..], tx.Nonce);
            BinaryPrimitives.WriteUInt64LittleEndian(s[69..], tx.PriorityFee);
            BinaryPrimitives.WriteUInt64LittleEndian(s[77..], tx.GasLimit);
            BinaryPrimitives.WriteUInt32LittleEndian(s[85..], (uint)tx.Raw.Length);
            tx.Raw.CopyTo(s[EntryFixedSize..]);
            w.Advance(EntryFixedSize + tx.Raw.Length);
        }
    }

    private static StoredGroup ReadPayload(string path, long offset, ReadOnlySpan<byte> p, ulong chainId)
    {
        try
        {
            var firstSeq = BinaryPrimitives.ReadUInt64LittleEndian(p);
            var count = BinaryPrimitives.ReadUInt32LittleEndian(p[8..]);
            var signature = p.Slice(12, SignatureSize).ToArray();
            p = p[(12 + SignatureSize)..];
            var entries = new List<LogEntry>((int)Math.Min(count, 1 << 16));
            for (var i = 0UL; i < count; i++)
            {
                var arrival = BinaryPrimitives.ReadUInt64LittleEndian(p);
                var type = (TransactionType)p[8];
                var hash = new Hash32(p[9..41]);
                var sender = new EthAddress(p[41..61]);
                var nonce = BinaryPrimitives.ReadUInt64LittleEndian(p[61..]);
                var fee = BinaryPrimitives.ReadUInt64LittleEndian(p[69..]);
                var gas = BinaryPrimitives.ReadUInt64LittleEndian(p[77..]);
                var rawLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(p[85..]);
                var raw = p.Slice(EntryFixedSize, rawLength).ToArray();
                p = p[(EntryFixedSize + rawLength)..];
                entries.Add(new LogEntry(firstSeq + i, arrival, new SignedTransaction(raw, hash, type, chainId, sender, nonce, fee, gas)));
            }

            if (!p.IsEmpty)
            {
                throw new CorruptStateException(path, $"the group commit at byte {offset} has {p.Length} unexpected trailing bytes.");
            }

            return new StoredGroup(firstSeq, entries, signature);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CorruptStateException(path, $"the group commit at byte {offset} is shorter than its entries claim.", e);
        }
    }
}
