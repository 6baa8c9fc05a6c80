using System.Globalization;

namespace Prover.Core.Batches;

/// <summary>
/// The bounds the ordering circuits put on a batch (docs/circuits.md): values outside them cannot be
/// proven, so the sequencer refuses them when it builds a batch instead of emitting a batch nobody can
/// prove.
/// </summary>
public static class CircuitLimits
{
    /// <summary>Consecutive arrivals in one batch differ by less than 2^12 ms (the circuits' gap check).</summary>
    public const int ArrivalGapBits = 12;

    /// <summary>A batch's first arrival is below 2^48 ms (ms since 1970, before the year 10889).</summary>
    public const int FirstArrivalBits = 48;

    /// <summary>
    /// The previous batch's last arrival, which the circuits take from the header: below 2^49, since a
    /// batch's first arrival is below 2^48 and it spans at most 2^16 gaps below 2^12 ms.
    /// </summary>
    public const int PrevArrivalBits = 49;

    /// <summary>The largest capacity a circuit may have: 16 bits of log index in each composite.</summary>
    public const int MaxCapacity = 1 << 16;

    /// <summary>
    /// The longest a batch may stay open. Every entry of a batch arrives within the max age of its
    /// first, so this keeps each arrival gap below 2^12 ms = 4.096 s.
    /// </summary>
    public static readonly TimeSpan MaxBatchAge = TimeSpan.FromSeconds(4);

    /// <summary>Refuses arrivals the circuits cannot carry: a first arrival ≥ 2^48 ms or a gap ≥ 2^12 ms.</summary>
    /// <exception cref="ValueOutOfRangeException">Which arrival broke which limit.</exception>
    public static void CheckArrivals(IReadOnlyList<ulong> arrivalsMs)
    {
        ArgumentNullException.ThrowIfNull(arrivalsMs);
        if (arrivalsMs.Count > 0 && arrivalsMs[0] >> FirstArrivalBits != 0)
        {
            throw new ValueOutOfRangeException("the batch's first arrival time", $"{FirstArrivalBits} bits (ms since 1970, before the year 10889)", arrivalsMs[0].ToString(CultureInfo.InvariantCulture));
        }

        for (var j = 1; j < arrivalsMs.Count; j++)
        {
            if (arrivalsMs[j] < arrivalsMs[j - 1] || (arrivalsMs[j] - arrivalsMs[j - 1]) >> ArrivalGapBits != 0)
            {
                throw new ValueOutOfRangeException(
                    $"the arrival gap before batch entry {j}",
                    $"[0, 2^{ArrivalGapBits}) ms (consecutive entries of one batch arrive less than 4.096 s apart)",
                    $"{arrivalsMs[j]} − {arrivalsMs[j - 1]}");
            }
        }
    }
}
