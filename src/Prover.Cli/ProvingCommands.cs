using System.CommandLine;
using Prover.Core;
using Prover.Core.Batches;
using Prover.Proving;
using Prover.Proving.Snarkjs;

namespace Prover.Cli;

/// <summary><c>prover prove</c> and <c>prover verify-proof</c>: a batch's Groth16 proof from its ordering witness, and its check.</summary>
internal static class ProvingCommands
{
    public static Command Prove()
    {
        var witnessFile = new Argument<FileInfo>("witness") { Description = "An ordering witness (batches/NNNNNNNNNN.witness.json, or `prover batch show N --json`)." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Where proof.json, public.json and verification_key.json go (default: beside the witness, in <name>.proof/)." };
        var ptau = new Option<FileInfo?>("--ptau") { Description = "A public powers-of-tau ceremony file (e.g. powersOfTau28_hez_final_NN.ptau). Without it a local development ceremony is used: INSECURE." };
        var circuits = new Option<DirectoryInfo?>("--circuits") { Description = "The circuits folder (default: circuits/ of this checkout)." };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Where compiled circuits, ceremony files and keys are cached (default: $XDG_CACHE_HOME/prover or ~/.cache/prover)." };
        var backendOption = BackendOption.Create();
        var command = new Command("prove", "Prove a batch's order: compile its policy's circuit for its capacity (or take it from the cache), set up keys, compute the witness, prove (Groth16, snarkjs formats).");
        command.Arguments.Add(witnessFile);
        foreach (var option in new Option[] { output, ptau, circuits, cache, backendOption })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(witnessFile)!;
            try
            {
                var witness = ReadWitness(file);
                witness.EnsureValid();
                RequireOrder(witness, file.FullName);
                var tools = new SnarkjsOptions { CircuitsDirectory = parse.GetValue(circuits)?.FullName, CacheDirectory = parse.GetValue(cache)?.FullName };
                var main = Path.Combine(ProvingBackends.CircuitsDirectory(tools), CircuitInputs.MainFor(witness.Policy.Id, witness.Capacity));
                if (!File.Exists(main))
                {
                    Console.Error.WriteLine($"error: there is no {witness.Policy.Id} circuit for capacity {witness.Capacity} ({main}). Add a main for it under circuits/main/ (see docs/circuits.md) or cut batches with a capacity that has one.");
                    return 2;
                }

                var outDir = Directory.CreateDirectory(parse.GetValue(output)?.FullName ?? Path.Combine(file.DirectoryName!, Path.GetFileNameWithoutExtension(file.Name) + ".proof")).FullName;
                var ceremony = parse.GetValue(ptau) is { } ptauFile ? CeremonySource.FromFile(ptauFile.FullName) : CeremonySource.Development;
                var backend = parse.Backend(backendOption, tools);
                using var owned = backend as IDisposable;
                var name = Path.GetFileNameWithoutExtension(main);
                Console.Error.WriteLine($"compiling {name} (unless its sources are in the cache) …");
                var circuit = await ProvingSteps.RunAsync(name, ProvingStep.Compile, () => backend.CompileAsync(main, Path.Combine(outDir, "build"), ct));
                Console.Error.WriteLine($"{circuit.Constraints:N0} constraints; setting up keys (power {circuit.RequiredPower}, {(ceremony.IsInsecure ? "development ceremony: INSECURE" : "ceremony " + ((CeremonySource.PhaseOneFile)ceremony).Path)}) …");
                var artifacts = await ProvingSteps.RunAsync(name, ProvingStep.Setup, () => backend.SetupAsync(circuit, ceremony, Path.Combine(outDir, "artifacts"), ct));
                Console.Error.WriteLine($"proving with the {parse.GetValue(backendOption)} backend …");

                var proof = await ProveWitnessAsync(backend, artifacts, witness, outDir, ct);
                File.Copy(artifacts.VerificationKeyFile, Path.Combine(outDir, "verification_key.json"), overwrite: true);

                Console.Out.WriteLine($"batch {witness.BatchIndex} ({witness.Policy.Spec}, {witness.Count} of {witness.Capacity}): proof {proof.ProofFile}");
                Console.Out.WriteLine($"public signals {proof.PublicSignalsFile}: {string.Join(", ", CircuitInputs.PublicSignalNames)}");
                Console.Out.WriteLine($"verification key {Path.Combine(outDir, "verification_key.json")}{(artifacts.IsInsecure ? " (INSECURE development ceremony: not for production)" : string.Empty)}");
                return 0;
            }
            catch (ProverException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    public static Command VerifyProof()
    {
        var proofFile = new Argument<FileInfo>("proof") { Description = "proof.json (snarkjs format)." };
        var publicFile = new Argument<FileInfo>("public") { Description = "public.json: domain, prevHead, newHead, outputCommitment, count." };
        var key = new Option<FileInfo>("--verification-key") { Description = "verification_key.json of the circuit.", Required = true };
        var witnessFile = new Option<FileInfo?>("--witness") { Description = "Also check that the public signals are this ordering witness's statement." };
        var circuits = new Option<DirectoryInfo?>("--circuits") { Description = "The circuits folder (default: circuits/ of this checkout)." };
        var command = new Command("verify-proof", "Check a Groth16 proof of a batch's order. Exit 0: valid; 1: invalid; 2: could not check.");
        command.Arguments.Add(proofFile);
        command.Arguments.Add(publicFile);
        command.Options.Add(key);
        command.Options.Add(witnessFile);
        command.Options.Add(circuits);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var backend = new SnarkjsBackend(new SnarkjsOptions { CircuitsDirectory = parse.GetValue(circuits)?.FullName });
                var publicPath = parse.GetValue(publicFile)!.FullName;
                var signals = await SnarkjsBackend.ReadPublicSignalsAsync(publicPath, ct);
                var proof = new ProofFiles(parse.GetValue(proofFile)!.FullName, publicPath, signals);
                if (parse.GetValue(witnessFile) is { } w)
                {
                    var witness = ReadWitness(w);
                    RequireOrder(witness, w.FullName);
                    var expected = CircuitInputs.PublicSignals(witness);
                    if (!expected.SequenceEqual(signals))
                    {
                        Console.Out.WriteLine($"invalid: the public signals are not the statement of {w.Name} (expected {string.Join(", ", expected)})");
                        return 1;
                    }
                }

                var keyFile = parse.GetValue(key)!.FullName;
                var valid = await ProvingSteps.RunAsync(keyFile, ProvingStep.Verify, () => backend.VerifyAsync(keyFile, proof, ct));
                Console.Out.WriteLine(valid ? "valid" : "invalid: the proof does not verify against these public signals and this key");
                return valid ? 0 : 1;
            }
            catch (Exception e) when (e is ProverException or IOException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>Computes the witness of <paramref name="witness"/>'s circuit input and proves it into <paramref name="outputDirectory"/>.</summary>
    /// <exception cref="ProvingStepException">The witness or the proof failed; the message names the circuit and the step.</exception>
    internal static async Task<ProofFiles> ProveWitnessAsync(IProvingBackend backend, CircuitArtifacts artifacts, OrderingWitness witness, string outputDirectory, CancellationToken ct)
    {
        var outDir = Directory.CreateDirectory(outputDirectory).FullName;
        var inputFile = Path.Combine(outDir, "input.json");
        await File.WriteAllTextAsync(inputFile, CircuitInputs.From(witness).ToJsonString(), ct);
        var wtns = Path.Combine(outDir, "witness.wtns");
        var name = artifacts.Circuit.Name;
        await ProvingSteps.RunAsync(name, ProvingStep.Witness, () => backend.ComputeWitnessAsync(artifacts.Circuit, inputFile, wtns, ct));
        return await ProvingSteps.RunAsync(name, ProvingStep.Prove, () => backend.ProveAsync(artifacts, wtns, outDir, ct));
    }

    /// <summary>Refuses a shuffle witness whose beacon is not drawn: it has no order, so no statement to prove or check.</summary>
    /// <exception cref="UnorderedWitnessException">The witness has no order yet.</exception>
    internal static void RequireOrder(OrderingWitness witness, string path)
    {
        if (!witness.IsOrdered)
        {
            throw new UnorderedWitnessException(path, witness.BatchIndex);
        }
    }

    private static OrderingWitness ReadWitness(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new CorruptStateException(file.FullName, "no such file.");
        }

        return OrderingWitness.FromJson(File.ReadAllText(file.FullName));
    }
}

/// <summary>
/// A shuffle batch's witness as the sequencer cut it, before the inbox drew its beacon: it has no order
/// yet, so there is nothing to prove. Says which commands draw it.
/// </summary>
internal sealed class UnorderedWitnessException(string path, ulong batchIndex) : ProverException(
    $"{path}: batch {batchIndex} is a shuffle batch without its order: its beacon is drawn on chain once its new head is committed, and only then can it be ordered and proven. " +
    $"Run `prover chain submit {batchIndex}` (commits it, draws the beacon, proves and submits it; the ordered witness is kept in the proof folder), " +
    "or let `prover worker` do it for every batch; then prove the ordered witness.");
