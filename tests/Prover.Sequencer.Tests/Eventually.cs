using System.Diagnostics;

namespace Prover.Sequencer.Tests;

/// <summary>Polls a condition instead of sleeping a fixed time: fast when things are fast, a clear failure when they never happen.</summary>
internal static class Eventually
{
    public static async Task Until(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.ElapsedMilliseconds > timeoutMs)
            {
                Assert.Fail($"Timed out after {timeoutMs} ms waiting for {what}.");
            }

            await Task.Delay(5);
        }
    }
}
