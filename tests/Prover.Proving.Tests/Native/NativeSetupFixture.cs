using Prover.Proving.Native;
using Prover.Proving.Snarkjs;

namespace Prover.Proving.Tests.Native;

/// <summary>
/// snarkjs' own development ceremony at power 8 and its keys for the ranged multiplier (about half a
/// minute of node), the reference the native setup must reproduce byte for byte.
/// </summary>
public sealed class NativeSetupFixture : IAsyncLifetime
{
    public const int Power = 8;

    private readonly TempDirectory _root = new();

    internal SnarkjsBackend Backend { get; private set; } = null!;

    internal ToolRunner Tools { get; private set; } = null!;

    internal Toolchain Toolchain { get; private set; } = null!;

    public CompiledCircuit Circuit { get; private set; } = null!;

    public CircuitArtifacts Artifacts { get; private set; } = null!;

    /// <summary>snarkjs' prepared development ptau of <see cref="Power"/>.</summary>
    public string SnarkjsPtau => Path.Combine(_root.Combine("cache"), "ptau", DevelopmentCeremony.PtauFileName(Power));

    public string Work(string name) => Directory.CreateDirectory(_root.Combine("work", name)).FullName;

    public async Task InitializeAsync()
    {
        var options = new SnarkjsOptions { CacheDirectory = _root.Combine("cache"), MinimumDevelopmentPower = Power };
        Backend = new SnarkjsBackend(options);
        Toolchain = new Toolchain(options);
        Tools = new ToolRunner(Toolchain, TimeSpan.FromMinutes(10));
        Circuit = await Backend.CompileAsync(TestCircuits.RangedMultiplier, _root.Combine("build"), CancellationToken.None);
        Artifacts = await Backend.SetupAsync(Circuit, CeremonySource.Development, _root.Combine("artifacts"), CancellationToken.None);
    }

    /// <summary>Runs snarkjs with these arguments and returns what it printed (whatever its exit code).</summary>
    internal async Task<ToolRun> SnarkjsAsync(params string[] arguments) =>
        await Tools.RunAsync(Toolchain.SnarkjsScript, args => args.Add(arguments), CancellationToken.None);

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Null when the two files are identical; otherwise which section differs first, and where, so a
    /// failure names the part of the format that went wrong.
    /// </summary>
    public static string? FirstDifference(string expectedPath, string actualPath, string magic)
    {
        var expected = File.ReadAllBytes(expectedPath);
        var actual = File.ReadAllBytes(actualPath);
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return null;
        }

        var e = BinFile.Sections(expected, magic, expectedPath, out _);
        var a = BinFile.Sections(actual, magic, actualPath, out _);
        if (!e.Keys.Order().SequenceEqual(a.Keys.Order()))
        {
            return $"sections differ: expected {string.Join(",", e.Keys)}, got {string.Join(",", a.Keys)}";
        }

        foreach (var type in e.Keys.Order())
        {
            var es = expected.AsSpan(e[type].Offset, e[type].Length);
            var @as = actual.AsSpan(a[type].Offset, a[type].Length);
            if (es.Length != @as.Length)
            {
                return $"section {type}: {es.Length} bytes expected, {@as.Length} written";
            }

            var at = es.CommonPrefixLength(@as);
            if (at < es.Length)
            {
                return $"section {type} differs first at byte {at} of {es.Length}";
            }
        }

        return $"same sections, different layout ({expected.Length} vs {actual.Length} bytes)";
    }
}

[CollectionDefinition(Name)]
public sealed class NativeSetupCollection : ICollectionFixture<NativeSetupFixture>
{
    public const string Name = "native setup against snarkjs";
}
