using System.Diagnostics;
using System.Globalization;
using System.Text;
using Prover.Sequencer;

namespace Prover.Benchmarks;

/// <summary>
/// Receipt latency over HTTP at fixed offered loads. Open loop: request i is due at t0 + i/rate and its
/// latency counts from that moment, so a stalled server cannot hide queueing (no coordinated omission).
/// The load generator (<see cref="RawHttpClient"/>, a wrk-like client) shares the machine's cores with the
/// sequencer. A warm-up of real transactions runs first and is not measured: the figures are steady
/// state, not the JIT's first tier.
/// </summary>
internal static class HttpLoadRun
{
    public static async Task RunAsync(int seconds, int[] rates)
    {
        // The warm-up runs at the highest rate measured: below it, the JIT's background tier-1
        // compilation was still taking 0.1–0.2 of a core during a measured 10,000 tx/s phase.
        var warmupRate = rates.Max();
        var total = (rates.Sum() + warmupRate) * seconds;
        Console.WriteLine($"# http: eth_sendRawTransaction over loopback, {seconds} s per rate, rates {string.Join(", ", rates)} tx/s after {seconds} s of unmeasured warm-up at {warmupRate} tx/s, {Environment.ProcessorCount} cores shared with the load generator");
        var raw = LoadTransactions.Raw(total);
        var bodies = raw.Select((r, i) => Encoding.UTF8.GetBytes(
            $"{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"eth_sendRawTransaction\",\"params\":[\"0x{Convert.ToHexStringLower(r)}\"]}}")).ToArray();

        var dir = Path.Combine(Path.GetTempPath(), "prover-bench-http-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new SequencerOptions
            {
                DataDirectory = dir,
                SequencerKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
                BatchCapacity = 256,
            };
            await using var host = await SequencerHost.StartAsync(options, 0);
            using var client = new RawHttpClient(host.Url, maxConnections: 512);
            var requests = bodies.Select(client.EncodePost).ToArray();
            await client.OpenAsync(64, CancellationToken.None);
            var next = 0;
            foreach (var (rate, measured) in rates.Select(r => (r, true)).Prepend((warmupRate, false)))
            {
                var count = rate * seconds;
                var latencies = new double[count];
                var errors = 0;
                // A countdown rather than an array of every request's task: that array, in the large-object
                // heap, kept each finished task alive until the phase ended, for the server's
                // collections to scan along with its own objects.
                var outstanding = count;
                var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var first = next;
                next += count;
                var clock = Stopwatch.StartNew();
                using var gc = new GcPauses();
                var cpu = CpuUse.Start();

                async void SendAsync(int k)
                {
                    var due = (double)k / rate;
                    try
                    {
                        var (status, text) = await client.SendAsync(requests[first + k], CancellationToken.None);
                        latencies[k] = (clock.Elapsed.TotalSeconds - due) * 1000;
                        if (status != 200 || text.Contains("\"error\"", StringComparison.Ordinal))
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                    catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
                    {
                        latencies[k] = (clock.Elapsed.TotalSeconds - due) * 1000;
                        Interlocked.Increment(ref errors);
                    }

                    if (Interlocked.Decrement(ref outstanding) == 0)
                    {
                        allDone.SetResult();
                    }
                }

                // Open loop on a thread of its own: every millisecond it sends the requests that have
                // come due. A request's latency counts from its due time, so the tick's delay (at most
                // about a millisecond) is charged to the server, never hidden.
                await Task.Factory.StartNew(() =>
                {
                    var i = 0;
                    while (i < count)
                    {
                        var dueNow = Math.Min(count, (int)(clock.Elapsed.TotalSeconds * rate) + 1);
                        for (; i < dueNow; i++)
                        {
                            SendAsync(i);
                        }

                        if (i < count)
                        {
                            Thread.Sleep(1);
                        }
                    }
                }, TaskCreationOptions.LongRunning);

                await allDone.Task;
                var elapsed = clock.Elapsed;
                var gcSummary = gc.Summary(count);
                var cpuSummary = cpu.Summary(count, elapsed);
                if (!measured)
                {
                    continue;
                }

                var achieved = count / elapsed.TotalSeconds;
                Array.Sort(latencies);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"offered {rate,6} tx/s: achieved {achieved,7:F0} tx/s, p50 {Pct(latencies, 0.50),7:F2} ms, p99 {Pct(latencies, 0.99),7:F2} ms, max {latencies[^1],7:F2} ms, errors {errors}, connections {client.Connections}"));
                Console.WriteLine($"  garbage collection: {gcSummary}");
                Console.WriteLine($"  cpu: {cpuSummary}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Pct(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
}
