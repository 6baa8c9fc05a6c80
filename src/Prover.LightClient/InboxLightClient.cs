using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Ordering;
using Prover.Core.Receipts;
using Prover.LightClient.Groth16;

namespace Prover.LightClient;

/// <summary>
/// Verifies what a <c>BatchInbox</c> finalized, trusting only the chain as its RPC node reports it and a
/// verification key it checks against the deployed verifier (docs/light-client.md): every <c>BatchFinalized</c> event,
/// the <c>submitBatch</c> call behind it, the chain of heads and arrivals, each shuffle beacon's draw, and
/// each Groth16 proof, re-verified in C# against the statement rebuilt from the chain as the inbox builds
/// it. Since that statement binds the posted transaction list, a batch that verifies was finalized with
/// exactly its proven order. It also checks sequencer receipts against what was finalized and reports
/// equivocation with evidence.
/// </summary>
public sealed class InboxLightClient
{
    private readonly ChainConnection _connection;
    private readonly BatchInbox _inbox;

    private InboxLightClient(ChainConnection connection, EthAddress inbox, ulong fromBlock)
    {
        _connection = connection;
        _inbox = new BatchInbox(connection, inbox);
        Inbox = inbox;
        FromBlock = fromBlock;
    }

    public EthAddress Inbox { get; }

    /// <summary>The first block searched for <c>BatchFinalized</c> events: at or before the inbox's deployment (0 by default).</summary>
    public ulong FromBlock { get; }

    /// <summary>Connects to a chain's JSON-RPC endpoint to read the inbox at <paramref name="inbox"/>. Sends nothing.</summary>
    /// <exception cref="ChainUnavailableException">The endpoint does not answer.</exception>
    public static Task<InboxLightClient> ConnectAsync(Uri rpc, EthAddress inbox, CancellationToken cancellationToken) =>
        ConnectAsync(rpc, inbox, fromBlock: 0, cancellationToken);

    /// <summary>
    /// Like <see cref="ConnectAsync(Uri, EthAddress, CancellationToken)"/>, searching events from
    /// <paramref name="fromBlock"/> on (nodes that limit <c>eth_getLogs</c> ranges need it). It must be at or
    /// before the inbox's deployment: batches finalized earlier would be missed, and the heads would not chain.
    /// </summary>
    /// <exception cref="ChainUnavailableException">The endpoint does not answer.</exception>
    public static async Task<InboxLightClient> ConnectAsync(Uri rpc, EthAddress inbox, ulong fromBlock, CancellationToken cancellationToken)
    {
        // ChainConnection is an account on a chain; a light client never signs, so its account is a
        // fresh random key that holds nothing and is never used.
        var throwaway = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var connection = await ChainConnection.ConnectAsync(rpc, throwaway, cancellationToken).ConfigureAwait(false);
        return new InboxLightClient(connection, inbox, fromBlock);
    }

    /// <summary>Reads the inbox's state (and fails if there is no contract at its address).</summary>
    public Task<InboxState> GetStateAsync(CancellationToken cancellationToken) => _inbox.GetStateAsync(cancellationToken);

    /// <summary>
    /// Checks that the inbox's verifier embeds <paramref name="key"/>: a snarkjs-generated verifier holds
    /// every coordinate of its key as a constant in its runtime code (a PUSH of the value's bytes), so a key
    /// whose coordinates are not all there is not the key the chain verifies with.
    /// </summary>
    /// <returns>One mismatch per coordinate missing from the code; empty when the key is embedded.</returns>
    public async Task<IReadOnlyList<Mismatch>> CheckVerificationKeyAsync(InboxState state, VerificationKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(key);
        var hex = await _connection.Rpc(() => _connection.Web3.Eth.GetCode.SendRequestAsync(state.Verifier.ToString())).WaitAsync(cancellationToken).ConfigureAwait(false);
        var code = hex is { Length: > 2 } ? Convert.FromHexString(hex.AsSpan(2)) : [];
        return VerifierCode.MissingConstants(code, key, state.Verifier);
    }

    /// <summary>
    /// Checks that the inbox's verifier is the circuit of <paramref name="key"/>: it embeds the key
    /// (<see cref="CheckVerificationKeyAsync"/>), the key takes the statement's eight public inputs, and the
    /// circuit <paramref name="circuit"/> names (when given and known) has the inbox's policy and capacity.
    /// </summary>
    /// <returns>One mismatch per problem; empty when the verifier is a circuit for this inbox.</returns>
    public async Task<IReadOnlyList<Mismatch>> CheckVerifierAsync(InboxState state, VerificationKey key, VerifierCircuit? circuit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(key);
        var problems = new List<Mismatch>();
        if (key.PublicInputCount != BatchStatement.SignalNames.Count)
        {
            problems.Add(new Mismatch(null, "verification key", $"{BatchStatement.SignalNames.Count} public inputs ({string.Join(", ", BatchStatement.SignalNames)})", $"{key.PublicInputCount}"));
        }

        problems.AddRange(await CheckVerificationKeyAsync(state, key, cancellationToken).ConfigureAwait(false));
        if (circuit is not null)
        {
            problems.AddRange(circuit.Problems(state));
        }

        return problems;
    }

    /// <summary>
    /// Verifies the inbox: its domain binding, that its verifier embeds <paramref name="key"/>, that the
    /// finalized batches chain (indices, heads from the genesis head, seqs, arrivals), and for the selected
    /// batches (<paramref name="batch"/>, or all when null) the call behind each event and its proof.
    /// </summary>
    /// <exception cref="ChainUnavailableException">The chain could not be read.</exception>
    /// <exception cref="BatchNotFinalizedException">The selected batch is not finalized.</exception>
    public Task<ChainCheck> VerifyAsync(VerificationKey key, ulong? batch, CancellationToken cancellationToken) =>
        VerifyAsync(key, circuit: null, batch, witnesses: null, cancellationToken);

    /// <summary>
    /// Like <see cref="VerifyAsync(VerificationKey, ulong?, CancellationToken)"/>, with the batches' data
    /// (see <see cref="VerifyAsync(VerificationKey, VerifierCircuit?, ulong?, Func{ulong, OrderingWitness?}?, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="ChainUnavailableException">The chain could not be read.</exception>
    /// <exception cref="BatchNotFinalizedException">The selected batch is not finalized.</exception>
    public Task<ChainCheck> VerifyAsync(VerificationKey key, ulong? batch, Func<ulong, OrderingWitness?>? witnesses, CancellationToken cancellationToken) =>
        VerifyAsync(key, circuit: null, batch, witnesses, cancellationToken);

    /// <summary>
    /// Like <see cref="VerifyAsync(VerificationKey, ulong?, CancellationToken)"/>, and also: which circuit the
    /// key belongs to (<paramref name="circuit"/>, null: not reported), which must be one of the inbox's
    /// policy and capacity; and the batches' data: <paramref name="witnesses"/> gives each batch's ordering
    /// witness (null: none available), which must recompute (heads, policy order, output commitment) to
    /// exactly the finalized statement and list the posted hashes in its order. A shuffle witness cut
    /// before its beacon was drawn is ordered with the beacon the batch was finalized with first. A missing
    /// or mismatching witness is a problem of that batch.
    /// </summary>
    /// <exception cref="ChainUnavailableException">The chain could not be read.</exception>
    /// <exception cref="BatchNotFinalizedException">The selected batch is not finalized.</exception>
    public async Task<ChainCheck> VerifyAsync(
        VerificationKey key, VerifierCircuit? circuit, ulong? batch, Func<ulong, OrderingWitness?>? witnesses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var state = await GetStateAsync(cancellationToken).ConfigureAwait(false);
        var inboxProblems = InboxProblems(state).ToList();
        inboxProblems.AddRange(await CheckVerifierAsync(state, key, circuit, cancellationToken).ConfigureAwait(false));
        var events = await _inbox.GetFinalizedBatchesAsync(FromBlock, cancellationToken).ConfigureAwait(false);
        var chainProblems = BatchChecks.CheckSequence(state, events);
        if (batch is { } selected && !events.Any(e => e.Index == selected))
        {
            throw new BatchNotFinalizedException(selected, state.NextBatchIndex);
        }

        var commitments = await CommitmentsAsync(state, cancellationToken).ConfigureAwait(false);
        var checks = new List<BatchCheck>();
        foreach (var e in events.Where(e => batch is null || e.Index == batch))
        {
            var check = await CheckBatchAsync(state, events, e, key, commitments, cancellationToken).ConfigureAwait(false);
            if (witnesses is not null)
            {
                var data = BatchChecks.CheckData(state, e, BatchChecks.PrevLastArrival(events, e), check.OrderedTxHashes, witnesses(e.Index));
                check = check with { Problems = [.. check.Problems, .. data], DataChecked = true };
            }

            checks.Add(check);
        }

        return new ChainCheck(state, inboxProblems, chainProblems, checks) { Circuit = circuit };
    }

    /// <summary>
    /// Checks a sequencer receipt against the chain: its EIP-712 signature under the sequencer's key
    /// (<paramref name="sequencer"/>, or the inbox's recorded sequencer), the finalized batch covering its
    /// seq (verified as by <see cref="VerifyAsync(VerificationKey, ulong?, CancellationToken)"/>; its proof in C# when a key is given, else as the
    /// chain's verifier accepted it), the transaction's position in that batch's posted list (which the
    /// inbox bound to the proof, so it is the proven position), and the receipt's head where the chain fixes
    /// it. A contradiction is an <see cref="ReceiptVerdict.Equivocation"/> with evidence.
    /// </summary>
    /// <exception cref="ChainUnavailableException">The chain could not be read.</exception>
    public Task<ReceiptCheck> CheckReceiptAsync(Receipt receipt, VerificationKey? key, EthAddress? sequencer, CancellationToken cancellationToken) =>
        CheckReceiptAsync(receipt, key, sequencer, batchWitness: null, cancellationToken);

    /// <summary>
    /// Like <see cref="CheckReceiptAsync(Receipt, VerificationKey?, EthAddress?, CancellationToken)"/>, with
    /// the covering batch's ordering witness (the sequencer's <c>batches/NNNNNNNNNN.witness.json</c> or
    /// <c>prover_getBatch</c>), which supplies the data the chain does not carry. The witness is trusted for
    /// nothing: a shuffle witness cut before its beacon is first ordered with the beacon the batch was
    /// finalized with; then it must be self-consistent (<see cref="OrderingWitness.Validate"/>: heads, policy
    /// order, commitment) and state exactly the finalized batch (prevHead, newHead, outputCommitment, count,
    /// firstSeq, arrivals, beacon, domain), which by Poseidon's collision resistance makes its entries the
    /// proven segment. Then every seq's head, transaction and arrival are checked, not only the batch's last.
    /// </summary>
    /// <exception cref="WitnessMismatchException">The witness is not the covering batch's.</exception>
    /// <exception cref="ChainUnavailableException">The chain could not be read.</exception>
    public async Task<ReceiptCheck> CheckReceiptAsync(Receipt receipt, VerificationKey? key, EthAddress? sequencer, OrderingWitness? batchWitness, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var state = await GetStateAsync(cancellationToken).ConfigureAwait(false);
        var signer = sequencer ?? state.Sequencer;
        var verification = ReceiptVerifier.Verify(receipt, signer, state.ChainId, state.Inbox);
        if (!verification.IsValid)
        {
            return new ReceiptCheck(ReceiptVerdict.InvalidReceipt, receipt, signer, null, null, false, null, null, [],
                $"not a valid receipt of sequencer {signer} for inbox {state.Inbox} on chain {state.ChainId}: {verification.Failure}: {verification.Message}");
        }

        var problems = InboxProblems(state).ToList();
        if (key is not null)
        {
            problems.AddRange(await CheckVerifierAsync(state, key, circuit: null, cancellationToken).ConfigureAwait(false));
        }

        var events = await _inbox.GetFinalizedBatchesAsync(FromBlock, cancellationToken).ConfigureAwait(false);
        problems.AddRange(BatchChecks.CheckSequence(state, events));
        var covering = events.FirstOrDefault(e => receipt.Seq >= e.FirstSeq && receipt.Seq - e.FirstSeq < e.Count);
        if (covering is null)
        {
            return problems.Count > 0
                ? new ReceiptCheck(ReceiptVerdict.ChainInvalid, receipt, signer, null, null, false, null, null, problems, "the inbox's finalized batches do not verify")
                : new ReceiptCheck(ReceiptVerdict.NotYetFinalized, receipt, signer, null, null, false, null, null, [],
                    $"seq {receipt.Seq} is not finalized yet: the inbox has finalized seqs 0..{(state.NextSeq == 0 ? "(none)" : (state.NextSeq - 1).ToString(CultureInfo.InvariantCulture))} in {state.NextBatchIndex} batch{(state.NextBatchIndex == 1 ? "" : "es")}");
        }

        var commitments = await CommitmentsAsync(state, cancellationToken).ConfigureAwait(false);
        var check = await CheckBatchAsync(state, events, covering, key, commitments, cancellationToken).ConfigureAwait(false);
        problems.AddRange(check.Problems);
        if (problems.Count > 0)
        {
            return new ReceiptCheck(ReceiptVerdict.ChainInvalid, receipt, signer, covering, null, false, check.ProofVerified, null, problems,
                $"batch {covering.Index}, which covers seq {receipt.Seq}, does not verify");
        }

        var prevLastArrival = BatchChecks.PrevLastArrival(events, covering);
        if (batchWitness is not null)
        {
            batchWitness = BatchChecks.Ordered(batchWitness, covering);
            var mismatches = BatchChecks.CheckWitness(state, covering, prevLastArrival, batchWitness);
            if (mismatches.Count > 0)
            {
                throw new WitnessMismatchException(covering.Index, mismatches);
            }

            var listProblems = BatchChecks.CheckData(state, covering, prevLastArrival, check.OrderedTxHashes, batchWitness);
            if (listProblems.Count > 0)
            {
                problems.AddRange(listProblems);
                return new ReceiptCheck(ReceiptVerdict.ChainInvalid, receipt, signer, covering, null, false, check.ProofVerified, null, problems,
                    $"batch {covering.Index}'s posted transaction list is not the order of the segment its proof covers");
            }
        }

        var logOrder = state.PolicyNumericId == FcfsPolicy.Instance.NumericId;
        var (differences, position, headChecked) = BatchChecks.CompareReceipt(receipt, covering, check.OrderedTxHashes, logOrder, batchWitness);
        if (differences.Count > 0)
        {
            var report = new EquivocationReport(receipt, signer, covering, check.OrderedTxHashes, differences);
            return new ReceiptCheck(ReceiptVerdict.Equivocation, receipt, signer, covering, position, headChecked, check.ProofVerified, report, [],
                $"equivocation: the sequencer signed seq {receipt.Seq} for {receipt.TxHash}, and batch {covering.Index} contradicts it");
        }

        var headText = (headChecked, batchWitness) switch
        {
            (false, _) => "; its head is not checked (not the batch's last seq; a witness of the batch checks it)",
            (true, null) => "; its head is checked: the batch's new head",
            (true, _) => "; its head is checked against the batch's witness",
        };
        var proofText = check.ProofVerified == true
            ? "whose proof verifies in C# against the verifier's key for the posted list"
            : "whose proof the inbox's verifier accepted for the posted list (no --verification-key: not re-verified)";
        return new ReceiptCheck(ReceiptVerdict.Covered, receipt, signer, covering, position, headChecked, check.ProofVerified, null, [],
            $"seq {receipt.Seq} ({receipt.TxHash}) is position {position} of {covering.Count} in finalized batch {covering.Index}, {proofText}{headText}");
    }

    private static IEnumerable<Mismatch> InboxProblems(InboxState state)
    {
        foreach (var problem in state.BindingProblems())
        {
            yield return new Mismatch(null, "binding", "domain, genesis head and params commitment of this address, chain and policy", problem);
        }

        if (state.Capacity < 1 || state.Capacity > CircuitLimits.MaxCapacity)
        {
            yield return new Mismatch(null, "capacity", $"1..{CircuitLimits.MaxCapacity} (a circuit's capacity)", state.Capacity.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A shuffle inbox's <c>BatchCommitted</c> events (each commitment and each redraw); none for the other policies.</summary>
    private async Task<IReadOnlyList<BatchCommitment>> CommitmentsAsync(InboxState state, CancellationToken cancellationToken) =>
        state.DrawsBeacons ? await _inbox.GetCommitmentHistoryAsync(FromBlock, cancellationToken).ConfigureAwait(false) : [];

    /// <summary>One batch: its call and proof (<see cref="BatchChecks.Check"/>) and, for a shuffle inbox, its beacon's draw.</summary>
    private async Task<BatchCheck> CheckBatchAsync(
        InboxState state, IReadOnlyList<FinalizedBatch> events, FinalizedBatch e, VerificationKey? key, IReadOnlyList<BatchCommitment> commitments, CancellationToken cancellationToken)
    {
        var (call, decodeProblem) = await FetchCallAsync(e, cancellationToken).ConfigureAwait(false);
        var check = BatchChecks.Check(state, e, BatchChecks.PrevLastArrival(events, e), call, decodeProblem, key);
        if (!state.DrawsBeacons)
        {
            return check;
        }

        var last = BatchChecks.LastDraw(e, commitments);
        var drawn = last is null ? null : await _inbox.BeaconAtAsync(last.BeaconBlock, cancellationToken).ConfigureAwait(false);
        var (draw, problems) = BatchChecks.CheckBeacon(e, last, drawn);
        return check with { Problems = [.. check.Problems, .. problems], Draw = draw };
    }

    /// <summary>Every <c>BatchFinalized</c> event of the inbox, in order.</summary>
    internal Task<IReadOnlyList<FinalizedBatch>> GetFinalizedBatchesAsync(CancellationToken cancellationToken) =>
        _inbox.GetFinalizedBatchesAsync(FromBlock, cancellationToken);

    /// <summary>The decoded <c>submitBatch</c> call behind an event, or why there is none.</summary>
    internal async Task<(SubmittedBatch? Call, string? Problem)> FetchCallAsync(FinalizedBatch e, CancellationToken cancellationToken)
    {
        var tx = await _connection.Rpc(() => _connection.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(e.TransactionHash)).WaitAsync(cancellationToken).ConfigureAwait(false);
        SubmittedBatch? call = null;
        string? decodeProblem = null;
        if (tx is null)
        {
            decodeProblem = $"the node has no transaction {e.TransactionHash}";
        }
        else
        {
            try
            {
                call = Decode(tx);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Decoding is local: whatever it throws means the calldata is not a well-formed submitBatch call.
                decodeProblem = ex.Message;
            }
        }

        return (call, decodeProblem);
    }

    /// <summary>Decodes a <c>submitBatch</c> transaction.</summary>
    /// <exception cref="FormatException">The calldata is not a <c>submitBatch</c> call.</exception>
    internal static SubmittedBatch Decode(Transaction tx)
    {
        if (!tx.IsTransactionForFunctionMessage<SubmitBatchFunction>())
        {
            throw new FormatException($"transaction {tx.TransactionHash} does not call submitBatch (selector {(tx.Input is { Length: >= 10 } input ? input[..10] : "none")}).");
        }

        var f = new SubmitBatchFunction().DecodeTransaction(tx);
        if (f.Proof.Count != 8)
        {
            throw new FormatException($"the proof has {f.Proof.Count} words, not 8.");
        }

        return new SubmittedBatch(
            tx.To is { } to && EthAddress.TryParse(to, out var address) ? address : EthAddress.Zero,
            f.Index,
            Field(f.Domain, "domain"),
            Field(f.PrevHead, "prevHead"),
            Field(f.NewHead, "newHead"),
            Field(f.OutputCommitment, "outputCommitment"),
            f.Count,
            f.LastArrival,
            [.. f.OrderedTxHashes.Select(h => new Hash32(h))],
            f.ListClaim.Count == 3
                ? new ListClaim(Field(f.ListClaim[0], "listClaim[0]"), Field(f.ListClaim[1], "listClaim[1]"), Field(f.ListClaim[2], "listClaim[2]"))
                : throw new FormatException($"listClaim has {f.ListClaim.Count} values, not 3."),
            new Groth16Proof(f.Proof));
    }

    private static Fr Field(BigInteger value, string name) =>
        value < Fr.Modulus ? Fr.FromBigInteger(value) : throw new FormatException($"{name} {value} is not below the scalar field modulus r.");
}

