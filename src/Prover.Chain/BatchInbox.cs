using System.Numerics;
using Nethereum.Contracts;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Chain;

/// <summary>What to deploy: the verifier a trusted setup generated, the policy it proves, its capacity and the sequencer.</summary>
/// <param name="VerifierSourceFile">Verifier.sol from the circuit's artifacts (<c>CircuitArtifacts.VerifierContractFile</c>).</param>
public sealed record InboxDeploymentRequest(string VerifierSourceFile, OrderingPolicy Policy, int Capacity, EthAddress Sequencer);

/// <summary>A deployed inbox and what it was deployed with.</summary>
public sealed record InboxDeployment(
    EthAddress Inbox,
    EthAddress Verifier,
    ulong ChainId,
    string Policy,
    int Capacity,
    EthAddress Sequencer,
    Fr Domain,
    Fr GenesisHead,
    ulong Block);

/// <summary>The inbox's state as read from the chain.</summary>
public sealed record InboxState(
    EthAddress Inbox,
    ulong ChainId,
    EthAddress Verifier,
    EthAddress Sequencer,
    int PolicyNumericId,
    IReadOnlyList<Fr> PolicyParameters,
    Fr ParamsCommitment,
    int Capacity,
    Fr Domain,
    Fr GenesisHead,
    Fr Head,
    ulong NextBatchIndex,
    ulong NextSeq,
    ulong LastFinalizedBlock,
    ulong LastArrivalMs,
    ulong NextCommitIndex,
    Fr CommittedHead)
{
    /// <summary>Whether this inbox commits each batch's new head and draws its beacon before the batch is proven (the shuffle).</summary>
    public bool DrawsBeacons => PolicyNumericId == ShufflePolicy.Instance.NumericId;

    /// <summary>
    /// What the deployer computed off-chain, recomputed here from the inbox's own address, chain id and
    /// policy (docs/chain.md, "Domain binding"): empty when the domain, genesis head and parameter
    /// commitment are all what they must be, else one line per mismatch.
    /// </summary>
    public IReadOnlyList<string> BindingProblems()
    {
        var problems = new List<string>();
        var commitment = PolicyParameters.Count == 0 ? Fr.Zero : Poseidon.Hash([.. PolicyParameters]);
        if (commitment != ParamsCommitment)
        {
            problems.Add($"paramsCommitment {ParamsCommitment} is not Poseidon(policyParameters) = {commitment}");
        }

        var domain = Core.Batches.Domain.Compute(ChainId, Inbox, PolicyNumericId, commitment, Capacity);
        if (domain != Domain)
        {
            problems.Add($"domain {Domain} is not Poseidon(chainId, inbox, policyId, paramsCommitment, capacity) = {domain}");
        }

        var genesis = ReceiptChain.Genesis(ChainId, Inbox);
        if (genesis != GenesisHead)
        {
            problems.Add($"genesisHead {GenesisHead} is not Poseidon(chainId, inbox) = {genesis}");
        }

        return problems;
    }
}

/// <summary>A finalized batch, from its <c>BatchFinalized</c> event and the receipt of the transaction that emitted it.</summary>
/// <param name="LastArrivalMs">The batch's last arrival, as its proof checked it.</param>
/// <param name="Beacon">The shuffle's beacon the inbox drew for the batch (zero for other policies).</param>
public sealed record FinalizedBatch(
    ulong Index,
    Fr PrevHead,
    Fr NewHead,
    Fr OutputCommitment,
    ulong Count,
    ulong FirstSeq,
    ulong LastArrivalMs,
    Fr Beacon,
    Hash32 OrderedTxHashesHash,
    string TransactionHash,
    ulong BlockNumber,
    ulong GasUsed)
{
    /// <summary>keccak256 of the packed hashes, as the inbox computes it for the event.</summary>
    public static Hash32 HashOf(IReadOnlyList<Hash32> orderedTxHashes) => PostedList.Hash(orderedTxHashes);
}

/// <summary>A shuffle batch's commitment on chain: its new head and the block whose hash is its beacon.</summary>
/// <param name="Draws">How many times the beacon was drawn: 1, plus one per redraw after an expiry.</param>
/// <param name="Beacon">The beacon (the top 93 bits of the beacon block's hash), or null while the chain has no such block.</param>
/// <param name="Expired">
/// Whether the beacon block is too old for a submission in the next block to read its hash (the EVM keeps
/// 256): a batch proven with it would be refused as <c>BeaconExpired</c>, and it must be drawn again.
/// </param>
public sealed record BatchCommitment(ulong Index, Fr NewHead, ulong BeaconBlock, uint Draws, Fr? Beacon, bool Expired = false)
{
    /// <summary>How many blocks back the EVM's <c>blockhash</c> reaches.</summary>
    public const ulong BlockHashWindow = 256;

    /// <summary>Whether a transaction in the block after <paramref name="latestBlock"/> can no longer read the hash of <paramref name="beaconBlock"/>.</summary>
    public static bool ExpiredAt(ulong beaconBlock, ulong latestBlock) => latestBlock >= beaconBlock + BlockHashWindow;
}

/// <summary>
/// A deployed <c>BatchInbox</c> (Contracts/BatchInbox.sol): submit batches, read its state and its
/// finalized batches. Deploy one with <see cref="DeployAsync"/>.
/// </summary>
public sealed class BatchInbox
{
    private readonly ChainConnection _connection;

    public BatchInbox(ChainConnection connection, EthAddress address)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        Address = address;
    }

    public EthAddress Address { get; }

    /// <summary>
    /// Compiles and deploys the verifier, then the inbox at the address the sender's next nonce gives it,
    /// with the domain and genesis head computed for that address (docs/chain.md, "Domain binding").
    /// </summary>
    /// <exception cref="ChainException">A tool, the node or a transaction failed (the subclass says which).</exception>
    public static async Task<(BatchInbox Inbox, InboxDeployment Deployment)> DeployAsync(
        ChainConnection connection, InboxDeploymentRequest request, ChainToolsOptions? tools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Capacity < 1)
        {
            throw new ChainConfigurationException("capacity", $"{request.Capacity} is not a batch capacity (at least 1).");
        }

        var verifierContract = await new SolidityCompiler(new ChainTools(tools)).CompileAsync(request.VerifierSourceFile, "Groth16Verifier", cancellationToken).ConfigureAwait(false);
        var verifierReceipt = await DeployAsync(connection, "the verifier deployment", new BytecodeDeployment { ByteCode = verifierContract.Bytecode }, cancellationToken).ConfigureAwait(false);
        var verifier = EthAddress.Parse(verifierReceipt.ContractAddress);

        // The inbox's domain and genesis head contain its own address, so they are computed for the
        // address its creation will get (sender, next nonce) and the result is checked below.
        var nonce = await connection.Rpc(() => connection.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(connection.Account.ToString(), BlockParameter.CreatePending())).ConfigureAwait(false);
        var predicted = EthAddress.Parse(ContractUtils.CalculateContractAddress(connection.Account.ToString(), nonce.Value));
        var policy = request.Policy;
        var paramsCommitment = Core.Batches.Domain.ParamsCommitment(policy);
        var domain = Core.Batches.Domain.Compute(connection.ChainId, predicted, policy, request.Capacity);
        var genesis = ReceiptChain.Genesis(connection.ChainId, predicted);
        var message = new BatchInboxDeployment
        {
            Verifier = verifier.ToString(),
            Sequencer = request.Sequencer.ToString(),
            ChainId = connection.ChainId,
            PolicyId = policy.NumericId,
            PolicyParameters = [.. policy.Parameters.Select(p => p.Field.ToBigInteger())],
            ParamsCommitment = paramsCommitment.ToBigInteger(),
            Capacity = (ulong)request.Capacity,
            Domain = domain.ToBigInteger(),
            GenesisHead = genesis.ToBigInteger(),
        };
        var receipt = await DeployAsync(connection, "the inbox deployment", message, cancellationToken).ConfigureAwait(false);
        var inbox = EthAddress.Parse(receipt.ContractAddress);
        if (inbox != predicted)
        {
            throw new ChainConfigurationException(
                "deployment",
                $"the inbox was created at {inbox}, not at {predicted} as its domain assumes (another transaction from {connection.Account} took nonce {nonce.Value}). Deploy again from an account nothing else sends from.");
        }

        var deployment = new InboxDeployment(inbox, verifier, connection.ChainId, policy.ToString(), request.Capacity, request.Sequencer, domain, genesis, (ulong)receipt.BlockNumber.Value);
        return (new BatchInbox(connection, inbox), deployment);
    }

    /// <summary>
    /// Submits a batch and waits until it is final. The call is simulated first (which also estimates
    /// its gas), so a batch the inbox would refuse is refused here with the inbox's own error and costs
    /// nothing. The gas limit is the estimate plus 25%.
    /// </summary>
    /// <exception cref="InboxRejectedException">The inbox refuses the batch (its custom error).</exception>
    /// <exception cref="TransactionRevertedException">The transaction was mined but reverted; nothing changed.</exception>
    public Task<FinalizedBatch> SubmitAsync(BatchSubmission submission, CancellationToken cancellationToken) =>
        SubmitAsync(submission, gasLimit: null, cancellationToken);

    /// <summary>Like <see cref="SubmitAsync(BatchSubmission, CancellationToken)"/>, with the gas limit given (null: estimated).</summary>
    /// <exception cref="ChainConfigurationException">The limit is below the transaction's intrinsic cost, so it could never be mined.</exception>
    public async Task<FinalizedBatch> SubmitAsync(BatchSubmission submission, ulong? gasLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var message = Message(submission);
        var intrinsic = IntrinsicGas(message.GetCallData());
        if (gasLimit < intrinsic)
        {
            // A node may accept such a transaction into its pool and never mine it (anvil does), leaving
            // the nonce stuck, so it is refused here.
            throw new ChainConfigurationException("gas limit", $"{gasLimit:N0} is below this submission's intrinsic cost of {intrinsic:N0} gas (21,000 plus its calldata, EIP-2028 and the EIP-7623 floor).");
        }

        var handler = _connection.Web3.Eth.GetContractTransactionHandler<SubmitBatchFunction>();
        var estimate = await SimulateAsync(_connection, $"batch {submission.Index}'s submission", () => handler.EstimateGasAsync(Address.ToString(), message), cancellationToken).ConfigureAwait(false);
        var limit = gasLimit ?? (ulong)(estimate + estimate / 4);
        message.Gas = limit;
        var receipt = await _connection.SendAsync(
            $"batch {submission.Index}'s submission", limit,
            nonce =>
            {
                message.Nonce = nonce;
                return handler.SendRequestAsync(Address.ToString(), message);
            },
            cancellationToken).ConfigureAwait(false);
        return Finalized(receipt).Single(b => b.Index == submission.Index);
    }

    /// <summary>The <c>submitBatch</c> call for a submission.</summary>
    internal static SubmitBatchFunction Message(BatchSubmission submission) => new()
    {
        Index = submission.Index,
        Domain = submission.Domain.ToBigInteger(),
        PrevHead = submission.PrevHead.ToBigInteger(),
        NewHead = submission.NewHead.ToBigInteger(),
        OutputCommitment = submission.OutputCommitment.ToBigInteger(),
        Count = (ulong)submission.Count,
        LastArrival = submission.LastArrivalMs,
        OrderedTxHashes = [.. submission.OrderedTxHashes.Select(h => h.ToArray())],
        ListClaim = [submission.Claim.Challenge.ToBigInteger(), submission.Claim.Digest.ToBigInteger(), submission.Claim.Multiset.ToBigInteger()],
        Proof = [.. submission.Proof.Words],
    };

    /// <summary>
    /// Shuffle inboxes: commits batch <paramref name="index"/>'s new head, continuing the last committed
    /// head, and waits until it is mined. The batch's beacon is the hash of the block it landed in
    /// (docs/policies.md), returned with it.
    /// </summary>
    /// <exception cref="InboxRejectedException">The inbox refuses the commitment (not a shuffle inbox, not the next index, another head).</exception>
    public async Task<BatchCommitment> CommitAsync(ulong index, Fr prevHead, Fr newHead, CancellationToken cancellationToken)
    {
        var message = new CommitBatchFunction { Index = index, PrevHead = prevHead.ToBigInteger(), NewHead = newHead.ToBigInteger() };
        var receipt = await SendAsync($"batch {index}'s commitment", message, cancellationToken).ConfigureAwait(false);
        return await CommitmentFromReceiptAsync(index, receipt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Shuffle inboxes: draws batch <paramref name="index"/>'s beacon again, once the last draw's block hash has expired.</summary>
    /// <exception cref="InboxRejectedException">The inbox refuses (not committed, or the beacon has not expired).</exception>
    public async Task<BatchCommitment> RedrawBeaconAsync(ulong index, CancellationToken cancellationToken)
    {
        var receipt = await SendAsync($"batch {index}'s beacon redraw", new RedrawBeaconFunction { Index = index }, cancellationToken).ConfigureAwait(false);
        return await CommitmentFromReceiptAsync(index, receipt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Batch <paramref name="index"/>'s commitment as the inbox holds it, with its beacon once the beacon
    /// block is sealed; null when the index has no commitment (never committed, or finalized since).
    /// </summary>
    public async Task<BatchCommitment?> GetCommitmentAsync(ulong index, CancellationToken cancellationToken)
    {
        var handler = _connection.Web3.Eth.GetContractQueryHandler<CommitmentFunction>();
        CommitmentOutput output;
        try
        {
            output = await _connection.Rpc(() => handler.QueryDeserializingToObjectAsync<CommitmentOutput>(new CommitmentFunction { Index = index }, Address.ToString())).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcResponseException or SmartContractCustomErrorRevertException or Nethereum.ABI.FunctionEncoding.SmartContractRevertException)
        {
            throw new ChainUnavailableException(_connection.EndpointForDisplay, $"{Address} does not answer the inbox's commitment(): is it an inbox of this version? ({e.Message})", e);
        }

        if (output.BeaconBlock == 0)
        {
            return null;
        }

        var (beacon, latest) = await ReadBeaconAsync(output.BeaconBlock, cancellationToken).ConfigureAwait(false);
        return new BatchCommitment(index, Field(output.NewHead), output.BeaconBlock, output.Draws, beacon, BatchCommitment.ExpiredAt(output.BeaconBlock, latest));
    }

    /// <summary>
    /// The beacon block <paramref name="block"/> gives: the top 93 bits of its hash, or null while the
    /// chain has no such block. The hash is fixed once the block is sealed, so a prover can order the
    /// batch at once; the inbox reads it from any later block, which the submission always lands in.
    /// </summary>
    public async Task<Fr?> BeaconAtAsync(ulong block, CancellationToken cancellationToken) =>
        (await ReadBeaconAsync(block, cancellationToken).ConfigureAwait(false)).Beacon;

    /// <summary>The beacon block <paramref name="block"/> gives, if the chain has it, and the chain's latest block.</summary>
    private async Task<(Fr? Beacon, ulong Latest)> ReadBeaconAsync(ulong block, CancellationToken cancellationToken)
    {
        var web3 = _connection.Web3;
        var latest = (ulong)(await _connection.Rpc(() => web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        if (latest < block)
        {
            return (null, latest);
        }

        var header = await _connection.Rpc(() => web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter(block))).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (header?.BlockHash is { } hash ? BatchHeader.BeaconOf(Hash32.Parse(hash)) : null, latest);
    }

    /// <summary>Shuffle inboxes: the next index to commit and the head the commitment must continue.</summary>
    public async Task<(ulong NextCommitIndex, Fr CommittedHead)> GetCommitTipAsync(CancellationToken cancellationToken)
    {
        var web3 = _connection.Web3;
        var latest = await _connection.Rpc(() => web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).WaitAsync(cancellationToken).ConfigureAwait(false);
        var block = new BlockParameter(latest);
        return (await Query<NextCommitIndexFunction, ulong>(cancellationToken, block).ConfigureAwait(false),
                Field(await Query<CommittedHeadFunction, BigInteger>(cancellationToken, block).ConfigureAwait(false)));
    }

    /// <summary>Every <c>BatchCommitted</c> event from <paramref name="fromBlock"/> on, in order: each commitment and each redraw.</summary>
    public async Task<IReadOnlyList<BatchCommitment>> GetCommitmentHistoryAsync(ulong fromBlock, CancellationToken cancellationToken)
    {
        var handler = _connection.Web3.Eth.GetEvent<BatchCommittedEvent>(Address.ToString());
        var filter = handler.CreateFilterInput(new BlockParameter(fromBlock), BlockParameter.CreateLatest());
        var logs = await _connection.Rpc(() => handler.GetAllChangesAsync(filter)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. logs.Select(l => new BatchCommitment(l.Event.Index, Field(l.Event.NewHead), l.Event.BeaconBlock, l.Event.Draw, null))];
    }

    private async Task<BatchCommitment> CommitmentFromReceiptAsync(ulong index, TransactionReceipt receipt, CancellationToken cancellationToken)
    {
        var committed = receipt.DecodeAllEvents<BatchCommittedEvent>().Single(e => e.Event.Index == index).Event;
        var (beacon, latest) = await ReadBeaconAsync(committed.BeaconBlock, cancellationToken).ConfigureAwait(false);
        return new BatchCommitment(index, Field(committed.NewHead), committed.BeaconBlock, committed.Draw, beacon, BatchCommitment.ExpiredAt(committed.BeaconBlock, latest));
    }

    /// <summary>Simulates a call (refused: the inbox's own error, costing nothing), then sends it and waits for its receipt.</summary>
    private async Task<TransactionReceipt> SendAsync<TMessage>(string what, TMessage message, CancellationToken cancellationToken)
        where TMessage : FunctionMessage, new()
    {
        var handler = _connection.Web3.Eth.GetContractTransactionHandler<TMessage>();
        var estimate = await SimulateAsync(_connection, what, () => handler.EstimateGasAsync(Address.ToString(), message), cancellationToken).ConfigureAwait(false);
        var limit = (ulong)(estimate + estimate / 4);
        message.Gas = limit;
        return await _connection.SendAsync(
            what, limit,
            nonce =>
            {
                message.Nonce = nonce;
                return handler.SendRequestAsync(Address.ToString(), message);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The least gas a transaction carrying this submission can be given; see <see cref="IntrinsicGas(ReadOnlySpan{byte})"/>.</summary>
    internal static ulong IntrinsicGas(BatchSubmission submission) => IntrinsicGas(Message(submission).GetCallData());

    /// <summary>
    /// The least gas a transaction with this calldata can be given: its <see cref="CalldataGas"/> or, when
    /// larger, the EIP-7623 floor of 21,000 plus 10 per token (a zero byte is one token, a nonzero byte four).
    /// </summary>
    internal static ulong IntrinsicGas(ReadOnlySpan<byte> calldata)
    {
        var (zero, nonzero) = CountBytes(calldata);
        var tokens = zero + (4 * nonzero);
        return Math.Max(CalldataGas(calldata), 21_000 + (10 * tokens));
    }

    /// <summary>
    /// What a transaction pays before it executes: 21,000 plus 16 per nonzero and 4 per zero calldata
    /// byte (EIP-2028). The EIP-7623 floor exceeds it only for transactions that execute little, not for
    /// a submission, so gas used is this plus execution.
    /// </summary>
    internal static ulong CalldataGas(ReadOnlySpan<byte> calldata)
    {
        var (zero, nonzero) = CountBytes(calldata);
        return 21_000 + (4 * zero) + (16 * nonzero);
    }

    private static (ulong Zero, ulong Nonzero) CountBytes(ReadOnlySpan<byte> data)
    {
        ulong zero = 0;
        foreach (var b in data)
        {
            if (b == 0)
            {
                zero++;
            }
        }

        return (zero, (ulong)data.Length - zero);
    }

    /// <summary>Reads the inbox's state.</summary>
    public async Task<InboxState> GetStateAsync(CancellationToken cancellationToken)
    {
        var code = await _connection.Rpc(() => _connection.Web3.Eth.GetCode.SendRequestAsync(Address.ToString())).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (code is null || code.Length <= 2)
        {
            throw new ChainUnavailableException(_connection.EndpointForDisplay, $"there is no contract at {Address} on chain {_connection.ChainId}. Is this the chain the inbox was deployed on?");
        }

        var parameters = await Query<PolicyParametersFunction, List<BigInteger>>(cancellationToken).ConfigureAwait(false);
        return new InboxState(
            Address,
            (ulong)await Query<ChainIdFunction, BigInteger>(cancellationToken).ConfigureAwait(false),
            EthAddress.Parse(await Query<VerifierFunction, string>(cancellationToken).ConfigureAwait(false)),
            EthAddress.Parse(await Query<SequencerFunction, string>(cancellationToken).ConfigureAwait(false)),
            (int)await Query<PolicyIdFunction, BigInteger>(cancellationToken).ConfigureAwait(false),
            [.. parameters.Select(p => Fr.FromBigInteger(p, "policy parameter"))],
            Field(await Query<ParamsCommitmentFunction, BigInteger>(cancellationToken).ConfigureAwait(false)),
            (int)await Query<CapacityFunction, ulong>(cancellationToken).ConfigureAwait(false),
            Field(await Query<DomainFunction, BigInteger>(cancellationToken).ConfigureAwait(false)),
            Field(await Query<GenesisHeadFunction, BigInteger>(cancellationToken).ConfigureAwait(false)),
            Field(await Query<HeadFunction, BigInteger>(cancellationToken).ConfigureAwait(false)),
            await Query<NextBatchIndexFunction, ulong>(cancellationToken).ConfigureAwait(false),
            await Query<NextSeqFunction, ulong>(cancellationToken).ConfigureAwait(false),
            await Query<LastFinalizedBlockFunction, ulong>(cancellationToken).ConfigureAwait(false),
            await Query<LastArrivalFunction, ulong>(cancellationToken).ConfigureAwait(false),
            await Query<NextCommitIndexFunction, ulong>(cancellationToken).ConfigureAwait(false),
            Field(await Query<CommittedHeadFunction, BigInteger>(cancellationToken).ConfigureAwait(false)));
    }

    /// <summary>The one account the inbox takes batches from (one call).</summary>
    public async Task<EthAddress> GetSequencerAsync(CancellationToken cancellationToken) =>
        EthAddress.Parse(await Query<SequencerFunction, string>(cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Only what a submitter needs before each submission: the next batch index and the head it must
    /// continue (three calls, where <see cref="GetStateAsync"/> makes seventeen). Both are read at one
    /// block: read at two, a finalization landing between them paired batch i with the head after i,
    /// and the submitter took that for a store that disagrees with the chain.
    /// </summary>
    public async Task<(ulong NextBatchIndex, Fr Head)> GetHeadAsync(CancellationToken cancellationToken)
    {
        var web3 = _connection.Web3;
        var latest = await _connection.Rpc(() => web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).WaitAsync(cancellationToken).ConfigureAwait(false);
        var block = new BlockParameter(latest);
        return (await Query<NextBatchIndexFunction, ulong>(cancellationToken, block).ConfigureAwait(false),
                Field(await Query<HeadFunction, BigInteger>(cancellationToken, block).ConfigureAwait(false)));
    }

    /// <summary>Every <c>BatchFinalized</c> event from <paramref name="fromBlock"/> on, in order.</summary>
    public async Task<IReadOnlyList<FinalizedBatch>> GetFinalizedBatchesAsync(ulong fromBlock, CancellationToken cancellationToken)
    {
        var web3 = _connection.Web3;
        var handler = web3.Eth.GetEvent<BatchFinalizedEvent>(Address.ToString());
        var filter = handler.CreateFilterInput(new BlockParameter(fromBlock), BlockParameter.CreateLatest());
        var logs = await _connection.Rpc(() => handler.GetAllChangesAsync(filter)).WaitAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<FinalizedBatch>(logs.Count);
        foreach (var log in logs)
        {
            var receipt = await _connection.Rpc(() => web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(log.Log.TransactionHash)).WaitAsync(cancellationToken).ConfigureAwait(false);
            result.Add(From(log.Event, log.Log.TransactionHash, (ulong)log.Log.BlockNumber.Value, (ulong)receipt.GasUsed.Value));
        }

        return result;
    }

    private static IEnumerable<FinalizedBatch> Finalized(TransactionReceipt receipt) =>
        receipt.DecodeAllEvents<BatchFinalizedEvent>().Select(e => From(e.Event, receipt.TransactionHash, (ulong)receipt.BlockNumber.Value, (ulong)receipt.GasUsed.Value));

    private static FinalizedBatch From(BatchFinalizedEvent e, string transactionHash, ulong block, ulong gasUsed) =>
        new(e.Index, Field(e.PrevHead), Field(e.NewHead), Field(e.OutputCommitment), e.Count, e.FirstSeq, e.LastArrival, Field(e.Beacon),
            new Hash32(e.OrderedTxHashesHash), transactionHash, block, gasUsed);

    private static Fr Field(BigInteger value) => Fr.FromBigInteger(value, "inbox value");

    private async Task<TResult> Query<TFunction, TResult>(CancellationToken cancellationToken, BlockParameter? block = null)
        where TFunction : Nethereum.Contracts.FunctionMessage, new()
    {
        var handler = _connection.Web3.Eth.GetContractQueryHandler<TFunction>();
        try
        {
            return await _connection.Rpc(() => handler.QueryAsync<TResult>(Address.ToString(), new TFunction(), block)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcResponseException or SmartContractCustomErrorRevertException or Nethereum.ABI.FunctionEncoding.SmartContractRevertException)
        {
            throw new ChainUnavailableException(_connection.EndpointForDisplay, $"{Address} does not answer the inbox's {typeof(TFunction).Name.Replace("Function", "", StringComparison.Ordinal)}(): is it an inbox of this version? ({e.Message})", e);
        }
    }

    private static async Task<TransactionReceipt> DeployAsync<T>(ChainConnection connection, string what, T message, CancellationToken cancellationToken)
        where T : ContractDeploymentMessage, new()
    {
        var handler = connection.Web3.Eth.GetContractDeploymentHandler<T>();
        var estimate = await SimulateAsync(connection, what, () => handler.EstimateGasAsync(message), cancellationToken).ConfigureAwait(false);
        message.Gas = estimate + estimate / 4;
        return await connection.SendAsync(what, (ulong)message.Gas.Value, nonce =>
        {
            message.Nonce = nonce;
            return handler.SendRequestAsync(message);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Estimates gas, which runs the call: a revert comes back with the contract's error data. Any other
    /// failure is the node's (unreachable, or refusing: no funds, say) and says so, rather than escaping
    /// as the RPC library's own exception.
    /// </summary>
    private static async Task<BigInteger> SimulateAsync(ChainConnection connection, string what, Func<Task<Nethereum.Hex.HexTypes.HexBigInteger>> estimate, CancellationToken cancellationToken)
    {
        try
        {
            return (await connection.Rpc(estimate).WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception e) when (InboxErrors.RevertData(e) is { Length: >= 10 } data)
        {
            throw InboxErrors.Decode(data);
        }
        catch (RpcResponseException e)
        {
            throw new ChainUnavailableException(connection.EndpointForDisplay, $"the node refused to estimate the gas of {what}: {e.Message}", e);
        }
    }
}
