using Prover.Core.Ethereum;
using Prover.Core.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>
/// A cut batch: a contiguous segment of the receipt log, the log heads around it, and the order its
/// policy gives it. Only <see cref="BatchBuilder.Build"/> makes one, so every batch is internally
/// consistent; its collections are read-only snapshots.
/// </summary>
/// <remarks>
/// A class rather than a record: value equality over its collections would compare references, and a
/// <c>with</c> expression could produce a batch whose parts disagree.
/// </remarks>
public sealed class Batch
{
    internal Batch(
        ulong index, ulong chainId, EthAddress inbox, OrderingPolicy policy, Fr domain,
        Fr prevHead, LogEntry[] entries, Fr[] heads, OrderingResult order, int capacity, Fr outputCommitment)
    {
        Index = index;
        ChainId = chainId;
        Inbox = inbox;
        Policy = policy;
        Domain = domain;
        PrevHead = prevHead;
        Entries = Array.AsReadOnly(entries);
        Heads = Array.AsReadOnly(heads);
        Permutation = Array.AsReadOnly(order.Permutation);
        Keys = Array.AsReadOnly(order.Keys);
        ShuffleSeed = order.ShuffleSeed;
        Ordered = Array.AsReadOnly(Array.ConvertAll(order.Permutation, i => entries[i]));
        Capacity = capacity;
        OutputCommitment = outputCommitment;
    }

    /// <summary>The batch number, counting from 0.</summary>
    public ulong Index { get; }

    public ulong ChainId { get; }

    /// <summary>The rollup's inbox contract.</summary>
    public EthAddress Inbox { get; }

    public OrderingPolicy Policy { get; }

    /// <summary><c>Poseidon(chainId, inbox, policyNumericId, paramsCommitment)</c>; see <see cref="Batches.Domain"/>.</summary>
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

    /// <summary>The commitment to the output order; see <see cref="Batches.OutputCommitment"/>.</summary>
    public Fr OutputCommitment { get; }

    public override string ToString() => $"batch {Index} (seq {FirstSeq}..{LastSeq}, {Count} entries, {Policy})";
}
