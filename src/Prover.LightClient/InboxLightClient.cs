using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Field;
using Prover.Core.Receipts;
using Prover.LightClient.Groth16;

namespace Prover.LightClient;

/// <summary>
/// Verifies what a <c>BatchInbox</c> finalized, trusting only the chain as its RPC node reports it and a
/// verification key it checks against the deployed verifier (docs/light-client.md): every <c>BatchFinalized</c> event,
/// the <c>submitBatch</c> call behind it, the chain of heads, and each Groth16 proof, re-verified in C#.
/// It also checks sequencer receipts against what was finalized and reports equivocation with evidence.
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
    /// Verifies the inbox: its domain binding, that its verifier embeds <paramref name="key"/>, that the
    /// finalized batches chain (indices, heads from the genesis head, seqs), and for the selected batches
    /// (<paramref name="batch"/>, or all when null) the call behind each event and its proof.
    /// </summary>
    /// <exception cref="ChainUnavailableException">The chain could not be read.</exception>
    /// <exception cref="BatchNotFinalizedException">The selected batch is not finalized.</exception>
    public Task<ChainCheck> VerifyAsync(VerificationKey key, ulong? batch, CancellationToken cancellationToken) =>
        VerifyAsync(key, batch, witnesses: null, cancellationToken);

    /// <summary>
    /// Like <see cref="VerifyAsync(VerificationKey, ulong?, CancellationToken)"/>, and with the batches' data:
    /// <paramref name="witnesses"/> gives each batch's ordering witness (null: none available), which must
    /// recompute (heads, policy order, output commitment) to exactly the finalized statement and list the
    /// posted hashes in its order. A missing or mismatching witness is a problem of that batch.
    /// </summary>
    /// <exception cref="ChainUnavailableException">The chain could not be read.</exception>
    /// <exception cref="BatchNotFinalizedException">The selected batch is not finalized.</exception>
    public async Task<ChainCheck> VerifyAsync(VerificationKey key, ulong? batch, Func<ulong, OrderingWitness?>? witnesses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var state = await GetStateAsync(cancellationToken).ConfigureAwait(false);
        var inboxProblems = InboxProblems(state, key).ToList();
        inboxProblems.AddRange(await CheckVerificationKeyAsync(state, key, cancellationToken).ConfigureAwait(false));
        var events = await _inbox.GetFinalizedBatchesAsync(FromBlock, cancellationToken).ConfigureAwait(false);
        var chainProblems = BatchChecks.CheckSequence(state, events);
        if (batch is { } selected && !events.Any(e => e.Index == selected))
        {
            throw new BatchNotFinalizedException(selected, state.NextBatchIndex);
        }

        var checks = new List<BatchCheck>();
        foreach (var e in events.Where(e => batch is null || e.Index == batch))
        {
            var check = await CheckBatchAsync(state, e, key, cancellationToken).ConfigureAwait(false);
            if (witnesses is not null)
            {
                check = check with { Problems = [.. check.Problems, .. BatchChecks.CheckData(state, e, check.OrderedTxHashes, witnesses(e.Index))], DataChecked = true };
            }

            checks.Add(check);
        }

        return new ChainCheck(state, inboxProblems, chainProblems, checks);
    }

    /// <summary>
    /// Checks a sequencer receipt against the chain: its EIP-712 signature under the sequencer's key
    /// (<paramref name="sequencer"/>, or the inbox's recorded sequencer), the finalized batch covering its
    /// seq (verified as by <see cref="VerifyAsync(VerificationKey, ulong?, CancellationToken)"/>; its proof in C# when a key is given, else as the
    /// chain's verifier accepted it), the transaction's position in that batch, and the receipt's head
    /// where the chain fixes it. A contradiction is an <see cref="ReceiptVerdict.Equivocation"/> with evidence.
    /// </summary>
    /// <exception cref="ChainUnavailableException">The chain could not be read.</exception>
    public Task<ReceiptCheck> CheckReceiptAsync(Receipt receipt, VerificationKey? key, EthAddress? sequencer, CancellationToken cancellationToken) =>
        CheckReceiptAsync(receipt, key, sequencer, batchWitness: null, cancellationToken);

    /// <summary>
    /// Like <see cref="CheckReceiptAsync(Receipt, VerificationKey?, EthAddress?, CancellationToken)"/>, with
    /// the covering batch's ordering witness (the sequencer's <c>batches/NNNNNNNNNN.witness.json</c> or
    /// <c>prover_getBatch</c>), which supplies the data the chain does not carry. The witness is trusted for
    /// nothing: it must be self-consistent (<see cref="OrderingWitness.Validate"/>: heads, policy order,
    /// commitment) and state exactly the finalized batch (prevHead, newHead, outputCommitment, count,
    /// firstSeq, domain), which by Poseidon's collision resistance makes its entries the proven segment.
    /// Then every seq's head, transaction and arrival are checked, not only the batch's last, and the
    /// batch's posted hash list must be the segment's policy order.
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

        var problems = InboxProblems(state, key).ToList();
        if (key is not null)
        {
            problems.AddRange(await CheckVerificationKeyAsync(state, key, cancellationToken).ConfigureAwait(false));
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

        var check = await CheckBatchAsync(state, covering, key, cancellationToken).ConfigureAwait(false);
        problems.AddRange(check.Problems);
        if (problems.Count > 0)
        {
            return new ReceiptCheck(ReceiptVerdict.ChainInvalid, receipt, signer, covering, null, false, check.ProofVerified, null, problems,
                $"batch {covering.Index}, which covers seq {receipt.Seq}, does not verify");
        }

        if (batchWitness is not null)
        {
            var mismatches = BatchChecks.CheckWitness(state, covering, batchWitness);
            if (mismatches.Count > 0)
            {
                throw new WitnessMismatchException(covering.Index, mismatches);
            }

            var listProblems = BatchChecks.CheckData(state, covering, check.OrderedTxHashes, batchWitness);
            if (listProblems.Count > 0)
            {
                problems.AddRange(listProblems);
                return new ReceiptCheck(ReceiptVerdict.ChainInvalid, receipt, signer, covering, null, false, check.ProofVerified, null, problems,
                    $"batch {covering.Index}'s posted transaction list is not the order of the segment its proof covers");
            }
        }

        var (differences, position, headChecked) = BatchChecks.CompareReceipt(receipt, covering, check.OrderedTxHashes, batchWitness);
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
        var proofText = check.ProofVerified == true ? "whose proof verifies in C# against the verifier's key" : "whose proof the inbox's verifier accepted (no --verification-key: not re-verified)";
        return new ReceiptCheck(ReceiptVerdict.Covered, receipt, signer, covering, position, headChecked, check.ProofVerified, null, [],
            $"seq {receipt.Seq} ({receipt.TxHash}) is position {position} of {covering.Count} in finalized batch {covering.Index}, {proofText}{headText}");
    }

    private static IEnumerable<Mismatch> InboxProblems(InboxState state, VerificationKey? key)
    {
        foreach (var problem in state.BindingProblems())
        {
            yield return new Mismatch(null, "binding", "domain, genesis head and params commitment of this address, chain and policy", problem);
        }

        if (key is not null && key.PublicInputCount != CircuitInputs.PublicSignalNames.Count)
        {
            yield return new Mismatch(null, "verification key", $"{CircuitInputs.PublicSignalNames.Count} public inputs", $"{key.PublicInputCount}");
        }
    }

    private async Task<BatchCheck> CheckBatchAsync(InboxState state, FinalizedBatch e, VerificationKey? key, CancellationToken cancellationToken)
    {
        var (call, decodeProblem) = await FetchCallAsync(e, cancellationToken).ConfigureAwait(false);
        return BatchChecks.Check(state, e, call, decodeProblem, key);
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
            [.. f.OrderedTxHashes.Select(h => new Hash32(h))],
            new Groth16Proof(f.Proof));
    }

    private static Fr Field(BigInteger value, string name) =>
        value < Fr.Modulus ? Fr.FromBigInteger(value) : throw new FormatException($"{name} {value} is not below the scalar field modulus r.");
}

/// <summary>The light client's checks as pure functions of what it read, so each can be tested with any input.</summary>
internal static class BatchChecks
{
    /// <summary>The sequence of events: indices 0, 1, …; heads chained from the genesis head to the inbox's head; seqs contiguous from 0.</summary>
    public static List<Mismatch> CheckSequence(InboxState state, IReadOnlyList<FinalizedBatch> events)
    {
        var problems = new List<Mismatch>();
        var head = state.GenesisHead;
        ulong seq = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Index != (ulong)i)
            {
                problems.Add(new Mismatch(e.Index, "index", $"{i} (the {Ordinal(i)} BatchFinalized event)", e.Index.ToString(CultureInfo.InvariantCulture)));
            }

            if (e.PrevHead != head)
            {
                problems.Add(new Mismatch(e.Index, "prevHead", $"{head.ToHex()} ({(i == 0 ? "the genesis head" : $"batch {events[i - 1].Index}'s newHead")})", e.PrevHead.ToHex()));
            }

            if (e.FirstSeq != seq)
            {
                problems.Add(new Mismatch(e.Index, "firstSeq", $"{seq} (contiguous with the previous batch)", e.FirstSeq.ToString(CultureInfo.InvariantCulture)));
            }

            head = e.NewHead;
            seq = e.FirstSeq + e.Count;
        }

        if ((ulong)events.Count != state.NextBatchIndex)
        {
            problems.Add(new Mismatch(null, "nextBatchIndex", $"{events.Count} (one per BatchFinalized event)", state.NextBatchIndex.ToString(CultureInfo.InvariantCulture)));
        }

        if (head != state.Head)
        {
            problems.Add(new Mismatch(null, "head", $"{head.ToHex()} (the last finalized newHead)", state.Head.ToHex()));
        }

        if (seq != state.NextSeq)
        {
            problems.Add(new Mismatch(null, "nextSeq", $"{seq} (the seqs the events cover)", state.NextSeq.ToString(CultureInfo.InvariantCulture)));
        }

        return problems;
    }

    /// <summary>
    /// One batch: the call matches its event and the inbox, the ordered hashes hash to the event's value,
    /// and (with a key) the proof verifies for the statement rebuilt from the event and the inbox's domain.
    /// </summary>
    public static BatchCheck Check(InboxState state, FinalizedBatch e, SubmittedBatch? call, string? decodeProblem, VerificationKey? key)
    {
        var problems = new List<Mismatch>();
        if (call is null)
        {
            problems.Add(new Mismatch(e.Index, "calldata", $"a submitBatch call in transaction {e.TransactionHash}", decodeProblem ?? "nothing"));
            return new BatchCheck(e, null, null, problems, TimeSpan.Zero);
        }

        void Compare<T>(string field, T expected, T actual, Func<T, string> show)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                problems.Add(new Mismatch(e.Index, field, show(expected), show(actual)));
            }
        }

        static string Dec(ulong v) => v.ToString(CultureInfo.InvariantCulture);
        Compare("to", state.Inbox, call.To, a => a.ToString());
        Compare("calldata index", e.Index, call.Index, Dec);
        Compare("calldata domain", state.Domain, call.Domain, f => f.ToHex());
        Compare("calldata prevHead", e.PrevHead, call.PrevHead, f => f.ToHex());
        Compare("calldata newHead", e.NewHead, call.NewHead, f => f.ToHex());
        Compare("calldata outputCommitment", e.OutputCommitment, call.OutputCommitment, f => f.ToHex());
        Compare("calldata count", e.Count, call.Count, Dec);
        Compare("orderedTxHashes length", e.Count, (ulong)call.OrderedTxHashes.Count, Dec);
        Compare("orderedTxHashesHash", e.OrderedTxHashesHash, FinalizedBatch.HashOf(call.OrderedTxHashes), h => h.ToString());
        if (e.Count < 1 || e.Count > (ulong)state.Capacity)
        {
            problems.Add(new Mismatch(e.Index, "count", $"1..{state.Capacity} (the circuit's capacity)", Dec(e.Count)));
        }

        if (key is null)
        {
            return new BatchCheck(e, call, null, problems, TimeSpan.Zero);
        }

        // The statement the inbox verified: its own domain, and the heads, commitment and count it emitted.
        IReadOnlyList<Fr> signals = [state.Domain, e.PrevHead, e.NewHead, e.OutputCommitment, Fr.FromUInt64(e.Count)];
        var watch = Stopwatch.StartNew();
        bool? verified;
        try
        {
            verified = Groth16Verifier.Verify(key, call.Proof, signals);
            if (verified == false)
            {
                problems.Add(new Mismatch(e.Index, "proof", $"a Groth16 proof of [{string.Join(", ", signals)}] under the verification key", "a proof the pairing check refuses"));
            }
        }
        catch (LightClientException ex)
        {
            verified = false;
            problems.Add(new Mismatch(e.Index, "proof", "valid BN254 curve points", ex.Message));
        }

        return new BatchCheck(e, call, verified, problems, watch.Elapsed);
    }

    /// <summary>
    /// What a valid receipt commits to, against the batch finalized for its seq: its transaction is in
    /// the batch's ordered list, and, when its seq is the batch's last, its head is the batch's new head.
    /// </summary>
    /// <remarks>
    /// With the batch's <paramref name="witness"/> (already checked to be the batch's, see
    /// <see cref="CheckWitness"/>) every seq is checked: the entry at the receipt's seq must have the
    /// receipt's transaction, arrival and head.
    /// </remarks>
    public static (List<Mismatch> Differences, int? Position, bool HeadChecked) CompareReceipt(Receipt receipt, FinalizedBatch batch, IReadOnlyList<Hash32> ordered, OrderingWitness? witness = null)
    {
        var differences = new List<Mismatch>();
        int? position = null;
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i] == receipt.TxHash)
            {
                position = i;
                break;
            }
        }

        if (position is null)
        {
            differences.Add(new Mismatch(batch.Index, "transaction", $"{receipt.TxHash} at seq {receipt.Seq}", $"no such transaction among the batch's {ordered.Count} ordered hashes"));
        }

        if (witness is not null)
        {
            var entry = witness.Entries[(int)(receipt.Seq - batch.FirstSeq)];
            if (entry.TxHash != receipt.TxHash)
            {
                differences.Add(new Mismatch(batch.Index, $"transaction at seq {receipt.Seq}", receipt.TxHash.ToString(), $"{entry.TxHash} in the proven segment"));
            }

            if (entry.ArrivalMs != receipt.ArrivalMs)
            {
                differences.Add(new Mismatch(batch.Index, $"arrival of seq {receipt.Seq}", $"{receipt.ArrivalMs} ms", $"{entry.ArrivalMs} ms in the proven segment"));
            }

            if (entry.Head != receipt.Head)
            {
                differences.Add(new Mismatch(batch.Index, $"head after seq {receipt.Seq}", receipt.Head.ToHex(), $"{entry.Head.ToHex()} in the proven segment"));
            }

            return (differences, position, true);
        }

        var last = batch.FirstSeq + batch.Count - 1;
        var headChecked = receipt.Seq == last;
        if (headChecked && receipt.Head != batch.NewHead)
        {
            differences.Add(new Mismatch(batch.Index, $"head after seq {receipt.Seq}", receipt.Head.ToHex(), $"newHead {batch.NewHead.ToHex()}"));
        }

        return (differences, position, headChecked);
    }

    /// <summary>
    /// A batch's data against the chain: its witness exists, is the batch's (<see cref="CheckWitness"/>),
    /// and orders the posted hashes as the call carried them.
    /// </summary>
    public static List<Mismatch> CheckData(InboxState state, FinalizedBatch batch, IReadOnlyList<Hash32> posted, OrderingWitness? witness)
    {
        if (witness is null)
        {
            return [new Mismatch(batch.Index, "witness", "the batch's ordering witness", "none found")];
        }

        var problems = CheckWitness(state, batch, witness);
        if (problems.Count == 0 && !witness.OrderedTxHashes.SequenceEqual(posted))
        {
            problems.Add(new Mismatch(batch.Index, "orderedTxHashes", $"the proven segment's policy order [{string.Join(", ", witness.OrderedTxHashes)}]", $"[{string.Join(", ", posted)}] in the submitBatch call"));
        }

        return problems;
    }

    /// <summary>
    /// Whether an ordering witness is the finalized batch's: self-consistent (every head, the policy order,
    /// the commitment recomputed) and stating the batch's chain, inbox, policy, index, domain, heads,
    /// commitment, count and seqs. Empty when it is.
    /// </summary>
    public static List<Mismatch> CheckWitness(InboxState state, FinalizedBatch batch, OrderingWitness witness)
    {
        var problems = new List<Mismatch>();
        if (witness.Validate() is { } problem)
        {
            problems.Add(new Mismatch(batch.Index, $"witness {problem.Pointer}", "a self-consistent ordering witness", problem.Message));
            return problems;
        }

        void Compare<T>(string field, T expected, T actual)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                problems.Add(new Mismatch(batch.Index, $"witness {field}", $"{expected}", $"{actual}"));
            }
        }

        Compare("chainId", state.ChainId, witness.ChainId);
        Compare("inbox", state.Inbox, witness.Inbox);
        Compare("policy", state.PolicyNumericId, witness.Policy.NumericId);
        Compare("batchIndex", batch.Index, witness.BatchIndex);
        Compare("domain", state.Domain, witness.Domain);
        Compare("prevHead", batch.PrevHead, witness.PrevHead);
        Compare("newHead", batch.NewHead, witness.NewHead);
        Compare("outputCommitment", batch.OutputCommitment, witness.OutputCommitment);
        Compare("count", batch.Count, (ulong)witness.Count);
        Compare("firstSeq", batch.FirstSeq, witness.FirstSeq);
        return problems;
    }

    private static string Ordinal(int i) => (i + 1) switch
    {
        1 => "1st",
        2 => "2nd",
        3 => "3rd",
        var n => n.ToString(CultureInfo.InvariantCulture) + "th",
    };
}

/// <summary>Finds a verification key's coordinates in a verifier's runtime bytecode.</summary>
internal static class VerifierCode
{
    public static List<Mismatch> MissingConstants(ReadOnlySpan<byte> code, VerificationKey key, EthAddress verifier)
    {
        var missing = new List<Mismatch>();
        if (code.Length == 0)
        {
            missing.Add(new Mismatch(null, "verifier", $"contract code at {verifier}", "no code"));
            return missing;
        }

        foreach (var (name, value) in key.Constants())
        {
            if (!Contains(code, value))
            {
                missing.Add(new Mismatch(null, $"verification key {name}", $"{value} embedded in the verifier's code at {verifier}", "not in the code: the chain verifies with another key"));
            }
        }

        return missing;
    }

    /// <summary>Whether the code pushes <paramref name="value"/>: PUSHn followed by its n significant bytes (solc pushes constants in their shortest form), or a full 32-byte push.</summary>
    internal static bool Contains(ReadOnlySpan<byte> code, BigInteger value)
    {
        var bytes = value.IsZero ? [0] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        Span<byte> pattern = stackalloc byte[33];
        pattern[0] = (byte)(0x5F + bytes.Length);
        bytes.CopyTo(pattern[1..]);
        if (code.IndexOf(pattern[..(bytes.Length + 1)]) >= 0)
        {
            return true;
        }

        pattern.Clear();
        pattern[0] = 0x7F;
        bytes.CopyTo(pattern[(33 - bytes.Length)..]);
        return code.IndexOf(pattern) >= 0;
    }
}
