using System.CommandLine;
using System.Globalization;
using Prover.Chain;
using Prover.Core;
using Prover.Core.Ethereum;
using Prover.Core.Receipts;
using Prover.LightClient;
using Prover.LightClient.Groth16;

namespace Prover.Cli;

/// <summary>
/// <c>prover verify</c> and <c>prover receipt check</c>: the light client (docs/light-client.md). Exit 0:
/// valid; 1: invalid, or the sequencer equivocated; 2: could not check (message on stderr).
/// </summary>
internal static class LightClientCommands
{
    private static Option<string> RpcOption() => new("--rpc") { Description = "JSON-RPC URL of the chain the inbox is on.", Required = true };

    private static Option<string> InboxOption() => new("--inbox") { Description = "The BatchInbox contract's address.", Required = true };

    private static Option<ulong> FromBlockOption() => new("--from-block") { Description = "Search BatchFinalized events from this block on: at or before the inbox's deployment (default 0; for nodes that limit log ranges)." };

    public static Command Verify()
    {
        var rpc = RpcOption();
        var inbox = InboxOption();
        var fromBlock = FromBlockOption();
        var key = new Option<FileInfo>("--verification-key") { Description = "The circuit's verification_key.json (snarkjs); checked to be the one the inbox's verifier embeds. The manifest.json beside it (the setup's artifacts folder) names the circuit: its policy and capacity must be the inbox's.", Required = true };
        var batch = new Option<ulong?>("--batch") { Description = "Verify this finalized batch (the chain of heads is always checked in full)." };
        var all = new Option<bool>("--all") { Description = "Verify every finalized batch (the default)." };
        var batches = new Option<DirectoryInfo?>("--batches") { Description = "The batches' data: a folder of ordering witnesses (NNNNNNNNNN.witness.json, e.g. the sequencer's <data-dir>/batches). Each checked batch's witness must recompute to its finalized statement and order its posted hashes." };
        var command = new Command("verify", "Light client: verify an inbox's finalized batches from the chain alone — events, calldata, the chain of heads and arrivals, shuffle beacons, and each Groth16 proof in C# against the statement rebuilt from the chain, which binds the posted transaction list. Exit 0: valid; 1: invalid; 2: could not check.");
        foreach (var option in new Option[] { rpc, inbox, key, batch, all, batches, fromBlock })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => ChainCommands.RunAsync(async () =>
        {
            if (parse.GetValue(batch) is not null && parse.GetValue(all))
            {
                throw new ChainConfigurationException("--batch", "--batch and --all exclude each other.");
            }

            var keyFile = parse.GetValue(key)!.FullName;
            var vk = await VerificationKey.ReadAsync(keyFile, ct);
            var circuit = await VerifierCircuit.ReadAsync(keyFile, ct);
            var client = await InboxLightClient.ConnectAsync(ParseUrl(parse.GetValue(rpc)!), ParseAddress(parse.GetValue(inbox)!, "--inbox"), parse.GetValue(fromBlock), ct);
            Func<ulong, Core.Batches.OrderingWitness?>? witnesses = null;
            if (parse.GetValue(batches) is { } folder)
            {
                if (!folder.Exists)
                {
                    throw new CorruptStateException(folder.FullName, "no such folder of batch witnesses.");
                }

                witnesses = index =>
                {
                    var path = Path.Combine(folder.FullName, index.ToString("D10", CultureInfo.InvariantCulture) + ".witness.json");
                    return File.Exists(path) ? Core.Batches.OrderingWitness.FromJson(File.ReadAllText(path)) : null;
                };
            }

            var result = await client.VerifyAsync(vk, circuit, parse.GetValue(batch), witnesses, ct);
            var s = result.State;
            Console.Out.WriteLine($"inbox     {s.Inbox} on chain {s.ChainId}: policy {PolicyName(s.PolicyNumericId)} (id {s.PolicyNumericId}), capacity {s.Capacity}, sequencer {s.Sequencer}");
            Console.Out.WriteLine($"verifier  {s.Verifier}: {(result.InboxProblems.Any(p => p.Field.StartsWith("verification key", StringComparison.Ordinal) || p.Field == "verifier") ? "does NOT embed this verification key" : $"embeds this verification key ({vk.Constants().Count} constants found in its code)")}");
            Console.Out.WriteLine($"circuit   {circuit.Describe()}{(result.InboxProblems.Any(p => p.Field == "verifier circuit") ? ": NOT this inbox's" : "")}");
            var arrivals = s.NextBatchIndex == 0 ? "" : $"; arrivals never decrease (last {s.LastArrivalMs} ms)";
            Console.Out.WriteLine($"heads     {(result.ChainProblems.Count == 0 ? $"{s.NextBatchIndex} finalized batch{(s.NextBatchIndex == 1 ? "" : "es")} chain{(s.NextBatchIndex == 1 ? "s" : "")} from the genesis head to the inbox's head (seqs 0..{(s.NextSeq == 0 ? "none" : (s.NextSeq - 1).ToString(CultureInfo.InvariantCulture))}){arrivals}" : "do NOT chain")}");
            foreach (var b in result.Batches)
            {
                var e = b.Batch;
                var proof = b.ProofVerified switch { true => "proof valid", false => "proof INVALID", null => "proof not checked" };
                var beacon = b.Draw is { } draw ? $"  beacon {BeaconHex(draw.Beacon)} (block {draw.BeaconBlock}, drawn {(draw.Draws == 1 ? "once" : $"{draw.Draws} times")})" : "";
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"batch {e.Index,6}  seq {e.FirstSeq}..{e.FirstSeq + e.Count - 1}  {e.Count} tx  newHead {e.NewHead.ToHex()}  {(b.IsValid ? "ok" : "INVALID")}  {proof} ({b.VerificationTime.TotalMilliseconds:F1} ms){beacon}{(b.DataChecked ? "  data checked" : "")}"));
            }

            foreach (var notice in result.Notices)
            {
                Console.Out.WriteLine($"  NOTICE {notice}");
            }

            var problems = result.Problems.ToList();
            foreach (var problem in problems)
            {
                Console.Out.WriteLine($"  MISMATCH {problem}");
            }

            Console.Out.WriteLine(result.IsValid
                ? $"valid: {result.Batches.Count} batch{(result.Batches.Count == 1 ? "" : "es")} verified, each finalized with exactly the transaction list its proof proves"
                : $"INVALID: {problems.Count} problem{(problems.Count == 1 ? "" : "s")}");
            return result.IsValid ? 0 : 1;
        }));
        return command;
    }

    public static Command Receipt()
    {
        var file = new Argument<FileInfo>("receipt") { Description = "A sequencer receipt (JSON, version 1: what prover_getReceipt returns)." };
        var rpc = RpcOption();
        var inbox = InboxOption();
        var fromBlock = FromBlockOption();
        var key = new Option<FileInfo?>("--verification-key") { Description = "Also re-verify the covering batch's proof in C# with this key (checked to be the verifier's); without it the proof is taken as the inbox's verifier accepted it." };
        var sequencer = new Option<string?>("--sequencer") { Description = "The sequencer address the receipt must be signed by (default: the inbox's recorded sequencer)." };
        var witness = new Option<FileInfo?>("--witness") { Description = "The covering batch's ordering witness (batches/NNNNNNNNNN.witness.json, or prover_getBatch; a shuffle witness is ordered with the batch's finalized beacon): checked against the chain, it lets every seq's head be checked, not only a batch's last." };
        var check = new Command("check", "Check a sequencer receipt against the chain: its signature, the finalized batch covering its seq, the transaction's position in that batch's posted list (bound to its proof, so from the chain alone). A receipt the sequencer broke is reported as EQUIVOCATION with the evidence. Exit 0: covered; 1: invalid or equivocation; 2: could not check (e.g. not finalized yet).");
        check.Arguments.Add(file);
        foreach (var option in new Option[] { rpc, inbox, key, sequencer, witness, fromBlock })
        {
            check.Options.Add(option);
        }

        check.SetAction((parse, ct) => ChainCommands.RunAsync(async () =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new CorruptStateException(path.FullName, "no such receipt file.");
            }

            var receipt = ReceiptJson.Parse(await File.ReadAllTextAsync(path.FullName, ct));
            var vk = parse.GetValue(key) is { } k ? await VerificationKey.ReadAsync(k.FullName, ct) : null;
            var signer = parse.GetValue(sequencer) is { } text ? ParseAddress(text, "--sequencer") : (EthAddress?)null;
            var client = await InboxLightClient.ConnectAsync(ParseUrl(parse.GetValue(rpc)!), ParseAddress(parse.GetValue(inbox)!, "--inbox"), parse.GetValue(fromBlock), ct);
            var batchWitness = parse.GetValue(witness) is { } w
                ? (w.Exists ? Core.Batches.OrderingWitness.FromJson(await File.ReadAllTextAsync(w.FullName, ct)) : throw new CorruptStateException(w.FullName, "no such witness file."))
                : null;
            var result = await client.CheckReceiptAsync(receipt, vk, signer, batchWitness, ct);
            switch (result.Verdict)
            {
                case ReceiptVerdict.Covered:
                    Console.Out.WriteLine($"covered: {result.Message}");
                    Console.Out.WriteLine($"position  {result.Position} of {result.Batch!.Count} in batch {result.Batch.Index} (finalized in {result.Batch.TransactionHash}, block {result.Batch.BlockNumber})");
                    return 0;
                case ReceiptVerdict.Equivocation:
                    Console.Out.Write(result.Equivocation!.ToText());
                    Console.Out.WriteLine();
                    return 1;
                case ReceiptVerdict.NotYetFinalized:
                    Console.Error.WriteLine($"not checked: {result.Message}");
                    return 2;
                case ReceiptVerdict.InvalidReceipt:
                    Console.Out.WriteLine($"invalid receipt: {result.Message}");
                    return 1;
                default:
                    Console.Out.WriteLine($"INVALID chain: {result.Message}");
                    foreach (var problem in result.Problems)
                    {
                        Console.Out.WriteLine($"  MISMATCH {problem}");
                    }

                    return 1;
            }
        }));

        var command = new Command("receipt", "Sequencer receipts.");
        command.Subcommands.Add(check);
        return command;
    }

    /// <summary>A beacon (93 bits) in hex without the leading zeros of a 32-byte word.</summary>
    internal static string BeaconHex(Crypto.Field.Fr beacon) => "0x" + beacon.ToBigInteger().ToString("x", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0');

    /// <summary>The policy id of an inbox's numeric policy id (<c>OrderingPolicy.KnownIds</c> is in numeric-id order).</summary>
    private static string PolicyName(int numericId) =>
        numericId >= 1 && numericId <= Core.Ordering.OrderingPolicy.KnownIds.Count
            ? Core.Ordering.OrderingPolicy.KnownIds[numericId - 1]
            : "unknown";

    private static Uri ParseUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new ChainConfigurationException("--rpc", $"'{text}' is not an http(s) URL.");

    private static EthAddress ParseAddress(string text, string option) =>
        EthAddress.TryParse(text, out var a) ? a : throw new ChainConfigurationException(option, $"'{text}' is not an address (0x followed by 40 hex digits).");
}
