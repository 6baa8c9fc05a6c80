using System.Buffers.Binary;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Log;
using Prover.Core.Ordering;
using Prover.Proving;
using Prover.Proving.Snarkjs;

namespace Prover.Workers.Tests;

/// <summary>
/// What every pool test needs, made once per run: a local anvil, a throwaway PostgreSQL cluster, and the
/// fcfs circuit at capacity 4 compiled and set up from the development ceremony (the keys the worker
/// processes set up again from the same cache, so their proofs verify on the same inbox). The shuffle
/// circuit is set up the same way, on first use, for the tests of its commit-and-draw flow.
/// </summary>
public sealed class PoolFixture : IAsyncLifetime
{
    public const int Capacity = 4;
    public const string Policy = "fcfs";
    public const string Shuffle = "shuffle";
    public const ulong ChainId = 31337;

    private readonly TempDirectory _root = new();
    private readonly SemaphoreSlim _shuffleGate = new(1, 1);
    private CircuitArtifacts? _shuffle;

    public SnarkjsBackend Backend { get; } = new(new SnarkjsOptions());

    public AnvilNode Anvil { get; private set; } = null!;

    public PostgresCluster Postgres { get; } = new();

    public CircuitArtifacts Artifacts { get; private set; } = null!;

    public string VerificationKeyHash => ProverPool.VerificationKeyHash(Artifacts.VerificationKeyFile);

    /// <summary>The shuffle circuit at capacity 4, compiled and set up on the first call.</summary>
    public async Task<CircuitArtifacts> ShuffleArtifactsAsync()
    {
        await _shuffleGate.WaitAsync();
        try
        {
            if (_shuffle is null)
            {
                var main = Path.Combine(Backend.CircuitsDirectory, CircuitInputs.MainFor(Shuffle, Capacity));
                var circuit = await Backend.CompileAsync(main, _root.Combine("shuffle-build"), CancellationToken.None);
                _shuffle = await Backend.SetupAsync(circuit, CeremonySource.Development, _root.Combine("shuffle-artifacts"), CancellationToken.None);
            }

            return _shuffle;
        }
        finally
        {
            _shuffleGate.Release();
        }
    }

    public ProvingSetup Proving => new(Backend, CeremonySource.Development, Backend.CircuitsDirectory);

    /// <summary>Every transaction sent to the inbox since its deployment, counted block by block on the fixture's anvil.</summary>
    public async Task<int> InboxTransactionsAsync(InboxDeployment deployment)
    {
        var web3 = new Nethereum.Web3.Web3(Anvil.Url.ToString());
        var latest = (await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var toInbox = 0;
        for (var n = deployment.Block + 1; n <= latest; n++)
        {
            var block = await web3.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new Nethereum.RPC.Eth.DTOs.BlockParameter(new Nethereum.Hex.HexTypes.HexBigInteger(n)));
            toInbox += block.Transactions.Count(t => string.Equals(t.To, deployment.Inbox.ToString(), StringComparison.OrdinalIgnoreCase));
        }

        return toInbox;
    }

    public async Task InitializeAsync()
    {
        var anvil = AnvilNode.StartAsync(new AnvilOptions { ChainId = ChainId }, CancellationToken.None);
        var postgres = Postgres.InitializeAsync();
        var main = Path.Combine(Backend.CircuitsDirectory, CircuitInputs.MainFor(Policy, Capacity));
        var circuit = await Backend.CompileAsync(main, _root.Combine("build"), CancellationToken.None);
        Artifacts = await Backend.SetupAsync(circuit, CeremonySource.Development, _root.Combine("artifacts"), CancellationToken.None);
        Anvil = await anvil;
        await postgres;
    }

    public async Task DisposeAsync()
    {
        await Anvil.DisposeAsync();
        await Postgres.DisposeAsync();
        _root.Dispose();
    }

    /// <summary>A connection to the anvil as development account <paramref name="account"/>.</summary>
    public Task<ChainConnection> ConnectAsync(int account = 0) =>
        ChainConnection.ConnectAsync(Anvil.Url, AnvilNode.DevelopmentKeys[account], CancellationToken.None);

    /// <summary>A fresh inbox for <paramref name="policy"/> (fcfs or shuffle) at capacity 4 with account 0 as sequencer, and the chain settings a pool submits with.</summary>
    public async Task<(PoolChain Chain, InboxDeployment Deployment)> DeployAsync(string policy = Policy)
    {
        var artifacts = await ArtifactsAsync(policy);
        var connection = await ConnectAsync();
        var (inbox, deployment) = await BatchInbox.DeployAsync(
            connection, new InboxDeploymentRequest(artifacts.VerifierContractFile, OrderingPolicy.Parse(policy), Capacity, connection.Account), tools: null, CancellationToken.None);
        return (new PoolChain(connection, inbox, deployment.Block), deployment);
    }

    /// <summary>The circuit of <paramref name="policy"/> (fcfs or shuffle) at capacity 4.</summary>
    public async Task<CircuitArtifacts> ArtifactsAsync(string policy) => policy switch
    {
        Policy => Artifacts,
        Shuffle => await ShuffleArtifactsAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "the pool tests set up fcfs and shuffle only"),
    };

    /// <summary>Proves a witness directly with snarkjs, as a submitter outside the pool would.</summary>
    public async Task<BatchSubmission> ProveDirectlyAsync(OrderingWitness witness)
    {
        var artifacts = await ArtifactsAsync(witness.Policy.Id);
        var work = Directory.CreateTempSubdirectory("prover-workers-direct-").FullName;
        try
        {
            var input = Path.Combine(work, "input.json");
            await File.WriteAllTextAsync(input, CircuitInputs.ToJson(witness));
            var wtns = Path.Combine(work, "witness.wtns");
            await Backend.ComputeWitnessAsync(artifacts.Circuit, input, wtns, CancellationToken.None);
            var proof = await Backend.ProveAsync(artifacts, wtns, work, CancellationToken.None);
            return await BatchSubmission.FromProofAsync(witness, proof, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PoolCollection : ICollectionFixture<PoolFixture>
{
    public const string Name = "pool";
}

/// <summary>
/// A receipt log that grows batch by batch from the genesis head of (chain, inbox), as the sequencer's
/// does: each batch continues the last one's head and last arrival. Shuffle batches come out undrawn,
/// as the sequencer cuts them.
/// </summary>
internal sealed class TestLog(ulong chainId, EthAddress inbox, string policy = PoolFixture.Policy)
{
    private static readonly EthAddress[] Senders =
    [
        EthAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        EthAddress.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
        EthAddress.Parse("0x90F79bf6EB2c4f870365E51E7A6eB3E7A7bAa7A4"),
    ];

    private readonly OrderingPolicy _policy = OrderingPolicy.Parse(policy);
    private ulong _seq;
    private ulong _index;
    private ulong _lastArrival;
    private Crypto.Field.Fr _head = ReceiptChain.Genesis(chainId, inbox);

    /// <summary>The next <paramref name="batches"/> batches of 1 to 4 transactions.</summary>
    public List<OrderingWitness> Next(int batches) => [.. Enumerable.Range(0, batches).Select(_ => NextBatch((int)(_index % PoolFixture.Capacity) + 1))];

    public OrderingWitness NextBatch(int count)
    {
        var segment = new LogEntry[count];
        var hash = new byte[32];
        for (var i = 0; i < count; i++)
        {
            var seq = _seq++;
            hash.AsSpan().Fill(0x5A);
            BinaryPrimitives.WriteUInt64BigEndian(hash.AsSpan(16), chainId);
            BinaryPrimitives.WriteUInt64BigEndian(hash.AsSpan(24), seq);
            var tx = new SignedTransaction([], new Hash32(hash), TransactionType.DynamicFee, chainId, Senders[seq % 3], seq, (seq % 5 + 1) * 1_000_000_000, 21_000);
            segment[i] = new LogEntry(seq, 1_764_300_000_000 + (seq * 40), tx);
        }

        var batch = BatchBuilder.Build(_index++, _head, segment, _policy, chainId, inbox, PoolFixture.Capacity, _lastArrival);
        _head = batch.NewHead;
        _lastArrival = segment[^1].ArrivalMs;
        return OrderingWitness.FromBatch(batch);
    }
}
