using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Prover.Cli.Tests;

/// <summary>`prover demo` (what `make run` runs) as a newcomer runs it: to the end, and stopped with Ctrl-C.</summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task The_demo_finalizes_and_independently_verifies_every_batch_and_exits_0()
    {
        using var dir = new TempDirectory();

        var result = await ProverProcess.RunAsync(TimeSpan.FromMinutes(15), "demo", "--data-dir", dir.Path, "--policy", "timeboost", "--batches", "2");

        Assert.True(result.ExitCode == 0, result.StandardError + result.StandardOutput);
        var row = SummaryRow().Match(result.StandardOutput);
        Assert.True(row.Success, "no summary row for timeboost in:\n" + result.StandardOutput);
        Assert.Equal("10", row.Groups["tx"].Value);
        Assert.Equal(row.Groups["final"].Value, row.Groups["cut"].Value);
        Assert.True(int.Parse(row.Groups["final"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Contains("verified", row.Groups["verified"].Value, StringComparison.Ordinal);
        var data = DataLine().Match(result.StandardOutput).Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(data, "timeboost", "pool", "pool.db")), $"the printed data directory '{data}' holds no pool store");
    }

    [Fact]
    public async Task The_shuffle_demo_commits_each_batch_on_chain_and_finalizes_it_with_the_beacon_the_inbox_drew()
    {
        using var dir = new TempDirectory();
        var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(output),
            Ansi = Spectre.Console.AnsiSupport.No,
            Interactive = Spectre.Console.InteractionSupport.No,
        });
        console.Profile.Width = 400;
        var checkedBatches = 0;

        // The chain's own record instead of the light client: every finalized batch carries the beacon of
        // the block that recorded its commitment, and was committed before it was final.
        async Task<Demo.DemoVerdict> FromTheChain(Demo.DemoContext context, Demo.PolicyRun run, CancellationToken ct)
        {
            var web3 = new Nethereum.Web3.Web3(context.Anvil.Url.ToString());
            var commitments = (await run.Inbox.GetCommitmentHistoryAsync(run.Deployment.Block, ct)).ToDictionary(c => c.Index);
            foreach (var batch in await run.Inbox.GetFinalizedBatchesAsync(run.Deployment.Block, ct))
            {
                var commitment = commitments[batch.Index];
                var block = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new Nethereum.RPC.Eth.DTOs.BlockParameter(commitment.BeaconBlock));
                Assert.Equal(Core.Batches.BatchHeader.BeaconOf(Core.Ethereum.Hash32.Parse(block.BlockHash)), batch.Beacon);
                Assert.True(commitment.BeaconBlock < batch.BlockNumber);
                checkedBatches++;
            }

            return new Demo.DemoVerdict($"{checkedBatches} batches carry their drawn beacon", true, 0);
        }

        var outcomes = await Demo.DemoRun.RunAsync(new Demo.DemoOptions(dir.Path, ["shuffle"], 4, 2, 1, null, null), console, FromTheChain, CancellationToken.None);

        var outcome = Assert.Single(outcomes);
        Assert.True(outcome.Ok, output.ToString());
        Assert.Equal((outcome.Batches, outcome.Batches), (outcome.Finalized, checkedBatches));
        Assert.True(outcome.Batches >= 2);
        Assert.Equal(10, outcome.Transactions);
        Assert.Matches(@"tx → final p50 [\d.]+ s \(committed and beacon drawn p50 [\d.]+ s\)", output.ToString());
    }

    [Fact]
    public async Task Ctrl_c_stops_the_demo_cleanly_and_prints_where_its_data_is()
    {
        using var dir = new TempDirectory();
        var info = new ProcessStartInfo(RepoPaths.DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { RepoPaths.ProverDll, "demo", "--data-dir", dir.Path, "--policy", "fcfs", "--batches", "50" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var deployed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("signed transactions", StringComparison.Ordinal) == true)
            {
                deployed.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await deployed.Task.WaitAsync(TimeSpan.FromMinutes(10));
            using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var text = output.ToString();
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}:\n{text}");
        Assert.Contains("interrupted", text, StringComparison.Ordinal);
        Assert.Matches(DataLine(), text);
    }

    [GeneratedRegex(@"│\s*timeboost\s*│\s*(?<tx>\d+)\s*│\s*(?<final>\d+)/(?<cut>\d+)\s*│.*│\s*(?<verified>[^│]*?)\s*│\s*$", RegexOptions.Multiline)]
    private static partial Regex SummaryRow();

    [GeneratedRegex(@"data: (\S+)")]
    private static partial Regex DataLine();
}
