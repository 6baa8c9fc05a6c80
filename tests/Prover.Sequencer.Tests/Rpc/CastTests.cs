using Microsoft.Extensions.Time.Testing;
using Nethereum.Util;
using Prover.Core.Ethereum;
using Prover.Core.Receipts;
using static Prover.Sequencer.Tests.TestTransactions;

namespace Prover.Sequencer.Tests.Rpc;

/// <summary>Clients we did not write, Foundry's <c>cast</c> and ethers v6, publish to the sequencer and get the hash it logged.</summary>
public sealed class CastTests : IAsyncLifetime
{
    /// <summary>anvil's account #2: a sender key cast signs with.</summary>
    private const string CastKey = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

    private readonly TempDirectory _dir = new();
    private SequencerHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SequencerHost.StartAsync(
            new SequencerOptions
            {
                DataDirectory = _dir.Path,
                SequencerKey = SequencerKey,
                ChainId = ChainId,
                Inbox = Inbox,
                BatchCapacity = 2,
                BatchMaxAge = SequencerOptions.MaxBatchAge,
            },
            port: 0,
            // A test clock that never moves: three cast runs can take longer than any max age on a
            // busy machine, and the batch must close by capacity with both transactions.
            time: new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000)));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Cast_publish_and_cast_send_print_the_hash_the_sequencer_logged()
    {
        var cast = CastPath();
        var url = _host.Url.ToString();

        var raw = await ToolRunner.CheckedAsync(cast,
            "mktx", "--private-key", CastKey, "--chain", "31337", "--nonce", "0", "--gas-limit", "21000",
            "--gas-price", "2gwei", "--priority-gas-price", "1gwei", To, "--value", "1");
        var published = await ToolRunner.CheckedAsync(cast, "publish", "--async", "--rpc-url", url, raw);
        Assert.Equal("0x" + Sha3Keccack.Current.CalculateHashFromHex(raw), published);

        var sent = await ToolRunner.CheckedAsync(cast,
            "send", "--async", "--rpc-url", url, "--nonce", "1", "--gas-limit", "21000", "--gas-price", "2gwei",
            "--priority-gas-price", "1gwei", "--chain", "31337", "--private-key", CastKey, To, "--value", "1");

        foreach (var (hash, seq) in new[] { (published, 0UL), (sent, 1UL) })
        {
            Assert.True(_host.Node.TryGetReceipt(Hash32.Parse(hash), out var receipt), $"no receipt for {hash}");
            Assert.Equal(seq, receipt!.Seq);
            Assert.True(ReceiptVerifier.Verify(receipt, _host.Node.SequencerAddress, ChainId, Inbox).IsValid);
        }

        // The logged entries are cast's transactions: its sender, its nonces, its priority fee.
        await Eventually.Until(() => _host.Node.GetBatch(0) is not null, "batch 0");
        var witness = _host.Node.GetBatch(0)!;
        Assert.Equal([published, sent], witness.OrderedTxHashes.Select(h => h.ToString()));
        Assert.All(witness.Entries, e => Assert.Equal(AddressOf(CastKey), e.Sender.ToString(), ignoreCase: true));
        Assert.Equal([0UL, 1UL], witness.Entries.Select(e => e.Nonce));
        Assert.All(witness.Entries, e => Assert.Equal(1_000_000_000UL, e.Fee));
    }

    [Fact]
    public async Task An_ethers_provider_broadcasts_a_signed_transaction_and_fetches_its_receipt()
    {
        // ethers' broadcastTransaction asks eth_chainId and eth_blockNumber beside the send, and fails
        // the whole call if either does, though the transaction was logged.
        var script = Path.Combine(RepoPaths.Root, "tests", "Prover.Sequencer.Tests", "Rpc", "ethers-client.mjs");
        Assert.True(Directory.Exists(Path.Combine(RepoPaths.Root, "node_modules", "ethers")), "ethers is not installed. Run `make setup` (it runs `npm ci`) and test again.");
        var output = await ToolRunner.CheckedAsync("node", script, _host.Url.ToString(), CastKey, ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), To, "0");
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);

        Assert.True(_host.Node.TryGetReceipt(Hash32.Parse(lines[0]), out var receipt), $"ethers broadcast {lines[0]}, which the sequencer did not log");
        Assert.Equal(receipt!.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[1]);
        Assert.True(ReceiptVerifier.Verify(receipt, _host.Node.SequencerAddress, ChainId, Inbox).IsValid);
    }

    private static string CastPath()
    {
        var cast = RepoPaths.NodeTool("cast");
        Assert.True(File.Exists(cast), $"Foundry's cast is not installed at {cast}. Run `make setup` (it runs `npm ci`, which installs @foundry-rs/cast) and test again.");
        return cast;
    }
}
