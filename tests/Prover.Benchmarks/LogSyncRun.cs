using System.Diagnostics;
using System.Globalization;
using Prover.Core.Ethereum;
using Prover.Core.Log;
using Prover.Sequencer.Log;

namespace Prover.Benchmarks;

/// <summary>
/// <c>log-sync [groups] [size…]</c>: the receipt log's durable append alone (one frame written and
/// synced per group, as the committer does it), timed group by group on a fresh log in the temp
/// directory. The sync is on every receipt's path, so its tail is a floor under the HTTP tail.
/// </summary>
internal static class LogSyncRun
{
    public static void Run(int groups, int[] sizes)
    {
        Console.WriteLine($"# log-sync: {groups} groups per size, each written and synced on its own, {Path.GetTempPath()}");
        var decoded = LoadTransactions.Decoded(LoadTransactions.Raw(sizes.Max()));
        var signature = new byte[65];
        foreach (var size in sizes)
        {
            var dir = Path.Combine(Path.GetTempPath(), "prover-logsync-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var file = LogFile.Open(Path.Combine(dir, "receipts.log"), LoadTransactions.ChainId, EthAddress.Zero, out _, out _);
                var micros = new double[groups];
                var seq = 0UL;
                var bytes = file.Length;
                for (var g = 0; g < groups; g++)
                {
                    var entries = new LogEntry[size];
                    for (var i = 0; i < size; i++)
                    {
                        entries[i] = new LogEntry(seq + (ulong)i, 1_700_000_000_000UL + seq, decoded[i]);
                    }

                    var start = Stopwatch.GetTimestamp();
                    file.Append(new StoredGroup(seq, entries, signature));
                    micros[g] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    seq += (ulong)size;
                }

                bytes = file.Length - bytes;
                Array.Sort(micros);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"groups of {size,3} tx ({bytes / groups,6} bytes): write + sync p50 {micros[groups / 2],7:F0} µs, p90 {micros[groups * 9 / 10],7:F0} µs, p99 {micros[groups * 99 / 100],7:F0} µs, max {micros[^1],7:F0} µs"));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
