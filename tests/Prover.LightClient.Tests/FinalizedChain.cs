using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ordering;
using Prover.Core.Receipts;
using Prover.LightClient.Groth16;

namespace Prover.LightClient.Tests;

/// <summary>An inbox on the fixture's anvil with real batches finalized, the log they came from, and the sequencer's key to sign receipts with.</summary>
public sealed class FinalizedChain
{
    private readonly int _account;

    private FinalizedChain(
        LightClientFixture fixture, int account, InboxDeployment deployment, TestLog log, IReadOnlyList<OrderingWitness> cut, IReadOnlyList<OrderingWitness> witnesses, VerificationKey key, string keyFile)
    {
        Fixture = fixture;
        _account = account;
        Deployment = deployment;
        Log = log;
        CutWitnesses = cut;
        Witnesses = witnesses;
        Key = key;
        KeyFile = keyFile;
    }

    public LightClientFixture Fixture { get; }

    public InboxDeployment Deployment { get; }

    internal TestLog Log { get; }

    /// <summary>The batches' witnesses as the sequencer cut them: a shuffle batch's has no order yet.</summary>
    public IReadOnlyList<OrderingWitness> CutWitnesses { get; }

    /// <summary>The batches' witnesses as they were proven (a shuffle batch's ordered with its drawn beacon).</summary>
    public IReadOnlyList<OrderingWitness> Witnesses { get; }

    /// <summary>The verification key of the deployed verifier.</summary>
    public VerificationKey Key { get; }

    /// <summary>The key's file, in the artifacts folder the setup wrote (with its manifest.json).</summary>
    public string KeyFile { get; }

    /// <summary>
    /// Deploys an inbox of <paramref name="policy"/> from development account <paramref name="account"/>
    /// and finalizes one batch per count, as the prover pool does: a shuffle batch is committed first and
    /// ordered with the beacon the inbox drew; batch <paramref name="redrawn"/>'s first beacon is left to
    /// expire (256 blocks) and drawn again.
    /// </summary>
    public static async Task<FinalizedChain> CreateAsync(LightClientFixture fixture, int account, OrderingPolicy policy, int[] counts, ulong? redrawn)
    {
        var connection = await fixture.ConnectAsync(account);
        var (inbox, deployment) = await fixture.DeployAsync(connection, policy, policy.Id);
        var log = new TestLog(connection.ChainId, inbox.Address, policy, LightClientFixture.Capacity);
        var cut = new List<OrderingWitness>();
        var witnesses = new List<OrderingWitness>();
        foreach (var count in counts)
        {
            var witness = log.NextBatch(count);
            cut.Add(witness);
            if (!witness.IsOrdered)
            {
                var commitment = await inbox.CommitAsync(witness.BatchIndex, witness.PrevHead, witness.NewHead, CancellationToken.None);
                if (witness.BatchIndex == redrawn)
                {
                    await fixture.MineAsync(256);
                    commitment = await inbox.RedrawBeaconAsync(witness.BatchIndex, CancellationToken.None);
                }

                witness = witness.WithBeacon(commitment.Beacon!.Value);
            }

            witnesses.Add(witness);
            await inbox.SubmitAsync(await fixture.ProveAsync(witness), CancellationToken.None);
        }

        var keyFile = (await fixture.ArtifactsAsync(policy.Id)).VerificationKeyFile;
        var key = await VerificationKey.ReadAsync(keyFile, CancellationToken.None);
        return new FinalizedChain(fixture, account, deployment, log, cut, witnesses, key, keyFile);
    }

    public Task<InboxLightClient> ClientAsync() => InboxLightClient.ConnectAsync(Fixture.Anvil.Url, Deployment.Inbox, CancellationToken.None);

    /// <summary>The sequencer's signer (the development account that deployed the inbox and is its sequencer).</summary>
    public ReceiptSigner Signer() =>
        new(Convert.FromHexString(AnvilNode.DevelopmentKeys[_account].AsSpan(2)), Deployment.ChainId, Deployment.Inbox);

    /// <summary>Receipts for every logged entry, as the sequencer would sign them (one group).</summary>
    public IReadOnlyList<Receipt> Receipts()
    {
        using var signer = Signer();
        return signer.SignGroup([.. Log.Entries.Select(e => new ReceiptFields(e.Entry.Seq, e.Entry.ArrivalMs, e.Entry.Tx.Hash, e.Head))]);
    }
}
