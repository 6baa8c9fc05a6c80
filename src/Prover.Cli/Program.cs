using System.CommandLine;

namespace Prover.Cli;

internal static class Program
{
    // Ctrl-C and SIGTERM cancel the running command's token; a command then stops what it started (a
    // sequencer flushes its log, the pool lets running proofs observe the shutdown, the demo stops anvil).
    // System.CommandLine's default of 2 s before it ends the process anyway is too short for that.
    public static Task<int> Main(string[] args) =>
        Commands.Root().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
}
