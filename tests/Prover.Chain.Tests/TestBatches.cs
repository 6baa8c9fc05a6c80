using System.Buffers.Binary;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Chain.Tests;

/// <summary>Policies and a receipt log to cut consecutive batches from, bound to one chain and inbox.</summary>
internal static class TestBatches
{
    public const ulong ChainId = 31337;
    public static readonly EthAddress Express = EthAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    public static readonly EthAddress[] Senders =
    [
        Express,
        EthAddress.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
        EthAddress.Parse("0x90F79bf6EB2c4f870365E51E7A6eB3E7A7bAa7A4"),
        EthAddress.Parse("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
    ];

    public static OrderingPolicy Policy(string id) => id switch
    {
        "timeboost" => new TimeboostPolicy(Express, 200),
        _ => OrderingPolicy.Parse(id),
    };
}

/// <summary>
/// A receipt log that grows batch by batch, as the sequencer's does: each batch starts at the head the
/// previous one ended at, from the genesis head of (chain id, inbox).
/// </summary>
internal sealed class TestLog
{
    private readonly ulong _chainId;
    private readonly EthAddress _inbox;
    private readonly OrderingPolicy _policy;
    private ulong _seq;
    private ulong _index;
    private ulong _lastArrival;

    public TestLog(ulong chainId, EthAddress inbox, string policy)
    {
        _chainId = chainId;
        _inbox = inbox;
        _policy = TestBatches.Policy(policy);
        Head = ReceiptChain.Genesis(chainId, inbox);
    }

    public Fr Head { get; private set; }

    /// <summary>Appends <paramref name="count"/> transactions and cuts them as the next batch.</summary>
    public OrderingWitness NextBatch(int count)
    {
        var batch = Cut(count, arrivalShiftMs: 0, _lastArrival);
        _seq += (ulong)count;
        _index++;
        Head = batch.NewHead;
        _lastArrival = batch.Entries[^1].ArrivalMs;
        return OrderingWitness.FromBatch(batch);
    }

    /// <summary>
    /// The batch <see cref="NextBatch"/> would cut next, with every arrival moved by
    /// <paramref name="arrivalShiftMs"/> and built against <paramref name="prevLastArrivalMs"/> as the
    /// previous batch's last arrival; the log does not advance. For batches an honest sequencer never cuts.
    /// </summary>
    public OrderingWitness PeekBatch(int count, long arrivalShiftMs, ulong prevLastArrivalMs) =>
        OrderingWitness.FromBatch(Cut(count, arrivalShiftMs, prevLastArrivalMs));

    private Batch Cut(int count, long arrivalShiftMs, ulong prevLastArrivalMs)
    {
        var segment = new LogEntry[count];
        for (var i = 0; i < count; i++)
        {
            var seq = _seq + (ulong)i;
            // Fees with ties, the express-lane sender every fourth, arrivals 10–90 ms apart, never decreasing.
            var arrival = (ulong)((long)(1_764_300_000_000 + seq * 50 + (seq * 37 % 41)) + arrivalShiftMs);
            segment[i] = Entry(seq, arrival, TestBatches.Senders[seq % 4], (seq * 7 % 3 + 1) * 1_000_000_000, seq);
        }

        return BatchBuilder.Build(_index, Head, segment, _policy, _chainId, _inbox, ChainFixture.Capacity, prevLastArrivalMs);
    }

    private LogEntry Entry(ulong seq, ulong arrivalMs, EthAddress sender, ulong fee, ulong nonce)
    {
        Span<byte> hash = stackalloc byte[32];
        hash.Fill(0xC3);
        BinaryPrimitives.WriteUInt64BigEndian(hash[16..], _chainId);
        BinaryPrimitives.WriteUInt64BigEndian(hash[24..], seq);
        return new LogEntry(seq, arrivalMs, new SignedTransaction([], new Hash32(hash), TransactionType.DynamicFee, _chainId, sender, nonce, fee, 21_000));
    }
}
