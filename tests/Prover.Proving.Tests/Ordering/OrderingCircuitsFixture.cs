using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Proving.Native;
using Prover.Proving.Snarkjs;

namespace Prover.Proving.Tests.Ordering;

/// <summary>
/// The four ordering circuits at capacities 4 and 8, compiled once per test run, and their keys set
/// up on first use from one development ceremony of power 13 (enough for every one of them),
/// computed in C#: the golden verification-key hashes hold it to snarkjs' bytes, and NativeSetupTests
/// compares it with snarkjs' own ceremony at power 8. Cache and outputs live in a folder of this run's own.
/// </summary>
public sealed class OrderingCircuitsFixture : IAsyncLifetime
{
    public static readonly string[] Policies = ["fcfs", "priority-fee", "timeboost", "shuffle"];

    /// <summary>Every policy at both precompiled capacities, as theory data.</summary>
    public static TheoryData<string, int> Circuits()
    {
        var data = new TheoryData<string, int>();
        foreach (var policy in Policies)
        {
            data.Add(policy, 4);
            data.Add(policy, 8);
        }

        return data;
    }

    private readonly TempDirectory _root = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<CircuitArtifacts>>> _artifacts = new();
    private readonly Dictionary<(string, int), CompiledCircuit> _circuits = [];
    private int _work;

    internal SnarkjsBackend Backend { get; }

    /// <summary>Sets up the keys: the development ceremony and keys computed in C#, the bytes snarkjs would write (the golden key hashes hold it to that).</summary>
    internal NativeBackend Native { get; }

    public OrderingCircuitsFixture()
    {
        var options = new SnarkjsOptions { CacheDirectory = _root.Combine("cache"), MinimumDevelopmentPower = 13 };
        Backend = new SnarkjsBackend(options);
        Native = new NativeBackend(options);
    }

    public CompiledCircuit Circuit(string policy, int capacity) => _circuits[(policy, capacity)];

    public async Task InitializeAsync()
    {
        foreach (var capacity in new[] { 4, 8 })
        {
            foreach (var policy in Policies)
            {
                var main = Path.Combine(TestCircuits.RepoRoot(), "circuits", CircuitInputs.MainFor(policy, capacity));
                _circuits[(policy, capacity)] = await Backend.CompileAsync(main, _root.Combine("build"), CancellationToken.None);
            }
        }
    }

    /// <summary>The proving and verification keys of a capacity-4 circuit, set up once.</summary>
    public Task<CircuitArtifacts> ArtifactsAsync(string policy) => ArtifactsAsync(policy, 4);

    /// <summary>The proving and verification keys of a circuit of capacity 4 or 8, set up once.</summary>
    public Task<CircuitArtifacts> ArtifactsAsync(string policy, int capacity) =>
        _artifacts.GetOrAdd($"{policy}_{capacity}", name => new Lazy<Task<CircuitArtifacts>>(() =>
            Native.SetupAsync(Circuit(policy, capacity), CeremonySource.Development, _root.Combine("artifacts", name), CancellationToken.None))).Value;

    /// <summary>A fresh folder for one test's files.</summary>
    public string Work() => Directory.CreateDirectory(_root.Combine("work", Interlocked.Increment(ref _work).ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;

    /// <summary>A circuit outside the two precompiled capacities, compiled now (a 64-slot circuit takes seconds).</summary>
    public Task<CompiledCircuit> CompileAsync(string policy, int capacity) =>
        Backend.CompileAsync(Path.Combine(TestCircuits.RepoRoot(), "circuits", CircuitInputs.MainFor(policy, capacity)), _root.Combine("build"), CancellationToken.None);

    /// <summary>Writes <paramref name="input"/> and computes its witness with the policy's circuit of <paramref name="capacity"/>.</summary>
    public Task<string> WitnessAsync(string policy, int capacity, JsonObject input) => WitnessAsync(Circuit(policy, capacity), input);

    /// <summary>Writes <paramref name="input"/> and computes its witness with <paramref name="circuit"/>.</summary>
    public async Task<string> WitnessAsync(CompiledCircuit circuit, JsonObject input)
    {
        var work = Work();
        var inputFile = Path.Combine(work, "input.json");
        await File.WriteAllTextAsync(inputFile, input.ToJsonString());
        var witness = Path.Combine(work, "witness.wtns");
        await Backend.ComputeWitnessAsync(circuit, inputFile, witness, CancellationToken.None);
        return witness;
    }

    /// <summary>Proves a witness of a capacity-4 circuit.</summary>
    public async Task<ProofFiles> ProveAsync(string policy, JsonObject input)
    {
        var artifacts = await ArtifactsAsync(policy);
        var witness = await WitnessAsync(policy, 4, input);
        return await Backend.ProveAsync(artifacts, witness, Path.Combine(Path.GetDirectoryName(witness)!, "proof"), CancellationToken.None);
    }

    /// <summary>A copy of <paramref name="proof"/> whose public signal <paramref name="index"/> is one more.</summary>
    public static async Task<ProofFiles> WithPublicSignalChangedAsync(ProofFiles proof, int index, string folder)
    {
        var signals = proof.PublicSignals.ToArray();
        signals[index] += Fr.One;
        var publicFile = Path.Combine(Directory.CreateDirectory(folder).FullName, "public.json");
        await File.WriteAllTextAsync(publicFile, JsonSerializer.Serialize(signals.Select(s => s.ToString())));
        return proof with { PublicSignalsFile = publicFile, PublicSignals = signals };
    }

    public Task DisposeAsync()
    {
        Native.Dispose();
        _root.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class OrderingCircuitsCollection : ICollectionFixture<OrderingCircuitsFixture>
{
    public const string Name = "ordering circuits";
}
