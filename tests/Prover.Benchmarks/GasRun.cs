using System.Globalization;
using Nethereum.Contracts;
using Nethereum.Util;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using Prover.Proving;
using Prover.Proving.Snarkjs;

namespace Prover.Benchmarks;

/// <summary>
/// Gas of <c>submitBatch</c> from real receipts on a local anvil: every policy, each capacity asked for,
/// a full batch (count = N) and a one-transaction batch, real proofs under development keys. Beside it,
/// the generated verifier called alone in a transaction of its own, and the intrinsic cost (21,000 plus
/// calldata, EIP-2028) of each, so that the verifier's and the inbox's own execution are visible; for the
/// shuffle, the <c>commitBatch</c> that draws its beacon. With <c>--baseline REF</c> the same run is made
/// by that commit's own benchmark first, and the two are compared row by row.
/// </summary>
internal static class GasRun
{
    private static readonly string[] Policies = ["fcfs", "priority-fee", "timeboost", "shuffle"];

    private const string Header = "policy         N  count  calldata B  21k+calldata  submitBatch  verifyProof tx  verifier exec  inbox exec  commitBatch";

    /// <param name="power">
    /// The one development ceremony every circuit is set up from (14 serves every circuit up to N = 8:
    /// shuffle_8 needs it); circuits that need more are listed as skipped.
    /// </param>
    /// <param name="baseline">A commit to measure first, with its own code, for the comparison.</param>
    public static async Task RunAsync(int[] capacities, int power, string? baseline)
    {
        string[]? before = null;
        string? baselineCommit = null;
        if (baseline is not null)
        {
            using var checkout = await Baseline.CheckOutAsync(baseline);
            baselineCommit = checkout.Commit;
            before = await checkout.RunBenchmarkAsync(["gas", "--power", power.ToString(CultureInfo.InvariantCulture), .. capacities.Select(n => n.ToString(CultureInfo.InvariantCulture))]);
            Console.WriteLine($"# baseline {baselineCommit}:");
            foreach (var line in before)
            {
                Console.WriteLine(line);
            }

            Console.WriteLine();
        }

        var after = await MeasureAsync(capacities, power);
        if (before is not null)
        {
            Compare(baselineCommit!, before, after);
        }
    }

    private static async Task<List<string>> MeasureAsync(int[] capacities, int power)
    {
        var rows = new List<string>();
        var backend = new SnarkjsBackend(new SnarkjsOptions { MinimumDevelopmentPower = power });
        var work = Directory.CreateTempSubdirectory("prover-bench-gas-").FullName;
        await using var anvil = await AnvilNode.StartAsync(new AnvilOptions(), CancellationToken.None);
        var connection = await ChainConnection.ConnectAsync(anvil.Url, AnvilNode.DevelopmentKeys[0], CancellationToken.None);
        try
        {
            Console.WriteLine($"# gas: submitBatch gasUsed from receipts, anvil 1.7.1 (hardfork {await HardforkAsync(connection)}), solc 0.8.37 (optimizer 1e6 runs, cancun), snarkjs verifier, {BatchStatement.SignalNames.Count} public inputs");
            Console.WriteLine(Header);
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
                    ulong lastArrival = 0;
                    foreach (var (index, count) in new[] { (0UL, n), (1UL, 1) })
                    {
                        var batch = Batch(index, head, ref seq, count, n, orderingPolicy, connection.ChainId, inbox.Address, lastArrival);
                        head = batch.NewHead;
                        lastArrival = batch.Entries[^1].ArrivalMs;
                        var witness = OrderingWitness.FromBatch(batch);
                        var commitGas = "";
                        if (!witness.IsOrdered)
                        {
                            var before = await connection.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync();
                            var commitment = await inbox.CommitAsync(witness.BatchIndex, witness.PrevHead, witness.NewHead, CancellationToken.None);
                            var block = await connection.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new Nethereum.RPC.Eth.DTOs.BlockParameter(commitment.BeaconBlock));
                            commitGas = ((ulong)block.GasUsed.Value).ToString("N0", CultureInfo.InvariantCulture);
                            witness = witness.WithBeacon(commitment.Beacon!.Value);
                        }

                        var proof = await ProveAsync(backend, artifacts, witness, Path.Combine(work, "proofs", $"{policy}-{n}-{index}"));
                        var submission = await BatchSubmission.FromProofAsync(witness, proof, CancellationToken.None);
                        var calldata = BatchInbox.Message(submission).GetCallData();
                        var intrinsic = BatchInbox.CalldataGas(calldata);
                        var finalized = await inbox.SubmitAsync(submission, CancellationToken.None);
                        var (verifyTx, verifyIntrinsic) = await VerifierAloneAsync(connection, deployment.Verifier, submission, BatchStatement.Of(witness));
                        var verifierExec = verifyTx - verifyIntrinsic;
                        var row = string.Create(CultureInfo.InvariantCulture,
                            $"{policy,-13} {n,2} {count,6} {calldata.Length,11} {intrinsic,13:N0} {finalized.GasUsed,12:N0} {verifyTx,15:N0} {verifierExec,14:N0} {finalized.GasUsed - intrinsic - verifierExec,11:N0} {commitGas,12}");
                        Console.WriteLine(row);
                        rows.Add(row);
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        return rows;
    }

    /// <summary>Before and after, row by row: what the change costs submitBatch, and where (verifier, inbox, calldata).</summary>
    private static void Compare(string baselineCommit, IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        var old = before.Select(Row.TryParse).OfType<Row>().ToDictionary(r => (r.Policy, r.N, r.Count));
        Console.WriteLine();
        Console.WriteLine($"# submitBatch gas, baseline {baselineCommit} against this tree (Δ = this − baseline)");
        Console.WriteLine("policy         N  count  before      after       Δ total  Δ verifier  Δ inbox  Δ 21k+calldata");
        foreach (var now in after.Select(Row.TryParse).OfType<Row>())
        {
            if (!old.TryGetValue((now.Policy, now.N, now.Count), out var was))
            {
                Console.WriteLine($"{now.Policy,-13} {now.N,2} {now.Count,6}  (no baseline row)");
                continue;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{now.Policy,-13} {now.N,2} {now.Count,6} {was.SubmitBatch,10:N0} {now.SubmitBatch,10:N0} {now.SubmitBatch - was.SubmitBatch,+9:N0} {now.VerifierExec - was.VerifierExec,+11:N0} {now.InboxExec - was.InboxExec,+8:N0} {now.Intrinsic - was.Intrinsic,+15:N0}"));
        }
    }

    /// <summary>One measured row, as <see cref="MeasureAsync"/> prints it (the baseline prints the same columns, less the last).</summary>
    private sealed record Row(string Policy, int N, int Count, long Intrinsic, long SubmitBatch, long VerifierExec, long InboxExec)
    {
        public static Row? TryParse(string line)
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 9 || line.StartsWith('#') || !int.TryParse(f[1], CultureInfo.InvariantCulture, out var n) || !int.TryParse(f[2], CultureInfo.InvariantCulture, out var count))
            {
                return null;
            }

            long L(int i) => long.Parse(f[i], NumberStyles.AllowThousands | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return new Row(f[0], n, count, L(4), L(5), L(7), L(8));
        }
    }

    private static async Task<string> HardforkAsync(ChainConnection connection)
    {
        var info = await connection.Web3.Client.SendRequestAsync<Newtonsoft.Json.Linq.JObject>("anvil_nodeInfo");
        return info["hardFork"]?.ToString() ?? "unknown";
    }

    /// <summary>The verifier called in a transaction of its own: its gasUsed and that transaction's intrinsic cost.</summary>
    private static async Task<(ulong GasUsed, ulong Intrinsic)> VerifierAloneAsync(ChainConnection connection, EthAddress verifier, BatchSubmission s, BatchStatement statement)
    {
        var w = s.Proof.Words;
        var message = new VerifyProofFunction
        {
            A = [w[0], w[1]],
            B = [[w[2], w[3]], [w[4], w[5]]],
            C = [w[6], w[7]],
            PublicSignals = [.. statement.Signals.Select(f => f.ToBigInteger())],
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

    internal static async Task<ProofFiles> ProveAsync(IProvingBackend backend, CircuitArtifacts artifacts, OrderingWitness witness, string folder)
    {
        Directory.CreateDirectory(folder);
        var input = Path.Combine(folder, "input.json");
        await File.WriteAllTextAsync(input, CircuitInputs.ToJson(witness));
        var wtns = Path.Combine(folder, "witness.wtns");
        await backend.ComputeWitnessAsync(artifacts.Circuit, input, wtns, CancellationToken.None);
        return await backend.ProveAsync(artifacts, wtns, folder, CancellationToken.None);
    }

    /// <summary>The next <paramref name="count"/> log entries as a batch; transaction hashes are keccak outputs, like real ones.</summary>
    internal static Batch Batch(ulong index, Fr head, ref ulong seq, int count, int capacity, OrderingPolicy policy, ulong chainId, EthAddress inbox, ulong prevLastArrivalMs)
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

        return BatchBuilder.Build(index, head, entries, policy, chainId, inbox, capacity, prevLastArrivalMs);
    }

    internal static OrderingPolicy Policy(string id) => id switch
    {
        "timeboost" => new TimeboostPolicy(EthAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")),
        _ => OrderingPolicy.Parse(id),
    };
}
