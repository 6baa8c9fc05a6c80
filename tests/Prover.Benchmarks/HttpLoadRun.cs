using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Prover.Sequencer;

namespace Prover.Benchmarks;

/// <summary>
/// Receipt latency over HTTP at fixed offered loads. Open loop: request i is due at t0 + i/rate and its
/// latency counts from that moment, so a stalled server cannot hide queueing (no coordinated omission).
/// The load generator shares the machine's cores with the sequencer. A warm-up of real transactions
/// runs first and is not measured: the figures are steady state, not the JIT's first tier.
/// </summary>
internal static class HttpLoadRun
{
    public static async Task RunAsync(int seconds, int[] rates)
    {
        const int warmupRate = 1_000;
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
            using var client = new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = 512,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                UseProxy = false,
            })
            { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(30) };

            // Warm up connections and the JIT.
            await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => client.GetAsync("/health")));
            var next = 0;
            foreach (var (rate, measured) in rates.Select(r => (r, true)).Prepend((warmupRate, false)))
            {
                var count = rate * seconds;
                var latencies = new double[count];
                var errors = 0;
                var tasks = new Task[count];
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < count; i++)
                {
                    var due = (double)i / rate;
                    while (clock.Elapsed.TotalSeconds < due)
                    {
                        var wait = due - clock.Elapsed.TotalSeconds;
                        if (wait > 0.002)
                        {
                            await Task.Delay(TimeSpan.FromSeconds(wait - 0.001));
                        }
                        else
                        {
                            Thread.Yield();
                        }
                    }

                    var k = i;
                    var body = bodies[next++];
                    tasks[i] = Task.Run(async () =>
                    {
                        using var content = new ByteArrayContent(body);
                        content.Headers.ContentType = new("application/json");
                        using var response = await client.PostAsync(string.Empty, content);
                        var text = await response.Content.ReadAsStringAsync();
                        if (response.StatusCode != HttpStatusCode.OK || text.Contains("\"error\"", StringComparison.Ordinal))
                        {
                            Interlocked.Increment(ref errors);
                        }

                        latencies[k] = (clock.Elapsed.TotalSeconds - due) * 1000;
                    });
                }

                await Task.WhenAll(tasks);
                if (!measured)
                {
                    continue;
                }

                var achieved = count / clock.Elapsed.TotalSeconds;
                Array.Sort(latencies);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"offered {rate,6} tx/s: achieved {achieved,7:F0} tx/s, p50 {Pct(latencies, 0.50),7:F2} ms, p99 {Pct(latencies, 0.99),7:F2} ms, max {latencies[^1],7:F2} ms, errors {errors}"));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Pct(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
}
