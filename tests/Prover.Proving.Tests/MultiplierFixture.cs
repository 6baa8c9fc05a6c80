using System.Collections.Concurrent;
using Prover.Proving.Snarkjs;

namespace Prover.Proving.Tests;

/// <summary>
/// One compiled and set-up ranged multiplier, shared by the tests that need keys: the development
/// ceremony runs once per test run, in a cache folder of its own (CI starts with an empty cache, and a
/// run must not depend on what an earlier one left behind).
/// </summary>
public sealed class MultiplierFixture : IAsyncLifetime
{
    private readonly TempDirectory _root = new();

    internal SnarkjsBackend Backend { get; private set; } = null!;

    /// <summary>Every tool process the shared backend started, in order.</summary>
    internal ConcurrentQueue<int> Started { get; } = new();

    public CompiledCircuit Circuit { get; private set; } = null!;

    public CircuitArtifacts Artifacts { get; private set; } = null!;

    public string CacheDirectory => _root.Combine("cache");

    public string Work(string name) => Directory.CreateDirectory(_root.Combine("work", name)).FullName;

    public async Task InitializeAsync()
    {
        Backend = new SnarkjsBackend(new SnarkjsOptions { CacheDirectory = CacheDirectory }) { ToolStarted = Started.Enqueue };
        Circuit = await Backend.CompileAsync(TestCircuits.RangedMultiplier, _root.Combine("build"), CancellationToken.None);
        Artifacts = await Backend.SetupAsync(Circuit, CeremonySource.Development, _root.Combine("artifacts"), CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class MultiplierCollection : ICollectionFixture<MultiplierFixture>
{
    public const string Name = "ranged multiplier";
}
