using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Prover.Chain;
using Prover.Core;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Ordering;
using Prover.LightClient;
using Prover.Proving;
using Prover.Proving.Snarkjs;

namespace Prover.Cli;

/// <summary>
/// <c>prover chain deploy | submit | status</c>: the inbox contract on a chain. Without <c>--rpc</c> the
/// chain is an embedded anvil whose state is kept in the data directory between commands.
/// </summary>
internal static class ChainCommands
{
    internal const string KeyVariable = "PROVER_CHAIN_KEY";
    internal const string RpcVariable = "PROVER_CHAIN_RPC";

    private static readonly Option<DirectoryInfo> DataDir = new("--data-dir")
    {
        Description = "The sequencer's data directory: batches/ holds the witnesses; chain/ the deployment record (and the embedded chain's state).",
        DefaultValueFactory = _ => new DirectoryInfo(".data"),
    };

    private static readonly Option<string?> Rpc = new("--rpc") { Description = $"JSON-RPC URL of the chain. Otherwise ${RpcVariable}; otherwise an embedded anvil, saved in <data-dir>/chain/anvil.state." };
    private static readonly Option<ulong> ChainId = new("--chain-id") { Description = "Chain id of the embedded anvil (ignored with --rpc).", DefaultValueFactory = _ => 31337UL };
    private static readonly Option<FileInfo?> KeyFile = new("--key-file") { Description = $"File holding the sending account's private key (hex). Otherwise ${KeyVariable}; on the embedded chain, anvil's public development key." };
    private static readonly Option<DirectoryInfo?> Circuits = new("--circuits") { Description = "The circuits folder (default: circuits/ of this checkout)." };
    private static readonly Option<DirectoryInfo?> Cache = new("--cache") { Description = "Where ceremony files, keys and compiled verifiers are cached (default: $XDG_CACHE_HOME/prover or ~/.cache/prover)." };
    private static readonly Option<FileInfo?> Ptau = new("--ptau") { Description = "A public powers-of-tau file for the keys; without it the local development ceremony is used: INSECURE." };
    private static readonly Option<string> BackendChoice = BackendOption.Create();

    public static Command Chain()
    {
        var chain = new Command("chain", "The inbox contract: deploy it, submit proven batches, read its state.");
        chain.Subcommands.Add(Deploy());
        chain.Subcommands.Add(Submit());
        chain.Subcommands.Add(Status());
        return chain;
    }

    private static Command Deploy()
    {
        var policy = new Option<string>("--policy") { Description = "Ordering policy: fcfs | priority-fee | timeboost:controller=0x…[,delayMs=200] | shuffle (its beacon is drawn on chain for each batch).", Required = true };
        var capacity = new Option<int>("--capacity") { Description = "Batch capacity N of the circuit (circuits/main/<policy>_<N>.circom); the sequencer's --batch-size must not exceed it.", Required = true };
        var sequencer = new Option<string?>("--sequencer") { Description = "The only address allowed to submit batches (default: the deploying account)." };
        var command = new Command("deploy", "Set up the policy's circuit keys, deploy its Groth16 verifier and a BatchInbox, and record them in <data-dir>/chain/deployment.json.");
        Add(command, DataDir, Rpc, ChainId, KeyFile, Circuits, Cache, Ptau, BackendChoice, policy, capacity, sequencer);
        command.SetAction((parse, ct) => RunAsync(async () =>
        {
            var record = DeploymentFile(parse);
            if (File.Exists(record))
            {
                throw new ChainConfigurationException(record, "an inbox is already recorded here. Use another --data-dir, or delete the file (and chain/anvil.state for the embedded chain) to start over.");
            }

            var settings = Resolve(parse);
            var orderingPolicy = OrderingPolicy.Parse(parse.GetValue(policy)!);
            var n = parse.GetValue(capacity);
            var backend = Backend(parse);
            using var owned = backend as IDisposable;
            var artifacts = await SetupAsync(parse, backend, orderingPolicy.Id, n, Ceremony(parse), Path.Combine(Path.GetDirectoryName(record)!, "artifacts"), ct);
            await using var chain = await OpenAsync(settings, ct);
            var sequencerAddress = parse.GetValue(sequencer) is { } s ? ParseAddress(s, "--sequencer") : chain.Connection.Account;
            var (_, deployment) = await BatchInbox.DeployAsync(
                chain.Connection, new InboxDeploymentRequest(artifacts.VerifierContractFile, orderingPolicy, n, sequencerAddress), Tools(parse), ct);
            await WriteDeploymentAsync(record, deployment, artifacts, ct);

            Console.Out.WriteLine($"inbox     {deployment.Inbox}");
            Console.Out.WriteLine($"verifier  {deployment.Verifier}{(artifacts.IsInsecure ? "  (keys from the INSECURE development ceremony: not for production)" : "")}");
            Console.Out.WriteLine($"chain     {deployment.ChainId} ({chain.Description})");
            Console.Out.WriteLine($"policy    {deployment.Policy}, capacity {deployment.Capacity}, sequencer {deployment.Sequencer}");
            Console.Out.WriteLine($"domain    {deployment.Domain.ToHex()}");
            Console.Out.WriteLine($"recorded  {record}");
            Console.Out.WriteLine($"next: prover sequencer --data-dir {parse.GetValue(DataDir)!.FullName} --chain-id {deployment.ChainId} --inbox {deployment.Inbox} --policy '{deployment.Policy}' --batch-size {deployment.Capacity}");
            return 0;
        }));
        return command;
    }

    private static Command Submit()
    {
        var batch = new Argument<string>("batch") { Description = "A batch index (its witness in <data-dir>/batches/) or the path of a witness file." };
        var proofDir = new Option<DirectoryInfo?>("--proof") { Description = "A folder with proof.json and public.json for this batch (from `prover prove`); without it the batch is proven now." };
        var command = new Command(
            "submit",
            "Prove a batch (unless --proof is given) and submit it to the recorded inbox; waits until it is final. A shuffle batch is first committed on chain (unless it is) " +
            "and ordered with the beacon the inbox draws; an expired beacon is drawn again.");
        command.Arguments.Add(batch);
        Add(command, DataDir, Rpc, ChainId, KeyFile, Circuits, Cache, Ptau, BackendChoice, proofDir);
        command.SetAction((parse, ct) => RunAsync(async () =>
        {
            var deployment = await ReadDeploymentAsync(DeploymentFile(parse), ct);
            var settings = Resolve(parse);
            var witnessFile = WitnessFile(parse.GetValue(DataDir)!.FullName, parse.GetValue(batch)!);
            var witness = OrderingWitness.FromJson(await File.ReadAllTextAsync(witnessFile, ct));
            if (witness.ChainId != deployment.ChainId || witness.Inbox != deployment.Inbox || witness.Policy.Spec != deployment.Policy)
            {
                throw new ChainConfigurationException(witnessFile, $"the batch was cut for chain {witness.ChainId}, inbox {witness.Inbox}, policy {witness.Policy.Spec}; the recorded inbox is chain {deployment.ChainId}, {deployment.Inbox}, {deployment.Policy}. Run the sequencer with the inbox's --chain-id, --inbox and --policy.");
            }

            var work = Path.Combine(Path.GetDirectoryName(witnessFile)!, Path.GetFileNameWithoutExtension(witnessFile) + ".proof");
            await using var chain = await OpenAsync(settings, ct);
            var inbox = new BatchInbox(chain.Connection, deployment.Inbox);
            var given = parse.GetValue(proofDir);
            var draws = OrderingPolicy.Parse(witness.Policy.Spec).NeedsBeacon;
            FinalizedBatch? finalized = null;

            // A shuffle batch's beacon can expire between its draw and its submission (256 blocks): it is
            // then drawn again and the batch proven again. Twice is already far beyond what a proof takes.
            for (var attempt = 1; finalized is null; attempt++)
            {
                var ordered = draws ? await DrawAsync(inbox, witness, chain, ct) : witness;
                if (draws)
                {
                    Directory.CreateDirectory(work);
                    await File.WriteAllTextAsync(Path.Combine(work, "witness.json"), ordered.ToJson(), ct);
                    Console.Out.WriteLine($"ordered witness {Path.Combine(work, "witness.json")}");
                }

                var proof = given is { } dir ? await GivenProofAsync(dir, ordered, ct) : await ProveAsync(parse, deployment, ordered, work, ct);
                var submission = await BatchSubmission.FromProofAsync(ordered, proof, ct);
                try
                {
                    finalized = await inbox.SubmitAsync(submission, ct);
                }
                catch (InboxRejectedException e) when (e.Error == "BeaconExpired" && given is null && attempt < 3)
                {
                    Console.Error.WriteLine($"batch {witness.BatchIndex}'s beacon expired while it was proven; drawing it again");
                }
            }

            Console.Out.WriteLine($"batch {finalized.Index} final: {finalized.Count} transactions from seq {finalized.FirstSeq}, head {finalized.NewHead.ToHex()}");
            Console.Out.WriteLine($"transaction {finalized.TransactionHash} in block {finalized.BlockNumber}, gas used {finalized.GasUsed:N0}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// A shuffle batch ordered with the beacon its inbox drew: the batch is committed first unless the inbox
    /// holds its commitment (committed by an earlier run or by the prover pool), and its beacon is drawn
    /// again when its block hash has expired (more than 256 blocks old).
    /// </summary>
    /// <exception cref="ChainConfigurationException">The batch is final already, or cannot be committed yet (an earlier batch is not committed), or the inbox holds another head for it.</exception>
    private static async Task<OrderingWitness> DrawAsync(BatchInbox inbox, OrderingWitness witness, OpenChain chain, CancellationToken ct)
    {
        var index = witness.BatchIndex;
        var (nextBatch, _) = await inbox.GetHeadAsync(ct);
        if (index < nextBatch)
        {
            throw new ChainConfigurationException($"batch {index}", $"the inbox finalized it already (its next batch is {nextBatch}); there is nothing to submit.");
        }

        var commitment = await inbox.GetCommitmentAsync(index, ct);
        if (commitment is null)
        {
            var (nextCommit, _) = await inbox.GetCommitTipAsync(ct);
            if (index != nextCommit)
            {
                throw new ChainConfigurationException($"batch {index}", $"it cannot be committed yet: the inbox takes shuffle commitments in index order and expects batch {nextCommit} next. Submit batch {nextCommit} first.");
            }

            commitment = await inbox.CommitAsync(index, witness.PrevHead, witness.NewHead, ct);
            Console.Out.WriteLine($"batch {index} committed in block {commitment.BeaconBlock}");
        }
        else if (commitment.NewHead != witness.NewHead)
        {
            throw new ChainConfigurationException($"batch {index}", $"the inbox holds head {commitment.NewHead.ToHex()} committed for it, but this witness ends at {witness.NewHead.ToHex()}: it is not the batch that was committed.");
        }

        if (commitment.Expired)
        {
            // A submission would land where the beacon block's hash is gone (the inbox reads it with
            // BLOCKHASH, which reaches 256 blocks back): draw again before proving, not after.
            var expired = commitment.BeaconBlock;
            commitment = await inbox.RedrawBeaconAsync(index, ct);
            Console.Out.WriteLine($"batch {index}'s beacon (block {expired}) had expired: drawn again in block {commitment.BeaconBlock} (draw {commitment.Draws})");
        }

        var beacon = commitment.Beacon ?? throw new ChainUnavailableException(chain.Connection.EndpointForDisplay, $"the node has no block {commitment.BeaconBlock} yet, which holds batch {index}'s beacon: try again.");
        Console.Out.WriteLine($"beacon    {beacon.ToHex()} (block {commitment.BeaconBlock}, draw {commitment.Draws})");
        if (witness.Beacon is { } own && own != beacon)
        {
            Console.Error.WriteLine($"the witness was ordered with beacon {own.ToHex()}, which is not the inbox's: ordering it with the inbox's");
        }

        return witness.WithBeacon(beacon);
    }

    private static async Task<ProofFiles> GivenProofAsync(DirectoryInfo dir, OrderingWitness witness, CancellationToken ct)
    {
        var publicFile = Path.Combine(dir.FullName, "public.json");
        var signals = await ReadSignalsAsync(publicFile, ct);
        if (witness.Beacon is { } beacon && !CircuitInputs.PublicSignals(witness).SequenceEqual(signals))
        {
            throw new ChainConfigurationException("--proof", $"{publicFile} is not batch {witness.BatchIndex}'s statement with the beacon the inbox drew for it ({beacon.ToHex()}): a shuffle batch's proof holds for one beacon only. Submit without --proof to prove it with this one.");
        }

        return new ProofFiles(Path.Combine(dir.FullName, "proof.json"), publicFile, signals);
    }

    private static async Task<ProofFiles> ProveAsync(ParseResult parse, DeploymentRecord deployment, OrderingWitness witness, string work, CancellationToken ct)
    {
        var backend = Backend(parse);
        using var owned = backend as IDisposable;
        var artifacts = await SetupAsync(parse, backend, witness.Policy.Id, witness.Capacity, Ceremony(parse), Path.Combine(work, "artifacts"), ct);
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(artifacts.VerificationKeyFile, ct)));
        if (deployment.VerificationKeySha256 != key)
        {
            throw new ChainConfigurationException("keys", $"the keys set up now (verification key sha256 {key}) are not those of the deployed verifier ({deployment.VerificationKeySha256}): prove with the ceremony and cache the inbox was deployed with (--ptau, --cache), or pass --proof.");
        }

        return await ProvingCommands.ProveWitnessAsync(backend, artifacts, witness, work, ct);
    }

    private static Command Status()
    {
        var command = new Command("status", "Show the recorded inbox's state, check its domain binding and which circuit its verifier is (from <data-dir>/chain/artifacts), and list its finalized batches.");
        Add(command, DataDir, Rpc, ChainId, KeyFile);
        command.SetAction((parse, ct) => RunAsync(async () =>
        {
            var deployment = await ReadDeploymentAsync(DeploymentFile(parse), ct);
            await using var chain = await OpenAsync(Resolve(parse), ct);
            if (chain.Connection.ChainId != deployment.ChainId)
            {
                throw new ChainConfigurationException("chain", $"the chain's id is {chain.Connection.ChainId}, but the inbox was deployed on chain {deployment.ChainId}.");
            }

            var inbox = new BatchInbox(chain.Connection, deployment.Inbox);
            var state = await inbox.GetStateAsync(ct);
            Console.Out.WriteLine($"inbox          {state.Inbox} on chain {state.ChainId} ({chain.Description})");
            Console.Out.WriteLine($"policy         {deployment.Policy} (id {state.PolicyNumericId}), capacity {state.Capacity}");
            Console.Out.WriteLine($"sequencer      {state.Sequencer}");
            Console.Out.WriteLine($"verifier       {state.Verifier}");
            Console.Out.WriteLine($"domain         {state.Domain.ToHex()}");
            Console.Out.WriteLine($"head           {state.Head.ToHex()}{(state.Head == state.GenesisHead ? " (genesis)" : "")}");
            Console.Out.WriteLine($"next batch     {state.NextBatchIndex} (next seq {state.NextSeq})");
            var problems = state.BindingProblems();
            Console.Out.WriteLine(problems.Count == 0 ? "binding        ok: domain and genesis head are those of this address, chain and policy" : "binding        WRONG: " + string.Join("; ", problems));
            var circuitProblems = await CircuitAsync(parse, chain.Connection, deployment, state, ct);
            var draws = state.DrawsBeacons ? await inbox.GetCommitmentHistoryAsync(deployment.Block, ct) : [];
            foreach (var b in await inbox.GetFinalizedBatchesAsync(deployment.Block, ct))
            {
                var beacon = state.DrawsBeacons
                    ? $"  beacon {LightClientCommands.BeaconHex(b.Beacon)} (drawn {draws.Where(c => c.Index == b.Index).Select(c => c.Draws).DefaultIfEmpty(0U).Max()}x)"
                    : "";
                Console.Out.WriteLine($"  batch {b.Index,6}  seq {b.FirstSeq}..{b.FirstSeq + b.Count - 1}  head {b.NewHead.ToHex()}  block {b.BlockNumber}  gas {b.GasUsed:N0}  tx {b.TransactionHash}{beacon}");
            }

            return problems.Count == 0 && circuitProblems == 0 ? 0 : 1;
        }));
        return command;
    }

    /// <summary>
    /// Prints which circuit the inbox's verifier is: the key in the deployment's artifacts folder, checked
    /// against the verifier's code and against the key recorded at deployment, and named by the manifest
    /// beside it. Returns how many problems it printed.
    /// </summary>
    private static async Task<int> CircuitAsync(ParseResult parse, ChainConnection connection, DeploymentRecord deployment, InboxState state, CancellationToken ct)
    {
        var keyFile = Path.Combine(Path.GetDirectoryName(DeploymentFile(parse))!, "artifacts", "verification_key.json");
        if (!File.Exists(keyFile))
        {
            Console.Out.WriteLine($"circuit        unknown: no {keyFile} (the recorded key's sha256 is {deployment.VerificationKeySha256})");
            return 0;
        }

        var circuit = await VerifierCircuit.ReadAsync(keyFile, ct);
        var key = await LightClient.Groth16.VerificationKey.ReadAsync(keyFile, ct);
        var client = await InboxLightClient.ConnectAsync(connection.Endpoint, deployment.Inbox, deployment.Block, ct);
        var problems = (await client.CheckVerifierAsync(state, key, circuit, ct)).Select(p => p.ToString()).ToList();
        if (circuit.KeySha256 != deployment.VerificationKeySha256)
        {
            problems.Add($"{keyFile} (sha256 {circuit.KeySha256}) is not the key recorded at deployment (sha256 {deployment.VerificationKeySha256})");
        }

        Console.Out.WriteLine($"circuit        {circuit.Describe()}{(problems.Count == 0 ? "; the verifier embeds its key" : "")}");
        foreach (var problem in problems)
        {
            Console.Out.WriteLine($"               WRONG: {problem}");
        }

        return problems.Count;
    }

    /// <summary>Runs a command body; a failure Prover expects becomes its message on stderr and exit code 2.</summary>
    internal static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is ProverException or IOException or JsonException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static void Add(Command command, params Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    private static string DeploymentFile(ParseResult parse) => Path.Combine(parse.GetValue(DataDir)!.FullName, "chain", "deployment.json");

    private static SnarkjsOptions ToolOptions(ParseResult parse) =>
        new() { CircuitsDirectory = parse.GetValue(Circuits)?.FullName, CacheDirectory = parse.GetValue(Cache)?.FullName };

    /// <summary>The backend <c>--backend</c> chose; the caller disposes it.</summary>
    private static IProvingBackend Backend(ParseResult parse) => parse.Backend(BackendChoice, ToolOptions(parse));

    private static ChainToolsOptions Tools(ParseResult parse) => new() { CacheDirectory = parse.GetValue(Cache)?.FullName };

    private static CeremonySource Ceremony(ParseResult parse) =>
        parse.GetValue(Ptau) is { } ptau ? CeremonySource.FromFile(ptau.FullName) : CeremonySource.Development;

    /// <exception cref="ProvingStepException">Compiling or setting up failed; the message names the circuit and the step.</exception>
    private static async Task<CircuitArtifacts> SetupAsync(ParseResult parse, IProvingBackend backend, string policyId, int capacity, CeremonySource ceremony, string output, CancellationToken ct)
    {
        var main = Path.Combine(ProvingBackends.CircuitsDirectory(ToolOptions(parse)), CircuitInputs.MainFor(policyId, capacity));
        if (!File.Exists(main))
        {
            throw new ChainConfigurationException("--capacity", $"there is no {policyId} circuit for capacity {capacity} ({main}); pick a capacity with a main under circuits/main/.");
        }

        var name = Path.GetFileNameWithoutExtension(main);
        Console.Error.WriteLine($"compiling {name} (unless its sources are in the cache) and setting up its keys ({(ceremony.IsInsecure ? "development ceremony: INSECURE" : "ceremony " + ((CeremonySource.PhaseOneFile)ceremony).Path)}) …");
        var circuit = await ProvingSteps.RunAsync(name, ProvingStep.Compile, () => backend.CompileAsync(main, Path.Combine(output, "build"), ct));
        return await ProvingSteps.RunAsync(name, ProvingStep.Setup, () => backend.SetupAsync(circuit, ceremony, output, ct));
    }

    private static string WitnessFile(string dataDir, string batch)
    {
        var path = ulong.TryParse(batch, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? Path.Combine(dataDir, "batches", index.ToString("D10", CultureInfo.InvariantCulture) + ".witness.json")
            : Path.GetFullPath(batch);
        return File.Exists(path)
            ? path
            : throw new CorruptStateException(path, "no such batch witness. Is --data-dir the sequencer's data directory, and has the batch been cut?");
    }

    private static async Task<IReadOnlyList<Fr>> ReadSignalsAsync(string publicFile, CancellationToken ct) =>
        File.Exists(publicFile)
            ? await SnarkjsBackend.ReadPublicSignalsAsync(publicFile, ct)
            : throw new ChainConfigurationException("--proof", $"{publicFile} does not exist.");

    private static EthAddress ParseAddress(string text, string option) =>
        EthAddress.TryParse(text, out var a) ? a : throw new ChainConfigurationException(option, $"'{text}' is not an address (0x followed by 40 hex digits).");

    /// <summary>
    /// The chain to use, checked before anything slow runs: the given RPC URL with a key, or the
    /// embedded anvil with its state file (and anvil's public key unless one is given).
    /// </summary>
    private static ChainSettings Resolve(ParseResult parse)
    {
        var rpc = parse.GetValue(Rpc) ?? Environment.GetEnvironmentVariable(RpcVariable);
        var key = parse.GetValue(KeyFile) is { } file
            ? (file.Exists ? File.ReadAllText(file.FullName).Trim() : throw new ChainConfigurationException("--key-file", $"{file.FullName} does not exist."))
            : Environment.GetEnvironmentVariable(KeyVariable);
        if (rpc is { Length: > 0 })
        {
            if (!Uri.TryCreate(rpc, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new ChainConfigurationException("--rpc", $"'{rpc}' is not an http(s) URL.");
            }

            return key is { Length: > 0 }
                ? new ChainSettings(url, key, null, 0)
                : throw new ChainConfigurationException("key", $"a chain given by --rpc needs the sending account's key: --key-file FILE or ${KeyVariable}.");
        }

        if (key is not { Length: > 0 })
        {
            Console.Error.WriteLine("using anvil's PUBLIC development key on the embedded chain; never use it anywhere else.");
            key = AnvilNode.DevelopmentKeys[0];
        }

        return new ChainSettings(null, key, Path.Combine(parse.GetValue(DataDir)!.FullName, "chain", "anvil.state"), parse.GetValue(ChainId));
    }

    private static async Task<OpenChain> OpenAsync(ChainSettings settings, CancellationToken ct)
    {
        if (settings.Rpc is { } url)
        {
            return new OpenChain(await ChainConnection.ConnectAsync(url, settings.Key, ct), null, ChainConnection.ForDisplay(url));
        }

        var anvil = await AnvilNode.StartAsync(new AnvilOptions { ChainId = settings.ChainId, StateFile = settings.StateFile }, ct);
        try
        {
            return new OpenChain(await ChainConnection.ConnectAsync(anvil.Url, settings.Key, ct), anvil, $"embedded anvil, state {settings.StateFile}");
        }
        catch
        {
            await anvil.DisposeAsync();
            throw;
        }
    }

    /// <summary>Where the chain is. <see cref="Key"/> is a secret: it is passed to the signer and never printed.</summary>
    private sealed record ChainSettings(Uri? Rpc, string Key, string? StateFile, ulong ChainId)
    {
        public override string ToString() => Rpc is null ? $"embedded anvil (chain {ChainId})" : ChainConnection.ForDisplay(Rpc);
    }

    private sealed record OpenChain(ChainConnection Connection, AnvilNode? Anvil, string Description) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Anvil is not null)
            {
                await Anvil.DisposeAsync();
            }
        }
    }

    internal sealed record DeploymentRecord(EthAddress Inbox, EthAddress Verifier, ulong ChainId, string Policy, int Capacity, EthAddress Sequencer, ulong Block, string VerificationKeySha256);

    private static async Task WriteDeploymentAsync(string path, InboxDeployment d, CircuitArtifacts artifacts, CancellationToken ct)
    {
        var json = new JsonObject
        {
            ["inbox"] = d.Inbox.ToString(),
            ["verifier"] = d.Verifier.ToString(),
            ["chainId"] = d.ChainId,
            ["policy"] = d.Policy,
            ["capacity"] = d.Capacity,
            ["sequencer"] = d.Sequencer.ToString(),
            ["domain"] = d.Domain.ToString(),
            ["genesisHead"] = d.GenesisHead.ToString(),
            ["block"] = d.Block,
            ["verificationKeySha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(artifacts.VerificationKeyFile, ct))),
            ["insecureKeys"] = artifacts.IsInsecure,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", ct);
    }

    internal static async Task<DeploymentRecord> ReadDeploymentAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw new ChainConfigurationException(path, "no inbox is recorded here: run `prover chain deploy` first (with the same --data-dir).");
        }

        try
        {
            var json = JsonNode.Parse(await File.ReadAllTextAsync(path, ct))!.AsObject();
            T Value<T>(string name) => json[name] is { } node ? node.GetValue<T>() : throw new CorruptStateException(path, $"the deployment record has no '{name}'.");
            return new DeploymentRecord(
                ParseAddress(Value<string>("inbox"), path), ParseAddress(Value<string>("verifier"), path), Value<ulong>("chainId"), Value<string>("policy"),
                Value<int>("capacity"), ParseAddress(Value<string>("sequencer"), path), Value<ulong>("block"), Value<string>("verificationKeySha256"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CorruptStateException(path, $"not a deployment record: {e.Message}", e);
        }
    }
}
