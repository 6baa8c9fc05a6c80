using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Proving;
using Prover.Proving.Native;
using Prover.Proving.Snarkjs;

namespace Prover.Chain.Tests;

/// <summary>
/// The real ordering circuits at capacity 4, each compiled and set up once per test run on first use
/// (development ceremony of power 13, enough for all four, from the shared key cache), and a local anvil
/// the tests deploy to. Proofs are real proofs of real batches, made by the native backend (witness in
/// process, Groth16 in C#) with snarkjs' keys: every finalization here is the Solidity verifier
/// accepting a native proof.
/// </summary>
public sealed class ChainFixture : IAsyncLifetime
{
    public const int Capacity = 4;

    public static readonly string[] Policies = ["fcfs", "priority-fee", "timeboost", "shuffle"];

    private readonly TempDirectory _root = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<CircuitArtifacts>>> _artifacts = new();
    private int _work;

    public SnarkjsBackend Backend { get; } = new(new SnarkjsOptions { MinimumDevelopmentPower = 13 });

    /// <summary>Sets up (in C#, the same keys snarkjs makes), computes witnesses and proves.</summary>
    public NativeBackend Prover { get; } = new(new SnarkjsOptions { MinimumDevelopmentPower = 13 });

    public AnvilNode Anvil { get; private set; } = null!;

    public async Task InitializeAsync() => Anvil = await AnvilNode.StartAsync(new AnvilOptions { ChainId = TestBatches.ChainId }, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await Anvil.DisposeAsync();
        Prover.Dispose();
        _root.Dispose();
    }

    /// <summary>The compiled circuit and keys of a policy at <see cref="Capacity"/>, made once.</summary>
    public Task<CircuitArtifacts> ArtifactsAsync(string policy) =>
        _artifacts.GetOrAdd(policy, p => new Lazy<Task<CircuitArtifacts>>(async () =>
        {
            var main = Path.Combine(Backend.CircuitsDirectory, CircuitInputs.MainFor(p, Capacity));
            var circuit = await Prover.CompileAsync(main, _root.Combine("build", p), CancellationToken.None);
            return await Prover.SetupAsync(circuit, CeremonySource.Development, _root.Combine("artifacts", p), CancellationToken.None);
        })).Value;

    /// <summary>Proves a batch's witness and returns what submitBatch takes.</summary>
    public async Task<BatchSubmission> ProveAsync(OrderingWitness witness)
    {
        var proof = await ProveInputsAsync(witness.Policy.Id, CircuitInputs.From(witness));
        return await BatchSubmission.FromProofAsync(witness, proof, CancellationToken.None);
    }

    /// <summary>
    /// Proves circuit inputs as they are, with the circuit of <paramref name="circuitPolicy"/>: for
    /// statements no honest witness gives (a posted list other than the witness's, another policy's circuit).
    /// </summary>
    /// <exception cref="UnsatisfiedConstraintsException">The circuit has no witness for these inputs (a constraint fails).</exception>
    public async Task<ProofFiles> ProveInputsAsync(string circuitPolicy, JsonObject inputs)
    {
        var (artifacts, work, wtns) = await WitnessAsync(circuitPolicy, inputs);
        return await Prover.ProveAsync(artifacts, wtns, work, CancellationToken.None);
    }

    /// <summary>Computes the circuit's witness for <paramref name="inputs"/>, which fails when any constraint does.</summary>
    /// <exception cref="UnsatisfiedConstraintsException">The circuit has no witness for these inputs.</exception>
    public async Task ComputeWitnessAsync(string circuitPolicy, JsonObject inputs) => await WitnessAsync(circuitPolicy, inputs);

    private async Task<(CircuitArtifacts Artifacts, string Work, string Witness)> WitnessAsync(string circuitPolicy, JsonObject inputs)
    {
        var artifacts = await ArtifactsAsync(circuitPolicy);
        var work = Directory.CreateDirectory(_root.Combine("work", Interlocked.Increment(ref _work).ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        var input = Path.Combine(work, "input.json");
        await File.WriteAllTextAsync(input, inputs.ToJsonString());
        var wtns = Path.Combine(work, "witness.wtns");
        await Prover.ComputeWitnessAsync(artifacts.Circuit, input, wtns, CancellationToken.None);
        return (artifacts, work, wtns);
    }

    /// <summary>
    /// Deploys a fresh inbox for <paramref name="policy"/> on <paramref name="connection"/>'s chain, with
    /// that connection's account as sequencer, and the verifier of <paramref name="verifierPolicy"/>'s
    /// circuit (by default the policy's own; another is a misconfigured deployment).
    /// </summary>
    public async Task<(BatchInbox Inbox, InboxDeployment Deployment)> DeployAsync(ChainConnection connection, string policy, string? verifierPolicy = null)
    {
        var artifacts = await ArtifactsAsync(verifierPolicy ?? policy);
        return await BatchInbox.DeployAsync(
            connection,
            new InboxDeploymentRequest(artifacts.VerifierContractFile, TestBatches.Policy(policy), Capacity, connection.Account),
            tools: null,
            CancellationToken.None);
    }

    /// <summary>A connection to the fixture's anvil as development account <paramref name="account"/>.</summary>
    public Task<ChainConnection> ConnectAsync(int account = 0) => ConnectAsync(Anvil, account);

    public static Task<ChainConnection> ConnectAsync(AnvilNode anvil, int account = 0) =>
        ChainConnection.ConnectAsync(anvil.Url, AnvilNode.DevelopmentKeys[account], CancellationToken.None);
}

[CollectionDefinition(Name)]
public sealed class ChainCollection : ICollectionFixture<ChainFixture>
{
    public const string Name = "chain";
}
