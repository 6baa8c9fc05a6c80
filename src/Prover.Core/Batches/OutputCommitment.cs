using System.Numerics;
using Prover.Core.Field;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>
/// The commitment to a batch's output order, exactly as the ordering circuits compute it
/// (docs/circuits.md): a Poseidon sponge over the new log head, the first arrival time, the ordered
/// <em>composites</em> <c>key·2^B + logIndex</c> of every slot of the circuit's capacity, and the
/// arrival gaps between consecutive slots.
/// </summary>
/// <remarks>
/// Committing to (key, log index) pairs instead of re-hashing each ordered leaf costs a circuit about
/// 15 constraints per transaction instead of about 300, and loses nothing: the new head already
/// commits to every leaf in log order, and the log indices put them in output order. Slots beyond the
/// batch (up to the capacity) hold the padding the circuit uses: the policy's largest key and the
/// slot's own index, arrival gap 0.
/// </remarks>
public static class OutputCommitment
{
    /// <summary>Bits per ordered composite when three are packed into one field element.</summary>
    public const int CompositeSlotBits = 80;

    /// <summary>Consecutive arrivals in one batch differ by less than 2^16 ms (the circuits' gap check).</summary>
    public const int ArrivalGapBits = 16;

    /// <summary>A batch's first arrival is below 2^48 ms.</summary>
    public const int FirstArrivalBits = 48;

    /// <summary>The largest capacity the 80-bit composite slots allow (64-bit keys, 16 index bits).</summary>
    public const int MaxCapacity = 1 << 16;

    private const int CompositesPerElement = 3;
    private const int GapsPerElement = 15;
    private const int SpongeWidth = 16;

    /// <summary>B, the bits of the log index in a composite: ⌈log2 capacity⌉, at least 1.</summary>
    public static int IndexBits(int capacity)
    {
        CheckCapacity(capacity, 1);
        var bits = 1;
        while ((1 << bits) < capacity)
        {
            bits++;
        }

        return bits;
    }

    /// <summary>
    /// The composites in output order for a circuit of <paramref name="capacity"/> slots: position
    /// <c>i &lt; count</c> holds <c>key(e)·2^B + j</c> for the entry <c>e = entries[permutation[i]]</c>
    /// (<c>j = permutation[i]</c>), later positions the padding <c>(2^K − 1)·2^B + i</c>.
    /// </summary>
    /// <param name="keys">The policy keys in log order.</param>
    public static UInt128[] OrderedComposites(OrderingPolicy policy, IReadOnlyList<PolicyKey> keys, IReadOnlyList<int> permutation, int capacity)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(permutation);
        CheckCapacity(capacity, permutation.Count);
        var b = IndexBits(capacity);
        var composites = new UInt128[capacity];
        for (var i = 0; i < permutation.Count; i++)
        {
            var j = permutation[i];
            composites[i] = ((UInt128)policy.CircuitKey(keys[j]) << b) | (uint)j;
        }

        var padding = (UInt128.One << policy.CircuitKeyBits) - 1;
        for (var i = permutation.Count; i < capacity; i++)
        {
            composites[i] = (padding << b) | (uint)i;
        }

        return composites;
    }

    /// <summary>
    /// The arrival gaps between consecutive slots (capacity − 1 of them; padding repeats the last
    /// arrival, so its gaps are 0).
    /// </summary>
    /// <exception cref="ValueOutOfRangeException">A gap is 2^16 ms or more, or the first arrival is 2^48 ms or more.</exception>
    public static ulong[] ArrivalGaps(IReadOnlyList<ulong> arrivalsMs, int capacity)
    {
        ArgumentNullException.ThrowIfNull(arrivalsMs);
        CheckCapacity(capacity, arrivalsMs.Count);
        CheckArrivals(arrivalsMs);
        var gaps = new ulong[capacity - 1];
        for (var j = 0; j + 1 < arrivalsMs.Count; j++)
        {
            gaps[j] = arrivalsMs[j + 1] - arrivalsMs[j];
        }

        return gaps;
    }

    /// <summary>The commitment for a batch of <paramref name="capacity"/> slots (see the type's remarks).</summary>
    /// <param name="arrivalsMs">Arrival times in log order.</param>
    /// <param name="keys">The policy keys in log order.</param>
    /// <param name="permutation"><c>permutation[i]</c> = log index of the entry placed <c>i</c>-th.</param>
    public static Fr Compute(
        OrderingPolicy policy, Fr newHead, IReadOnlyList<ulong> arrivalsMs, IReadOnlyList<PolicyKey> keys,
        IReadOnlyList<int> permutation, int capacity)
    {
        ArgumentNullException.ThrowIfNull(arrivalsMs);
        var composites = OrderedComposites(policy, keys, permutation, capacity);
        var gaps = ArrivalGaps(arrivalsMs, capacity);
        return Sponge(newHead, arrivalsMs[0], composites, gaps);
    }

    /// <summary>The sponge over already computed composites and gaps, as the circuit's OrderCommitment template.</summary>
    public static Fr Sponge(Fr newHead, ulong firstArrivalMs, IReadOnlyList<UInt128> composites, IReadOnlyList<ulong> gaps)
    {
        ArgumentNullException.ThrowIfNull(composites);
        ArgumentNullException.ThrowIfNull(gaps);
        var elements = new List<Fr> { newHead, Fr.FromUInt64(firstArrivalMs) };
        elements.AddRange(Pack(composites.Select(c => (BigInteger)c).ToList(), CompositesPerElement, CompositeSlotBits));
        elements.AddRange(Pack(gaps.Select(g => (BigInteger)g).ToList(), GapsPerElement, ArrivalGapBits));

        // The first call absorbs up to 16 elements; each later one the running value and up to 15 more.
        var take = Math.Min(SpongeWidth, elements.Count);
        var running = Poseidon.Hash(elements.GetRange(0, take).ToArray());
        for (var next = take; next < elements.Count; next += take)
        {
            take = Math.Min(SpongeWidth - 1, elements.Count - next);
            running = Poseidon.Hash([running, .. elements.GetRange(next, take)]);
        }

        return running;
    }

    private static IEnumerable<Fr> Pack(List<BigInteger> values, int perElement, int bits)
    {
        for (var start = 0; start < values.Count; start += perElement)
        {
            var acc = BigInteger.Zero;
            for (var m = 0; m < perElement && start + m < values.Count; m++)
            {
                acc += values[start + m] << (bits * m);
            }

            yield return Fr.FromBigInteger(acc);
        }
    }

    /// <summary>Refuses arrivals the circuits cannot carry: a first arrival ≥ 2^48 ms or a gap ≥ 2^16 ms.</summary>
    /// <exception cref="ValueOutOfRangeException">Which arrival broke which limit.</exception>
    public static void CheckArrivals(IReadOnlyList<ulong> arrivalsMs)
    {
        ArgumentNullException.ThrowIfNull(arrivalsMs);
        if (arrivalsMs.Count > 0 && arrivalsMs[0] >> FirstArrivalBits != 0)
        {
            throw new ValueOutOfRangeException("the batch's first arrival time", $"{FirstArrivalBits} bits (ms since 1970, before the year 10889)", arrivalsMs[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        for (var j = 1; j < arrivalsMs.Count; j++)
        {
            if (arrivalsMs[j] < arrivalsMs[j - 1] || (arrivalsMs[j] - arrivalsMs[j - 1]) >> ArrivalGapBits != 0)
            {
                throw new ValueOutOfRangeException(
                    $"the arrival gap before batch entry {j}",
                    $"[0, 2^{ArrivalGapBits}) ms (consecutive entries of one batch arrive less than 65.5 s apart)",
                    $"{arrivalsMs[j]} − {arrivalsMs[j - 1]}");
            }
        }
    }

    private static void CheckCapacity(int capacity, int count)
    {
        if (capacity < Math.Max(count, 1) || capacity > MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"The capacity must hold the batch's {count} entries and be at most {MaxCapacity}.");
        }
    }
}
