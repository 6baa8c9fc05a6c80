using Prover.Core.Ethereum;
using Prover.Core.Log;

namespace Prover.Core.Receipts;

/// <summary>Why a receipt failed verification.</summary>
public enum ReceiptFailure
{
    None,

    /// <summary>The receipt names another chain or inbox than the one it is checked against.</summary>
    WrongDomain,

    /// <summary>txId is not the circuit encoding of txHash.</summary>
    TxIdMismatch,

    /// <summary>index is outside the group, or seq ≠ firstSeq + index.</summary>
    IndexMismatch,

    /// <summary>The Merkle proof does not lead from the receipt's leaf to the group's root.</summary>
    BadProof,

    /// <summary>The signature is not 65 bytes r || s || v with v = 27/28 and low s, or recovers to no key.</summary>
    MalformedSignature,

    /// <summary>The signature recovers to an address other than the sequencer's.</summary>
    WrongSigner,
}

/// <summary>The outcome of <see cref="ReceiptVerifier.Verify"/>: valid, or the first failure found and why.</summary>
public readonly record struct ReceiptVerification(ReceiptFailure Failure, string Message)
{
    public bool IsValid => Failure == ReceiptFailure.None;

    public static ReceiptVerification Valid { get; } = new(ReceiptFailure.None, "valid");
}

/// <summary>
/// Checks a receipt against what the verifier already trusts: the sequencer's address and the rollup's
/// (chainId, inbox). The signer is recovered from the signature over a digest rebuilt from the
/// verifier's own domain, never taken from the receipt.
/// </summary>
public static class ReceiptVerifier
{
    public static ReceiptVerification Verify(Receipt receipt, EthAddress sequencer, ulong chainId, EthAddress inbox)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var g = receipt.Group;
        if (receipt.ChainId != chainId || receipt.Inbox != inbox)
        {
            return Fail(ReceiptFailure.WrongDomain, $"receipt is for chain {receipt.ChainId} inbox {receipt.Inbox}, expected chain {chainId} inbox {inbox}");
        }

        if (receipt.TxId != CircuitEncoding.TxId(receipt.TxHash))
        {
            return Fail(ReceiptFailure.TxIdMismatch, $"txId {receipt.TxId.ToHex()} is not txHash {receipt.TxHash} with its top 3 bits cleared");
        }

        if (g.Count == 0 || receipt.Index >= g.Count || receipt.Seq < g.FirstSeq || receipt.Seq - g.FirstSeq != receipt.Index)
        {
            return Fail(ReceiptFailure.IndexMismatch, $"seq {receipt.Seq} at index {receipt.Index} does not fit a group of {g.Count} from seq {g.FirstSeq}");
        }

        var leaf = ReceiptEip712.Leaf(receipt.Seq, receipt.ArrivalMs, receipt.TxId, receipt.Head);
        if (!ReceiptMerkle.TryComputeRoot(leaf, receipt.Index, g.Count, receipt.Proof.AsSpan(), out var root))
        {
            return Fail(ReceiptFailure.BadProof, $"a proof for index {receipt.Index} of {g.Count} cannot have {receipt.Proof.Length} siblings");
        }

        if (root != g.ReceiptsRoot)
        {
            return Fail(ReceiptFailure.BadProof, $"the proof leads to root {root}, not the group's {g.ReceiptsRoot}");
        }

        var sig = g.Signature.AsSpan();
        if (sig.Length != 65 || sig[64] is not (27 or 28)
            || !Secp256k1.IsValidScalar(sig[..32]) || !Secp256k1.IsValidScalar(sig[32..64]) || !Secp256k1.IsLowS(sig[32..64]))
        {
            return Fail(ReceiptFailure.MalformedSignature, "signature must be 65 bytes r || s || v with r, s in [1, n), s ≤ n/2 and v = 27 or 28");
        }

        Span<byte> digest = stackalloc byte[32];
        ReceiptEip712.GroupDigest(ReceiptEip712.DomainSeparator(chainId, inbox), g.FirstSeq, g.Count, g.ReceiptsRoot, digest);
        if (!Secp256k1.TryRecoverAddress(digest, sig[..64], sig[64] - 27, out var signer))
        {
            return Fail(ReceiptFailure.MalformedSignature, "signature recovers to no public key");
        }

        return signer == sequencer
            ? ReceiptVerification.Valid
            : Fail(ReceiptFailure.WrongSigner, $"signature recovers to {signer}, not the sequencer {sequencer}");
    }

    private static ReceiptVerification Fail(ReceiptFailure failure, string message) => new(failure, message);
}
