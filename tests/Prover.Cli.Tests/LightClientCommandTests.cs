using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Log;
using Prover.Core.Ordering;
using Prover.Core.Receipts;

namespace Prover.Cli.Tests;

/// <summary>
/// `prover verify` and `prover receipt check` as a user runs them against a chain by URL: an inbox deployed
/// and a batch finalized by `prover chain` on an anvil the test starts, then checked by the light client.
/// </summary>
public sealed class LightClientCommandTests
{
    private const ulong ChainId = 31337;

    [Fact]
    public async Task Verify_and_receipt_check_exit_0_when_valid_1_when_invalid_or_equivocating_and_2_when_they_cannot_check()
    {
        using var dir = new TempDirectory();
        await using var anvil = await AnvilNode.StartAsync(new AnvilOptions { ChainId = ChainId }, CancellationToken.None);
        var rpc = anvil.Url.ToString();
        var keyFile = System.IO.Path.Combine(dir.Path, "key");
        await File.WriteAllTextAsync(keyFile, AnvilNode.DevelopmentKeys[0]);
        var limit = TimeSpan.FromMinutes(10);

        var deploy = await ProverProcess.RunAsync(limit, "chain", "deploy", "--data-dir", dir.Path, "--policy", "fcfs", "--capacity", "4", "--rpc", rpc, "--key-file", keyFile);
        Assert.True(deploy.ExitCode == 0, deploy.StandardError + deploy.StandardOutput);
        var inbox = EthAddress.Parse(JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(dir.Path, "chain", "deployment.json")))!["inbox"]!.GetValue<string>());
        var entries = WriteBatch(dir.Path, inbox);
        var submit = await ProverProcess.RunAsync(limit, "chain", "submit", "0", "--data-dir", dir.Path, "--rpc", rpc, "--key-file", keyFile);
        Assert.True(submit.ExitCode == 0, submit.StandardError + submit.StandardOutput);
        var key = Directory.GetFiles(System.IO.Path.Combine(dir.Path, "chain", "artifacts"), "verification_key.json", SearchOption.AllDirectories).Single();

        var keySha256 = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(dir.Path, "chain", "deployment.json")))!["verificationKeySha256"]!.GetValue<string>();
        var verify = await ProverProcess.RunAsync("verify", "--rpc", rpc, "--inbox", inbox.ToString(), "--verification-key", key);
        Assert.True(verify.ExitCode == 0, verify.StandardError + verify.StandardOutput);
        Assert.Contains("embeds this verification key", verify.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"circuit   the fcfs circuit, capacity 4, 8 public inputs, key sha256 {keySha256}\n", verify.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("arrivals never decrease (last 1764300000080 ms)", verify.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("valid: 1 batch verified, each finalized with exactly the transaction list its proof proves", verify.StandardOutput, StringComparison.Ordinal);
        var status = await ProverProcess.RunAsync("chain", "status", "--data-dir", dir.Path, "--rpc", rpc, "--key-file", keyFile);
        Assert.True(status.ExitCode == 0, status.StandardError + status.StandardOutput);
        Assert.Contains($"circuit        the fcfs circuit, capacity 4, 8 public inputs, key sha256 {keySha256}; the verifier embeds its key", status.StandardOutput, StringComparison.Ordinal);

        // The key alone, without the manifest its setup wrote beside it: the circuit is unknown, the key still the verifier's.
        var bare = System.IO.Path.Combine(Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, "bare")).FullName, "verification_key.json");
        File.Copy(key, bare);
        var unknown = await ProverProcess.RunAsync("verify", "--rpc", rpc, "--inbox", inbox.ToString(), "--verification-key", bare);
        Assert.True(unknown.ExitCode == 0, unknown.StandardError + unknown.StandardOutput);
        Assert.Contains($"circuit   unknown (no manifest.json beside the key), 8 public inputs, key sha256 {keySha256}", unknown.StandardOutput, StringComparison.Ordinal);
        var withData = await ProverProcess.RunAsync("verify", "--rpc", rpc, "--inbox", inbox.ToString(), "--verification-key", key, "--batches", System.IO.Path.Combine(dir.Path, "batches"));
        Assert.True(withData.ExitCode == 0, withData.StandardError + withData.StandardOutput);
        Assert.Contains("data checked", withData.StandardOutput, StringComparison.Ordinal);

        // A key with two IC points swapped: every constant is still in the verifier's code, but it is not its key.
        var swapped = JsonNode.Parse(File.ReadAllText(key))!;
        var ic = swapped["IC"]!.AsArray();
        var (first, second) = (ic[1]!.DeepClone(), ic[2]!.DeepClone());
        ic[1] = second;
        ic[2] = first;
        var wrongKey = System.IO.Path.Combine(dir.Path, "wrong_key.json");
        await File.WriteAllTextAsync(wrongKey, swapped.ToJsonString());
        var wrong = await ProverProcess.RunAsync("verify", "--rpc", rpc, "--inbox", inbox.ToString(), "--verification-key", wrongKey, "--batch", "0");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("proof INVALID", wrong.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("MISMATCH batch 0: proof:", wrong.StandardOutput, StringComparison.Ordinal);

        using var signer = new ReceiptSigner(Convert.FromHexString(AnvilNode.DevelopmentKeys[0].AsSpan(2)), ChainId, inbox);
        var receipts = signer.SignGroup([.. entries.Select(e => new ReceiptFields(e.Entry.Seq, e.Entry.ArrivalMs, e.Entry.Tx.Hash, e.Head))]);
        var good = await WriteReceiptAsync(dir.Path, "good.json", receipts[1]);
        var covered = await ProverProcess.RunAsync("receipt", "check", good, "--rpc", rpc, "--inbox", inbox.ToString(), "--verification-key", key);
        Assert.True(covered.ExitCode == 0, covered.StandardError + covered.StandardOutput);
        Assert.Contains("position  1 of 3 in batch 0", covered.StandardOutput, StringComparison.Ordinal);

        var other = new Hash32(Enumerable.Repeat((byte)0xEE, 32).ToArray());
        var broken = signer.SignGroup([new ReceiptFields(1, entries[1].Entry.ArrivalMs, other, entries[1].Head)])[0];
        var equivocation = await ProverProcess.RunAsync("receipt", "check", await WriteReceiptAsync(dir.Path, "broken.json", broken), "--rpc", rpc, "--inbox", inbox.ToString());
        Assert.Equal(1, equivocation.ExitCode);
        Assert.Contains("EQUIVOCATION", equivocation.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(other.ToString(), equivocation.StandardOutput, StringComparison.Ordinal);

        // Seq 0 is not its batch's last: its head is checked only with the batch's witness.
        var witness = System.IO.Path.Combine(dir.Path, "batches", "0000000000.witness.json");
        var midHead = signer.SignGroup([new ReceiptFields(0, entries[0].Entry.ArrivalMs, entries[0].Entry.Tx.Hash, entries[1].Head)])[0];
        var midFile = await WriteReceiptAsync(dir.Path, "mid.json", midHead);
        var headUnchecked = await ProverProcess.RunAsync("receipt", "check", midFile, "--rpc", rpc, "--inbox", inbox.ToString());
        Assert.True(headUnchecked.ExitCode == 0, headUnchecked.StandardError + headUnchecked.StandardOutput);
        Assert.Contains("its head is not checked", headUnchecked.StandardOutput, StringComparison.Ordinal);
        var withWitness = await ProverProcess.RunAsync("receipt", "check", midFile, "--rpc", rpc, "--inbox", inbox.ToString(), "--witness", witness);
        Assert.Equal(1, withWitness.ExitCode);
        Assert.Contains("head after seq 0", withWitness.StandardOutput, StringComparison.Ordinal);
        var goodWithWitness = await ProverProcess.RunAsync("receipt", "check", good, "--rpc", rpc, "--inbox", inbox.ToString(), "--witness", witness);
        Assert.True(goodWithWitness.ExitCode == 0, goodWithWitness.StandardError + goodWithWitness.StandardOutput);
        Assert.Contains("its head is checked", goodWithWitness.StandardOutput, StringComparison.Ordinal);

        var future = signer.SignGroup([new ReceiptFields(3, entries[2].Entry.ArrivalMs, other, entries[2].Head)])[0];
        var pending = await ProverProcess.RunAsync("receipt", "check", await WriteReceiptAsync(dir.Path, "future.json", future), "--rpc", rpc, "--inbox", inbox.ToString());
        Assert.Equal(2, pending.ExitCode);
        Assert.Contains("seq 3 is not finalized yet", pending.StandardError, StringComparison.Ordinal);

        var notFinal = await ProverProcess.RunAsync("verify", "--rpc", rpc, "--inbox", inbox.ToString(), "--verification-key", key, "--batch", "5");
        Assert.Equal(2, notFinal.ExitCode);
        Assert.Contains("error: batch 5 is not finalized: the inbox has finalized 1 batch (0..0).", notFinal.StandardError, StringComparison.Ordinal);

        var unreachable = await ProverProcess.RunAsync("verify", "--rpc", "http://127.0.0.1:9", "--inbox", inbox.ToString(), "--verification-key", key);
        Assert.Equal(2, unreachable.ExitCode);
        Assert.StartsWith("error: ", unreachable.StandardError, StringComparison.Ordinal);

        // The artifacts' manifest names another policy's circuit for the deployed key: the inbox, which
        // declares fcfs, could finalize nothing with such a verifier, and both commands say so and exit 1.
        var manifestFile = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(key)!, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestFile))!;
        manifest["circuit"]!["name"] = "priority_fee_4";
        await File.WriteAllTextAsync(manifestFile, manifest.ToJsonString());
        const string Refused = "verifier circuit: expected the fcfs circuit of capacity 4 (this inbox's policy and capacity), found the priority-fee circuit (capacity 4): this inbox declares fcfs, so every batch of it is refused";
        var otherPolicy = await ProverProcess.RunAsync("verify", "--rpc", rpc, "--inbox", inbox.ToString(), "--verification-key", key);
        Assert.True(otherPolicy.ExitCode == 1, otherPolicy.StandardError + otherPolicy.StandardOutput);
        Assert.Contains("circuit   the priority-fee circuit, capacity 4, 8 public inputs, key sha256 " + keySha256 + ": NOT this inbox's", otherPolicy.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("MISMATCH inbox: " + Refused, otherPolicy.StandardOutput, StringComparison.Ordinal);
        var wrongStatus = await ProverProcess.RunAsync("chain", "status", "--data-dir", dir.Path, "--rpc", rpc, "--key-file", keyFile);
        Assert.True(wrongStatus.ExitCode == 1, wrongStatus.StandardError + wrongStatus.StandardOutput);
        Assert.Contains("WRONG: inbox: " + Refused, wrongStatus.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task<string> WriteReceiptAsync(string dir, string name, Receipt receipt)
    {
        var path = System.IO.Path.Combine(dir, name);
        await File.WriteAllTextAsync(path, ReceiptJson.Serialize(receipt));
        return path;
    }

    /// <summary>Batch 0 of a three-transaction log cut for <paramref name="inbox"/>, where the sequencer would write it; returns the entries with their heads.</summary>
    private static List<(LogEntry Entry, Crypto.Field.Fr Head)> WriteBatch(string dataDir, EthAddress inbox)
    {
        var entries = Enumerable.Range(0, 3).Select(i =>
        {
            var hash = new byte[32];
            hash.AsSpan().Fill(0x5A);
            BinaryPrimitives.WriteInt32BigEndian(hash.AsSpan(28), i);
            var tx = new SignedTransaction([], new Hash32(hash), TransactionType.DynamicFee, ChainId, EthAddress.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"), (ulong)i, 1_000_000_000, 21_000);
            return new LogEntry((ulong)i, 1_764_300_000_000 + (ulong)(i * 40), tx);
        }).ToArray();
        var genesis = ReceiptChain.Genesis(ChainId, inbox);
        var batch = BatchBuilder.Build(0, genesis, entries, FcfsPolicy.Instance, ChainId, inbox, capacity: 4);
        var batches = Directory.CreateDirectory(System.IO.Path.Combine(dataDir, "batches")).FullName;
        File.WriteAllText(System.IO.Path.Combine(batches, "0000000000.witness.json"), OrderingWitness.FromBatch(batch).ToJson());
        var head = genesis;
        var result = new List<(LogEntry, Crypto.Field.Fr)>();
        foreach (var e in entries)
        {
            head = ReceiptChain.Step(head, e.Leaf);
            result.Add((e, head));
        }

        return result;
    }
}
