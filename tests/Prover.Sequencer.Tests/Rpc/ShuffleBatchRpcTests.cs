using Microsoft.Extensions.Time.Testing;
using Nethereum.Util;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Core.Ordering;
using static Prover.Sequencer.Tests.TestTransactions;

namespace Prover.Sequencer.Tests.Rpc;

/// <summary>
/// A shuffle sequencer over HTTP: its batches are cut before their beacon exists (the inbox draws it once
/// the prover pool commits the batch), so the witness it stores and serves has the segment and no order.
/// </summary>
public sealed class ShuffleBatchRpcTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SequencerHost _host = null!;
    private RpcClient _rpc = null!;

    public async Task InitializeAsync()
    {
        _host = await SequencerHost.StartAsync(
            new SequencerOptions
            {
                DataDirectory = _dir.Path,
                SequencerKey = SequencerKey,
                ChainId = ChainId,
                Inbox = Inbox,
                Policy = ShufflePolicy.Instance,
                BatchCapacity = 3,
                BatchMaxAge = SequencerOptions.MaxBatchAge,
            },
            port: 0,
            time: new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000)));
        _rpc = new RpcClient(_host.Url);
    }

    public async Task DisposeAsync()
    {
        _rpc.Dispose();
        await _host.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_shuffle_batch_is_stored_and_served_by_prover_getBatch_without_its_order_and_orders_once_a_beacon_is_drawn()
    {
        string[] raws = [Sign1559(0), Sign1559(1), Sign1559(2)];
        foreach (var raw in raws)
        {
            await _rpc.ResultAsync("eth_sendRawTransaction", raw);
        }

        await Eventually.Until(() => _host.Node.LastBatchIndex == 0, "batch 0");
        var json = (await _rpc.ResultAsync("prover_getBatch", 0)).GetRawText();
        var served = OrderingWitness.FromJson(json);

        Assert.Equal(File.ReadAllText(Path.Combine(_dir.Path, "batches", "0000000000.witness.json")), served.ToJson()); // served as stored
        Assert.Null(served.Validate());
        Assert.Equal(("shuffle", false, null, null), (served.Policy.Spec, served.IsOrdered, served.Beacon, served.OutputCommitment));
        Assert.Empty(served.OrderedTxHashes);
        Assert.DoesNotContain("\"permutation\"", json, StringComparison.Ordinal);
        Assert.Equal(raws.Select(r => "0x" + Sha3Keccack.Current.CalculateHashFromHex(r)), served.Entries.Select(e => e.TxHash.ToString()));

        // The pool orders it with the beacon the inbox draws; the sequencer's part needs nothing more.
        var drawn = served.WithBeacon(Fr.FromUInt64(0x5EED));
        Assert.Null(drawn.Validate());
        Assert.Equal(served.Entries.Select(e => e.TxHash.ToString()).Order(), drawn.OrderedTxHashes.Select(h => h.ToString()).Order());
    }
}
