using Prover.Core;
using Prover.Proving.Native;
using Prover.Proving.Snarkjs;

namespace Prover.Proving;

/// <summary>The proving backends a command or a pool can be told to use.</summary>
public enum BackendKind
{
    /// <summary>Witnesses and proofs in process (<see cref="NativeBackend"/>); compile, setup and verify through snarkjs. The default.</summary>
    Native,

    /// <summary>Everything through node and snarkjs (<see cref="SnarkjsBackend"/>): the reference.</summary>
    Snarkjs,
}

/// <summary>Chooses and makes a proving backend by name, for the <c>--backend</c> option and the pool's configuration.</summary>
public static class ProvingBackends
{
    /// <summary>What is used when nothing is chosen: the native prover, which starts no process per witness or proof and proves with snarkjs' own keys.</summary>
    public const BackendKind Default = BackendKind.Native;

    /// <summary>Every backend's name, as <see cref="Parse"/> takes it.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetValues<BackendKind>().Select(NameOf)];

    /// <summary>The name of <paramref name="kind"/> on the command line and in configuration: <c>native</c>, <c>snarkjs</c>.</summary>
    public static string NameOf(BackendKind kind) => kind switch
    {
        BackendKind.Native => "native",
        BackendKind.Snarkjs => "snarkjs",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown backend."),
    };

    /// <summary>The backend named <paramref name="name"/> (case-insensitive, surrounding spaces ignored).</summary>
    /// <exception cref="UnknownBackendException">No backend has that name; the message lists those that do.</exception>
    public static BackendKind Parse(string? name)
    {
        var wanted = name?.Trim() ?? "";
        foreach (var kind in Enum.GetValues<BackendKind>())
        {
            if (string.Equals(NameOf(kind), wanted, StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        throw new UnknownBackendException(wanted, Names);
    }

    /// <summary>The circuits folder that backends made from <paramref name="options"/> compile from (where <c>main/</c> is).</summary>
    /// <exception cref="ProvingToolException">None is given and none is found above the application.</exception>
    public static string CircuitsDirectory(SnarkjsOptions? options) => new Toolchain(options ?? new SnarkjsOptions()).CircuitsDirectory;

    /// <summary>
    /// A new backend of <paramref name="kind"/>. The caller owns it: a native backend holds compiled
    /// witness calculators and parsed proving keys until it is disposed, so dispose whatever is
    /// <see cref="IDisposable"/>.
    /// </summary>
    /// <param name="options">Where the tools and the cache are; both backends share the cache, so keys set up by one serve the other.</param>
    /// <param name="maxDegreeOfParallelism">Cores one native proof may use (−1: all); snarkjs decides its own.</param>
    public static IProvingBackend Create(BackendKind kind, SnarkjsOptions? options = null, int maxDegreeOfParallelism = -1) => kind switch
    {
        BackendKind.Native => new NativeBackend(options, maxDegreeOfParallelism),
        BackendKind.Snarkjs => new SnarkjsBackend(options),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown backend."),
    };
}

/// <summary>A backend was asked for by a name no backend has.</summary>
public sealed class UnknownBackendException : ProverException
{
    public UnknownBackendException(string name, IReadOnlyList<string> validNames)
        : base($"'{name}' is not a proving backend: use {string.Join(" or ", validNames)}.")
    {
        Name = name;
        ValidNames = validNames;
    }

    /// <summary>The name that was given.</summary>
    public string Name { get; }

    /// <summary>The names that would have worked.</summary>
    public IReadOnlyList<string> ValidNames { get; }
}
