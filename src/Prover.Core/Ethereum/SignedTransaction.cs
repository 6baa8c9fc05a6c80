namespace Prover.Core.Ethereum;

/// <summary>The envelope of a typed transaction (EIP-2718); legacy transactions have none.</summary>
public enum TransactionType : byte
{
    Legacy = 0,
    AccessList = 1, // EIP-2930
    DynamicFee = 2, // EIP-1559
}

/// <summary>
/// A signed Ethereum transaction, decoded and validated: its signature recovered to <see cref="Sender"/>,
/// every value the circuits use already checked against its bit width.
/// </summary>
/// <param name="Raw">The exact bytes the client sent (the EIP-2718 envelope for typed transactions).</param>
/// <param name="Hash">keccak256 of <paramref name="Raw"/>: the transaction hash clients know it by.</param>
/// <param name="PriorityFee">maxPriorityFeePerGas, or gasPrice for legacy and EIP-2930 transactions; at most 64 bits.</param>
/// <param name="Nonce">The sender's nonce; at most 64 bits (EIP-2681).</param>
public sealed record SignedTransaction(
    byte[] Raw,
    Hash32 Hash,
    TransactionType Type,
    ulong ChainId,
    EthAddress Sender,
    ulong Nonce,
    ulong PriorityFee,
    ulong GasLimit);
