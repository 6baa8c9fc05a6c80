using System.Buffers.Binary;
using System.Text;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Core.Tests.Golden;

/// <summary>
/// One golden scenario: a fixture stream, how it is cut into batches, and the policy that orders them.
/// Each batch it produces has its own snapshot, <c>__snapshots__/{stream}.{cut}.{policy}.batch{i}.snap</c>.
/// </summary>
internal sealed record GoldenCase(string Stream, string Cut, string Policy)
{
    /// <summary>Batch capacity for the <see cref="Capped"/> cut.</summary>
    public const int Capacity = 8;

    /// <summary>Cut into batches of <see cref="Capacity"/> entries, the last one possibly shorter.</summary>
    public const string Capped = "cap8";

    /// <summary>The whole stream as one batch.</summary>
    public const string Whole = "whole";

    /// <summary>The timeboost non-express delay every timeboost case uses.</summary>
    public const ulong TimeboostDelayMs = 200;

    /// <summary>What the shuffle's stand-in block hashes are made from, with the batch index after it.</summary>
    public const string BeaconLabel = "prover golden beacon";

    /// <summary>The policy labels, as they appear in snapshot names.</summary>
    public static IReadOnlyList<string> Policies { get; } = ["fcfs", "priority-fee", "timeboost", "shuffle"];

    /// <summary>
    /// Every case: each stream cut at capacity 8 under each policy, plus the whole stream as one batch
    /// for streams longer than one batch (for shorter ones the two cuts are the same batch).
    /// </summary>
    public static IReadOnlyList<GoldenCase> All { get; } =
    [
        .. from stream in FixtureStream.Names
           from cut in FixtureStream.Load(stream).Transactions.Count > Capacity ? new[] { Capped, Whole } : [Capped]
           from policy in Policies
           select new GoldenCase(stream, cut, policy),
    ];

    /// <summary>The policy with the stream's own parameters (its express-lane controller for timeboost).</summary>
    public OrderingPolicy PolicyFor(FixtureStream stream) => OrderingPolicy.Parse(Policy switch
    {
        "fcfs" => "fcfs",
        "priority-fee" => "priority-fee",
        "timeboost" => $"timeboost:controller={stream.ExpressLaneController},delayMs={TimeboostDelayMs}",
        "shuffle" => "shuffle",
        _ => throw new InvalidOperationException($"Unknown golden policy '{Policy}'."),
    });

    /// <summary>
    /// The beacon the inbox would draw for a shuffle batch, null for the other policies. On chain it is
    /// the top 93 bits of a block hash; here the "block hash" is keccak256 of <see cref="BeaconLabel"/>
    /// and the batch index (8 bytes, big-endian), so each batch has its own, and the snapshots are stable.
    /// </summary>
    public static Fr? BeaconFor(OrderingPolicy policy, int batchIndex)
    {
        if (!policy.NeedsBeacon)
        {
            return null;
        }

        var label = Encoding.ASCII.GetBytes(BeaconLabel);
        var preimage = new byte[label.Length + 8];
        label.CopyTo(preimage, 0);
        BinaryPrimitives.WriteUInt64BigEndian(preimage.AsSpan(label.Length), (ulong)batchIndex);
        return BatchHeader.BeaconOf(Keccak256.Hash(preimage));
    }

    /// <summary>The log cut into consecutive batch segments.</summary>
    public IReadOnlyList<LogEntry[]> Segments(LogEntry[] log) => Cut switch
    {
        Capped => log.Chunk(Capacity).ToArray(),
        Whole => [log],
        _ => throw new InvalidOperationException($"Unknown golden cut '{Cut}'."),
    };

    /// <summary>The circuit capacity a batch of this cut is proven with: 8 for capped cuts, the whole stream otherwise.</summary>
    public int CapacityFor(int batchSize) => Cut == Capped ? Capacity : batchSize;

    public int BatchCount(int logLength) => Cut == Capped ? (logLength + Capacity - 1) / Capacity : 1;

    public string SnapshotName(int batchIndex) => $"{Stream}.{Cut}.{Policy}.batch{batchIndex}";

    /// <summary>Every snapshot name the golden cases produce.</summary>
    public static IEnumerable<string> AllSnapshotNames() =>
        from c in All
        from i in Enumerable.Range(0, c.BatchCount(FixtureStream.Load(c.Stream).Transactions.Count))
        select c.SnapshotName(i);

    public override string ToString() => $"{Stream}.{Cut}.{Policy}";
}
