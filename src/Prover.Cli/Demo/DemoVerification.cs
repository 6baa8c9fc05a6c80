using Prover.Core.Batches;
using Prover.LightClient;
using Prover.LightClient.Groth16;

namespace Prover.Cli.Demo;

/// <summary>The light client's verdict on one policy's run.</summary>
/// <param name="VerifyMsPerBatch">Mean time of the C# Groth16 verification per batch.</param>
internal sealed record DemoVerdict(string Text, bool Ok, double VerifyMsPerBatch);

/// <summary>
/// The demo's last step, done as an outsider would: the light client reads the inbox from the chain,
/// re-verifies every batch's proof in C# against the circuit's verification key (checked against the
/// deployed verifier), checks each batch's data against what was proven, and checks one user's receipt.
/// </summary>
internal static class DemoVerification
{
    public static async Task<DemoVerdict> VerifyAsync(DemoContext context, PolicyRun run, CancellationToken cancellationToken)
    {
        var key = await VerificationKey.ReadAsync(context.Artifacts[run.Policy].VerificationKeyFile, cancellationToken);
        var client = await InboxLightClient.ConnectAsync(context.Anvil.Url, run.Deployment.Inbox, run.Deployment.Block, cancellationToken);
        var witnesses = run.Batches.ToDictionary(b => b.Index, b => OrderingWitness.FromJson(b.Witness!));
        var chain = await client.VerifyAsync(key, batch: null, i => witnesses.GetValueOrDefault(i), cancellationToken);
        var verifyMs = chain.Batches.Count == 0 ? 0 : chain.Batches.Average(b => b.VerificationTime.TotalMilliseconds);
        if (!chain.IsValid)
        {
            return new DemoVerdict($"FAILED: {chain.Problems.First()}", false, verifyMs);
        }

        // One user's view: the receipt the sequencer signed for the last batch's first transaction in policy order.
        var last = witnesses[witnesses.Keys.Max()];
        if (!run.Sequencer.TryGetReceipt(last.OrderedTxHashes[0], out var receipt) || receipt is null)
        {
            return new DemoVerdict($"FAILED: the sequencer has no receipt for {last.OrderedTxHashes[0]}", false, verifyMs);
        }

        var check = await client.CheckReceiptAsync(receipt, key, sequencer: null, last, cancellationToken);
        return check.Verdict == ReceiptVerdict.Covered
            ? new DemoVerdict($"verified {chain.Batches.Count} batches; receipt of seq {receipt.Seq} at position {check.Position} of batch {check.Batch!.Index}", true, verifyMs)
            : new DemoVerdict($"FAILED receipt check: {check.Message}", false, verifyMs);
    }
}
