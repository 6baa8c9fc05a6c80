namespace Prover.Core.Ethereum;

/// <summary>Why <see cref="TransactionDecoder"/> refused a transaction.</summary>
public enum InvalidTransactionReason
{
    /// <summary>The <c>eth_sendRawTransaction</c> argument is not 0x-prefixed, even-length hex.</summary>
    MalformedHex,

    /// <summary>No bytes at all.</summary>
    Empty,

    /// <summary>Larger than the decoder's size limit (128 KiB by default, geth's <c>txMaxSize</c>).</summary>
    TooLarge,

    /// <summary>Not the canonical RLP of a transaction: truncated, a non-minimal length or integer, wrong field count or shape.</summary>
    MalformedRlp,

    /// <summary>Bytes follow the transaction's RLP list.</summary>
    TrailingBytes,

    /// <summary>An EIP-2718 type other than legacy, 0x01 (EIP-2930) and 0x02 (EIP-1559).</summary>
    UnsupportedType,

    /// <summary>A legacy transaction signed without a chain id (v = 27 or 28): replayable on every chain (EIP-155).</summary>
    MissingChainId,

    /// <summary>Signed for another chain.</summary>
    WrongChainId,

    /// <summary>A nonce, fee or gas limit does not fit 64 bits, or a 256-bit field does not fit 256 bits.</summary>
    ValueOutOfRange,

    /// <summary>maxPriorityFeePerGas exceeds maxFeePerGas (EIP-1559 forbids it).</summary>
    PriorityFeeAboveMaxFee,

    /// <summary>The signature is malformed or recovers to no public key.</summary>
    BadSignature,

    /// <summary>s is in the upper half of the curve order, the malleable twin of a valid signature (EIP-2).</summary>
    HighS,
}

/// <summary>
/// A transaction was refused at the edge. The only exception <see cref="TransactionDecoder"/> throws for
/// bad input; <see cref="Reason"/> is for callers (the JSON-RPC layer maps it to an error), the message
/// is for the client.
/// </summary>
public sealed class InvalidTransactionException : ProverException
{
    public InvalidTransactionException(InvalidTransactionReason reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
    }

    public InvalidTransactionReason Reason { get; }
}
