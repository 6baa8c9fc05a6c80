using System.Diagnostics;
using System.Globalization;
using Prover.Chain;
using Prover.Core;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Receipts;
using Prover.LightClient.Groth16;

namespace Prover.LightClient;

/// <summary>The light client's checks as pure functions of what it read, so each can be tested with any input.</summary>
internal static class BatchChecks
{
    /// <summary>
    /// The sequence of events: indices 0, 1, …; heads chained from the genesis head to the inbox's head;
    /// seqs contiguous from 0; last arrivals that never decrease, ending at the inbox's stored one.
    /// </summary>
    public static List<Mismatch> CheckSequence(InboxState state, IReadOnlyList<FinalizedBatch> events)
    {
        var problems = new List<Mismatch>();
        var head = state.GenesisHead;
        ulong seq = 0;
        ulong lastArrival = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Index != (ulong)i)
            {
                problems.Add(new Mismatch(e.Index, "index", $"{i} (the {Ordinal(i)} BatchFinalized event)", Dec(e.Index)));
            }

            if (e.PrevHead != head)
            {
                problems.Add(new Mismatch(e.Index, "prevHead", $"{head.ToHex()} ({(i == 0 ? "the genesis head" : $"batch {events[i - 1].Index}'s newHead")})", e.PrevHead.ToHex()));
            }

            if (e.FirstSeq != seq)
            {
                problems.Add(new Mismatch(e.Index, "firstSeq", $"{seq} (contiguous with the previous batch)", Dec(e.FirstSeq)));
            }

            // The proof checks each batch's arrivals against the previous batch's last (the header's
            // prevLastArrival); this is the same fact read off the events, so it holds without a key.
            if (e.LastArrivalMs < lastArrival)
            {
                problems.Add(new Mismatch(e.Index, "lastArrival", $"at least {lastArrival} ms (batch {events[i - 1].Index}'s lastArrival: arrivals never decrease)", $"{e.LastArrivalMs} ms"));
            }

            head = e.NewHead;
            seq = e.FirstSeq + e.Count;
            lastArrival = e.LastArrivalMs;
        }

        if ((ulong)events.Count != state.NextBatchIndex)
        {
            problems.Add(new Mismatch(null, "nextBatchIndex", $"{events.Count} (one per BatchFinalized event)", Dec(state.NextBatchIndex)));
        }

        if (head != state.Head)
        {
            problems.Add(new Mismatch(null, "head", $"{head.ToHex()} (the last finalized newHead)", state.Head.ToHex()));
        }

        if (seq != state.NextSeq)
        {
            problems.Add(new Mismatch(null, "nextSeq", $"{seq} (the seqs the events cover)", Dec(state.NextSeq)));
        }

        if (lastArrival != state.LastArrivalMs)
        {
            problems.Add(new Mismatch(null, "lastArrival", $"{lastArrival} ms (the last finalized lastArrival)", $"{state.LastArrivalMs} ms"));
        }

        return problems;
    }

    /// <summary>
    /// The last arrival the inbox held when it finalized <paramref name="e"/>: the previous event's, or 0
    /// for the first. It is the header's prevLastArrival, so it chains each batch's statement to the last.
    /// </summary>
    public static ulong PrevLastArrival(IReadOnlyList<FinalizedBatch> events, FinalizedBatch e)
    {
        for (var i = 1; i < events.Count; i++)
        {
            if (ReferenceEquals(events[i], e))
            {
                return events[i - 1].LastArrivalMs;
            }
        }

        return 0;
    }

    /// <summary>
    /// One batch: the call matches its event and the inbox, the posted hashes hash to the event's value,
    /// the call's list claim is the list values of the statement rebuilt from the chain, and (with a key)
    /// the proof verifies for that statement.
    /// </summary>
    /// <param name="prevLastArrivalMs">The previous batch's last arrival (<see cref="PrevLastArrival"/>).</param>
    public static BatchCheck Check(InboxState state, FinalizedBatch e, ulong prevLastArrivalMs, SubmittedBatch? call, string? decodeProblem, VerificationKey? key)
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

        static string Hex(Fr f) => f.ToHex();
        Compare("to", state.Inbox, call.To, a => a.ToString());
        Compare("calldata index", e.Index, call.Index, Dec);
        Compare("calldata domain", state.Domain, call.Domain, Hex);
        Compare("calldata prevHead", e.PrevHead, call.PrevHead, Hex);
        Compare("calldata newHead", e.NewHead, call.NewHead, Hex);
        Compare("calldata outputCommitment", e.OutputCommitment, call.OutputCommitment, Hex);
        Compare("calldata count", e.Count, call.Count, Dec);
        Compare("calldata lastArrival", e.LastArrivalMs, call.LastArrivalMs, Dec);
        Compare("orderedTxHashes length", e.Count, (ulong)call.OrderedTxHashes.Count, Dec);
        Compare("orderedTxHashesHash", e.OrderedTxHashesHash, FinalizedBatch.HashOf(call.OrderedTxHashes), h => h.ToString());
        if (e.Count < 1 || e.Count > (ulong)state.Capacity)
        {
            problems.Add(new Mismatch(e.Index, "count", $"1..{state.Capacity} (the circuit's capacity)", Dec(e.Count)));
        }

        var beaconFits = e.Beacon.ToBigInteger() >> BatchHeader.BeaconBits == 0;
        if (!beaconFits)
        {
            problems.Add(new Mismatch(e.Index, "beacon", $"below 2^{BatchHeader.BeaconBits} (the top bits of a block hash)", Hex(e.Beacon)));
        }
        else if (!state.DrawsBeacons && !e.Beacon.IsZero)
        {
            problems.Add(new Mismatch(e.Index, "beacon", "0 (only a shuffle inbox draws beacons)", Hex(e.Beacon)));
        }

        // The statement as the inbox built it. Values that cannot form one are reported above; the
        // statement is then left out rather than built from something the inbox would have refused.
        var listed = call.OrderedTxHashes.Count;
        BatchStatement? statement = null;
        if (beaconFits && listed >= 1 && listed <= state.Capacity && state.Capacity <= CircuitLimits.MaxCapacity)
        {
            statement = BatchStatement.For(
                state.Domain, e.PrevHead, e.NewHead, e.OutputCommitment, prevLastArrivalMs, e.LastArrivalMs, e.Beacon, call.OrderedTxHashes, state.Capacity);
            Compare("listClaim challenge", statement.ListChallenge, call.Claim.Challenge, Hex);
            Compare("listClaim digest", statement.ListDigest, call.Claim.Digest, Hex);
            Compare("listClaim multiset", statement.ListMultiset, call.Claim.Multiset, Hex);
        }

        if (key is null || statement is null)
        {
            return new BatchCheck(e, call, null, problems, TimeSpan.Zero) { Statement = statement };
        }

        var watch = Stopwatch.StartNew();
        bool verified;
        try
        {
            verified = Groth16Verifier.Verify(key, call.Proof, statement.Signals);
            if (!verified)
            {
                problems.Add(new Mismatch(e.Index, "proof", $"a Groth16 proof of [{string.Join(", ", statement.Signals)}] under the verification key", "a proof the pairing check refuses"));
            }
        }
        catch (LightClientException ex)
        {
            verified = false;
            problems.Add(new Mismatch(e.Index, "proof", "valid BN254 curve points", ex.Message));
        }

        return new BatchCheck(e, call, verified, problems, watch.Elapsed) { Statement = statement };
    }

    /// <summary>The batch's last beacon draw before it was finalized: its last <c>BatchCommitted</c> event, or null when it has none.</summary>
    /// <remarks>A draw's beacon block is the block its event is in, and the inbox takes a beacon only from an earlier block than its own.</remarks>
    public static BatchCommitment? LastDraw(FinalizedBatch e, IReadOnlyList<BatchCommitment> commitments) =>
        commitments.LastOrDefault(c => c.Index == e.Index && c.BeaconBlock < e.BlockNumber);

    /// <summary>
    /// A shuffle batch's beacon against its commitment: it was committed with the new head it was
    /// finalized with, and its beacon is the top bits of the hash of its last draw's block
    /// (<paramref name="drawn"/>, as the node reports that block; null when it has none).
    /// </summary>
    public static (BeaconDraw? Draw, List<Mismatch> Problems) CheckBeacon(FinalizedBatch e, BatchCommitment? last, Fr? drawn)
    {
        var problems = new List<Mismatch>();
        if (last is null)
        {
            problems.Add(new Mismatch(e.Index, "commitment", "a BatchCommitted event for the batch before its finalization (a shuffle batch is committed, then its beacon drawn)", "none"));
            return (null, problems);
        }

        if (last.NewHead != e.NewHead)
        {
            problems.Add(new Mismatch(e.Index, "committed newHead", $"{e.NewHead.ToHex()} (the finalized newHead)", last.NewHead.ToHex()));
        }

        if (drawn is not { } beacon)
        {
            problems.Add(new Mismatch(e.Index, "beacon", $"the top {BatchHeader.BeaconBits} bits of block {last.BeaconBlock}'s hash", $"no block {last.BeaconBlock} on the node"));
        }
        else if (beacon != e.Beacon)
        {
            problems.Add(new Mismatch(e.Index, "beacon", $"{beacon.ToHex()} (the top {BatchHeader.BeaconBits} bits of the hash of block {last.BeaconBlock}, draw {last.Draws})", e.Beacon.ToHex()));
        }

        return (new BeaconDraw(last.BeaconBlock, last.Draws, e.Beacon), problems);
    }

    /// <summary>
    /// What a valid receipt commits to, against the batch finalized for its seq. Its transaction is in the
    /// posted list (compared by full hash); for an fcfs batch, whose proven order is the log order, at the
    /// position of its seq; and when its seq is the batch's last, its head is the batch's new head.
    /// </summary>
    /// <remarks>
    /// A posted hash with the receipt's circuit id (<see cref="CircuitEncoding.TxId"/>: the low 253 bits)
    /// but other top bits passes the inbox, which binds ids, and names no transaction anyone can produce:
    /// it is reported as a difference of its own (docs/circuits.md, "What the id does not bind"). With the
    /// batch's <paramref name="witness"/> (already checked to be the batch's, see <see cref="CheckWitness"/>)
    /// every seq is checked: the entry at the receipt's seq must have the receipt's transaction, arrival and head.
    /// </remarks>
    /// <param name="logOrder">Whether the batch's policy orders by log order (fcfs), so a position is a seq.</param>
    public static (List<Mismatch> Differences, int? Position, bool HeadChecked) CompareReceipt(
        Receipt receipt, FinalizedBatch batch, IReadOnlyList<Hash32> ordered, bool logOrder, OrderingWitness? witness = null)
    {
        var differences = new List<Mismatch>();
        int? position = null;
        int? sameId = null;
        var id = CircuitEncoding.TxId(receipt.TxHash);
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i] == receipt.TxHash)
            {
                position = i;
                break;
            }

            if (sameId is null && CircuitEncoding.TxId(ordered[i]) == id)
            {
                sameId = i;
            }
        }

        if (position is null && sameId is { } other)
        {
            differences.Add(new Mismatch(batch.Index, "transaction hash", $"{receipt.TxHash} at seq {receipt.Seq}",
                $"{ordered[other]} at position {other}: the same low 253 bits (the id the proof binds), other top three bits, so the batch names a hash no transaction has"));
        }
        else if (position is null)
        {
            differences.Add(new Mismatch(batch.Index, "transaction", $"{receipt.TxHash} at seq {receipt.Seq}", $"no such transaction among the batch's {ordered.Count} ordered hashes"));
        }
        else if (logOrder && batch.FirstSeq + (ulong)position.Value != receipt.Seq)
        {
            differences.Add(new Mismatch(batch.Index, $"seq of {receipt.TxHash}", $"seq {receipt.Seq}",
                $"position {position} of an fcfs batch from seq {batch.FirstSeq}, which is seq {batch.FirstSeq + (ulong)position.Value}"));
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
    /// The witness with its order: a shuffle witness cut before its beacon was drawn is ordered with the
    /// beacon the batch was finalized with (the one the inbox drew); any other is returned as it is.
    /// </summary>
    public static OrderingWitness Ordered(OrderingWitness witness, FinalizedBatch batch)
    {
        if (witness.IsOrdered)
        {
            return witness;
        }

        try
        {
            return witness.WithBeacon(batch.Beacon);
        }
        catch (ValueOutOfRangeException)
        {
            // A beacon that fits no draw is the batch's own problem (BatchChecks.Check); the witness stays
            // unordered and fails its comparison with the batch.
            return witness;
        }
    }

    /// <summary>
    /// A batch's data against the chain: its witness exists, is the batch's (<see cref="CheckWitness"/>, after
    /// <see cref="Ordered"/>), and orders the posted hashes as the call carried them. The inbox binds the
    /// posted list to the proof, so a difference here means the witness, not the list, is wrong, unless the
    /// verifier contract is; the check is kept because the light client trusts neither.
    /// </summary>
    public static List<Mismatch> CheckData(InboxState state, FinalizedBatch batch, ulong prevLastArrivalMs, IReadOnlyList<Hash32> posted, OrderingWitness? witness)
    {
        if (witness is null)
        {
            return [new Mismatch(batch.Index, "witness", "the batch's ordering witness", "none found")];
        }

        witness = Ordered(witness, batch);
        var problems = CheckWitness(state, batch, prevLastArrivalMs, witness);
        if (problems.Count == 0 && !witness.OrderedTxHashes.SequenceEqual(posted))
        {
            problems.Add(new Mismatch(batch.Index, "orderedTxHashes", $"the proven segment's policy order [{string.Join(", ", witness.OrderedTxHashes)}]", $"[{string.Join(", ", posted)}] in the submitBatch call"));
        }

        return problems;
    }

    /// <summary>
    /// Whether an ordering witness is the finalized batch's: self-consistent (every head, the policy order,
    /// the commitment recomputed) and stating the batch's chain, inbox, policy, capacity, index, domain,
    /// heads, commitment, count, seqs, arrivals and beacon. Empty when it is.
    /// </summary>
    /// <param name="prevLastArrivalMs">The previous batch's last arrival (<see cref="PrevLastArrival"/>).</param>
    public static List<Mismatch> CheckWitness(InboxState state, FinalizedBatch batch, ulong prevLastArrivalMs, OrderingWitness witness)
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
        Compare("capacity", state.Capacity, witness.Capacity);
        Compare("batchIndex", batch.Index, witness.BatchIndex);
        Compare("domain", state.Domain, witness.Domain);
        Compare("prevHead", batch.PrevHead, witness.PrevHead);
        Compare("newHead", batch.NewHead, witness.NewHead);
        Compare("outputCommitment", batch.OutputCommitment, witness.OutputCommitment);
        Compare("count", batch.Count, (ulong)witness.Count);
        Compare("firstSeq", batch.FirstSeq, witness.FirstSeq);
        Compare("prevLastArrivalMs", prevLastArrivalMs, witness.PrevLastArrivalMs);
        Compare("lastArrivalMs", batch.LastArrivalMs, witness.Entries[^1].ArrivalMs);
        if (state.DrawsBeacons)
        {
            Compare("beacon", batch.Beacon, witness.Beacon ?? Fr.Zero);
        }

        return problems;
    }

    private static string Dec(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Ordinal(int i) => (i + 1) switch
    {
        1 => "1st",
        2 => "2nd",
        3 => "3rd",
        var n => n.ToString(CultureInfo.InvariantCulture) + "th",
    };
}
