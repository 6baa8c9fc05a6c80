using System.Globalization;
using System.Text;
using System.Text.Json;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ordering;
using Prover.Proving;
using Prover.Proving.Native;
using Prover.Proving.Snarkjs;

namespace Prover.LightClient.Tests;

/// <summary>
/// The real ordering circuits at capacity 4 (fcfs, and the shuffle for the beacon tests), compiled and
/// set up once per test run (development ceremony of power 13, from the shared key cache), and a local
/// anvil the tests deploy inboxes to. Proofs are real snarkjs proofs of real batches.
/// </summary>
public sealed class LightClientFixture : IAsyncLifetime
{
    public const int Capacity = 4;
    public const ulong ChainId = 31337;

    public static OrderingPolicy Policy { get; } = OrderingPolicy.Parse("fcfs");

    private readonly TempDirectory _root = new();
    private readonly SemaphoreSlim _setup = new(1, 1);
    private readonly Dictionary<string, CircuitArtifacts> _artifacts = [];
    private Lazy<Task<FinalizedChain>>? _chain;
    private Lazy<Task<FinalizedChain>>? _shuffleChain;
    private int _work;

    public SnarkjsBackend Backend { get; } = new(new SnarkjsOptions { MinimumDevelopmentPower = 13 });

    /// <summary>The native backend (witness and proof in process) with the same tools and keys.</summary>
    public NativeBackend Native { get; } = new(new SnarkjsOptions { MinimumDevelopmentPower = 13 });

    public AnvilNode Anvil { get; private set; } = null!;

    public string Work(string name) => Directory.CreateDirectory(_root.Combine("work", name)).FullName;

    public async Task InitializeAsync() => Anvil = await AnvilNode.StartAsync(new AnvilOptions { ChainId = ChainId }, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await Anvil.DisposeAsync();
        Native.Dispose();
        _root.Dispose();
    }

    /// <summary>The fcfs circuit and keys, made once; their folder holds the manifest the setup writes.</summary>
    public Task<CircuitArtifacts> ArtifactsAsync() => ArtifactsAsync(Policy.Id);

    /// <summary>The circuit and keys of a policy at <see cref="Capacity"/>, made once.</summary>
    public async Task<CircuitArtifacts> ArtifactsAsync(string policyId)
    {
        await _setup.WaitAsync();
        try
        {
            if (!_artifacts.TryGetValue(policyId, out var artifacts))
            {
                var main = Path.Combine(Backend.CircuitsDirectory, CircuitInputs.MainFor(policyId, Capacity));
                var circuit = await Native.CompileAsync(main, _root.Combine("build-" + policyId), CancellationToken.None);
                artifacts = await Native.SetupAsync(circuit, CeremonySource.Development, _root.Combine("artifacts-" + policyId), CancellationToken.None);
                _artifacts[policyId] = artifacts;
            }

            return artifacts;
        }
        finally
        {
            _setup.Release();
        }
    }

    /// <summary>Proves an ordered batch witness with its policy's circuit; the files are snarkjs' proof.json and public.json.</summary>
    public Task<ProofFiles> ProveFilesAsync(OrderingWitness witness) => ProveFilesAsync(witness, Backend);

    /// <summary>Proves an ordered batch witness with <paramref name="backend"/>.</summary>
    public async Task<ProofFiles> ProveFilesAsync(OrderingWitness witness, IProvingBackend backend)
    {
        var artifacts = await ArtifactsAsync(witness.Policy.Id);
        var work = Work("prove-" + Interlocked.Increment(ref _work).ToString(CultureInfo.InvariantCulture));
        var input = Path.Combine(work, "input.json");
        await File.WriteAllTextAsync(input, CircuitInputs.ToJson(witness));
        var wtns = Path.Combine(work, "witness.wtns");
        await backend.ComputeWitnessAsync(artifacts.Circuit, input, wtns, CancellationToken.None);
        return await backend.ProveAsync(artifacts, wtns, work, CancellationToken.None);
    }

    /// <summary>Proves an ordered batch witness and returns what submitBatch takes.</summary>
    public async Task<BatchSubmission> ProveAsync(OrderingWitness witness) =>
        await BatchSubmission.FromProofAsync(witness, await ProveFilesAsync(witness), CancellationToken.None);

    /// <summary>Deploys a fresh fcfs inbox on the fixture's anvil with <paramref name="connection"/>'s account as sequencer.</summary>
    public Task<(BatchInbox Inbox, InboxDeployment Deployment)> DeployAsync(ChainConnection connection) => DeployAsync(connection, Policy, Policy.Id);

    /// <summary>
    /// Deploys an inbox that declares <paramref name="policy"/> with the verifier of
    /// <paramref name="verifierPolicyId"/>'s circuit: the same policy's for a sound inbox, another's to
    /// make one whose verifier refuses every batch.
    /// </summary>
    public async Task<(BatchInbox Inbox, InboxDeployment Deployment)> DeployAsync(ChainConnection connection, OrderingPolicy policy, string verifierPolicyId)
    {
        var artifacts = await ArtifactsAsync(verifierPolicyId);
        return await BatchInbox.DeployAsync(
            connection, new InboxDeploymentRequest(artifacts.VerifierContractFile, policy, Capacity, connection.Account), tools: null, CancellationToken.None);
    }

    /// <summary>
    /// One fcfs inbox with three finalized batches (4, 1 and 3 transactions) of a log whose entries the
    /// tests can sign receipts for; made once and shared, since nothing the light client does changes it.
    /// </summary>
    public Task<FinalizedChain> ChainAsync() =>
        (_chain ??= new(() => FinalizedChain.CreateAsync(this, account: 0, Policy, [4, 1, 3], redrawn: null))).Value;

    /// <summary>
    /// One shuffle inbox with two finalized batches (3 and 2 transactions), each committed before it was
    /// ordered; batch 1's first beacon was left to expire and drawn again.
    /// </summary>
    public Task<FinalizedChain> ShuffleChainAsync() =>
        (_shuffleChain ??= new(() => FinalizedChain.CreateAsync(this, account: 2, ShufflePolicy.Instance, [3, 2], redrawn: 1))).Value;

    /// <summary>A connection to the fixture's anvil as development account <paramref name="account"/>.</summary>
    public Task<ChainConnection> ConnectAsync(int account = 0) =>
        ChainConnection.ConnectAsync(Anvil.Url, AnvilNode.DevelopmentKeys[account], CancellationToken.None);

    /// <summary>Mines <paramref name="blocks"/> empty blocks at once (anvil_mine), e.g. to let a beacon's block hash expire.</summary>
    public async Task MineAsync(int blocks)
    {
        using var http = new HttpClient();
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method = "anvil_mine", @params = new object[] { "0x" + blocks.ToString("x", CultureInfo.InvariantCulture) } });
        using var response = await http.PostAsync(Anvil.Url, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode && !text.Contains("\"error\"", StringComparison.Ordinal), $"anvil_mine: {text}");
    }
}

[CollectionDefinition(Name)]
public sealed class LightClientCollection : ICollectionFixture<LightClientFixture>
{
    public const string Name = "light client chain";
}
