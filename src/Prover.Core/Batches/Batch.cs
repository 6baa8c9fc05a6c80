using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>
/// A cut batch: a contiguous segment of the receipt log, the log heads around it, and the order its
/// policy gives it. Only <see cref="BatchBuilder.Build"/> makes one, so every batch is internally
/// consistent; its collections are read-only snapshots.
/// </summary>
/// <remarks>
/// <para>
/// A shuffle batch has no order until its beacon is drawn on chain (<see cref="IsOrdered"/>): its order
/// fields are then empty and <see cref="OutputCommitment"/> is null.
/// </para>
/// <para>
/// A class rather than a record: value equality over its collections would compare references, and a
/// <c>with</c> expression could produce a batch whose parts disagree.
/// </para>
/// </remarks>
public sealed class Batch
{
    internal Batch(
        ulong index, ulong chainId, EthAddress inbox, OrderingPolicy policy, Fr domain,
        Fr prevHead, LogEntry[] entries, Fr[] heads, int capacity, ulong prevLastArrivalMs, Fr? beacon, OrderingResult? order, Fr? outputCommitment)
    {
        Index = index;
        ChainId = chainId;
        Inbox = inbox;
        Policy = policy;
        Domain = domain;
        PrevHead = prevHead;
        Entries = Array.AsReadOnly(entries);
        Heads = Array.AsReadOnly(heads);
        Capacity = capacity;
        PrevLastArrivalMs = prevLastArrivalMs;
        Beacon = beacon;
        Permutation = Array.AsReadOnly(order?.Permutation ?? []);
        Keys = Array.AsReadOnly(order?.Keys ?? []);
        ShuffleSeed = order?.ShuffleSeed;
        Ordered = Array.AsReadOnly(order is null ? [] : Array.ConvertAll(order.Permutation, i => entries[i]));
        OutputCommitment = outputCommitment;
    }

    /// <summary>The batch number, counting from 0.</summary>
    public ulong Index { get; }

    public ulong ChainId { get; }

    /// <summary>The rollup's inbox contract.</summary>
    public EthAddress Inbox { get; }

    public OrderingPolicy Policy { get; }

    /// <summary><c>Poseidon(chainId, inbox, policyNumericId, paramsCommitment, capacity)</c>; see <see cref="Batches.Domain"/>.</summary>
    public Fr Domain { get; }

    /// <summary>The log head before the batch's first entry.</summary>
    public Fr PrevHead { get; }

    /// <summary>The log head after the batch's last entry.</summary>
    public Fr NewHead => Heads[^1];

    public ulong FirstSeq => Entries[0].Seq;

    public ulong LastSeq => Entries[^1].Seq;

    public int Count => Entries.Count;

    /// <summary>The slots of the circuit that proves this batch (at least <see cref="Count"/>); the output commitment covers them all.</summary>
    public int Capacity { get; }

    /// <summary>The last arrival of the batch before this one (0 before the first batch): this batch's first may not be earlier.</summary>
    public ulong PrevLastArrivalMs { get; }

    /// <summary>The shuffle's beacon, drawn on chain for this batch; null for other policies and for a shuffle batch not yet drawn.</summary>
    public Fr? Beacon { get; }

    /// <summary>Whether the batch has its order: always, except for a shuffle batch whose beacon is not drawn yet.</summary>
    public bool IsOrdered => OutputCommitment.HasValue;

    /// <summary>The entries in log order.</summary>
    public IReadOnlyList<LogEntry> Entries { get; }

    /// <summary><c>Heads[i]</c> is the log head after <c>Entries[i]</c>.</summary>
    public IReadOnlyList<Fr> Heads { get; }

    /// <summary><c>Permutation[i]</c> is the index into <see cref="Entries"/> of the entry placed <c>i</c>-th.</summary>
    public IReadOnlyList<int> Permutation { get; }

    /// <summary>The policy key of each entry, in log order.</summary>
    public IReadOnlyList<PolicyKey> Keys { get; }

    /// <summary>The shuffle policy's seed; null for other policies.</summary>
    public Fr? ShuffleSeed { get; }

    /// <summary>The entries in policy order: <c>Ordered[i] = Entries[Permutation[i]]</c>.</summary>
    public IReadOnlyList<LogEntry> Ordered { get; }

    /// <summary>The commitment to the output order (see <see cref="Batches.OutputCommitment"/>); null until the batch <see cref="IsOrdered"/>.</summary>
    public Fr? OutputCommitment { get; }

    public override string ToString() => $"batch {Index} (seq {FirstSeq}..{LastSeq}, {Count} entries, {Policy})";
}
