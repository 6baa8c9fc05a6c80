using System.Text.Json;
using Nethereum.Signer;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Receipts;
using static Prover.Cli.Tests.Transactions;

namespace Prover.Cli.Tests;

/// <summary>
/// The real <c>prover sequencer</c> process: killed with SIGKILL and restarted on its data directory,
/// and its batches read back with <c>prover batch show</c>.
/// </summary>
public sealed class SequencerProcessTests : IAsyncLifetime
{
    private const string Inbox = "0x00000000000000000000000000000000000C0dE5";
    private readonly TempDirectory _dir = new();
    private readonly List<ProverProcess> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task A_sequencer_killed_hard_restarts_with_the_same_head_and_seq_and_gives_the_next_tx_the_next_seq()
    {
        const int n = 5;
        var raws = Enumerable.Range(0, n + 1).Select(i => Sign((ulong)i)).ToList();
        var first = await StartAsync("--policy", "fcfs", "--batch-size", "3", "--batch-age-ms", "50");
        (string Head, ulong NextSeq) before;
        using (var rpc = new RpcClient(first.Url))
        {
            foreach (var raw in raws.Take(n))
            {
                Assert.Equal(HashOf(raw), (await rpc.ResultAsync("eth_sendRawTransaction", raw)).GetString());
            }

            before = await rpc.StatusAsync();
        }

        Assert.Equal((ulong)n, before.NextSeq);
        await first.KillHardAsync();

        var second = await StartAsync("--policy", "fcfs", "--batch-size", "3", "--batch-age-ms", "50");
        using var restarted = new RpcClient(second.Url);
        Assert.Equal(before, await restarted.StatusAsync());

        // What was acknowledged before the kill is still served, and still verifies.
        var sequencer = EthAddress.Parse(new EthECKey(ProverProcess.SequencerKey).GetPublicAddress());
        for (var i = 0; i < n; i++)
        {
            var receipt = ReceiptJson.Parse((await restarted.ResultAsync("prover_getReceipt", HashOf(raws[i]))).GetRawText());
            Assert.Equal((ulong)i, receipt.Seq);
            Assert.True(ReceiptVerifier.Verify(receipt, sequencer, 31337, EthAddress.Parse(Inbox)).IsValid);
        }

        Assert.Equal(HashOf(raws[n]), (await restarted.ResultAsync("eth_sendRawTransaction", raws[n])).GetString());
        var next = ReceiptJson.Parse((await restarted.ResultAsync("prover_getReceipt", HashOf(raws[n]))).GetRawText());
        Assert.Equal((ulong)n, next.Seq);
        Assert.Equal((ulong)n + 1, (await restarted.StatusAsync()).NextSeq);
    }

    [Fact]
    public async Task A_sequencer_killed_in_the_middle_of_a_burst_keeps_every_transaction_it_acknowledged()
    {
        const int burst = 60;
        var raws = Enumerable.Range(0, burst).Select(i => Sign((ulong)i)).ToList();
        var first = await StartAsync("--policy", "fcfs", "--batch-size", "8", "--batch-age-ms", "20");
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var rpc = new RpcClient(first.Url))
        {
            var sends = raws.Select(raw => Task.Run(async () =>
            {
                try
                {
                    var hash = (await rpc.ResultAsync("eth_sendRawTransaction", raw)).GetString()!;
                    Assert.Equal(HashOf(raw), hash);
                    acknowledged.Add(hash);
                    if (acknowledged.Count >= burst / 4)
                    {
                        enough.TrySetResult();
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                {
                    // cut off by the kill: never acknowledged, so nothing was promised
                }
            })).ToList();

            await enough.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await first.KillHardAsync();
            await Task.WhenAll(sends);
        }

        var second = await StartAsync("--policy", "fcfs", "--batch-size", "8", "--batch-age-ms", "20");
        using var restarted = new RpcClient(second.Url);
        var (_, nextSeq) = await restarted.StatusAsync();
        Assert.True(nextSeq >= (ulong)acknowledged.Count, $"{acknowledged.Count} acknowledged, but the log restarted at seq {nextSeq}");
        var sequencer = EthAddress.Parse(new EthECKey(ProverProcess.SequencerKey).GetPublicAddress());
        var seqs = new HashSet<ulong>();
        foreach (var hash in acknowledged)
        {
            var result = await restarted.ResultAsync("prover_getReceipt", hash);
            Assert.True(result.ValueKind == JsonValueKind.Object, $"acknowledged {hash} was lost in the crash");
            var receipt = ReceiptJson.Parse(result.GetRawText());
            Assert.True(ReceiptVerifier.Verify(receipt, sequencer, 31337, EthAddress.Parse(Inbox)).IsValid);
            Assert.True(receipt.Seq < nextSeq && seqs.Add(receipt.Seq));
        }
    }

    [Fact]
    public async Task Batch_show_lists_the_transactions_in_policy_order_and_json_prints_the_witness()
    {
        // priority-fee puts the highest fee first, so policy order differs from log order.
        ulong[] fees = [1_000_000_000, 4_000_000_000, 2_000_000_000, 3_000_000_000];
        var hashes = fees.Select((fee, nonce) => HashOf(Sign((ulong)nonce, fee))).ToList();
        string[] expectedOrder = [hashes[1], hashes[3], hashes[2], hashes[0]];

        var sequencer = await StartAsync("--policy", "priority-fee", "--batch-size", "4", "--batch-age-ms", "4000");
        using (var rpc = new RpcClient(sequencer.Url))
        {
            // One batch request, so the four arrive together: sent one by one to a process still
            // compiling its first requests, they could span the max age on a busy machine.
            var sent = await rpc.BatchResultsAsync("eth_sendRawTransaction", fees.Select((fee, nonce) => (object)Sign((ulong)nonce, fee)).ToList());
            Assert.Equal(hashes, sent.Select(h => h.GetString()));
            await WaitForBatchAsync(rpc, 0);
        }

        var table = await ProverProcess.RunAsync("batch", "show", "0", "--data-dir", _dir.Path);
        Assert.True(table.ExitCode == 0, table.StandardError);
        Assert.Contains("priority-fee", table.StandardOutput, StringComparison.Ordinal);
        var positions = expectedOrder.Select(h => table.StandardOutput.IndexOf(h, StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0, $"a tx hash is missing from the table:\n{table.StandardOutput}"));
        Assert.Equal(positions.Order(), positions);

        var json = await ProverProcess.RunAsync("batch", "show", "0", "--data-dir", _dir.Path, "--json");
        Assert.True(json.ExitCode == 0, json.StandardError);
        var witness = OrderingWitness.FromJson(json.StandardOutput);
        Assert.Null(witness.Validate());
        Assert.Equal("priority-fee", witness.Policy.Id);
        Assert.Equal(expectedOrder, witness.OrderedTxHashes.Select(h => h.ToString()));
    }

    [Fact]
    public async Task A_sequencer_with_a_malformed_inbox_exits_with_a_clear_message()
    {
        var result = await ProverProcess.RunAsync("sequencer", "--data-dir", _dir.Path, "--port", "0", "--inbox", "0x1234");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--inbox: '0x1234' is not an address", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    private async Task<ProverProcess> StartAsync(params string[] arguments)
    {
        var process = await ProverProcess.StartSequencerAsync(_dir.Path, ["--chain-id", "31337", "--inbox", Inbox, .. arguments]);
        _processes.Add(process);
        return process;
    }

    private static async Task WaitForBatchAsync(RpcClient rpc, ulong index)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await rpc.ResultAsync("prover_getBatch", index)).ValueKind == JsonValueKind.Null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"batch {index} was not cut within 10 s");
            await Task.Delay(10);
        }
    }
}
