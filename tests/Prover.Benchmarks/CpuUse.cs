using System.Diagnostics;
using System.Globalization;

namespace Prover.Benchmarks;

/// <summary>
/// The processor time a measured phase used: this process's (server and load generator together), per
/// operation, and how busy the whole machine was. A latency tail at a load that keeps every core busy
/// is queueing, which no change to one request's path removes; this tells the two cases apart.
/// </summary>
internal sealed class CpuUse
{
    private readonly TimeSpan _process;
    private readonly (long Busy, long Total)? _machine;

    private CpuUse(TimeSpan process, (long, long)? machine)
    {
        _process = process;
        _machine = machine;
    }

    public static CpuUse Start() => new(Process.GetCurrentProcess().TotalProcessorTime, MachineTicks());

    public string Summary(int operations, TimeSpan elapsed)
    {
        var process = Process.GetCurrentProcess().TotalProcessorTime - _process;
        var cores = Environment.ProcessorCount;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"this process {process.TotalMicroseconds / operations:F0} µs per request, {process / elapsed:F2} of {cores} cores");
        if (_machine is { } start && MachineTicks() is { } end && end.Total > start.Total)
        {
            text += string.Create(CultureInfo.InvariantCulture,
                $"; the machine {(double)(end.Busy - start.Busy) / (end.Total - start.Total):P0} busy");
        }

        return text;
    }

    // The first line of /proc/stat: time spent in each state by all cores, in clock ticks. Busy is
    // everything but idle and iowait. Elsewhere than Linux the machine's share is left out.
    private static (long Busy, long Total)? MachineTicks()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = fields.Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var total = values.Sum();
            var idle = values[3] + values[4];
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
