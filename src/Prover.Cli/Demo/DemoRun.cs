using System.Globalization;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ordering;
using Prover.Proving;
using Prover.Proving.Snarkjs;
using Prover.Sequencer;
using Prover.Workers;
using Spectre.Console;

namespace Prover.Cli.Demo;

/// <summary>What the demo is asked to do.</summary>
internal sealed record DemoOptions(
    string DataDirectory, IReadOnlyList<string> Policies, int Capacity, int Batches, int Workers, string? CircuitsDirectory, string? CacheDirectory,
    BackendKind Backend = ProvingBackends.Default);

/// <summary>One policy's run, for the summary table.</summary>
internal sealed record PolicyOutcome(
    string Policy, int Transactions, int Batches, int Finalized, double ProveSeconds, double GasPerBatch, double LatencyP50Seconds, double LatencyMaxSeconds, double VerifyMs, string Verified, bool Ok);

/// <summary>
/// <c>prover demo</c>: the whole pipeline on one machine. A local anvil; per policy an inbox, a sequencer
/// taking signed transactions over JSON-RPC, a prover pool proving and finalizing every batch (for the
/// shuffle, committing each batch and drawing its beacon on chain first), and the light client checking
/// the result against the chain alone.
/// </summary>
internal static class DemoRun
{
    /// <summary>Every policy the demo can run, the express lane controlled by the demo's first sender.</summary>
    public static readonly string[] AllPolicies = ["fcfs", "priority-fee", "timeboost", "shuffle"];

    public static async Task<IReadOnlyList<PolicyOutcome>> RunAsync(DemoOptions options, IAnsiConsole console, Func<DemoContext, PolicyRun, CancellationToken, Task<DemoVerdict>> verify, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataDirectory);
        console.MarkupLine($"[bold]Prover demo[/]: {options.Policies.Count} policies × at least {options.Batches} batches of up to {options.Capacity} transactions. Data: [blue]{Markup.Escape(options.DataDirectory)}[/]");

        await using var anvil = await AnvilNode.StartAsync(new AnvilOptions { ChainId = 31337 }, cancellationToken);
        console.MarkupLine($"anvil      {anvil.Url} (chain {anvil.ChainId})");

        // One ceremony power for every demo circuit, so a fresh machine makes one development ceremony, once.
        var tools = new SnarkjsOptions { MinimumDevelopmentPower = 13, CircuitsDirectory = options.CircuitsDirectory, CacheDirectory = options.CacheDirectory };
        var circuits = ProvingBackends.CircuitsDirectory(tools);
        var backend = ProvingBackends.Create(options.Backend, tools);
        using var owned = backend as IDisposable;
        console.MarkupLine($"backend    {ProvingBackends.NameOf(options.Backend)} ({Markup.Escape(backend.Name)})");
        var artifacts = new Dictionary<string, CircuitArtifacts>();
        await console.Status().StartAsync("setting up circuits (the first run also makes the development ceremony: a few minutes)", async _ =>
        {
            foreach (var policy in options.Policies)
            {
                var main = Path.Combine(circuits, CircuitInputs.MainFor(policy, options.Capacity));
                var name = Path.GetFileNameWithoutExtension(main);
                var folder = Path.Combine(options.DataDirectory, "circuits", policy);
                var circuit = await ProvingSteps.RunAsync(name, ProvingStep.Compile, () => backend.CompileAsync(main, Path.Combine(folder, "build"), cancellationToken));
                artifacts[policy] = await ProvingSteps.RunAsync(name, ProvingStep.Setup, () => backend.SetupAsync(circuit, CeremonySource.Development, Path.Combine(folder, "artifacts"), cancellationToken));
                console.MarkupLine($"circuit    {policy}_{options.Capacity}: {circuit.Constraints:N0} constraints, keys from the development ceremony ([yellow]INSECURE[/], power {artifacts[policy].Power})");
            }
        });

        var connection = await ChainConnection.ConnectAsync(anvil.Url, AnvilNode.DevelopmentKeys[0], cancellationToken);
        var context = new DemoContext(anvil, connection, backend, circuits, artifacts);
        var load = new DemoLoad(seed: 2026);
        var outcomes = new List<PolicyOutcome>();
        foreach (var policyId in options.Policies)
        {
            outcomes.Add(await RunPolicyAsync(options, console, context, policyId, load, verify, cancellationToken));
        }

        return outcomes;
    }

    private static async Task<PolicyOutcome> RunPolicyAsync(
        DemoOptions options, IAnsiConsole console, DemoContext context, string policyId, DemoLoad load,
        Func<DemoContext, PolicyRun, CancellationToken, Task<DemoVerdict>> verify, CancellationToken cancellationToken)
    {
        var policy = policyId == "timeboost" ? new TimeboostPolicy(DemoLoad.ExpressLaneController) : OrderingPolicy.Parse(policyId);
        var artifacts = context.Artifacts[policyId];
        var (inbox, deployment) = await BatchInbox.DeployAsync(
            context.Connection, new InboxDeploymentRequest(artifacts.VerifierContractFile, policy, options.Capacity, context.Connection.Account), tools: null, cancellationToken);
        console.MarkupLine($"[bold]{policy}[/]  inbox {deployment.Inbox}");

        var folder = Path.Combine(options.DataDirectory, policyId);
        await using var sequencer = await SequencerHost.StartAsync(
            new SequencerOptions
            {
                DataDirectory = folder,
                ChainId = context.Connection.ChainId,
                Inbox = deployment.Inbox,
                SequencerKey = AnvilNode.DevelopmentKeys[0],
                Policy = policy,
                BatchCapacity = options.Capacity,
                BatchMaxAge = TimeSpan.FromMilliseconds(250),
            },
            port: 0,
            cancellationToken: cancellationToken);
        await using var pool = await ProverPool.StartAsync(
            new ProverPoolOptions
            {
                Storage = new PoolStorage.Sqlite(Path.Combine(folder, "pool")),
                WorkDirectory = Path.Combine(folder, "work"),
                Workers = options.Workers,
                WitnessDirectory = Path.Combine(folder, "batches"),
                ReconcileInterval = TimeSpan.FromMilliseconds(250),
            },
            new ProvingSetup(context.Backend, CeremonySource.Development, context.CircuitsDirectory),
            new PoolChain(context.Connection, inbox, deployment.Block),
            ProverPool.VerificationKeyHash(artifacts.VerificationKeyFile),
            loggerFactory: null,
            time: null,
            cancellationToken);

        await pool.PrepareAsync(policyId, options.Capacity, cancellationToken);
        var count = (options.Batches * options.Capacity) + (options.Capacity / 2);
        var sent = await load.SendAsync(sequencer.Url, context.Connection.ChainId, count, cancellationToken);
        console.MarkupLine($"  sequencer {sequencer.Url}: {sent.Count} signed transactions from 5 senders, each answered with a signed receipt");

        var batches = 0;
        // Minutes without a batch cut or finalized: far beyond a proof of the largest demo circuit.
        var progress = new DemoProgress(count, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow);
        await console.Progress().AutoClear(true).StartAsync(async ctx =>
        {
            var cut = ctx.AddTask("  cut", maxValue: count);
            var finalized = ctx.AddTask("  finalized", maxValue: 1);
            while (true)
            {
                var records = await pool.Store.ListAsync(cancellationToken);
                cut.Value = records.Sum(r => r.Count);
                finalized.MaxValue = Math.Max(1, records.Count);
                finalized.Value = records.Count(r => r.State == BatchState.Finalized);
                if (progress.Check(policyId, records, DateTimeOffset.UtcNow))
                {
                    batches = records.Count;
                    return;
                }

                await Task.Delay(200, cancellationToken);
            }
        });

        var records = new List<BatchRecord>();
        foreach (var summary in await pool.Store.ListAsync(cancellationToken))
        {
            records.Add((await pool.Store.GetAsync(summary.Index, cancellationToken))!);
        }

        var sentAt = sent.ToDictionary(s => s.Hash.ToLowerInvariant(), s => s.SentMs);
        var latencies = records
            .SelectMany(r => OrderingWitness.FromJson(r.Witness!).Entries.Select(e => (r.FinalizedMs!.Value - sentAt[e.TxHash.ToString().ToLowerInvariant()]) / 1000.0))
            .Order()
            .ToList();
        // A shuffle batch is committed on chain, and its beacon drawn, before it can be proven: that step
        // is part of every one of its transactions' way to finality, shown on its own here.
        var drawn = records
            .Where(r => r.DrawnMs is not null)
            .SelectMany(r => OrderingWitness.FromJson(r.Witness!).Entries.Select(e => (r.DrawnMs!.Value - sentAt[e.TxHash.ToString().ToLowerInvariant()]) / 1000.0))
            .Order()
            .ToList();
        var commitStep = drawn.Count == 0 ? "" : $" (committed and beacon drawn p50 {Percentile(drawn, 0.5):F2} s)";
        console.MarkupLine($"  {batches} batches proven and finalized in index order; tx → final p50 {Percentile(latencies, 0.5):F2} s{commitStep}");

        var run = new PolicyRun(policyId, deployment, inbox, folder, sequencer.Node, records);
        var verdict = await verify(context, run, cancellationToken);
        console.MarkupLine($"  light client: {(verdict.Ok ? "[green]" : "[red]")}{Markup.Escape(verdict.Text)}[/] ({verdict.VerifyMsPerBatch:F1} ms per proof in C#)");
        return new PolicyOutcome(
            policyId, sent.Count, batches, records.Count(r => r.State == BatchState.Finalized),
            records.Average(r => r.ProveMs ?? 0) / 1000.0, records.Average(r => (double)(r.GasUsed ?? 0)),
            Percentile(latencies, 0.5), latencies[^1], verdict.VerifyMsPerBatch, verdict.Ok ? "verified" : "FAILED", verdict.Ok);
    }

    public static Table Summary(IReadOnlyList<PolicyOutcome> outcomes)
    {
        var table = new Table().Title("Prover demo").AddColumns("policy", "transactions", "batches", "prove s/batch", "gas/batch", "tx → final p50", "tx → final max", "light client ms/batch", "verified");
        foreach (var o in outcomes)
        {
            table.AddRow(
                Markup.Escape(o.Policy), o.Transactions.ToString(CultureInfo.InvariantCulture), $"{o.Finalized}/{o.Batches}",
                o.ProveSeconds.ToString("F2", CultureInfo.InvariantCulture), o.GasPerBatch.ToString("N0", CultureInfo.InvariantCulture),
                $"{o.LatencyP50Seconds.ToString("F2", CultureInfo.InvariantCulture)} s", $"{o.LatencyMaxSeconds.ToString("F2", CultureInfo.InvariantCulture)} s",
                o.VerifyMs.ToString("F1", CultureInfo.InvariantCulture),
                (o.Ok ? "[green]" : "[red]") + Markup.Escape(o.Verified) + "[/]");
        }

        return table;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>What every policy's run shares: the chain, the sequencer account's connection, the backend (owned by the run, so each policy's pool leaves it open) and the circuits.</summary>
internal sealed record DemoContext(AnvilNode Anvil, ChainConnection Connection, IProvingBackend Backend, string CircuitsDirectory, IReadOnlyDictionary<string, CircuitArtifacts> Artifacts);

/// <summary>One policy's deployment and what its pool finalized.</summary>
internal sealed record PolicyRun(string Policy, InboxDeployment Deployment, BatchInbox Inbox, string DataDirectory, SequencerNode Sequencer, IReadOnlyList<BatchRecord> Batches);

/// <summary>The demo could not finish: a batch failed, which is a bug worth stopping for.</summary>
internal sealed class DemoException(string message) : Core.ProverException(message);
