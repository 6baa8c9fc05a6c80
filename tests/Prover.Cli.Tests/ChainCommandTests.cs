using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Prover.Chain;
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
    public async Task Submit_of_a_shuffle_batch_commits_it_orders_it_with_the_beacon_the_inbox_drew_and_finalizes_it()
    {
        using var dir = new TempDirectory();
        var limit = TimeSpan.FromMinutes(10);
        var deploy = await ProverProcess.RunAsync(limit, "chain", "deploy", "--data-dir", dir.Path, "--policy", "shuffle", "--capacity", "4", "--chain-id", "31337");
        Assert.True(deploy.ExitCode == 0, deploy.StandardError + deploy.StandardOutput);
        Assert.Contains("policy    shuffle, capacity 4", deploy.StandardOutput, StringComparison.Ordinal);
        var inbox = EthAddress.Parse(JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "chain", "deployment.json")))!["inbox"]!.GetValue<string>());
        var cut = WriteBatches(dir.Path, inbox, ShufflePolicy.Instance, 3, 2);
        Assert.All(cut, w => Assert.False(w.IsOrdered));

        var early = await ProverProcess.RunAsync(limit, "chain", "submit", "1", "--data-dir", dir.Path, "--chain-id", "31337");
        Assert.Equal(2, early.ExitCode);
        Assert.Contains("batch 1: it cannot be committed yet: the inbox takes shuffle commitments in index order and expects batch 0 next. Submit batch 0 first.", early.StandardError, StringComparison.Ordinal);

        var submit = await ProverProcess.RunAsync(limit, "chain", "submit", "0", "--data-dir", dir.Path, "--chain-id", "31337");
        Assert.True(submit.ExitCode == 0, submit.StandardError + submit.StandardOutput);
        Assert.Matches(@"batch 0 committed in block \d+", submit.StandardOutput);
        Assert.Contains("batch 0 final: 3 transactions from seq 0", submit.StandardOutput, StringComparison.Ordinal);
        var ordered = OrderingWitness.FromJson(File.ReadAllText(Path.Combine(dir.Path, "batches", "0000000000.witness.proof", "witness.json")));
        Assert.Null(ordered.Validate());
        Assert.Contains($"beacon    {ordered.Beacon!.Value.ToHex()}", submit.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(cut[0].Entries.Select(e => e.TxHash.ToString()).Order(), ordered.OrderedTxHashes.Select(h => h.ToString()).Order());

        // The next batch continues the first's head and last arrival, in a new run of the embedded chain.
        var next = await ProverProcess.RunAsync(limit, "chain", "submit", "1", "--data-dir", dir.Path, "--chain-id", "31337");
        Assert.True(next.ExitCode == 0, next.StandardError + next.StandardOutput);
        Assert.Contains("batch 1 final: 2 transactions from seq 3", next.StandardOutput, StringComparison.Ordinal);

        var replay = await ProverProcess.RunAsync(limit, "chain", "submit", "0", "--data-dir", dir.Path, "--chain-id", "31337");
        Assert.Equal(2, replay.ExitCode);
        Assert.Contains("batch 0: the inbox finalized it already (its next batch is 2)", replay.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_of_a_shuffle_batch_whose_beacon_expired_draws_it_again_before_proving()
    {
        using var dir = new TempDirectory();
        await using var anvil = await AnvilNode.StartAsync(new AnvilOptions { ChainId = 31337 }, CancellationToken.None);
        var keyFile = Path.Combine(dir.Path, "sequencer.key");
        File.WriteAllText(keyFile, ProverProcess.SequencerKey);
        string[] chain = ["--data-dir", dir.Path, "--rpc", anvil.Url.ToString(), "--key-file", keyFile];
        var limit = TimeSpan.FromMinutes(10);
        var deploy = await ProverProcess.RunAsync(limit, ["chain", "deploy", "--policy", "shuffle", "--capacity", "4", .. chain]);
        Assert.True(deploy.ExitCode == 0, deploy.StandardError + deploy.StandardOutput);
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "chain", "deployment.json")))!;
        var inbox = EthAddress.Parse(record["inbox"]!.GetValue<string>());
        var witness = WriteBatches(dir.Path, inbox, ShufflePolicy.Instance, 4)[0];

        // Committed by someone else (a prover pool), then left for more than 256 blocks.
        var connection = await ChainConnection.ConnectAsync(anvil.Url, ProverProcess.SequencerKey, CancellationToken.None);
        var contract = new BatchInbox(connection, inbox);
        var first = await contract.CommitAsync(0, witness.PrevHead, witness.NewHead, CancellationToken.None);
        using (var http = new HttpClient())
        {
            var mined = await http.PostAsync(anvil.Url, new StringContent("""{"jsonrpc":"2.0","id":1,"method":"anvil_mine","params":["0x101"]}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(mined.IsSuccessStatusCode);
        }

        var submit = await ProverProcess.RunAsync(limit, ["chain", "submit", "0", .. chain]);

        Assert.True(submit.ExitCode == 0, submit.StandardError + submit.StandardOutput);
        Assert.DoesNotContain("committed in block", submit.StandardOutput, StringComparison.Ordinal); // the inbox held its commitment
        var commitments = await contract.GetCommitmentHistoryAsync(record["block"]!.GetValue<ulong>(), CancellationToken.None);
        Assert.Equal([(0UL, 1U), (0UL, 2U)], commitments.Select(c => (c.Index, c.Draws)));
        Assert.Contains($"batch 0's beacon (block {first.BeaconBlock}) had expired: drawn again in block {commitments[1].BeaconBlock} (draw 2)", submit.StandardOutput, StringComparison.Ordinal);
        var finalized = Assert.Single(await contract.GetFinalizedBatchesAsync(record["block"]!.GetValue<ulong>(), CancellationToken.None));
        var ordered = OrderingWitness.FromJson(File.ReadAllText(Path.Combine(dir.Path, "batches", "0000000000.witness.proof", "witness.json")));
        Assert.Equal(finalized.Beacon, ordered.Beacon);
        Assert.NotEqual(first.Beacon, finalized.Beacon);
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

    /// <summary>
    /// Consecutive batches of <paramref name="counts"/> transactions cut for <paramref name="inbox"/> as the
    /// sequencer cuts them (a shuffle batch without its order), where the sequencer writes them.
    /// </summary>
    private static List<OrderingWitness> WriteBatches(string dataDir, EthAddress inbox, OrderingPolicy policy, params int[] counts)
    {
        var batches = Directory.CreateDirectory(Path.Combine(dataDir, "batches")).FullName;
        var head = ReceiptChain.Genesis(31337, inbox);
        var lastArrival = 0UL;
        var seq = 0;
        var witnesses = new List<OrderingWitness>();
        foreach (var count in counts)
        {
            var entries = Enumerable.Range(seq, count).Select(i =>
            {
                var hash = new byte[32];
                hash.AsSpan().Fill(0x5B);
                BinaryPrimitives.WriteInt32BigEndian(hash.AsSpan(28), i);
                var tx = new SignedTransaction([], new Hash32(hash), TransactionType.DynamicFee, 31337, EthAddress.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"), (ulong)i, 1_000_000_000, 21_000);
                return new LogEntry((ulong)i, 1_764_300_000_000 + (ulong)(i * 40), tx);
            }).ToArray();
            var batch = BatchBuilder.Build((ulong)witnesses.Count, head, entries, policy, 31337, inbox, capacity: 4, prevLastArrivalMs: lastArrival);
            var witness = OrderingWitness.FromBatch(batch);
            File.WriteAllText(Path.Combine(batches, $"{witnesses.Count:D10}.witness.json"), witness.ToJson());
            witnesses.Add(witness);
            head = batch.NewHead;
            lastArrival = entries[^1].ArrivalMs;
            seq += count;
        }

        return witnesses;
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
