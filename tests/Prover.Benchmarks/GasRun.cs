using System.Globalization;
using Nethereum.Contracts;
using Nethereum.Util;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using Prover.Proving;
using Prover.Proving.Snarkjs;

namespace Prover.Benchmarks;

/// <summary>
/// Gas of <c>submitBatch</c> from real receipts on a local anvil: every policy, each capacity asked for,
/// a full batch (count = N) and a one-transaction batch, real proofs under development keys. Beside it,
/// the generated verifier called alone in a transaction of its own, and the intrinsic cost (21,000 plus
/// calldata, EIP-2028) of each, so that the verifier's and the inbox's own execution are visible.
/// </summary>
internal static class GasRun
{
    private static readonly string[] Policies = ["fcfs", "priority-fee", "timeboost", "shuffle"];

    /// <param name="power">
    /// The one development ceremony every circuit is set up from (14 serves every circuit up to N = 8:
    /// shuffle_8 needs it); circuits that need more are listed as skipped.
    /// </param>
    public static async Task RunAsync(int[] capacities, int power = 14)
    {
        var backend = new SnarkjsBackend(new SnarkjsOptions { MinimumDevelopmentPower = power });
        var work = Directory.CreateTempSubdirectory("prover-bench-gas-").FullName;
        await using var anvil = await AnvilNode.StartAsync(new AnvilOptions(), CancellationToken.None);
        var connection = await ChainConnection.ConnectAsync(anvil.Url, AnvilNode.DevelopmentKeys[0], CancellationToken.None);
        try
        {
            Console.WriteLine($"# gas: submitBatch gasUsed from receipts, anvil 1.7.1 (hardfork {await HardforkAsync(connection)}), solc 0.8.37 (optimizer 1e6 runs, cancun), snarkjs verifier, 5 public inputs");
            Console.WriteLine("policy         N  count  calldata B  21k+calldata  submitBatch  verifyProof tx  verifier exec  inbox exec");
            foreach (var n in capacities)
            {
                foreach (var policy in Policies)
                {
                    var main = Path.Combine(backend.CircuitsDirectory, CircuitInputs.MainFor(policy, n));
                    var circuit = await backend.CompileAsync(main, Path.Combine(work, "build", $"{policy}-{n}"), CancellationToken.None);
                    if (circuit.RequiredPower > power)
                    {
                        Console.WriteLine($"{policy,-13} {n,2}  skipped: needs a power-{circuit.RequiredPower} ceremony (--power {power})");
                        continue;
                    }

                    var artifacts = await backend.SetupAsync(circuit, CeremonySource.Development, Path.Combine(work, "artifacts", $"{policy}-{n}"), CancellationToken.None);
                    var orderingPolicy = Policy(policy);
                    var (inbox, deployment) = await BatchInbox.DeployAsync(connection, new InboxDeploymentRequest(artifacts.VerifierContractFile, orderingPolicy, n, connection.Account), null, CancellationToken.None);

                    var head = deployment.GenesisHead;
                    ulong seq = 0;
                    foreach (var (index, count) in new[] { (0UL, n), (1UL, 1) })
                    {
                        var batch = Batch(index, head, ref seq, count, n, orderingPolicy, connection.ChainId, inbox.Address);
                        head = batch.NewHead;
                        var witness = OrderingWitness.FromBatch(batch);
                        var proof = await ProveAsync(backend, artifacts, witness, Path.Combine(work, "proofs", $"{policy}-{n}-{index}"));
                        var submission = await BatchSubmission.FromProofAsync(witness, proof, CancellationToken.None);
                        var calldata = BatchInbox.Message(submission).GetCallData();
                        var intrinsic = BatchInbox.CalldataGas(calldata);
                        var finalized = await inbox.SubmitAsync(submission, CancellationToken.None);
                        var (verifyTx, verifyIntrinsic) = await VerifierAloneAsync(connection, deployment.Verifier, submission);
                        var verifierExec = verifyTx - verifyIntrinsic;
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{policy,-13} {n,2} {count,6} {calldata.Length,11} {intrinsic,13:N0} {finalized.GasUsed,12:N0} {verifyTx,15:N0} {verifierExec,14:N0} {finalized.GasUsed - intrinsic - verifierExec,11:N0}"));
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<string> HardforkAsync(ChainConnection connection)
    {
        var info = await connection.Web3.Client.SendRequestAsync<Newtonsoft.Json.Linq.JObject>("anvil_nodeInfo");
        return info["hardFork"]?.ToString() ?? "unknown";
    }

    /// <summary>The verifier called in a transaction of its own: its gasUsed and that transaction's intrinsic cost.</summary>
    private static async Task<(ulong GasUsed, ulong Intrinsic)> VerifierAloneAsync(ChainConnection connection, EthAddress verifier, BatchSubmission s)
    {
        var w = s.Proof.Words;
        var message = new VerifyProofFunction
        {
            A = [w[0], w[1]],
            B = [[w[2], w[3]], [w[4], w[5]]],
            C = [w[6], w[7]],
            PublicSignals = [s.Domain.ToBigInteger(), s.PrevHead.ToBigInteger(), s.NewHead.ToBigInteger(), s.OutputCommitment.ToBigInteger(), s.Count],
        };
        var handler = connection.Web3.Eth.GetContractTransactionHandler<VerifyProofFunction>();
        message.Gas = 1_000_000;
        var receipt = await connection.SendAsync("verifyProof", 1_000_000, nonce =>
        {
            message.Nonce = nonce;
            return handler.SendRequestAsync(verifier.ToString(), message);
        }, CancellationToken.None);
        return ((ulong)receipt.GasUsed.Value, BatchInbox.CalldataGas(message.GetCallData()));
    }

    internal static async Task<ProofFiles> ProveAsync(SnarkjsBackend backend, CircuitArtifacts artifacts, OrderingWitness witness, string folder)
    {
        Directory.CreateDirectory(folder);
        var input = Path.Combine(folder, "input.json");
        await File.WriteAllTextAsync(input, CircuitInputs.ToJson(witness));
        var wtns = Path.Combine(folder, "witness.wtns");
        await backend.ComputeWitnessAsync(artifacts.Circuit, input, wtns, CancellationToken.None);
        return await backend.ProveAsync(artifacts, wtns, folder, CancellationToken.None);
    }

    /// <summary>The next <paramref name="count"/> log entries as a batch; transaction hashes are keccak outputs, like real ones.</summary>
    internal static Batch Batch(ulong index, Fr head, ref ulong seq, int count, int capacity, OrderingPolicy policy, ulong chainId, EthAddress inbox)
    {
        var senders = new[]
        {
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
            "0x90F79bf6EB2c4f870365E51E7A6eB3E7A7bAa7A4", "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
        }.Select(EthAddress.Parse).ToArray();
        var entries = new LogEntry[count];
        for (var i = 0; i < count; i++, seq++)
        {
            var hash = new Hash32(Sha3Keccack.Current.CalculateHash(BitConverter.GetBytes(seq)));
            var tx = new SignedTransaction([], hash, TransactionType.DynamicFee, chainId, senders[seq % 4], seq / 4, (1 + (seq * 31 % 7)) * 100_000_000, 21_000);
            entries[i] = new LogEntry(seq, 1_764_300_000_000 + (seq * 13), tx);
        }

        return BatchBuilder.Build(index, head, entries, policy, chainId, inbox, capacity);
    }

    internal static OrderingPolicy Policy(string id) => id switch
    {
        "timeboost" => new TimeboostPolicy(EthAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")),
        _ => OrderingPolicy.Parse(id),
    };
}
