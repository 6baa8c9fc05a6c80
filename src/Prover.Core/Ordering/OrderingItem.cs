using Prover.Core.Ethereum;
using Prover.Core.Log;

namespace Prover.Core.Ordering;

/// <summary>
/// Everything an ordering policy may look at for one log entry. Keeping the policies' input this
/// narrow documents what they depend on (not gas limit, not nonce, not the raw bytes) and lets a
/// witness be re-checked without rebuilding whole transactions.
/// </summary>
/// <param name="Seq">The entry's position in the receipt log; the final tie-breaker of every policy.</param>
/// <param name="ArrivalMs">When the sequencer logged it.</param>
/// <param name="PriorityFee">maxPriorityFeePerGas (gasPrice for legacy transactions).</param>
/// <param name="TxHash">The transaction hash; the circuit id is derived from it by <see cref="CircuitEncoding.TxId"/>.</param>
public readonly record struct OrderingItem(ulong Seq, ulong ArrivalMs, EthAddress Sender, ulong PriorityFee, Hash32 TxHash)
{
    public static OrderingItem From(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Seq, entry.ArrivalMs, entry.Tx.Sender, entry.Tx.PriorityFee, entry.Tx.Hash);
    }
}
