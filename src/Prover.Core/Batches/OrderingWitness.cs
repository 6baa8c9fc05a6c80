using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>
/// Everything a prover needs to prove one batch's order, as the versioned JSON document described
/// in docs/witness.md. A witness read from disk is untrusted: <see cref="Validate"/> recomputes it.
/// </summary>
/// <remarks>
/// <para>
/// A record so that tests and tools can derive variants with <c>with</c>; its collections compare by
/// reference, so compare witnesses by <see cref="ToJson"/>.
/// </para>
/// <para>
/// A shuffle batch is cut before its beacon exists: its witness then has no order (<see cref="IsOrdered"/>
/// is false, the order's lists are empty and <see cref="OutputCommitment"/> is null) until the prover
/// pool draws the beacon on chain and calls <see cref="WithBeacon"/>.
/// </para>
/// </remarks>
public sealed record OrderingWitness
{
    /// <summary>The only document version this build writes and reads.</summary>
    public const int CurrentVersion = 3;

    public int Version { get; init; } = CurrentVersion;

    public required ulong ChainId { get; init; }

    public required EthAddress Inbox { get; init; }

    public required ulong BatchIndex { get; init; }

    public required WitnessPolicy Policy { get; init; }

    /// <summary><c>Poseidon(chainId, inbox, policy.numericId, policy.paramsCommitment, capacity)</c>.</summary>
    public required Fr Domain { get; init; }

    public required Fr PrevHead { get; init; }

    public required Fr NewHead { get; init; }

    public required ulong FirstSeq { get; init; }

    public required int Count { get; init; }

    /// <summary>The slots of the circuit that proves the batch; the output commitment covers them all.</summary>
    public required int Capacity { get; init; }

    /// <summary>The previous batch's last arrival (0 before the first batch); <c>Entries[0]</c> arrived no earlier.</summary>
    public required ulong PrevLastArrivalMs { get; init; }

    /// <summary>The batch's entries in log order.</summary>
    public required IReadOnlyList<WitnessEntry> Entries { get; init; }

    /// <summary>The shuffle's beacon, drawn on chain for this batch (below 2^93); null for other policies and before the draw.</summary>
    public Fr? Beacon { get; init; }

    /// <summary><c>Permutation[i]</c> is the index into <see cref="Entries"/> of the entry placed <c>i</c>-th.</summary>
    public required IReadOnlyList<int> Permutation { get; init; }

    /// <summary>The transaction hashes in policy order.</summary>
    public required IReadOnlyList<Hash32> OrderedTxHashes { get; init; }

    /// <summary>The policy key of each entry, in log order (<c>SortKeys[j]</c> belongs to <c>Entries[j]</c>).</summary>
    public required IReadOnlyList<Fr> SortKeys { get; init; }

    /// <summary>The shuffle seed; present exactly when the policy is <c>shuffle</c> and the batch is ordered.</summary>
    public Fr? ShuffleSeed { get; init; }

    /// <summary>The commitment to the output order (see <see cref="Batches.OutputCommitment"/>); null until the batch is ordered.</summary>
    public Fr? OutputCommitment { get; init; }

    /// <summary>Whether the witness holds the batch's order: always, except for a shuffle batch whose beacon is not drawn yet.</summary>
    public bool IsOrdered => Policy.Id != ShufflePolicy.PolicyId || Beacon.HasValue;

    /// <summary>The witness for a built batch.</summary>
    public static OrderingWitness FromBatch(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var entries = new WitnessEntry[batch.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = WitnessEntry.From(batch.Entries[i], batch.Heads[i]);
        }

        return new OrderingWitness
        {
            ChainId = batch.ChainId,
            Inbox = batch.Inbox,
            BatchIndex = batch.Index,
            Policy = WitnessPolicy.From(batch.Policy),
            Domain = batch.Domain,
            PrevHead = batch.PrevHead,
            NewHead = batch.NewHead,
            FirstSeq = batch.FirstSeq,
            Count = batch.Count,
            Capacity = batch.Capacity,
            PrevLastArrivalMs = batch.PrevLastArrivalMs,
            Entries = entries,
            Beacon = batch.Beacon,
            Permutation = [.. batch.Permutation],
            OrderedTxHashes = [.. batch.Ordered.Select(e => e.Tx.Hash)],
            SortKeys = [.. batch.Keys.Select(k => k.ToField())],
            ShuffleSeed = batch.ShuffleSeed,
            OutputCommitment = batch.OutputCommitment,
        };
    }

    /// <summary>
    /// The witness ordered with a shuffle beacon drawn on chain: the policy's keys, order and output
    /// commitment recomputed for it. The rest is unchanged and is not re-checked here; validate the result.
    /// </summary>
    /// <exception cref="InvalidOperationException">The policy is not the shuffle.</exception>
    /// <exception cref="ValueOutOfRangeException">The beacon does not fit its 93 bits.</exception>
    public OrderingWitness WithBeacon(Fr beacon)
    {
        var policy = OrderingPolicy.Parse(Policy.Spec);
        if (!policy.NeedsBeacon)
        {
            throw new InvalidOperationException($"Batch {BatchIndex}'s policy {policy.Id} draws no beacon.");
        }

        if (beacon.ToBigInteger() >> BatchHeader.BeaconBits != 0)
        {
            throw new ValueOutOfRangeException("the shuffle's beacon", $"{BatchHeader.BeaconBits} bits (the top bits of a block hash)", beacon.ToString());
        }

        var items = Entries.Select(e => e.Item).ToArray();
        var order = policy.Order(items, NewHead, beacon);
        return this with
        {
            Beacon = beacon,
            Permutation = order.Permutation,
            OrderedTxHashes = [.. order.Permutation.Select(i => Entries[i].TxHash)],
            SortKeys = [.. order.Keys.Select(k => k.ToField())],
            ShuffleSeed = order.ShuffleSeed,
            OutputCommitment = Batches.OutputCommitment.Compute(policy, NewHead, [.. Entries.Select(e => e.ArrivalMs)], order.Keys, order.Permutation, Capacity),
        };
    }

    /// <summary>The JSON document (UTF-8 text, indented, properties in schema order).</summary>
    public string ToJson() => WitnessJson.Write(this);

    /// <summary>Writes <see cref="ToJson"/>'s text, UTF-8 encoded, to <paramref name="stream"/> without building the string.</summary>
    public void WriteJson(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WitnessJson.Write(this, stream);
    }

    /// <summary>Reads a witness document. It is only well-formed afterwards; call <see cref="Validate"/> before proving.</summary>
    /// <exception cref="UnsupportedWitnessVersionException">The version is not <see cref="CurrentVersion"/>.</exception>
    /// <exception cref="WitnessFormatException">The document is not JSON or does not follow the schema.</exception>
    public static OrderingWitness FromJson(string json) => WitnessJson.Read(json);

    /// <summary>
    /// Recomputes the witness and returns its first inconsistency, or null when it is consistent.
    /// Cheap checks run first (structure, encodings, permutation, keys and order for the hash-free
    /// policies), then the Poseidon ones (domain, heads, shuffle seed and keys, output commitment),
    /// so that most bad input is refused before any hashing.
    /// </summary>
    public WitnessProblem? Validate() => WitnessValidator.FirstProblem(this);

    /// <summary>Like <see cref="Validate"/>, but throws.</summary>
    /// <exception cref="InvalidWitnessException">The witness is inconsistent.</exception>
    public void EnsureValid()
    {
        if (Validate() is { } problem)
        {
            throw new InvalidWitnessException(problem);
        }
    }
}

/// <summary>The policy as a witness records it.</summary>
/// <param name="Spec">The canonical policy string, which must parse back to the same id, numeric id and parameters.</param>
/// <param name="ParamsCommitment">See <see cref="Domain.ParamsCommitment"/>.</param>
public sealed record WitnessPolicy(string Id, int NumericId, string Spec, IReadOnlyList<PolicyParameter> Parameters, Fr ParamsCommitment)
{
    public static WitnessPolicy From(OrderingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new(policy.Id, policy.NumericId, policy.ToString(), policy.Parameters, Domain.ParamsCommitment(policy));
    }
}

/// <summary>One log entry as a witness records it: the raw values and their circuit encodings.</summary>
/// <param name="Fee">The priority fee per gas.</param>
/// <param name="Head">The log head after this entry.</param>
public sealed record WitnessEntry(
    ulong Seq, ulong ArrivalMs, Hash32 TxHash, Fr TxId, EthAddress Sender, ulong Nonce, ulong Fee,
    Fr SenderNonce, Fr FeeArrival, Fr Head)
{
    public static WitnessEntry From(LogEntry entry, Fr head)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var leaf = entry.Leaf;
        return new(entry.Seq, entry.ArrivalMs, entry.Tx.Hash, leaf.TxId, entry.Tx.Sender, entry.Tx.Nonce, entry.Tx.PriorityFee,
            leaf.SenderNonce, leaf.FeeArrival, head);
    }

    public LeafFields Leaf => new(TxId, SenderNonce, FeeArrival);

    public OrderingItem Item => new(Seq, ArrivalMs, Sender, Fee, TxHash);
}
