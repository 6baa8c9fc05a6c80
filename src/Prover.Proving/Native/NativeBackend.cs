using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Prover.Crypto.Field;
using Prover.Proving.Snarkjs;

namespace Prover.Proving.Native;

/// <summary>
/// The proving backend that computes witnesses and Groth16 proofs in process: circom's witness
/// calculator run by Wasmtime, the constraint system checked in C#, and the prover in C# over
/// snarkjs' own proving keys, so its proofs verify with the same verification key and Solidity verifier.
/// </summary>
/// <remarks>
/// <para>
/// The trusted setup is computed in C# too (<see cref="Setup.NativeSetup"/>): the development ceremony
/// from its public beacons, keys from it or from any prepared .ptau, the same bytes snarkjs writes, in the
/// same cache, so keys from either backend serve both. Compiling (circom), exporting the verification key
/// and the Solidity verifier, and verification still go through <see cref="SnarkjsBackend"/>, which stays
/// the reference.
/// </para>
/// <para>
/// What a prover reuses across batches is kept for the life of the backend: the compiled witness
/// calculator (one instance per circuit, its machine code cached on disk), the constraint system and
/// the parsed proving key (the last <see cref="KeysKept"/>, each keyed by path, size and write time so a
/// replaced file is read again). Safe to share between threads: each circuit's calculator serializes its
/// own calls, and the prover allocates per proof.
/// </para>
/// </remarks>
public sealed class NativeBackend : IProvingBackend, IDisposable
{
    /// <summary>How many parsed proving keys are kept (a worker proves one or two circuits).</summary>
    public const int KeysKept = 4;

    private readonly SnarkjsBackend _reference;
    private readonly string _cacheDirectory;
    private readonly int _parallelism;
    private readonly ConcurrentDictionary<string, Lazy<CircomWitnessCalculator>> _calculators = new();
    private readonly ConcurrentDictionary<FileKey, Lazy<R1cs>> _constraintSystems = new();
    private readonly ConcurrentDictionary<FileKey, Lazy<ProvingKey>> _keys = new();

    /// <param name="options">Where the tools and the cache are (see <see cref="SnarkjsOptions"/>).</param>
    /// <param name="maxDegreeOfParallelism">Cores one proof may use; −1 for all.</param>
    public NativeBackend(SnarkjsOptions? options = null, int maxDegreeOfParallelism = -1)
    {
        options ??= new SnarkjsOptions();
        _reference = new SnarkjsBackend(options) { NativeSetup = true };
        _cacheDirectory = new Toolchain(options).CacheDirectory;
        _parallelism = maxDegreeOfParallelism;
    }

    /// <inheritdoc />
    public string Name => "circom2+native/groth16";

    /// <inheritdoc />
    public Task<CompiledCircuit> CompileAsync(string circuitFile, string outputDirectory, CancellationToken cancellationToken) =>
        _reference.CompileAsync(circuitFile, outputDirectory, cancellationToken);

    /// <inheritdoc />
    public Task<CircuitArtifacts> SetupAsync(CompiledCircuit circuit, CeremonySource ceremony, string outputDirectory, CancellationToken cancellationToken) =>
        _reference.SetupAsync(circuit, ceremony, outputDirectory, cancellationToken);

    /// <inheritdoc />
    public async Task ComputeWitnessAsync(CompiledCircuit circuit, string inputFile, string witnessFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var input = Path.GetFullPath(inputFile);
        JsonObject values;
        try
        {
            values = JsonNode.Parse(await File.ReadAllBytesAsync(input, cancellationToken).ConfigureAwait(false)) as JsonObject
                ?? throw new InvalidCircuitInputException(input, "it is not a JSON object of signal names to values.");
        }
        catch (JsonException e)
        {
            throw new InvalidCircuitInputException(input, $"it is not JSON: {e.Message}");
        }

        var witness = await Task.Run(
            () =>
            {
                var calculator = Calculator(circuit.WitnessGeneratorFile);
                var computed = calculator.Calculate(values, input);
                cancellationToken.ThrowIfCancellationRequested();
                CheckSatisfied(circuit.ConstraintSystemFile, computed, input, "the witness generator accepted the input, but its witness violates");
                return computed;
            },
            cancellationToken).ConfigureAwait(false);

        var output = Path.GetFullPath(witnessFile);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        WitnessFile.Write(output, witness);
    }

    /// <inheritdoc />
    /// <exception cref="UnsatisfiedConstraintsException">The witness does not satisfy the circuit's constraints: no proof is made.</exception>
    public async Task<ProofFiles> ProveAsync(CircuitArtifacts artifacts, string witnessFile, string outputDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        var wtns = Path.GetFullPath(witnessFile);
        var (proof, signals) = await Task.Run(
            () =>
            {
                var witness = WitnessFile.Read(wtns);
                var key = Key(artifacts.ProvingKeyFile, cancellationToken);
                if (witness.Length != key.Wires)
                {
                    throw new UnsatisfiedConstraintsException(wtns, $"the witness has {witness.Length} values; circuit {artifacts.Circuit.Name} has {key.Wires} wires.");
                }

                // The key holds no C matrix, so a witness that breaks a constraint would still give a
                // proof, one no verifier accepts; checking first turns that into an error that says where.
                CheckSatisfied(artifacts.Circuit.ConstraintSystemFile, witness, wtns, "the witness violates");
                return (Groth16Prover.Prove(key, witness, cancellationToken, _parallelism), Groth16Prover.PublicSignals(key, witness));
            },
            cancellationToken).ConfigureAwait(false);

        var output = Directory.CreateDirectory(outputDirectory).FullName;
        var proofFile = Path.Combine(output, "proof.json");
        var publicFile = Path.Combine(output, "public.json");
        await WriteAtomicallyAsync(publicFile, Groth16Prover.PublicSignalsJson(signals), cancellationToken).ConfigureAwait(false);
        await WriteAtomicallyAsync(proofFile, proof.ToSnarkjsJson(), cancellationToken).ConfigureAwait(false);
        return new ProofFiles(proofFile, publicFile, signals);
    }

    /// <inheritdoc />
    public Task<bool> VerifyAsync(string verificationKeyFile, ProofFiles proof, CancellationToken cancellationToken) =>
        _reference.VerifyAsync(verificationKeyFile, proof, cancellationToken);

    /// <inheritdoc />
    public Task ExportSolidityVerifierAsync(CircuitArtifacts artifacts, string outputFile, CancellationToken cancellationToken) =>
        _reference.ExportSolidityVerifierAsync(artifacts, outputFile, cancellationToken);

    public void Dispose()
    {
        foreach (var calculator in _calculators.Values)
        {
            if (calculator.IsValueCreated)
            {
                calculator.Value.Dispose();
            }
        }

        _calculators.Clear();
    }

    private CircomWitnessCalculator Calculator(string wasmFile)
    {
        var path = Path.GetFullPath(wasmFile);
        var lazy = _calculators.GetOrAdd(path, p => new Lazy<CircomWitnessCalculator>(() => CircomWitnessCalculator.Load(p, _cacheDirectory)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A module that failed to load must not stay cached as a failure: the file may be rebuilt.
            _calculators.TryRemove(new KeyValuePair<string, Lazy<CircomWitnessCalculator>>(path, lazy));
            throw;
        }
    }

    private void CheckSatisfied(string constraintSystemFile, Fr[] witness, string source, string what)
    {
        var r1cs = Cached(_constraintSystems, constraintSystemFile, int.MaxValue, R1cs.Read);
        if (r1cs.Wires != witness.Length)
        {
            throw new UnsatisfiedConstraintsException(source, $"the witness has {witness.Length} values; the constraint system {constraintSystemFile} has {r1cs.Wires} wires.");
        }

        if (r1cs.FirstUnsatisfied(witness) is { } index)
        {
            throw new UnsatisfiedConstraintsException(source, $"{what} constraint {index} of {r1cs.Constraints} in {constraintSystemFile}.");
        }
    }

    private ProvingKey Key(string zkey, CancellationToken cancellationToken) =>
        Cached(_keys, zkey, KeysKept, path => ProvingKey.Read(path, cancellationToken));

    private static T Cached<T>(ConcurrentDictionary<FileKey, Lazy<T>> cache, string file, int capacity, Func<string, T> read)
    {
        var path = Path.GetFullPath(file);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new BinFileException(path, "the file does not exist.");
        }

        var key = new FileKey(path, info.Length, info.LastWriteTimeUtc);
        foreach (var stale in cache.Keys.Where(k => k.Path == path && k != key))
        {
            cache.TryRemove(stale, out _);
        }

        if (cache.Count >= capacity && !cache.ContainsKey(key))
        {
            // Few entries and rare misses: dropping an arbitrary one is as good as tracking use.
            foreach (var victim in cache.Keys.Take(cache.Count - capacity + 1))
            {
                cache.TryRemove(victim, out _);
            }
        }

        var lazy = cache.GetOrAdd(key, k => new Lazy<T>(() => read(k.Path)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            cache.TryRemove(new KeyValuePair<FileKey, Lazy<T>>(key, lazy));
            throw;
        }
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var scratch = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(scratch, content, cancellationToken).ConfigureAwait(false);
        File.Move(scratch, path, overwrite: true);
    }

    private readonly record struct FileKey(string Path, long Length, DateTime WrittenUtc);
}
