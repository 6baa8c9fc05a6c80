using System.CommandLine;
using System.Globalization;
using Prover.Core;
using Spectre.Console;

namespace Prover.Cli.Demo;

/// <summary><c>prover demo</c> (what <c>make run</c> runs).</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "Parent folder of the run's data (a new demo-<time> folder in it each run).",
            DefaultValueFactory = _ => new DirectoryInfo(".data"),
        };
        var policies = new Option<string[]>("--policy") { Description = "Policies to run (repeatable): fcfs, priority-fee, timeboost, shuffle. Default: all four.", AllowMultipleArgumentsPerToken = true };
        var batches = new Option<int>("--batches") { Description = "Batches each policy finalizes, at least.", DefaultValueFactory = _ => 5 };
        var capacity = new Option<int>("--capacity") { Description = "Batch capacity N (a circuits/main/<policy>_<N>.circom must exist).", DefaultValueFactory = _ => 4 };
        var workers = new Option<int>("--workers") { Description = "Prover pool workers.", DefaultValueFactory = _ => 1 };
        var circuits = new Option<DirectoryInfo?>("--circuits") { Description = "The circuits folder (default: circuits/ of this checkout)." };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Where compiled circuits, ceremony files and keys are cached (default: $XDG_CACHE_HOME/prover or ~/.cache/prover)." };
        var backend = BackendOption.Create();
        var command = new Command("demo", "The whole pipeline on a local anvil: signed transactions → receipts → policy-ordered batches → Groth16 proofs → finalized on chain → checked by the light client. Ctrl-C stops cleanly.");
        foreach (var option in new Option[] { dataDir, policies, batches, capacity, workers, circuits, cache, backend })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                // Captured output (make run | tee, CI logs) has no terminal width; Spectre would assume 80 columns and wrap the table.
                console.Profile.Width = 160;
            }
            var chosen = parse.GetValue(policies) is { Length: > 0 } p ? p : DemoRun.AllPolicies;
            if (chosen.FirstOrDefault(x => !DemoRun.AllPolicies.Contains(x)) is { } unknown)
            {
                Console.Error.WriteLine($"error: '{unknown}' is not a policy the demo runs ({string.Join(", ", DemoRun.AllPolicies)}).");
                return 2;
            }

            if (parse.GetValue(batches) < 1 || parse.GetValue(workers) < 1 || parse.GetValue(capacity) < 1)
            {
                Console.Error.WriteLine("error: --batches, --workers and --capacity must be at least 1.");
                return 2;
            }

            var folder = Path.Combine(parse.GetValue(dataDir)!.FullName, "demo-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            var options = new DemoOptions(folder, chosen, parse.GetValue(capacity), parse.GetValue(batches), parse.GetValue(workers), parse.GetValue(circuits)?.FullName, parse.GetValue(cache)?.FullName, parse.Kind(backend));
            try
            {
                var outcomes = await DemoRun.RunAsync(options, console, DemoVerification.VerifyAsync, ct);
                console.Write(DemoRun.Summary(outcomes));
                console.MarkupLine($"data: [blue]{Markup.Escape(folder)}[/]");
                return outcomes.All(o => o.Ok) ? 0 : 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                console.MarkupLine($"[yellow]interrupted[/]: everything started was stopped. data: [blue]{Markup.Escape(folder)}[/]");
                return 130;
            }
            catch (ProverException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                console.MarkupLine($"data: [blue]{Markup.Escape(folder)}[/]");
                return 2;
            }
        });
        return command;
    }
}
