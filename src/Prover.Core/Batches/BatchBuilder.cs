using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>Cuts a batch from a log segment: re-walks the receipt chain, orders by policy, commits to the output.</summary>
public static class BatchBuilder
{
    /// <summary>
    /// Builds batch <paramref name="index"/> from <paramref name="segment"/>, which must follow the log
    /// head <paramref name="prevHead"/>. The heads are recomputed with <see cref="ReceiptChain.Step"/>,
    /// never trusted.
    /// </summary>
    /// <exception cref="EmptySegmentException">The segment is empty.</exception>
    /// <exception cref="SequenceGapException">Sequence numbers are not consecutive.</exception>
    /// <exception cref="ArrivalRegressionException">An arrival time decreases.</exception>
    /// <exception cref="ValueOutOfRangeException">
    /// The circuits cannot carry an arrival (a first arrival of 2^48 ms or more, or two consecutive entries
    /// 2^12 ms or more apart), or the policy cannot key an entry.
    /// </exception>
    /// <param name="capacity">
    /// The slots of the circuit that will prove the batch (the sequencer's batch size); the output
    /// commitment covers them all. By default the batch's own size.
    /// </param>
    /// <param name="prevLastArrivalMs">The previous batch's last arrival (0 for the first batch): the batch's first may not be earlier.</param>
    /// <param name="beacon">
    /// The shuffle's beacon (below 2^93), drawn on chain for this batch; without one a shuffle batch is
    /// built without its order (<see cref="Batch.IsOrdered"/>). Other policies take none.
    /// </param>
    public static Batch Build(
        ulong index, Fr prevHead, IReadOnlyList<LogEntry> segment, OrderingPolicy policy, ulong chainId, EthAddress inbox,
        int? capacity = null, ulong prevLastArrivalMs = 0, Fr? beacon = null)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(policy);
        return BuildCore(index, prevHead, segment, knownHeads: null, policy, chainId, inbox, capacity, prevLastArrivalMs, beacon);
    }

    /// <summary>
    /// Builds a batch from the sequencer's own log, taking the heads the log computed when it appended
    /// these entries instead of hashing the chain a second time (the sequencer's hottest cost).
    /// Provers do not rely on this: <see cref="OrderingWitness.Validate"/> recomputes every head.
    /// </summary>
    /// <remarks>A shuffle batch is built without its order: its beacon is drawn on chain later.</remarks>
    public static Batch BuildFromLog(
        ulong index, Fr prevHead, IReadOnlyList<LogEntry> segment, IReadOnlyList<Fr> heads, OrderingPolicy policy, ulong chainId, EthAddress inbox,
        int capacity, ulong prevLastArrivalMs)
    {
        ArgumentNullException.ThrowIfNull(heads);
        return BuildCore(index, prevHead, segment, heads, policy, chainId, inbox, capacity, prevLastArrivalMs, beacon: null);
    }

    private static Batch BuildCore(
        ulong index, Fr prevHead, IReadOnlyList<LogEntry> segment, IReadOnlyList<Fr>? knownHeads, OrderingPolicy policy, ulong chainId, EthAddress inbox,
        int? capacity, ulong prevLastArrivalMs, Fr? beacon)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(policy);
        var entries = segment.ToArray();
        CheckSegment(index, entries);
        CheckContinuation(entries[0], prevLastArrivalMs);
        CheckBeacon(policy, beacon);
        if (knownHeads is not null && knownHeads.Count != entries.Length)
        {
            throw new ArgumentException($"{knownHeads.Count} heads for {entries.Length} entries.", nameof(knownHeads));
        }

        var leaves = new LeafFields[entries.Length];
        var items = new OrderingItem[entries.Length];
        var heads = new Fr[entries.Length];
        var head = prevHead;
        for (var i = 0; i < entries.Length; i++)
        {
            leaves[i] = entries[i].Leaf;
            items[i] = OrderingItem.From(entries[i]);
            head = knownHeads is null ? ReceiptChain.Step(head, leaves[i]) : knownHeads[i];
            heads[i] = head;
        }

        var slots = capacity ?? entries.Length;
        if (slots < entries.Length || slots > CircuitLimits.MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), slots, $"Batch {index} has {entries.Length} entries; its capacity must be between that and {CircuitLimits.MaxCapacity}.");
        }

        OrderingResult? order = null;
        Fr? output = null;
        if (!policy.NeedsBeacon || beacon is not null)
        {
            order = policy.Order(items, head, beacon);
            output = OutputCommitment.Compute(policy, head, Array.ConvertAll(entries, e => e.ArrivalMs), order.Keys, order.Permutation, slots);
        }

        var domain = Domain.Compute(chainId, inbox, policy, slots);
        return new Batch(index, chainId, inbox, policy, domain, prevHead, entries, heads, slots, prevLastArrivalMs, beacon, order, output);
    }

    /// <summary>
    /// The batch's first arrival against the previous batch's last: the circuits prove that arrivals
    /// never decrease across batches, and carry the previous one in 49 bits.
    /// </summary>
    /// <exception cref="ArrivalRegressionException">The first entry arrived before the previous batch's last.</exception>
    /// <exception cref="ValueOutOfRangeException">The previous batch's last arrival does not fit 49 bits.</exception>
    public static void CheckContinuation(LogEntry first, ulong prevLastArrivalMs)
    {
        ArgumentNullException.ThrowIfNull(first);
        if (prevLastArrivalMs >> CircuitLimits.PrevArrivalBits != 0)
        {
            throw new ValueOutOfRangeException("the previous batch's last arrival", $"{CircuitLimits.PrevArrivalBits} bits", prevLastArrivalMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (first.ArrivalMs < prevLastArrivalMs)
        {
            throw new ArrivalRegressionException(0, first.Seq, prevLastArrivalMs, first.ArrivalMs);
        }
    }

    private static void CheckBeacon(OrderingPolicy policy, Fr? beacon)
    {
        if (beacon is not { } b)
        {
            return;
        }

        if (!policy.NeedsBeacon)
        {
            throw new ArgumentException($"Policy {policy.Id} takes no beacon; only the shuffle draws one.", nameof(beacon));
        }

        if (b.ToBigInteger() >> BatchHeader.BeaconBits != 0)
        {
            throw new ValueOutOfRangeException("the shuffle's beacon", $"{BatchHeader.BeaconBits} bits (the top bits of a block hash)", b.ToString());
        }
    }

    /// <summary>
    /// Checks that entries are non-empty, consecutive in seq and non-decreasing in arrival time, and
    /// that the arrivals fit the circuits (see <see cref="CircuitLimits.CheckArrivals"/>).
    /// </summary>
    public static void CheckSegment(ulong batchIndex, IReadOnlyList<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new EmptySegmentException(batchIndex);
        }

        for (var i = 1; i < entries.Count; i++)
        {
            var previous = entries[i - 1];
            var current = entries[i];
            if (previous.Seq == ulong.MaxValue || current.Seq != previous.Seq + 1)
            {
                throw new SequenceGapException(i, previous.Seq == ulong.MaxValue ? 0 : previous.Seq + 1, current.Seq);
            }

            if (current.ArrivalMs < previous.ArrivalMs)
            {
                throw new ArrivalRegressionException(i, current.Seq, previous.ArrivalMs, current.ArrivalMs);
            }
        }

        CircuitLimits.CheckArrivals(entries.Select(e => e.ArrivalMs).ToArray());
    }
}
