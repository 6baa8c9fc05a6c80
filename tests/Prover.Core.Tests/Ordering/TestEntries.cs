using System.Buffers.Binary;
using Prover.Core.Ethereum;
using Prover.Core.Log;

namespace Prover.Core.Tests.Ordering;

/// <summary>Log entries with made-up hashes and senders: ordering looks at values, not signatures.</summary>
internal static class TestEntries
{
    public static readonly EthAddress Alice = EthAddress.Parse("0x1111111111111111111111111111111111111111");
    public static readonly EthAddress Bob = EthAddress.Parse("0x2222222222222222222222222222222222222222");
    public static readonly EthAddress Carol = EthAddress.Parse("0x3333333333333333333333333333333333333333");
    public static readonly EthAddress Dave = EthAddress.Parse("0x4444444444444444444444444444444444444444");

    /// <summary>An address that never sends in generated segments.</summary>
    public static readonly EthAddress Outsider = EthAddress.Parse("0x9999999999999999999999999999999999999999");

    public static readonly EthAddress Inbox = EthAddress.Parse("0x00000000000000000000000000000000000000aa");

    public static readonly EthAddress[] Senders = [Alice, Bob, Carol, Dave];

    /// <summary>A hash that differs per seq and has its top bits set, so txId truncation matters.</summary>
    public static Hash32 HashFor(ulong seq)
    {
        Span<byte> b = stackalloc byte[32];
        b.Fill(0xE7);
        BinaryPrimitives.WriteUInt64BigEndian(b[24..], seq);
        return new Hash32(b);
    }

    public static LogEntry Entry(ulong seq, ulong arrivalMs, EthAddress sender, ulong fee = 0, ulong nonce = 0, Hash32? hash = null) =>
        new(seq, arrivalMs, new SignedTransaction(
            Raw: [],
            Hash: hash ?? HashFor(seq),
            Type: TransactionType.DynamicFee,
            ChainId: 1,
            Sender: sender,
            Nonce: nonce,
            PriorityFee: fee,
            GasLimit: 21_000));

    /// <summary>A contiguous segment from <paramref name="firstSeq"/>, one entry per (arrival, sender, fee).</summary>
    public static LogEntry[] Segment(ulong firstSeq, params (ulong ArrivalMs, EthAddress Sender, ulong Fee)[] rows) =>
        [.. rows.Select((r, i) => Entry(firstSeq + (ulong)i, r.ArrivalMs, r.Sender, r.Fee))];

    public static ulong[] Seqs(IEnumerable<LogEntry> entries) => [.. entries.Select(e => e.Seq)];

    public static ulong[] OrderedSeqs(IReadOnlyList<LogEntry> segment, int[] permutation) =>
        [.. permutation.Select(i => segment[i].Seq)];
}
