using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using CliWrap.Builders;
using Prover.Crypto.Field;

namespace Prover.Proving.Snarkjs;

/// <summary>
/// The proving backend built on circom 2 (the <c>circom2</c> WebAssembly build) and snarkjs, both run
/// by node as child processes. Groth16 over BN254 (snarkjs' <c>bn128</c>).
/// </summary>
/// <remarks>
/// Compiled circuits, ceremony files and keys are cached under <see cref="SnarkjsOptions.CacheDirectory"/>:
/// compiled circuits by the SHA-256 of their sources and the compiler (<c>circuits/</c>), development
/// ceremonies by power (<c>ptau/</c>), keys by the SHA-256 of the constraint system and the ceremony
/// (<c>keys/</c>). Each entry is built in a scratch folder and published with one rename, so a killed
/// compile or setup leaves no half entry behind, and made under a lock file, so processes that need the
/// same entry at once make it once. A second compile of the same sources, or setup of the same circuit
/// from the same ceremony, runs no tool at all.
/// </remarks>
public sealed partial class SnarkjsBackend : IProvingBackend
{
    private const string Curve = "bn128";

    /// <summary>The file in a compile cache entry that holds its <see cref="CompiledCircuit"/> (counts, file names).</summary>
    private const string CompiledCircuitFile = "circuit.json";

    private static readonly string[] CircomFlags = ["--r1cs", "--wasm", "--sym", "--O2"];
    private readonly Toolchain _toolchain;
    private readonly ToolRunner _runner;
    private readonly int _minimumDevelopmentPower;
    private ManifestTools? _tools;
    private string? _compiler;

    public SnarkjsBackend(SnarkjsOptions? options = null)
    {
        options ??= new SnarkjsOptions();
        _minimumDevelopmentPower = options.MinimumDevelopmentPower;
        _toolchain = new Toolchain(options);
        _runner = new ToolRunner(_toolchain, options.CommandTimeout);
    }

    /// <inheritdoc />
    public string Name => NativeSetup ? "circom2+native/groth16" : "circom2+snarkjs/groth16";

    /// <summary>
    /// Computes the ceremony and keys in C# (<see cref="Native.Setup.NativeSetup"/>) instead of running
    /// snarkjs' <c>powersoftau</c>, <c>groth16 setup</c> and <c>zkey beacon</c>/<c>contribute</c>; the
    /// files are the same bytes snarkjs writes, so cache entries from either serve both. Exporting the
    /// verification key and the Solidity verifier still runs snarkjs. Set by the native backend.
    /// </summary>
    internal bool NativeSetup { get; init; }

    /// <summary>Called with the process id of every tool started (tests check that cancelled ones are gone).</summary>
    internal Action<int>? ToolStarted
    {
        get => _runner.ProcessStarted;
        set => _runner.ProcessStarted = value;
    }

    internal string CacheDirectory => _toolchain.CacheDirectory;

    /// <summary>The circuits folder this backend compiles from (the working directory of circom).</summary>
    public string CircuitsDirectory => _toolchain.CircuitsDirectory;

    /// <inheritdoc />
    /// <remarks>
    /// Compiled circuits are cached under <c>circuits/</c> in the cache folder, keyed by the SHA-256 of
    /// their sources (the main file and everything it includes, found as circom finds it) and of the
    /// compiler and its flags: a hit copies the cached files into <paramref name="outputDirectory"/> and
    /// runs no tool. A source with an include circom cannot find is compiled without the cache, so the
    /// error is circom's own.
    /// </remarks>
    public async Task<CompiledCircuit> CompileAsync(string circuitFile, string outputDirectory, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(circuitFile);
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"The circuit source {source} does not exist.", source);
        }

        var output = Directory.CreateDirectory(outputDirectory).FullName;
        var name = Path.GetFileNameWithoutExtension(source);
        var sources = CircuitSources.Find(source, Libraries);
        if (sources.Unresolved.Count > 0)
        {
            return await CircomAsync(source, output, cancellationToken).ConfigureAwait(false);
        }

        var key = sources.Hash(Compiler(), Libraries);
        var entry = Path.Combine(_toolchain.CacheDirectory, "circuits", $"{name}-{key}");
        var cached = await CompiledEntryAsync(source, entry, cancellationToken).ConfigureAwait(false);
        Files.CopyTree(entry, output, except: CompiledCircuitFile);
        return cached with
        {
            SourceFile = source,
            ConstraintSystemFile = Path.Combine(output, Path.GetRelativePath(entry, cached.ConstraintSystemFile)),
            WitnessGeneratorFile = Path.Combine(output, Path.GetRelativePath(entry, cached.WitnessGeneratorFile)),
        };
    }

    /// <summary>The <c>-l</c> folders circom searches for includes, in its order.</summary>
    private string[] Libraries => [_toolchain.CircuitsDirectory, _toolchain.NodeModules];

    /// <summary>
    /// What besides the sources decides circom's output: the compiler build (its WebAssembly's hash, read
    /// from disk so that asking runs no process) and the flags <see cref="CircomAsync"/> passes.
    /// </summary>
    private string Compiler()
    {
        if (_compiler is { } known)
        {
            return known;
        }

        var wasm = Path.Combine(Path.GetDirectoryName(_toolchain.Circom2Script)!, "circom.wasm");
        var build = File.Exists(wasm) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(wasm))) : "no circom.wasm";
        return _compiler = $"circom2 {_toolchain.Circom2PackageVersion} ({build}) {string.Join(' ', CircomFlags)}";
    }

    /// <summary>The compiled circuit in cache entry <paramref name="entry"/>, from the cache or compiled now.</summary>
    private async Task<CompiledCircuit> CompiledEntryAsync(string source, string entry, CancellationToken cancellationToken)
    {
        if (Directory.Exists(entry))
        {
            return await ReadEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }

        using var held = await Files.LockAsync(entry + ".lock", cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(entry))
        {
            return await ReadEntryAsync(entry, cancellationToken).ConfigureAwait(false); // compiled by whoever held the lock
        }

        var scratch = Files.ScratchBeside(entry);
        try
        {
            var compiled = await CircomAsync(source, scratch, cancellationToken).ConfigureAwait(false);
            var relative = compiled with
            {
                ConstraintSystemFile = Path.GetRelativePath(scratch, compiled.ConstraintSystemFile),
                WitnessGeneratorFile = Path.GetRelativePath(scratch, compiled.WitnessGeneratorFile),
            };
            await File.WriteAllBytesAsync(Path.Combine(scratch, CompiledCircuitFile), JsonSerializer.SerializeToUtf8Bytes(relative), cancellationToken).ConfigureAwait(false);
            Files.PublishDirectory(scratch, entry);
            return await ReadEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Files.DeleteQuietly(scratch);
        }
    }

    private static async Task<CompiledCircuit> ReadEntryAsync(string entry, CancellationToken cancellationToken)
    {
        var path = Path.Combine(entry, CompiledCircuitFile);
        CompiledCircuit? circuit;
        try
        {
            circuit = JsonSerializer.Deserialize<CompiledCircuit>(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new Core.CorruptStateException(path, $"the compile cache entry cannot be read ({e.Message}): delete the folder {entry} and compile again.", e);
        }

        return circuit is null
            ? throw new Core.CorruptStateException(path, $"the compile cache entry is empty: delete the folder {entry} and compile again.")
            : circuit with
            {
                ConstraintSystemFile = Path.Combine(entry, circuit.ConstraintSystemFile),
                WitnessGeneratorFile = Path.Combine(entry, circuit.WitnessGeneratorFile),
            };
    }

    /// <summary>Runs circom on <paramref name="source"/> into <paramref name="output"/> and counts the result's constraints.</summary>
    private async Task<CompiledCircuit> CircomAsync(string source, string output, CancellationToken cancellationToken)
    {
        var name = Path.GetFileNameWithoutExtension(source);
        var compile = await _runner.RunAsync(_toolchain.Circom2Script, args =>
        {
            args.Add(source);
            foreach (var flag in CircomFlags)
            {
                args.Add(flag);
            }

            foreach (var library in Libraries)
            {
                args.Add("-l").Add(library);
            }

            args.Add("-o").Add(output);
        }, cancellationToken).ConfigureAwait(false);
        var r1cs = Path.Combine(output, name + ".r1cs");
        var wasm = Path.Combine(output, name + "_js", name + ".wasm");
        if (!compile.Succeeded || !File.Exists(r1cs) || !File.Exists(wasm))
        {
            throw compile.Failure($"circom could not compile {source}:", "fix the error circom reports in the circuit source.");
        }

        // The header is read here rather than by `snarkjs r1cs info`, which loads every constraint into a
        // node heap and runs out of it from N = 512.
        var (constraints, outputs, inputs, privates) = Native.R1cs.ReadCounts(r1cs);
        return new CompiledCircuit(name, source, r1cs, wasm, constraints, inputs, outputs, privates);
    }

    /// <inheritdoc />
    public async Task<CircuitArtifacts> SetupAsync(CompiledCircuit circuit, CeremonySource ceremony, string outputDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(ceremony);
        int power = Math.Max(circuit.RequiredPower, _minimumDevelopmentPower);
        var (ptau, ptauPower, ceremonyId) = ceremony switch
        {
            CeremonySource.DevelopmentCeremony => (await DevelopmentPtauAsync(power, cancellationToken).ConfigureAwait(false), power, $"dev-insecure-{power:D2}"),
            CeremonySource.PhaseOneFile file => await PublicPtauAsync(file.Path, circuit, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(ceremony), ceremony, "Unknown ceremony source."),
        };

        var r1csHash = await Files.Sha256Async(circuit.ConstraintSystemFile, cancellationToken).ConfigureAwait(false);
        var keys = await KeysAsync(circuit, ptau, ceremony.IsInsecure ? ptauPower : null, Path.Combine(_toolchain.CacheDirectory, "keys", $"{r1csHash}-{ceremonyId}"), cancellationToken).ConfigureAwait(false);

        var output = Directory.CreateDirectory(outputDirectory).FullName;
        var placed = new CompiledCircuit(
            circuit.Name,
            circuit.SourceFile,
            Path.Combine(output, circuit.Name + ".r1cs"),
            Path.Combine(output, circuit.Name + ".wasm"),
            circuit.Constraints,
            circuit.PublicInputs,
            circuit.PublicOutputs,
            circuit.PrivateInputs);
        Files.CopyInto(circuit.ConstraintSystemFile, placed.ConstraintSystemFile);
        Files.CopyInto(circuit.WitnessGeneratorFile, placed.WitnessGeneratorFile);
        var artifacts = new CircuitArtifacts(
            placed,
            output,
            Path.Combine(output, circuit.Name + ".zkey"),
            Path.Combine(output, "verification_key.json"),
            Path.Combine(output, "Verifier.sol"),
            Path.Combine(output, ArtifactManifest.FileName),
            power,
            ceremony.IsInsecure);
        Files.CopyInto(keys.Zkey, artifacts.ProvingKeyFile);
        Files.CopyInto(keys.VerificationKey, artifacts.VerificationKeyFile);
        Files.CopyInto(keys.Verifier, artifacts.VerifierContractFile);

        var manifestCeremony = new ManifestCeremony(
            ceremony.IsInsecure ? "development" : "ptau",
            ceremony.IsInsecure,
            ceremony.IsInsecure
                ? DevelopmentCeremony.Label
                : "Phase 1 from a public ceremony file; phase 2 from one contribution with fresh randomness on this machine, discarded after use. " +
                  "Trust in these keys rests on that machine: for a deployment, run a multi-party phase 2.",
            Path.GetFileName(ptau),
            await Files.Sha256Async(ptau, cancellationToken).ConfigureAwait(false),
            ptauPower,
            ceremony.IsInsecure
                ? DevelopmentCeremony.Steps(power).Select(step => NativeSetup ? $"{step} (computed in C#, the same bytes)" : step).ToArray()
                : NativeSetup
                    ? ["groth16 setup (computed in C#, the same bytes as snarkjs)", "zkey contribute (computed in C#, fresh system randomness)"]
                    : ["snarkjs groth16 setup", "snarkjs zkey contribute (fresh system randomness)"]);
        var manifest = new ArtifactManifest(
            1,
            Name,
            new ManifestCircuit(circuit.Name, circuit.SourceFile, circuit.Constraints, circuit.PublicInputs, circuit.PublicOutputs, circuit.PrivateInputs),
            power,
            manifestCeremony,
            await ToolsAsync(cancellationToken).ConfigureAwait(false),
            [
                await EntryAsync("r1cs", output, placed.ConstraintSystemFile, cancellationToken).ConfigureAwait(false),
                await EntryAsync("wasm", output, placed.WitnessGeneratorFile, cancellationToken).ConfigureAwait(false),
                await EntryAsync("zkey", output, artifacts.ProvingKeyFile, cancellationToken).ConfigureAwait(false),
                await EntryAsync("verificationKey", output, artifacts.VerificationKeyFile, cancellationToken).ConfigureAwait(false),
                await EntryAsync("verifier", output, artifacts.VerifierContractFile, cancellationToken).ConfigureAwait(false),
            ]);
        await manifest.WriteAsync(artifacts.ManifestFile, cancellationToken).ConfigureAwait(false);
        return artifacts;
    }

    /// <inheritdoc />
    public async Task ComputeWitnessAsync(CompiledCircuit circuit, string inputFile, string witnessFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var input = Path.GetFullPath(inputFile);
        var wtns = Path.GetFullPath(witnessFile);
        Directory.CreateDirectory(Path.GetDirectoryName(wtns)!);
        var calculate = await _runner.RunAsync(_toolchain.SnarkjsScript, args => args
            .Add("wtns").Add("calculate").Add(circuit.WitnessGeneratorFile).Add(input).Add(wtns), cancellationToken).ConfigureAwait(false);
        if (!calculate.Succeeded || !File.Exists(wtns))
        {
            File.Delete(wtns);
            throw WitnessFailure(calculate, input);
        }

        // The generator checks the constraints it was written with; the check against the R1CS itself
        // catches a generator that is out of step with the constraint system (under-constrained `<--`).
        var check = await _runner.RunAsync(_toolchain.SnarkjsScript, args => args
            .Add("wtns").Add("check").Add(circuit.ConstraintSystemFile).Add(wtns), cancellationToken).ConfigureAwait(false);
        if (check.Output.Contains("WITNESS IS NOT CORRECT", StringComparison.Ordinal))
        {
            File.Delete(wtns);
            throw new UnsatisfiedConstraintsException(input, "the witness generator accepted the input, but its witness violates the constraint system.");
        }

        if (!check.Succeeded)
        {
            throw check.Failure($"snarkjs could not check the witness {wtns}:", "check that the artifacts are complete (see manifest.json) and recompute the witness.");
        }
    }

    /// <inheritdoc />
    public async Task<ProofFiles> ProveAsync(CircuitArtifacts artifacts, string witnessFile, string outputDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        var output = Directory.CreateDirectory(outputDirectory).FullName;
        var proof = Path.Combine(output, "proof.json");
        var @public = Path.Combine(output, "public.json");
        await SnarkjsAsync(
            args => args.Add("groth16").Add("prove").Add(artifacts.ProvingKeyFile).Add(Path.GetFullPath(witnessFile)).Add(proof).Add(@public),
            "snarkjs could not prove:",
            "check that the witness was computed for this circuit (ComputeWitnessAsync with these artifacts' circuit).",
            cancellationToken).ConfigureAwait(false);

        return new ProofFiles(proof, @public, await ReadPublicSignalsAsync(@public, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<bool> VerifyAsync(string verificationKeyFile, ProofFiles proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var vk = Path.GetFullPath(verificationKeyFile);
        if (!await ProofShape.IsWellFormedAsync(vk, proof.ProofFile, proof.PublicSignalsFile, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var verify = await _runner.RunAsync(_toolchain.SnarkjsScript, args => args
            .Add("groth16").Add("verify").Add(vk).Add(Path.GetFullPath(proof.PublicSignalsFile)).Add(Path.GetFullPath(proof.ProofFile)), cancellationToken).ConfigureAwait(false);
        if (verify.ExitCode == 0 && verify.Output.Contains("OK!", StringComparison.Ordinal) && verify.Succeeded)
        {
            return true;
        }

        // snarkjs' two verdicts on a well-formed but wrong proof; anything else is the tool failing.
        if (verify.ExitCode == 1 && RejectedProof().IsMatch(verify.Output))
        {
            return false;
        }

        throw verify.Failure("snarkjs could not verify the proof:", "check the verification key file.");
    }

    /// <inheritdoc />
    public Task ExportSolidityVerifierAsync(CircuitArtifacts artifacts, string outputFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        return ExportVerifierAsync(artifacts.ProvingKeyFile, Path.GetFullPath(outputFile), artifacts.IsInsecure, cancellationToken);
    }

    private async Task ExportVerifierAsync(string zkey, string outputFile, bool insecure, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(outputFile)!);
        await SnarkjsAsync(args => args.Add("zkey").Add("export").Add("solidityverifier").Add(zkey).Add(outputFile), "snarkjs could not export the Solidity verifier:", "check the proving key file.", cancellationToken).ConfigureAwait(false);
        if (insecure)
        {
            var contract = await File.ReadAllTextAsync(outputFile, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(outputFile, DevelopmentCeremony.SolidityWarning + contract, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The prepared development ptau for <paramref name="power"/>, from the cache or made now.</summary>
    private async Task<string> DevelopmentPtauAsync(int power, CancellationToken cancellationToken)
    {
        var final = Path.Combine(_toolchain.CacheDirectory, "ptau", DevelopmentCeremony.PtauFileName(power));
        if (File.Exists(final))
        {
            return final;
        }

        using var held = await Files.LockAsync(final + ".lock", cancellationToken).ConfigureAwait(false);
        if (File.Exists(final))
        {
            return final; // made by whoever held the lock
        }

        var scratch = Files.ScratchBeside(final);
        try
        {
            if (NativeSetup)
            {
                var made = Path.Combine(scratch, "final.ptau");
                await Task.Run(() => Native.Setup.NativeSetup.DevelopmentPtau(power, made, cancellationToken), cancellationToken).ConfigureAwait(false);
                Files.Publish(made, final);
                return final;
            }

            var p0 = Path.Combine(scratch, "0.ptau");
            var p1 = Path.Combine(scratch, "1.ptau");
            var p2 = Path.Combine(scratch, "2.ptau");
            var prepared = Path.Combine(scratch, "final.ptau");
            const string Advice = "check free disk space and memory in the cache folder (SnarkjsOptions.CacheDirectory), then retry.";
            await SnarkjsAsync(args => args.Add("powersoftau").Add("new").Add(Curve).Add(power).Add(p0), "snarkjs powersoftau new failed:", Advice, cancellationToken).ConfigureAwait(false);
            await SnarkjsAsync(args => Beacon(args.Add("powersoftau"), p0, p1, DevelopmentCeremony.Phase1ContributionHash, "prover development contribution (INSECURE)"), "snarkjs powersoftau beacon failed:", Advice, cancellationToken).ConfigureAwait(false);
            await SnarkjsAsync(args => Beacon(args.Add("powersoftau"), p1, p2, DevelopmentCeremony.Phase1BeaconHash, "prover development beacon (INSECURE)"), "snarkjs powersoftau beacon failed:", Advice, cancellationToken).ConfigureAwait(false);
            await SnarkjsAsync(args => args.Add("powersoftau").Add("prepare").Add("phase2").Add(p2).Add(prepared), "snarkjs powersoftau prepare phase2 failed:", Advice, cancellationToken).ConfigureAwait(false);
            Files.Publish(prepared, final);
            return final;
        }
        finally
        {
            Files.DeleteQuietly(scratch);
        }
    }

    private async Task<(string Path, int Power, string CeremonyId)> PublicPtauAsync(string path, CompiledCircuit circuit, CancellationToken cancellationToken)
    {
        var header = PtauHeader.Read(path);
        int required = circuit.RequiredPower;
        if (header.Power < required)
        {
            throw new CeremonyFileException(
                path,
                $"the ceremony has power {header.Power} (2^{header.Power} = {1L << header.Power:N0}), but {circuit.Name} needs power {required}: " +
                $"{circuit.Constraints:N0} constraints + {circuit.PublicInputs + circuit.PublicOutputs} public signals + 1 = {circuit.Constraints + circuit.PublicInputs + circuit.PublicOutputs + 1:N0} > 2^{header.Power}. " +
                $"Pass a prepared ceremony file of power {required} or more (--ptau FILE, CeremonySource.FromFile), e.g. powersOfTau28_hez_final_{required:D2}.ptau.",
                header.Power,
                required);
        }

        if (!header.PreparedForPhase2)
        {
            throw new CeremonyFileException(
                path,
                "the ceremony file is not prepared for phase 2: run `snarkjs powersoftau prepare phase2` on it, or pass the prepared (\"final\") file with --ptau.",
                header.Power);
        }

        var hash = await Files.Sha256Async(path, cancellationToken).ConfigureAwait(false);
        return (path, header.Power, $"ptau-{hash}");
    }

    private sealed record CachedKeys(string Zkey, string VerificationKey, string Verifier);

    /// <summary>The circuit's keys for <paramref name="ptau"/>, from the cache or made now.</summary>
    private async Task<CachedKeys> KeysAsync(CompiledCircuit circuit, string ptau, int? developmentPower, string cacheEntry, CancellationToken cancellationToken)
    {
        var development = developmentPower is not null;
        CachedKeys In(string dir) => new(Path.Combine(dir, "circuit.zkey"), Path.Combine(dir, "verification_key.json"), Path.Combine(dir, "Verifier.sol"));
        if (Directory.Exists(cacheEntry))
        {
            return In(cacheEntry);
        }

        using var held = await Files.LockAsync(cacheEntry + ".lock", cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(cacheEntry))
        {
            return In(cacheEntry); // made by whoever held the lock
        }

        var scratch = Files.ScratchBeside(cacheEntry);
        try
        {
            var keys = In(scratch);
            var initial = Path.Combine(scratch, "0.zkey");
            if (NativeSetup)
            {
                await Task.Run(
                    () =>
                    {
                        if (developmentPower is { } power)
                        {
                            Native.Setup.NativeSetup.DevelopmentZkey(circuit.ConstraintSystemFile, power, keys.Zkey, cancellationToken);
                        }
                        else
                        {
                            Native.Setup.NativeSetup.ZkeyFromPtau(circuit.ConstraintSystemFile, ptau, keys.Zkey, beacon: null, cancellationToken);
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await SnarkjsAsync(
                    args => args.Add("groth16").Add("setup").Add(circuit.ConstraintSystemFile).Add(ptau).Add(initial),
                    "snarkjs groth16 setup failed:",
                    "check that the ceremony file belongs to the bn128 curve and is prepared for phase 2.",
                    cancellationToken).ConfigureAwait(false);
                if (development)
                {
                    await SnarkjsAsync(args => Beacon(args.Add("zkey"), initial, keys.Zkey, DevelopmentCeremony.Phase2BeaconHash, "prover development phase 2 beacon (INSECURE)"), "snarkjs zkey beacon failed:", "retry; check free disk space.", cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // snarkjs mixes its own system randomness into this; ours only keeps it from prompting for entropy.
                    var entropy = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                    await SnarkjsAsync(
                        args => args.Add("zkey").Add("contribute").Add(initial).Add(keys.Zkey).Add("-n=prover phase 2 contribution").Add($"-e={entropy}"),
                        "snarkjs zkey contribute failed:",
                        "retry; check free disk space.",
                        cancellationToken).ConfigureAwait(false);
                }

                File.Delete(initial);
            }

            await SnarkjsAsync(args => args.Add("zkey").Add("export").Add("verificationkey").Add(keys.Zkey).Add(keys.VerificationKey), "snarkjs could not export the verification key:", "retry; check free disk space.", cancellationToken).ConfigureAwait(false);
            await ExportVerifierAsync(keys.Zkey, keys.Verifier, development, cancellationToken).ConfigureAwait(false);
            Files.PublishDirectory(scratch, cacheEntry);
            return In(cacheEntry);
        }
        finally
        {
            Files.DeleteQuietly(scratch);
        }
    }

    private static ArgumentsBuilder Beacon(ArgumentsBuilder args, string from, string to, string hash, string name) =>
        args.Add("beacon").Add(from).Add(to).Add(hash).Add(DevelopmentCeremony.BeaconIterationsExp).Add($"-n={name}");

    /// <summary>Runs snarkjs and throws unless it succeeded; returns what it printed.</summary>
    private async Task<string> SnarkjsAsync(Action<ArgumentsBuilder> arguments, string problem, string advice, CancellationToken cancellationToken)
    {
        var run = await _runner.RunAsync(_toolchain.SnarkjsScript, arguments, cancellationToken).ConfigureAwait(false);
        return run.Succeeded ? run.Output : throw run.Failure(problem, advice);
    }

    private async Task<ManifestTools> ToolsAsync(CancellationToken cancellationToken)
    {
        if (_tools is { } known)
        {
            return known;
        }

        // `node --version`: the runner's script argument is node's first argument, here the flag itself.
        var node = await _runner.RunAsync("--version", _ => { }, cancellationToken).ConfigureAwait(false);
        var circom = await _runner.RunAsync(_toolchain.Circom2Script, args => args.Add("--version"), cancellationToken).ConfigureAwait(false);
        var circomVersion = CircomVersion().Match(circom.Output);
        _tools = new ManifestTools(
            node.Succeeded ? node.StandardOutput.Trim() : "unknown",
            circomVersion.Success ? circomVersion.Groups[1].Value : "unknown",
            _toolchain.Circom2PackageVersion,
            _toolchain.SnarkjsVersion);
        return _tools;
    }

    private static async Task<ManifestFile> EntryAsync(string role, string directory, string path, CancellationToken cancellationToken) =>
        new(role, Path.GetRelativePath(directory, path).Replace('\\', '/'), await Files.Sha256Async(path, cancellationToken).ConfigureAwait(false), new FileInfo(path).Length);

    /// <summary>Every signal of a witness file, in wire order (0 is the constant 1, then the public signals).</summary>
    internal async Task<IReadOnlyList<Fr>> ExportWitnessAsync(string witnessFile, CancellationToken cancellationToken)
    {
        var wtns = Path.GetFullPath(witnessFile);
        var json = wtns + ".json";
        await SnarkjsAsync(args => args.Add("wtns").Add("export").Add("json").Add(wtns).Add(json), "snarkjs could not export the witness:", "recompute the witness.", cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadPublicSignalsAsync(json, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(json);
        }
    }

    /// <summary>A public.json (or exported witness) as field elements.</summary>
    public static async Task<IReadOnlyList<Fr>> ReadPublicSignalsAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var signals = await JsonSerializer.DeserializeAsync<string[]>(stream, cancellationToken: cancellationToken).ConfigureAwait(false) ?? [];
        return [.. signals.Select((s, i) => Fr.Parse(s, $"public signal {i}"))];
    }

    private static Core.ProverException WitnessFailure(ToolRun run, string input)
    {
        var output = run.Output;
        if (output.Contains("Assert Failed", StringComparison.Ordinal))
        {
            // The generator names the failed assertion's template and line, innermost first.
            var where = FailedAssertion().Matches(output).Select(m => m.Value.Trim()).Distinct();
            return new UnsatisfiedConstraintsException(input, $"Assert Failed. {string.Join("; ", where)}");
        }

        if (InputMismatch().Match(output) is { Success: true } mismatch)
        {
            return new InvalidCircuitInputException(input, mismatch.Value.Trim());
        }

        if (output.Contains("SyntaxError", StringComparison.Ordinal) && output.Contains("JSON", StringComparison.Ordinal))
        {
            return new InvalidCircuitInputException(input, "the input is not valid JSON.");
        }

        return run.Failure("snarkjs could not compute the witness:", "check that the input file exists and the artifacts are complete (see manifest.json).");
    }

    [GeneratedRegex(@"Error in template \S+ line: \d+")]
    private static partial Regex FailedAssertion();

    [GeneratedRegex(@"(Not all inputs have been set[^\n]*|Too many values for input signal[^\n]*|Not enough values for input signal[^\n]*|Signal not found[^\n]*)")]
    private static partial Regex InputMismatch();

    [GeneratedRegex(@"(Invalid proof|Proof commitments are not valid)")]
    private static partial Regex RejectedProof();

    [GeneratedRegex(@"circom compiler (\S+)")]
    private static partial Regex CircomVersion();
}
