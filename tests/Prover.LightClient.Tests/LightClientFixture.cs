using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ordering;
using Prover.Proving;
using Prover.Proving.Snarkjs;

namespace Prover.LightClient.Tests;

/// <summary>
/// The real fcfs ordering circuit at capacity 4, compiled and set up once per test run (development
/// ceremony of power 13, from the shared key cache), and a local anvil the tests deploy inboxes to.
/// Proofs are real snarkjs proofs of real batches.
/// </summary>
public sealed class LightClientFixture : IAsyncLifetime
{
    public const int Capacity = 4;
    public const ulong ChainId = 31337;

    public static OrderingPolicy Policy { get; } = OrderingPolicy.Parse("fcfs");

    private readonly TempDirectory _root = new();
    private readonly SemaphoreSlim _setup = new(1, 1);
    private CircuitArtifacts? _artifacts;
    private int _work;

    public SnarkjsBackend Backend { get; } = new(new SnarkjsOptions { MinimumDevelopmentPower = 13 });

    public AnvilNode Anvil { get; private set; } = null!;

    public string Work(string name) => Directory.CreateDirectory(_root.Combine("work", name)).FullName;

    public async Task InitializeAsync() => Anvil = await AnvilNode.StartAsync(new AnvilOptions { ChainId = ChainId }, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await Anvil.DisposeAsync();
        _root.Dispose();
    }

    /// <summary>The compiled circuit and keys, made once.</summary>
    public async Task<CircuitArtifacts> ArtifactsAsync()
    {
        await _setup.WaitAsync();
        try
        {
            if (_artifacts is null)
            {
                var main = Path.Combine(Backend.CircuitsDirectory, CircuitInputs.MainFor(Policy.Id, Capacity));
                var circuit = await Backend.CompileAsync(main, _root.Combine("build"), CancellationToken.None);
                _artifacts = await Backend.SetupAsync(circuit, CeremonySource.Development, _root.Combine("artifacts"), CancellationToken.None);
            }

            return _artifacts;
        }
        finally
        {
            _setup.Release();
        }
    }

    /// <summary>Proves a batch's witness; the files are snarkjs' proof.json and public.json.</summary>
    public async Task<ProofFiles> ProveFilesAsync(OrderingWitness witness)
    {
        var artifacts = await ArtifactsAsync();
        var work = Work("prove-" + Interlocked.Increment(ref _work).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var input = Path.Combine(work, "input.json");
        await File.WriteAllTextAsync(input, CircuitInputs.ToJson(witness));
        var wtns = Path.Combine(work, "witness.wtns");
        await Backend.ComputeWitnessAsync(artifacts.Circuit, input, wtns, CancellationToken.None);
        return await Backend.ProveAsync(artifacts, wtns, work, CancellationToken.None);
    }

    /// <summary>Proves a batch's witness and returns what submitBatch takes.</summary>
    public async Task<BatchSubmission> ProveAsync(OrderingWitness witness) =>
        await BatchSubmission.FromProofAsync(witness, await ProveFilesAsync(witness), CancellationToken.None);

    /// <summary>Deploys a fresh fcfs inbox on the fixture's anvil with <paramref name="connection"/>'s account as sequencer.</summary>
    public async Task<(BatchInbox Inbox, InboxDeployment Deployment)> DeployAsync(ChainConnection connection)
    {
        var artifacts = await ArtifactsAsync();
        return await BatchInbox.DeployAsync(
            connection, new InboxDeploymentRequest(artifacts.VerifierContractFile, Policy, Capacity, connection.Account), tools: null, CancellationToken.None);
    }

    /// <summary>
    /// One inbox with three finalized batches (4, 1 and 3 transactions) of a log whose entries the tests
    /// can sign receipts for; made once and shared, since nothing the light client does changes it.
    /// </summary>
    public Task<FinalizedChain> ChainAsync() => _chain.Value;

    private Lazy<Task<FinalizedChain>> _chain => _chainLazy ??= new(FinalizedChain.CreateAsync(this));

    private Lazy<Task<FinalizedChain>>? _chainLazy;

    /// <summary>A connection to the fixture's anvil as development account <paramref name="account"/>.</summary>
    public Task<ChainConnection> ConnectAsync(int account = 0) =>
        ChainConnection.ConnectAsync(Anvil.Url, AnvilNode.DevelopmentKeys[account], CancellationToken.None);
}

[CollectionDefinition(Name)]
public sealed class LightClientCollection : ICollectionFixture<LightClientFixture>
{
    public const string Name = "light client chain";
}
