using System.CommandLine;
using Prover.Proving;
using Prover.Proving.Snarkjs;

namespace Prover.Cli;

/// <summary><c>--backend native|snarkjs</c>, shared by every command that sets up keys or proves.</summary>
internal static class BackendOption
{
    /// <summary>The option. Its value is a backend's canonical name (a string, so help shows the default as it is typed).</summary>
    public static Option<string> Create() => new("--backend")
    {
        Description = "Proving backend: native (witnesses and Groth16 proofs in process) | snarkjs (node + snarkjs, the reference). " +
                      "Both compile and set up through circom and snarkjs and share the cache, so their keys and proofs are interchangeable.",
        HelpName = string.Join('|', ProvingBackends.Names),
        DefaultValueFactory = _ => ProvingBackends.NameOf(ProvingBackends.Default),
        CustomParser = result =>
        {
            var given = result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
            try
            {
                return ProvingBackends.NameOf(ProvingBackends.Parse(given));
            }
            catch (UnknownBackendException e)
            {
                result.AddError($"--backend: {e.Message}");
                return given;
            }
        },
    };

    /// <summary>The backend the option chose (parsing already refused any other name).</summary>
    public static BackendKind Kind(this ParseResult parse, Option<string> option) => ProvingBackends.Parse(parse.GetValue(option));

    /// <summary>A new backend of the chosen kind with the command's tool options. The caller disposes it (a native backend holds Wasmtime instances).</summary>
    public static IProvingBackend Backend(this ParseResult parse, Option<string> option, SnarkjsOptions tools) =>
        ProvingBackends.Create(parse.Kind(option), tools);
}
