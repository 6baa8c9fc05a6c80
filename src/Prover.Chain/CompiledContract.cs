using System.Security.Cryptography;
using System.Text.Json;

namespace Prover.Chain;

/// <summary>A compiled contract: its ABI (JSON text) and creation bytecode (<c>0x</c> hex).</summary>
public sealed record CompiledContract(string Name, string Abi, string Bytecode, string DeployedBytecode)
{
    /// <summary>The inbox, compiled at build time from Contracts/BatchInbox.sol by the pinned solc and embedded in this assembly.</summary>
    public static CompiledContract BatchInbox => Embedded.Value["BatchInbox"];

    private static readonly Lazy<IReadOnlyDictionary<string, CompiledContract>> Embedded = new(() =>
    {
        using var stream = typeof(CompiledContract).Assembly.GetManifestResourceStream("Prover.Chain.contracts.json")
            ?? throw new InvalidOperationException("Prover.Chain was built without its contracts (contracts.json is not embedded).");
        return Parse(JsonDocument.Parse(stream));
    });

    /// <summary>Reads the output of Contracts/compile.mjs.</summary>
    internal static IReadOnlyDictionary<string, CompiledContract> Parse(JsonDocument document)
    {
        var result = new Dictionary<string, CompiledContract>(StringComparer.Ordinal);
        foreach (var contract in document.RootElement.GetProperty("contracts").EnumerateObject())
        {
            result[contract.Name] = new CompiledContract(
                contract.Name,
                contract.Value.GetProperty("abi").GetRawText(),
                contract.Value.GetProperty("bytecode").GetString()!,
                contract.Value.GetProperty("deployedBytecode").GetString()!);
        }

        return result;
    }
}

/// <summary>
/// Compiles a Solidity source at run time with the same script and settings the build uses for the
/// inbox. The verifier is the case: <c>snarkjs zkey export solidityverifier</c> writes it per circuit
/// and keys, so it exists only once a trusted setup has run. Results are cached by the source's SHA-256.
/// </summary>
internal sealed class SolidityCompiler
{
    private readonly ChainTools _tools;

    public SolidityCompiler(ChainTools tools) => _tools = tools;

    public async Task<CompiledContract> CompileAsync(string sourceFile, string contractName, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(sourceFile);
        if (!File.Exists(source))
        {
            throw new ChainConfigurationException(source, "the Solidity source does not exist (was the trusted setup run? `prover prove` or SnarkjsBackend.SetupAsync writes Verifier.sol).");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(source, cancellationToken).ConfigureAwait(false)));
        var cached = Path.Combine(_tools.CacheDirectory, "contracts", $"{hash}-{contractName}.json");
        if (!File.Exists(cached))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            var solc = _tools.SolcPackage;
            var (exitCode, output, commandLine) = await ChainTools.RunAsync(
                _tools.Node, args => args.Add(ChainTools.CompileScript).Add(solc).Add(cached).Add($"{source}:{contractName}"), cancellationToken).ConfigureAwait(false);
            if (exitCode != 0 || !File.Exists(cached))
            {
                throw new ChainToolException($"solc could not compile {source}:", "fix the error it reports, or regenerate the verifier with the trusted setup.", commandLine, exitCode, ChainTools.Tail(output));
            }
        }

        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(cached, cancellationToken).ConfigureAwait(false));
        return Parse(document, contractName);
    }

    private static CompiledContract Parse(JsonDocument document, string contractName) => CompiledContract.Parse(document)[contractName];
}
