using System.Buffers.Binary;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.LightClient.Tests;

/// <summary>
/// A receipt log that grows batch by batch, as the sequencer's does: each batch starts at the head and
/// after the last arrival the previous one ended at, from the genesis head of (chain id, inbox). Keeps
/// every entry, so the tests can sign receipts for them.
/// </summary>
internal sealed class TestLog
{
    public static readonly EthAddress[] Senders =
    [
        EthAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        EthAddress.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
        EthAddress.Parse("0x90F79bf6EB2c4f870365E51E7A6eB3E7A7bAa7A4"),
        EthAddress.Parse("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
    ];

    private readonly ulong _chainId;
    private readonly EthAddress _inbox;
    private readonly OrderingPolicy _policy;
    private readonly int _capacity;
    private ulong _seq;
    private ulong _index;
    private ulong _lastArrival;

    public TestLog(ulong chainId, EthAddress inbox, OrderingPolicy policy, int capacity)
    {
        _chainId = chainId;
        _inbox = inbox;
        _policy = policy;
        _capacity = capacity;
        Head = ReceiptChain.Genesis(chainId, inbox);
    }

    public Fr Head { get; private set; }

    /// <summary>Every entry logged so far with the head after it, in log order.</summary>
    public List<(LogEntry Entry, Fr Head)> Entries { get; } = [];

    /// <summary>Appends <paramref name="count"/> transactions and cuts them as the next batch (a shuffle batch without its order: its beacon is drawn on chain).</summary>
    public OrderingWitness NextBatch(int count)
    {
        var segment = new LogEntry[count];
        for (var i = 0; i < count; i++)
        {
            var seq = _seq++;
            segment[i] = Entry(seq, 1_764_300_000_000 + (seq * 50) + (seq * 37 % 41), Senders[seq % 4], ((seq * 7 % 3) + 1) * 1_000_000_000, seq);
        }

        var batch = BatchBuilder.Build(_index++, Head, segment, _policy, _chainId, _inbox, _capacity, _lastArrival);
        _lastArrival = segment[^1].ArrivalMs;
        var head = Head;
        foreach (var entry in segment)
        {
            head = ReceiptChain.Step(head, entry.Leaf);
            Entries.Add((entry, head));
        }

        Head = batch.NewHead;
        return OrderingWitness.FromBatch(batch);
    }

    /// <summary>A transaction entry the log never had: its hash differs from every logged one.</summary>
    public LogEntry Stranger(ulong seq) => Entry(seq, 1_764_300_000_000 + (seq * 50), Senders[1], 5, 10_000 + seq, fill: 0xD7);

    private LogEntry Entry(ulong seq, ulong arrivalMs, EthAddress sender, ulong fee, ulong nonce, byte fill = 0xC3)
    {
        Span<byte> hash = stackalloc byte[32];
        hash.Fill(fill);
        BinaryPrimitives.WriteUInt64BigEndian(hash[16..], _chainId);
        BinaryPrimitives.WriteUInt64BigEndian(hash[24..], seq);
        return new LogEntry(seq, arrivalMs, new SignedTransaction([], new Hash32(hash), TransactionType.DynamicFee, _chainId, sender, nonce, fee, 21_000));
    }
}
