using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Prover.Core;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Ordering;
using Prover.Sequencer;
using Spectre.Console;

namespace Prover.Cli;

/// <summary>The <c>prover</c> command tree.</summary>
internal static class Commands
{
    /// <summary>
    /// anvil's first default account. Used only when no key is given, so `make run` works out of the
    /// box against a local anvil; its key is public, so the sequencer says so loudly.
    /// </summary>
    internal const string DevelopmentKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    internal const string KeyVariable = "PROVER_SEQUENCER_KEY";

    private static readonly Option<DirectoryInfo> DataDir = new("--data-dir")
    {
        Description = "Directory holding the receipt log and the batches.",
        DefaultValueFactory = _ => new DirectoryInfo(".data"),
    };

    public static RootCommand Root()
    {
        var root = new RootCommand("Prover: provable transaction ordering for rollup sequencers.");
        root.Subcommands.Add(SequencerCommand());
        root.Subcommands.Add(BatchCommand());
        root.Subcommands.Add(ProvingCommands.Prove());
        root.Subcommands.Add(ProvingCommands.VerifyProof());
        root.Subcommands.Add(ChainCommands.Chain());
        root.Subcommands.Add(WorkerCommands.Worker());
        root.Subcommands.Add(WorkerCommands.Pool());
        root.Subcommands.Add(LightClientCommands.Verify());
        root.Subcommands.Add(LightClientCommands.Receipt());
        root.Subcommands.Add(Demo.DemoCommand.Create());
        return root;
    }

    private static Command SequencerCommand()
    {
        var port = new Option<int>("--port") { Description = "Loopback port for JSON-RPC (0 picks a free one).", DefaultValueFactory = _ => 8547 };
        var chainId = new Option<ulong>("--chain-id") { Description = "The rollup's chain id; other chains' transactions are refused.", DefaultValueFactory = _ => 31337UL };
        var inbox = new Option<string>("--inbox") { Description = "The inbox contract address (EIP-712 verifyingContract of every receipt).", DefaultValueFactory = _ => EthAddress.Zero.ToString() };
        var policy = new Option<string>("--policy")
        {
            Description = "Ordering policy: fcfs | priority-fee | timeboost:controller=0x…[,delayMs=200] | shuffle (each batch's beacon is drawn on chain).",
            DefaultValueFactory = _ => "fcfs",
        };
        var batchSize = new Option<int>("--batch-size") { Description = "A batch closes at this many transactions…", DefaultValueFactory = _ => 64 };
        var batchAge = new Option<int>("--batch-age-ms") { Description = "…or when its oldest transaction is this old (ms, at most 4000: the circuits take arrival gaps below 2^12 ms).", DefaultValueFactory = _ => 250 };
        var intake = new Option<int>("--intake-capacity") { Description = "Transactions that may wait for the log writer before the RPC answers busy.", DefaultValueFactory = _ => 16_384 };
        var key = new Option<string?>("--key-file") { Description = $"File holding the sequencer's private key (hex). Otherwise ${KeyVariable}; otherwise anvil's public development key." };

        var command = new Command("sequencer", "Run the sequencer: JSON-RPC intake, signed receipts, policy-ordered batches with ordering witnesses.");
        foreach (var option in new Option[] { DataDir, port, chainId, inbox, policy, batchSize, batchAge, intake, key })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            }).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning));
            var logger = loggerFactory.CreateLogger("prover");
            try
            {
                var options = new SequencerOptions
                {
                    DataDirectory = parse.GetValue(DataDir)!.FullName,
                    ChainId = parse.GetValue(chainId),
                    Inbox = ParseAddress(parse.GetValue(inbox)!, "--inbox"),
                    Policy = OrderingPolicy.Parse(parse.GetValue(policy)!),
                    BatchCapacity = parse.GetValue(batchSize),
                    BatchMaxAge = TimeSpan.FromMilliseconds(parse.GetValue(batchAge)),
                    IntakeCapacity = parse.GetValue(intake),
                    SequencerKey = ResolveKey(parse.GetValue(key), logger),
                };
                await using var host = await SequencerHost.StartAsync(options, parse.GetValue(port), loggerFactory, cancellationToken: ct);
                logger.LogInformation("JSON-RPC on {Url}; data in {Dir}. Ctrl-C stops.", host.Url, options.DataDirectory);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    logger.LogInformation("Stopping: logging what was accepted, then closing the log.");
                }

                return 0;
            }
            catch (ProverException e)
            {
                logger.LogError("{Message}", e.Message);
                return 2;
            }
        });
        return command;
    }

    private static Command BatchCommand()
    {
        var index = new Argument<ulong>("index") { Description = "The batch index." };
        var json = new Option<bool>("--json") { Description = "Print the ordering witness as JSON." };
        var show = new Command("show", "Show a stored batch: its segment of the log, its policy and its order.");
        show.Arguments.Add(index);
        show.Options.Add(DataDir);
        show.Options.Add(json);
        show.SetAction(parse =>
        {
            var dir = parse.GetValue(DataDir)!.FullName;
            var n = parse.GetValue(index);
            var path = Path.Combine(dir, "batches", n.ToString("D10", CultureInfo.InvariantCulture) + ".witness.json");
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"error: no batch {n} in {dir} (looked for {path}). Is --data-dir the sequencer's data directory, and has batch {n} been cut?");
                return 2;
            }

            OrderingWitness witness;
            try
            {
                witness = OrderingWitness.FromJson(File.ReadAllText(path));
            }
            catch (ProverException e)
            {
                Console.Error.WriteLine($"error: {path}: {e.Message}");
                return 2;
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(witness.ToJson());
                return 0;
            }

            Render(witness);
            return 0;
        });

        var batch = new Command("batch", "Inspect stored batches.");
        batch.Subcommands.Add(show);
        return batch;
    }

    private static void Render(OrderingWitness w)
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            // Piped or captured output has no terminal width, so Spectre assumes 80 columns and wraps
            // hashes and addresses mid-value, which breaks grep and copy-paste. Lay it out at full width.
            console.Profile.Width = 512;
        }

        var summary = new Grid().AddColumn().AddColumn();
        summary.AddRow("batch", w.BatchIndex.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("policy", Markup.Escape(w.Policy.Spec));
        summary.AddRow("seq", $"{w.FirstSeq} .. {w.FirstSeq + (ulong)w.Count - 1} ({w.Count} transactions)");
        summary.AddRow("prevHead", w.PrevHead.ToHex());
        summary.AddRow("newHead", w.NewHead.ToHex());
        summary.AddRow("outputCommitment", w.OutputCommitment?.ToHex() ?? "none yet: a shuffle batch is ordered once its beacon is drawn on chain");
        if (w.Beacon is { } beacon)
        {
            summary.AddRow("beacon", beacon.ToHex());
        }

        summary.AddRow("domain", w.Domain.ToHex());
        console.Write(summary);

        // Before its beacon a shuffle batch has no order: its entries are listed in log order.
        var table = new Table().AddColumns(w.IsOrdered ? "#" : "log #", "seq", "arrival (ms)", "sender", "nonce", "fee", "tx hash");
        for (var position = 0; position < w.Count; position++)
        {
            var e = w.Entries[w.IsOrdered ? w.Permutation[position] : position];
            table.AddRow(
                position.ToString(CultureInfo.InvariantCulture),
                e.Seq.ToString(CultureInfo.InvariantCulture),
                e.ArrivalMs.ToString(CultureInfo.InvariantCulture),
                e.Sender.ToString(),
                e.Nonce.ToString(CultureInfo.InvariantCulture),
                e.Fee.ToString(CultureInfo.InvariantCulture),
                e.TxHash.ToString());
        }

        console.Write(table);
    }

    private static EthAddress ParseAddress(string text, string option) =>
        EthAddress.TryParse(text, out var a) ? a : throw new SequencerConfigurationException($"{option}: '{text}' is not an address (0x followed by 40 hex digits).");

    private static string ResolveKey(string? keyFile, ILogger logger)
    {
        if (keyFile is not null)
        {
            if (!File.Exists(keyFile))
            {
                throw new SequencerConfigurationException($"--key-file: {keyFile} does not exist.");
            }

            return File.ReadAllText(keyFile).Trim();
        }

        if (Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment.Trim();
        }

        logger.LogWarning("No sequencer key given (--key-file or {Variable}): using anvil's PUBLIC development key. Never use it outside local development.", KeyVariable);
        return DevelopmentKey;
    }
}
