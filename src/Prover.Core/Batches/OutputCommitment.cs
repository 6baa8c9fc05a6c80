using System.Numerics;
using Prover.Crypto.Field;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>
/// The commitment to a batch's output order, exactly as the ordering circuits compute it
/// (docs/circuits.md): a Poseidon sponge started at the new log head over the <em>steps</em> of the
/// ordered composites <c>key·2^B + logIndex</c> of every slot of the circuit's capacity, each slot's
/// output position (all policies but fcfs), the first arrival and the arrival gaps.
/// </summary>
/// <remarks>
/// <para>
/// The composites strictly increase, so they are fixed by the first one and the differences
/// <c>ordered[i+1] − ordered[i] − 1</c>, each below <c>2^w</c> with <c>w = K + B</c> (the policy's key
/// bits plus the index bits). The stream is those steps (w bits each), the position of each log slot in
/// the output (B bits each, in log order), the first arrival (48 bits) and each gap between consecutive
/// slots (12 bits), concatenated little-endian and cut into 253-bit field elements: exactly the bit
/// decompositions the circuit's range checks make anyway, so the commitment costs it only the sponge,
/// circomlib's <c>PoseidonEx</c> with the running value as initial state (16 elements per call).
/// </para>
/// <para>
/// Committing to (key, log index) pairs instead of re-hashing each ordered leaf loses nothing: the new
/// head already commits to every leaf in log order, and the log indices put them in output order. The
/// positions and arrivals are in the stream because the permutation challenges must come after them
/// (the positions are what the posted list's digest weighs each txId by; the arrivals fix each leaf's
/// fee/arrival split). Slots beyond the batch (up to the capacity) hold the padding the circuit forces:
/// the policy's largest key, the slot's own index and position, and the last arrival again (gap 0).
/// </para>
/// </remarks>
public static class OutputCommitment
{
    /// <summary>Bits per packed sponge element: below log2 p, so packing never wraps.</summary>
    public const int ElementBits = 253;

    private const int SpongeRate = 16;

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
    /// Each log slot's position in the output, for a circuit of <paramref name="capacity"/> slots: the
    /// inverse of <paramref name="permutation"/> for the batch's entries, the slot's own index for padding.
    /// </summary>
    public static int[] Positions(IReadOnlyList<int> permutation, int capacity)
    {
        ArgumentNullException.ThrowIfNull(permutation);
        CheckCapacity(capacity, permutation.Count);
        var positions = new int[capacity];
        for (var i = 0; i < permutation.Count; i++)
        {
            positions[permutation[i]] = i;
        }

        for (var j = permutation.Count; j < capacity; j++)
        {
            positions[j] = j;
        }

        return positions;
    }

    /// <summary><c>w</c>, the bits of one step: the policy's key bits plus the index bits of the capacity.</summary>
    public static int StepBits(OrderingPolicy policy, int capacity)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.CircuitKeyBits + IndexBits(capacity);
    }

    /// <summary>The commitment for a batch of <paramref name="capacity"/> slots (see the type's remarks).</summary>
    /// <param name="arrivalsMs">Arrival times in log order (the batch's entries; padding repeats the last).</param>
    /// <param name="keys">The policy keys in log order.</param>
    /// <param name="permutation"><c>permutation[i]</c> = log index of the entry placed <c>i</c>-th.</param>
    /// <exception cref="ValueOutOfRangeException">The arrivals do not fit the circuits (<see cref="CircuitLimits.CheckArrivals"/>).</exception>
    public static Fr Compute(
        OrderingPolicy policy, Fr newHead, IReadOnlyList<ulong> arrivalsMs, IReadOnlyList<PolicyKey> keys,
        IReadOnlyList<int> permutation, int capacity)
    {
        ArgumentNullException.ThrowIfNull(arrivalsMs);
        var composites = OrderedComposites(policy, keys, permutation, capacity);
        var positions = policy.OutputIsLogOrder ? null : Positions(permutation, capacity);
        return Sponge(newHead, composites, StepBits(policy, capacity), positions, PaddedArrivals(arrivalsMs, capacity));
    }

    /// <summary>The sponge over already computed composites, positions and arrivals, as the circuits' commitment.</summary>
    /// <param name="ordered">The ordered composites: strictly increasing, each below 2^<paramref name="stepBits"/>.</param>
    /// <param name="positions">Each slot's output position (null for fcfs, whose circuit commits none).</param>
    /// <param name="arrivalsMs">One arrival per slot, in log order.</param>
    /// <exception cref="ArgumentException">The composites do not strictly increase or do not fit, the positions are not a permutation, or the arrivals do not match the slots in number.</exception>
    /// <exception cref="ValueOutOfRangeException">The arrivals do not fit the circuits.</exception>
    public static Fr Sponge(Fr newHead, IReadOnlyList<UInt128> ordered, int stepBits, IReadOnlyList<int>? positions, IReadOnlyList<ulong> arrivalsMs)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(arrivalsMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stepBits, 127);
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i] >> stepBits != 0 || (i > 0 && ordered[i] <= ordered[i - 1]))
            {
                throw new ArgumentException($"Ordered composite {i} ({ordered[i]}) does not strictly increase within {stepBits} bits: no circuit can commit to it.", nameof(ordered));
            }
        }

        if (positions is not null && (positions.Count != ordered.Count || positions.Order().Where((p, i) => p != i).Any()))
        {
            throw new ArgumentException($"The positions are not a permutation of the {ordered.Count} slots.", nameof(positions));
        }

        if (arrivalsMs.Count != ordered.Count)
        {
            throw new ArgumentException($"{arrivalsMs.Count} arrivals for {ordered.Count} slots.", nameof(arrivalsMs));
        }

        CircuitLimits.CheckArrivals(arrivalsMs);
        return SpongeOfSteps(newHead, ordered, stepBits, positions, arrivalsMs);
    }

    /// <summary>
    /// The sponge without any check: steps, positions and gaps wrap modulo their widths. For values no
    /// honest batch has (an order that does not increase, a decreasing arrival) this is the commitment a
    /// cheating prover would have to match, which the tests use to show that the circuit's range checks,
    /// not the commitment, refuse them.
    /// </summary>
    internal static Fr SpongeOfSteps(Fr newHead, IReadOnlyList<UInt128> ordered, int stepBits, IReadOnlyList<int>? positions, IReadOnlyList<ulong> arrivalsMs)
    {
        var stream = new BitStream();
        for (var t = 0; t < ordered.Count; t++)
        {
            stream.Append(t == 0 ? (BigInteger)ordered[0] : (BigInteger)ordered[t] - ordered[t - 1] - 1, stepBits);
        }

        if (positions is not null)
        {
            var b = IndexBits(ordered.Count);
            foreach (var p in positions)
            {
                stream.Append(p, b);
            }
        }

        stream.Append(arrivalsMs[0], CircuitLimits.FirstArrivalBits);
        for (var j = 0; j + 1 < arrivalsMs.Count; j++)
        {
            stream.Append((BigInteger)arrivalsMs[j + 1] - arrivalsMs[j], CircuitLimits.ArrivalGapBits);
        }

        var elements = stream.Finish();
        var running = newHead;
        for (var next = 0; next < elements.Count; next += SpongeRate)
        {
            running = Poseidon.HashWithInitialState(running, elements.GetRange(next, Math.Min(SpongeRate, elements.Count - next)).ToArray());
        }

        return running;
    }

    /// <summary>The batch's arrivals, then the last one again for every padding slot.</summary>
    public static ulong[] PaddedArrivals(IReadOnlyList<ulong> arrivalsMs, int capacity)
    {
        ArgumentNullException.ThrowIfNull(arrivalsMs);
        CheckCapacity(capacity, arrivalsMs.Count);
        var padded = new ulong[capacity];
        for (var j = 0; j < capacity; j++)
        {
            padded[j] = arrivalsMs[Math.Min(j, arrivalsMs.Count - 1)];
        }

        return padded;
    }
    /// <summary>Fixed-width fields concatenated little-endian and cut into <see cref="ElementBits"/>-bit elements.</summary>
    private sealed class BitStream
    {
        private readonly List<Fr> _elements = [];
        private BigInteger _acc;
        private int _filled;

        /// <summary>Appends the low <paramref name="bits"/> bits of <paramref name="value"/> (two's complement for a negative one).</summary>
        public void Append(BigInteger value, int bits)
        {
            value &= (BigInteger.One << bits) - 1;
            while (bits > 0)
            {
                var take = Math.Min(bits, ElementBits - _filled);
                _acc |= (value & ((BigInteger.One << take) - 1)) << _filled;
                value >>= take;
                bits -= take;
                _filled += take;
                if (_filled == ElementBits)
                {
                    _elements.Add(Fr.FromBigInteger(_acc));
                    _acc = BigInteger.Zero;
                    _filled = 0;
                }
            }
        }

        public List<Fr> Finish()
        {
            if (_filled > 0)
            {
                _elements.Add(Fr.FromBigInteger(_acc));
                _acc = BigInteger.Zero;
                _filled = 0;
            }

            return _elements;
        }
    }

    private static void CheckCapacity(int capacity, int count)
    {
        if (capacity < Math.Max(count, 1) || capacity > CircuitLimits.MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"The capacity must hold the batch's {count} entries and be at most {CircuitLimits.MaxCapacity}.");
        }
    }
}
