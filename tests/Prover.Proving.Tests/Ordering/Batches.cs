using System.Buffers.Binary;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Proving.Tests.Ordering;

/// <summary>Batches for the circuit tests: synthetic log entries, and the golden fixture witnesses.</summary>
internal static class Batches
{
    public const ulong ChainId = 31337;
    public static readonly EthAddress Inbox = EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    public static readonly EthAddress Express = EthAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    public static readonly EthAddress[] Senders =
    [
        Express,
        EthAddress.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
        EthAddress.Parse("0x90F79bf6EB2c4f870365E51E7A6eB3E7A7bAa7A4"),
        EthAddress.Parse("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
    ];

    /// <summary>The beacon the shuffle batches here are drawn with: the top 93 bits of a made-up block hash.</summary>
    public static readonly Fr Beacon = BatchHeader.BeaconOf(Hash32.Parse("0x9b3f2c71d04e5a86b1c7e29f30d4a5b6c8e1f20394a7b6c5d8e9f0a1b2c3d4e5"));

    public static OrderingPolicy Policy(string id) => id switch
    {
        "timeboost" => new TimeboostPolicy(Express, 200),
        _ => OrderingPolicy.Parse(id),
    };

    /// <summary>A transaction whose hash is derived from (seq, salt) with its top bits set, so txId truncation matters.</summary>
    public static LogEntry Entry(ulong seq, ulong arrivalMs, EthAddress sender, ulong fee, ulong nonce, ulong salt = 0)
    {
        Span<byte> hash = stackalloc byte[32];
        hash.Fill(0xE7);
        BinaryPrimitives.WriteUInt64BigEndian(hash[16..], salt);
        BinaryPrimitives.WriteUInt64BigEndian(hash[24..], seq);
        return new LogEntry(seq, arrivalMs, new SignedTransaction([], new Hash32(hash), TransactionType.DynamicFee, ChainId, sender, nonce, fee, 21_000));
    }

    /// <summary>
    /// Batch 1 of a small log: seq 3.. after three earlier entries, fees with a tie, an express-lane
    /// transaction that overtakes an earlier one, and arrivals 0–210 ms apart. A shuffle batch is drawn
    /// with <paramref name="beacon"/>, by default <see cref="Beacon"/>.
    /// </summary>
    public static OrderingWitness Witness(string policyId, int count = 4, int capacity = 4, Fr? beacon = null)
    {
        (ulong Arrival, int Sender, ulong Fee)[] rows =
        [
            (1_764_300_000_000, 1, 2_000_000_000),
            (1_764_300_000_050, 2, 7_000_000_000),
            (1_764_300_000_120, 0, 2_000_000_000),
            (1_764_300_000_330, 3, 1),
        ];
        var log = new List<LogEntry>();
        for (ulong s = 0; s < 3; s++)
        {
            log.Add(Entry(s, 1_764_299_999_000 + s, Senders[s], 5, s));
        }

        for (var i = 0; i < count; i++)
        {
            log.Add(Entry((ulong)(3 + i), rows[i].Arrival, Senders[rows[i].Sender], rows[i].Fee, (ulong)(10 + i)));
        }

        return WitnessOf(log, firstSeq: 3, Policy(policyId), capacity, beacon);
    }

    /// <summary>
    /// The witness of the batch that starts at <paramref name="firstSeq"/> and runs to the end of
    /// <paramref name="log"/>, continuing from the arrival of the entry before it; a shuffle batch is
    /// drawn with <paramref name="beacon"/>, by default <see cref="Beacon"/>.
    /// </summary>
    public static OrderingWitness WitnessOf(IReadOnlyList<LogEntry> log, int firstSeq, OrderingPolicy policy, int capacity, Fr? beacon = null)
    {
        var head = ReceiptChain.Genesis(ChainId, Inbox);
        for (var s = 0; s < firstSeq; s++)
        {
            head = ReceiptChain.Step(head, log[s].Leaf);
        }

        var segment = log.Skip(firstSeq).ToArray();
        var prevLastArrival = firstSeq == 0 ? 0 : log[firstSeq - 1].ArrivalMs;
        return OrderingWitness.FromBatch(BatchBuilder.Build(
            1, head, segment, policy, ChainId, Inbox, capacity, prevLastArrival, policy.NeedsBeacon ? beacon ?? Beacon : null));
    }

    /// <summary>The golden witnesses the sequencer tests pin (fixture streams cut at capacity 8), by snapshot name.</summary>
    public static IEnumerable<(string Name, OrderingWitness Witness)> GoldenCapacity8()
    {
        var folder = Path.Combine(TestCircuits.RepoRoot(), "tests", "Prover.Core.Tests", "Golden", "__snapshots__");
        foreach (var file in Directory.GetFiles(folder, "*.cap8.*.snap").Order(StringComparer.Ordinal))
        {
            yield return (Path.GetFileNameWithoutExtension(file), OrderingWitness.FromJson(File.ReadAllText(file).TrimStart('\uFEFF')));
        }
    }
}
