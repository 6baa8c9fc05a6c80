using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Log;

/// <summary>
/// One accepted transaction in the receipt log: its place (<see cref="Seq"/>), the time the sequencer
/// logged it (<see cref="ArrivalMs"/>) and the transaction itself.
/// </summary>
public sealed record LogEntry(ulong Seq, ulong ArrivalMs, SignedTransaction Tx)
{
    /// <summary>The transaction's identity in the circuits; see <see cref="CircuitEncoding.TxId"/>.</summary>
    public Fr TxId => CircuitEncoding.TxId(Tx.Hash);

    /// <summary>The three field elements the log chain absorbs for this entry (see <see cref="CircuitEncoding"/>).</summary>
    public LeafFields Leaf => new(TxId, CircuitEncoding.SenderNonce(Tx.Sender, Tx.Nonce), CircuitEncoding.FeeArrival(Tx.PriorityFee, ArrivalMs));
}

/// <summary>An entry as the circuits see it: three field elements, each below 2^253.</summary>
public readonly record struct LeafFields(Fr TxId, Fr SenderNonce, Fr FeeArrival);

/// <summary>
/// How log entries become field elements. Every packed value is built from fixed-width parts whose
/// total stays below 2^253 &lt; r, so no two entries can alias modulo r and a circuit can unpack
/// any of them with a bit decomposition of exactly that width.
/// </summary>
public static class CircuitEncoding
{
    // The top three bits of a 256-bit value cleared: 2^253 − 1 in the top word.
    private const ulong Low61 = (1UL << 61) - 1;

    /// <summary>
    /// The tx id is the transaction hash with its top three bits cleared. It fits the field without
    /// reduction (2^253 &lt; r), so the mapping is a plain truncation a circuit can reproduce; two
    /// transactions share an id only if their keccak-256 hashes agree on 253 bits, which takes about
    /// 2^126 work to arrange. The sequencer also refuses a second transaction with an id it has logged.
    /// </summary>
    /// <remarks>This and the other encodings build the limbs directly and allocate nothing: they run once per transaction on the sequencer's serial path.</remarks>
    public static Fr TxId(Hash32 hash)
    {
        hash.GetWords(out ulong w0, out ulong w1, out ulong w2, out ulong w3);
        return Fr.FromLimbs(w3, w2, w1, w0 & Low61, "tx id");
    }

    /// <summary>sender · 2^64 + nonce: 160 + 64 = 224 bits.</summary>
    public static Fr SenderNonce(EthAddress sender, ulong nonce)
    {
        // The address (high·2^96 + middle·2^32 + low) lands in bits 64..223.
        sender.GetWords(out ulong high, out ulong middle, out uint low);
        return Fr.FromLimbs(nonce, low | (middle << 32), (middle >> 32) | (high << 32), high >> 32, "sender and nonce");
    }

    /// <summary>fee · 2^64 + arrival: 64 + 64 = 128 bits.</summary>
    public static Fr FeeArrival(ulong priorityFee, ulong arrivalMs) =>
        Fr.FromLimbs(arrivalMs, priorityFee, 0, 0, "fee and arrival");
}
