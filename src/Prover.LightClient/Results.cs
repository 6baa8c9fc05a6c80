using System.Globalization;
using System.Text;
using Prover.Chain;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Receipts;

namespace Prover.LightClient;

/// <summary>One difference the light client found: where, which value, what it should be and what it is.</summary>
/// <param name="Batch">The batch index, or null for the inbox itself (its binding, its verifier).</param>
/// <param name="Field">The value that differs, e.g. <c>prevHead</c>, <c>orderedTxHashesHash</c>, <c>proof</c>.</param>
public sealed record Mismatch(ulong? Batch, string Field, string Expected, string Actual)
{
    public override string ToString() =>
        $"{(Batch is { } b ? "batch " + b.ToString(CultureInfo.InvariantCulture) : "inbox")}: {Field}: expected {Expected}, found {Actual}";
}

/// <summary>What <c>submitBatch</c> call finalized a batch, decoded from its transaction's calldata.</summary>
/// <param name="To">The transaction's recipient (the inbox, for a direct call).</param>
/// <param name="LastArrivalMs">The batch's last arrival, which the inbox put in the proof's header and stored.</param>
/// <param name="Claim">The posted-list values the proof was made for (challenge, digest, multiset).</param>
public sealed record SubmittedBatch(
    EthAddress To,
    ulong Index,
    Fr Domain,
    Fr PrevHead,
    Fr NewHead,
    Fr OutputCommitment,
    ulong Count,
    ulong LastArrivalMs,
    IReadOnlyList<Hash32> OrderedTxHashes,
    ListClaim Claim,
    Groth16Proof Proof);

/// <summary>How a shuffle batch's beacon was drawn (its <c>BatchCommitted</c> events).</summary>
/// <param name="BeaconBlock">The block whose hash gave the beacon: the one that recorded the batch's last draw.</param>
/// <param name="Draws">1 when the beacon was drawn once, as the batch was committed; each redraw after an expiry adds one.</param>
/// <param name="Beacon">The beacon the inbox finalized the batch with.</param>
public sealed record BeaconDraw(ulong BeaconBlock, uint Draws, Fr Beacon)
{
    /// <summary>
    /// Whether the operator let a beacon expire (256 blocks) and drew again. Not a failure, the inbox
    /// allows it, but each redraw gave the operator another order to choose, so it is reported.
    /// </summary>
    public bool Redrawn => Draws > 1;
}

/// <summary>The light client's verdict on one finalized batch.</summary>
/// <param name="Batch">The batch as its <c>BatchFinalized</c> event has it.</param>
/// <param name="Call">The decoded call that finalized it; null when the transaction could not be read or decoded.</param>
/// <param name="ProofVerified">True: the Groth16 proof verified in C#; false: it did not; null: not checked (no key, or no call).</param>
/// <param name="Problems">Every difference found; empty when the batch is valid.</param>
/// <param name="VerificationTime">Time spent in the C# Groth16 verification.</param>
public sealed record BatchCheck(FinalizedBatch Batch, SubmittedBatch? Call, bool? ProofVerified, IReadOnlyList<Mismatch> Problems, TimeSpan VerificationTime)
{
    public bool IsValid => Problems.Count == 0;

    /// <summary>
    /// The statement rebuilt from the chain as the inbox builds it (<see cref="BatchStatement.For"/>): the
    /// inbox's domain and capacity, the event's heads, commitment, last arrival and beacon, the previous
    /// event's last arrival and the call's posted list. Null when the call could not be read or its
    /// values cannot form a statement (a count or beacon out of range, reported as problems).
    /// </summary>
    public BatchStatement? Statement { get; init; }

    /// <summary>How the batch's beacon was drawn; null unless the inbox is a shuffle inbox.</summary>
    public BeaconDraw? Draw { get; init; }

    /// <summary>Whether the batch's data (its ordering witness) was checked against it too.</summary>
    public bool DataChecked { get; init; }

    /// <summary>The batch's transactions in policy order (empty when the call could not be decoded).</summary>
    public IReadOnlyList<Hash32> OrderedTxHashes => Call?.OrderedTxHashes ?? [];
}

/// <summary>The light client's verdict on an inbox and the batches it checked.</summary>
/// <param name="InboxProblems">Problems of the inbox itself: its domain binding, or a verification key its verifier does not embed.</param>
/// <param name="ChainProblems">Problems of the sequence of finalized batches: indices, heads or seqs that do not chain.</param>
public sealed record ChainCheck(InboxState State, IReadOnlyList<Mismatch> InboxProblems, IReadOnlyList<Mismatch> ChainProblems, IReadOnlyList<BatchCheck> Batches)
{
    public bool IsValid => InboxProblems.Count == 0 && ChainProblems.Count == 0 && Batches.All(b => b.IsValid);

    /// <summary>The circuit the verification key belongs to, when it was given; its problems are among <see cref="InboxProblems"/>.</summary>
    public VerifierCircuit? Circuit { get; init; }

    /// <summary>Every problem found, inbox first, then the chain of batches, then each batch.</summary>
    public IEnumerable<Mismatch> Problems => InboxProblems.Concat(ChainProblems).Concat(Batches.SelectMany(b => b.Problems));

    /// <summary>What is allowed but worth knowing: a shuffle batch whose beacon was drawn more than once.</summary>
    public IEnumerable<string> Notices => Batches
        .Where(b => b.Draw is { Redrawn: true })
        .Select(b => string.Create(CultureInfo.InvariantCulture,
            $"batch {b.Batch.Index}: its beacon was drawn {b.Draw!.Draws} times: the operator let {(b.Draw.Draws == 2 ? "a beacon" : $"{b.Draw.Draws - 1} beacons")} expire unused and drew again, and could choose among those orders"));
}

/// <summary>The outcome of a receipt check.</summary>
public enum ReceiptVerdict
{
    /// <summary>The receipt is the sequencer's, a finalized batch covers its seq, its transaction is in that batch, and nothing the chain fixes contradicts it.</summary>
    Covered,

    /// <summary>The sequencer signed this receipt and finalized something it contradicts: see <see cref="ReceiptCheck.Equivocation"/>.</summary>
    Equivocation,

    /// <summary>The receipt is not a valid receipt of the sequencer for this inbox (bad signature, wrong domain, bad Merkle proof): it proves nothing.</summary>
    InvalidReceipt,

    /// <summary>No finalized batch covers the receipt's seq yet.</summary>
    NotYetFinalized,

    /// <summary>The covering batch, or the chain of batches leading to it, does not verify: see <see cref="ReceiptCheck.Problems"/>.</summary>
    ChainInvalid,
}

/// <summary>
/// Evidence that the sequencer broke a receipt: the receipt it signed (valid under its key), the batch it
/// finalized for that seq, and what differs. Anyone can re-check it from the receipt's JSON and the chain.
/// </summary>
public sealed record EquivocationReport(Receipt Receipt, EthAddress Sequencer, FinalizedBatch Batch, IReadOnlyList<Hash32> OrderedTxHashes, IReadOnlyList<Mismatch> Differences)
{
    /// <summary>A human-readable report: the differences, the batch and the signed receipt as JSON.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"EQUIVOCATION: the sequencer {Sequencer} signed a receipt that batch {Batch.Index} contradicts.");
        foreach (var d in Differences)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {d.Field}: the receipt says {d.Expected}; the finalized batch has {d.Actual}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"finalized batch {Batch.Index}: seq {Batch.FirstSeq}..{Batch.FirstSeq + Batch.Count - 1}, prevHead {Batch.PrevHead.ToHex()}, newHead {Batch.NewHead.ToHex()}, outputCommitment {Batch.OutputCommitment.ToHex()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  transaction {Batch.TransactionHash} in block {Batch.BlockNumber}; orderedTxHashesHash {Batch.OrderedTxHashesHash}");
        for (var i = 0; i < OrderedTxHashes.Count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  #{i} {OrderedTxHashes[i]}");
        }

        text.AppendLine("signed receipt:");
        text.Append(ReceiptJson.Serialize(Receipt));
        return text.ToString();
    }
}

/// <summary>The light client's verdict on one receipt.</summary>
/// <param name="Batch">The finalized batch covering the receipt's seq, when there is one.</param>
/// <param name="Position">The transaction's position in the batch's ordered list (0-based), when it is there.</param>
/// <param name="HeadChecked">Whether the receipt's head could be compared with the chain (only for the last seq of a batch; see docs/light-client.md).</param>
/// <param name="ProofVerified">Whether the batch's proof was verified in C# (true), only accepted by the chain's verifier (null: no key given), or failed (false).</param>
/// <param name="Problems">For <see cref="ReceiptVerdict.ChainInvalid"/>: what did not verify.</param>
/// <param name="Message">One line saying what was found.</param>
public sealed record ReceiptCheck(
    ReceiptVerdict Verdict,
    Receipt Receipt,
    EthAddress Sequencer,
    FinalizedBatch? Batch,
    int? Position,
    bool HeadChecked,
    bool? ProofVerified,
    EquivocationReport? Equivocation,
    IReadOnlyList<Mismatch> Problems,
    string Message);
