using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Cli.Tests;

/// <summary>
/// `prover chain` as an operator runs it: deploy to the embedded anvil, submit a batch the sequencer cut
/// for that inbox (proven by the command), read the status, and be refused with a specific message.
/// </summary>
public sealed class ChainCommandTests
{
    [Fact]
    public async Task Deploy_submit_and_status_finalize_a_batch_on_the_embedded_chain_and_a_replay_is_refused()
    {
        using var dir = new TempDirectory();
        var limit = TimeSpan.FromMinutes(10);
        var deploy = await ProverProcess.RunAsync(limit, "chain", "deploy", "--data-dir", dir.Path, "--policy", "fcfs", "--capacity", "4", "--chain-id", "31337");
        Assert.True(deploy.ExitCode == 0, deploy.StandardError + deploy.StandardOutput);
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "chain", "deployment.json")))!;
        var inbox = EthAddress.Parse(record["inbox"]!.GetValue<string>());
        Assert.Contains($"--inbox {inbox}", deploy.StandardOutput, StringComparison.Ordinal);

        WriteBatch(dir.Path, inbox);
        var submit = await ProverProcess.RunAsync(limit, "chain", "submit", "0", "--data-dir", dir.Path, "--chain-id", "31337");
        Assert.True(submit.ExitCode == 0, submit.StandardError + submit.StandardOutput);
        Assert.Contains("batch 0 final: 3 transactions from seq 0", submit.StandardOutput, StringComparison.Ordinal);

        var status = await ProverProcess.RunAsync("chain", "status", "--data-dir", dir.Path, "--chain-id", "31337");
        Assert.True(status.ExitCode == 0, status.StandardError + status.StandardOutput);
        Assert.Contains("next batch     1 (next seq 3)", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("binding        ok", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("batch      0  seq 0..2", status.StandardOutput, StringComparison.Ordinal);

        var replay = await ProverProcess.RunAsync(limit, "chain", "submit", "0", "--data-dir", dir.Path, "--chain-id", "31337");
        Assert.Equal(2, replay.ExitCode);
        Assert.Contains("error: The inbox refused the call: WrongHead(expectedIndex=1", replay.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_without_a_deployment_says_to_deploy_first()
    {
        using var dir = new TempDirectory();
        var result = await ProverProcess.RunAsync("chain", "status", "--data-dir", dir.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no inbox is recorded here: run `prover chain deploy` first", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chain_given_by_url_without_a_key_is_refused_before_anything_runs()
    {
        using var dir = new TempDirectory();
        var result = await ProverProcess.RunAsync("chain", "deploy", "--data-dir", dir.Path, "--policy", "fcfs", "--capacity", "4", "--rpc", "http://127.0.0.1:9", "--circuits", Path.Combine(dir.Path, "none"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: key: a chain given by --rpc needs the sending account's key: --key-file FILE or $PROVER_CHAIN_KEY.", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "chain", "deployment.json")));
    }

    /// <summary>Batch 0 of a three-transaction log cut for <paramref name="inbox"/>, where the sequencer would write it.</summary>
    private static void WriteBatch(string dataDir, EthAddress inbox)
    {
        var entries = Enumerable.Range(0, 3).Select(i =>
        {
            var hash = new byte[32];
            hash.AsSpan().Fill(0x5A);
            BinaryPrimitives.WriteInt32BigEndian(hash.AsSpan(28), i);
            var tx = new SignedTransaction([], new Hash32(hash), TransactionType.DynamicFee, 31337, EthAddress.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"), (ulong)i, 1_000_000_000, 21_000);
            return new LogEntry((ulong)i, 1_764_300_000_000 + (ulong)(i * 40), tx);
        }).ToArray();
        var batch = BatchBuilder.Build(0, ReceiptChain.Genesis(31337, inbox), entries, FcfsPolicy.Instance, 31337, inbox, capacity: 4);
        var batches = Directory.CreateDirectory(Path.Combine(dataDir, "batches")).FullName;
        File.WriteAllText(Path.Combine(batches, "0000000000.witness.json"), OrderingWitness.FromBatch(batch).ToJson());
    }
}
