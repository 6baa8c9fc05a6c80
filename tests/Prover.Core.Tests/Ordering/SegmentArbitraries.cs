using FsCheck;
using FsCheck.Fluent;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Core.Tests.Ordering;

/// <summary>A generated contiguous log segment (seq consecutive, arrival non-decreasing).</summary>
public sealed record Segment(LogEntry[] Entries)
{
    public override string ToString() =>
        $"[{string.Join("; ", Entries.Select(e => $"seq {e.Seq} t={e.ArrivalMs} from {e.Tx.Sender.ToString()[..6]} fee {e.Tx.PriorityFee}"))}]";
}

/// <summary>
/// FsCheck generators: segments of 0..64 entries from a small set of senders, fees drawn from a small
/// set so equal fees are common, arrival gaps that include ties and values around the 200 ms delay.
/// </summary>
public static class SegmentArbitraries
{
    private static readonly ulong[] Fees = [0, 1, 2, 2, 7, 100, 100, ulong.MaxValue];
    private static readonly ulong[] Gaps = [0, 0, 0, 1, 50, 199, 200, 201, 1_000];
    private static readonly ulong[] FirstSeqs = [0, 1, 1_000, ulong.MaxValue - 64];
    private static readonly ulong[] BaseArrivals = [0, 1_700_000_000_000];

    public static Arbitrary<Segment> Segments() => Arb.From(SegmentGen(), Shrink);

    public static Arbitrary<TimeboostPolicy> Timeboost() =>
        Arb.From(
            from controller in Gen.Elements([.. TestEntries.Senders, TestEntries.Outsider])
            from delay in Gen.Elements(0UL, 1UL, 200UL, 250UL, 5_000UL)
            select new TimeboostPolicy(controller, delay));

    public static Arbitrary<Fr> Fields() =>
        Arb.From(Gen.Choose(0, int.MaxValue).Select(v => Fr.FromUInt64((ulong)v)));

    private static Gen<Segment> SegmentGen() =>
        from size in Gen.Choose(0, 64)
        from firstSeq in Gen.Elements(FirstSeqs)
        from baseArrival in Gen.Elements(BaseArrivals)
        from rows in Gen.ArrayOf(RowGen(), size)
        select Build(firstSeq, baseArrival, rows);

    private static Gen<(int Sender, ulong Fee, ulong Gap, byte[] Hash)> RowGen() =>
        from sender in Gen.Choose(0, TestEntries.Senders.Length - 1)
        from fee in Gen.Elements(Fees)
        from gap in Gen.Elements(Gaps)
        from hash in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 32)
        select (sender, fee, gap, hash);

    private static Segment Build(ulong firstSeq, ulong baseArrival, (int Sender, ulong Fee, ulong Gap, byte[] Hash)[] rows)
    {
        var nonces = new ulong[TestEntries.Senders.Length];
        var entries = new LogEntry[rows.Length];
        var arrival = baseArrival;
        for (var i = 0; i < rows.Length; i++)
        {
            arrival += rows[i].Gap;
            var r = rows[i];
            entries[i] = TestEntries.Entry(firstSeq + (ulong)i, arrival, TestEntries.Senders[r.Sender], r.Fee, nonces[r.Sender]++, new Hash32(r.Hash));
        }

        return new Segment(entries);
    }

    /// <summary>Drops one entry at a time and renumbers, keeping the segment contiguous and time-ordered.</summary>
    private static IEnumerable<Segment> Shrink(Segment s)
    {
        for (var drop = 0; drop < s.Entries.Length; drop++)
        {
            var first = s.Entries[0].Seq;
            yield return new Segment([.. s.Entries.Where((_, i) => i != drop).Select((e, i) => e with { Seq = first + (ulong)i })]);
        }
    }
}
