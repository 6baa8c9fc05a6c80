using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Cli.Tests;

/// <summary>
/// `prover prove` and `prover verify-proof` on a real batch witness: the real circuit, a development
/// ceremony in a cache of the test's own, and the proof checked by snarkjs itself as well as by us.
/// </summary>
public sealed class ProveCommandTests
{
    private static readonly EthAddress Inbox = EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");

    private static string WriteWitness(string folder, OrderingPolicy? policy = null)
    {
        var senders = new[] { "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" }.Select(EthAddress.Parse).ToArray();
        var entries = Enumerable.Range(0, 3).Select(i =>
        {
            var hash = new byte[32];
            hash.AsSpan().Fill(0xA5);
            BinaryPrimitives.WriteInt32BigEndian(hash.AsSpan(28), i);
            var tx = new SignedTransaction([], new Hash32(hash), TransactionType.DynamicFee, 31337, senders[i % 2], (ulong)i, (ulong)(1 + (i * 7 % 3)) * 1_000_000_000, 21_000);
            return new LogEntry((ulong)i, 1_764_300_000_000 + (ulong)(i * 40), tx);
        }).ToArray();
        var batch = BatchBuilder.Build(0, ReceiptChain.Genesis(31337, Inbox), entries, policy ?? PriorityFeePolicy.Instance, 31337, Inbox, capacity: 4);
        var path = Path.Combine(folder, "0000000000.witness.json");
        File.WriteAllText(path, OrderingWitness.FromBatch(batch).ToJson());
        return path;
    }

    [Fact]
    public async Task Prove_writes_a_proof_that_snarkjs_and_verify_proof_accept_and_a_changed_signal_fails()
    {
        using var dir = new TempDirectory();
        var witness = WriteWitness(dir.Path);
        var output = Path.Combine(dir.Path, "proof");

        var prove = await ProverProcess.RunAsync(TimeSpan.FromMinutes(10), "prove", witness, "--out", output, "--cache", Path.Combine(dir.Path, "cache"));

        Assert.True(prove.ExitCode == 0, prove.StandardError + prove.StandardOutput);
        Assert.Contains("INSECURE", prove.StandardOutput, StringComparison.Ordinal);
        var proof = Path.Combine(output, "proof.json");
        var @public = Path.Combine(output, "public.json");
        var key = Path.Combine(output, "verification_key.json");

        // snarkjs takes the files as they are.
        var snarkjs = await RunNodeAsync(Path.Combine(RepoPaths.Root, "circuits", "node_modules", "snarkjs", "build", "cli.cjs"), "groth16", "verify", key, @public, proof);
        Assert.Contains("OK!", snarkjs, StringComparison.Ordinal);

        var verify = await ProverProcess.RunAsync("verify-proof", proof, @public, "--verification-key", key, "--witness", witness);
        Assert.Equal(0, verify.ExitCode);
        Assert.Equal("valid", verify.StandardOutput.Trim());

        var signals = JsonSerializer.Deserialize<string[]>(File.ReadAllText(@public))!;
        signals[4] = "2"; // count
        var tampered = Path.Combine(dir.Path, "tampered.json");
        File.WriteAllText(tampered, JsonSerializer.Serialize(signals));
        var refused = await ProverProcess.RunAsync("verify-proof", proof, tampered, "--verification-key", key);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("invalid", refused.StandardOutput, StringComparison.Ordinal);

        var otherStatement = await ProverProcess.RunAsync("verify-proof", proof, tampered, "--verification-key", key, "--witness", witness);
        Assert.Equal(1, otherStatement.ExitCode);
        Assert.Contains("not the statement of", otherStatement.StandardOutput, StringComparison.Ordinal);

        // The reference backend, on the same cache: the circuit is compiled once, the keys are the same.
        var bySnarkjs = Path.Combine(dir.Path, "proof-snarkjs");
        var again = await ProverProcess.RunAsync(TimeSpan.FromMinutes(10), "prove", witness, "--out", bySnarkjs, "--cache", Path.Combine(dir.Path, "cache"), "--backend", "snarkjs");
        Assert.True(again.ExitCode == 0, again.StandardError + again.StandardOutput);
        Assert.Contains("proving with the snarkjs backend", again.StandardError, StringComparison.Ordinal);
        Assert.Single(Directory.GetDirectories(Path.Combine(dir.Path, "cache", "circuits")));
        Assert.Equal(File.ReadAllText(key), File.ReadAllText(Path.Combine(bySnarkjs, "verification_key.json")));
        Assert.Equal(JsonSerializer.Deserialize<string[]>(File.ReadAllText(@public)), JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(bySnarkjs, "public.json"))));
        var snarkjsProof = await ProverProcess.RunAsync("verify-proof", Path.Combine(bySnarkjs, "proof.json"), Path.Combine(bySnarkjs, "public.json"), "--verification-key", key, "--witness", witness);
        Assert.Equal(0, snarkjsProof.ExitCode);
    }

    [Fact]
    public async Task A_failed_step_names_the_circuit_and_the_step()
    {
        // A circuits folder with the circuit but without the tools: compiling is the step that fails.
        using var dir = new TempDirectory();
        var witness = WriteWitness(dir.Path);
        var circuits = Directory.CreateDirectory(Path.Combine(dir.Path, "circuits", "main")).Parent!.FullName;
        File.Copy(Path.Combine(RepoPaths.Root, "circuits", "main", "priority_fee_4.circom"), Path.Combine(circuits, "main", "priority_fee_4.circom"));

        var result = await ProverProcess.RunAsync("prove", witness, "--out", Path.Combine(dir.Path, "proof"), "--circuits", circuits, "--cache", Path.Combine(dir.Path, "cache"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: priority_fee_4: compile failed: circom2 is not installed", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prove_of_a_witness_that_does_not_exist_fails_with_a_clear_message()
    {
        using var dir = new TempDirectory();
        var result = await ProverProcess.RunAsync("prove", Path.Combine(dir.Path, "missing.witness.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing.witness.json: no such file", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prove_of_a_tampered_witness_names_what_is_inconsistent_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        var witness = WriteWitness(dir.Path);
        File.WriteAllText(witness, File.ReadAllText(witness).Replace("\"count\": 3", "\"count\": 2", StringComparison.Ordinal));
        var output = Path.Combine(dir.Path, "proof");

        var result = await ProverProcess.RunAsync("prove", witness, "--out", output);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'/count'", result.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Prove_of_a_shuffle_batch_before_its_beacon_is_drawn_is_refused_and_says_how_to_draw_it()
    {
        using var dir = new TempDirectory();
        var witness = WriteWitness(dir.Path, ShufflePolicy.Instance);
        var output = Path.Combine(dir.Path, "proof");

        File.WriteAllText(Path.Combine(dir.Path, "public.json"), JsonSerializer.Serialize(Enumerable.Repeat("1", 8)));

        var prove = await ProverProcess.RunAsync("prove", witness, "--out", output);
        var check = await ProverProcess.RunAsync("verify-proof", Path.Combine(dir.Path, "proof.json"), Path.Combine(dir.Path, "public.json"), "--verification-key", Path.Combine(dir.Path, "vk.json"), "--witness", witness);

        Assert.Equal(2, prove.ExitCode);
        Assert.Contains($"{witness}: batch 0 is a shuffle batch without its order", prove.StandardError, StringComparison.Ordinal);
        Assert.Contains("Run `prover chain submit 0`", prove.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
        Assert.Equal(2, check.ExitCode);
        Assert.Contains("batch 0 is a shuffle batch without its order", check.StandardError, StringComparison.Ordinal);
    }

    private static async Task<string> RunNodeAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output + error;
    }
}
