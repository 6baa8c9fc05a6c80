using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Receipts;
using Prover.LightClient.Groth16;

namespace Prover.LightClient.Tests;

/// <summary>An inbox on the fixture's anvil with real batches finalized, the log they came from, and the sequencer's key to sign receipts with.</summary>
public sealed class FinalizedChain
{
    public static readonly int[] Counts = [4, 1, 3];

    private FinalizedChain(LightClientFixture fixture, InboxDeployment deployment, TestLog log, IReadOnlyList<OrderingWitness> witnesses, VerificationKey key)
    {
        Fixture = fixture;
        Deployment = deployment;
        Log = log;
        Witnesses = witnesses;
        Key = key;
    }

    public LightClientFixture Fixture { get; }

    public InboxDeployment Deployment { get; }

    internal TestLog Log { get; }

    public IReadOnlyList<OrderingWitness> Witnesses { get; }

    /// <summary>The verification key of the deployed verifier.</summary>
    public VerificationKey Key { get; }

    public static async Task<FinalizedChain> CreateAsync(LightClientFixture fixture)
    {
        var connection = await fixture.ConnectAsync();
        var (inbox, deployment) = await fixture.DeployAsync(connection);
        var log = new TestLog(connection.ChainId, inbox.Address, LightClientFixture.Policy, LightClientFixture.Capacity);
        var witnesses = new List<OrderingWitness>();
        foreach (var count in Counts)
        {
            var witness = log.NextBatch(count);
            witnesses.Add(witness);
            await inbox.SubmitAsync(await fixture.ProveAsync(witness), CancellationToken.None);
        }

        var key = await VerificationKey.ReadAsync((await fixture.ArtifactsAsync()).VerificationKeyFile, CancellationToken.None);
        return new FinalizedChain(fixture, deployment, log, witnesses, key);
    }

    public Task<InboxLightClient> ClientAsync() => InboxLightClient.ConnectAsync(Fixture.Anvil.Url, Deployment.Inbox, CancellationToken.None);

    /// <summary>The sequencer's signer (anvil's account 0, which deployed the inbox and is its sequencer).</summary>
    public ReceiptSigner Signer() =>
        new(Convert.FromHexString(AnvilNode.DevelopmentKeys[0].AsSpan(2)), Deployment.ChainId, Deployment.Inbox);

    /// <summary>Receipts for every logged entry, as the sequencer would sign them (one group).</summary>
    public IReadOnlyList<Receipt> Receipts()
    {
        using var signer = Signer();
        return signer.SignGroup([.. Log.Entries.Select(e => new ReceiptFields(e.Entry.Seq, e.Entry.ArrivalMs, e.Entry.Tx.Hash, e.Head))]);
    }
}
