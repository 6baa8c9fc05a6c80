using System.Buffers;
using System.Globalization;
using System.Numerics;

namespace Prover.Core.Ethereum;

/// <summary>
/// Decodes and validates the signed transactions clients send with <c>eth_sendRawTransaction</c>:
/// legacy transactions signed with EIP-155 replay protection, EIP-2930 (type 0x01) and EIP-1559
/// (type 0x02) envelopes (EIP-2718). The sender is recovered from the signature.
/// </summary>
/// <remarks>
/// <para>
/// The RLP is read by a strict, allocation-free reader rather than by Nethereum's
/// <c>TransactionFactory</c>: that decoder accepts trailing bytes after the list and non-minimal
/// integers, and a lenient decoder at the edge would let two byte strings (two transaction hashes)
/// stand for one transaction. The tests cross-check every decoded field against Nethereum's decoder.
/// </para>
/// <para>
/// Checks run cheapest first, so garbage costs microseconds: size, envelope type, RLP shape, chain id,
/// value ranges, signature ranges and EIP-2's low-s rule, and only then public-key recovery
/// (NBitcoin.Secp256k1, about 0.1 ms; see docs/receipts.md for measured costs).
/// </para>
/// Every rejection is an <see cref="InvalidTransactionException"/>; nothing else escapes for bad input.
/// </remarks>
public static class TransactionDecoder
{
    /// <summary>128 KiB, geth's limit on a pooled transaction (<c>txMaxSize</c>).</summary>
    public const int DefaultMaxSize = 128 * 1024;

    private const string Fits64 = "does not fit 64 bits (max 18446744073709551615)";

    /// <summary>Decodes the <c>0x…</c> argument of <c>eth_sendRawTransaction</c>.</summary>
    public static SignedTransaction DecodeHex(string? hex, ulong expectedChainId, int maxSize = DefaultMaxSize)
    {
        CheckMaxSize(maxSize);
        if (hex is null)
        {
            throw new InvalidTransactionException(InvalidTransactionReason.MalformedHex, "No transaction data: expected a 0x-prefixed hex string.");
        }

        var raw = new byte[HexPayloadLength(hex.Length, hex.Length >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'), maxSize)];
        if (Convert.FromHexString(hex.AsSpan(2), raw, out var consumed, out _) != OperationStatus.Done)
        {
            throw NotHex(consumed);
        }

        return DecodeCore(raw, raw, expectedChainId, maxSize);
    }

    /// <summary>
    /// <see cref="DecodeHex(string?, ulong, int)"/> for the argument as UTF-8 bytes, as it stands in a
    /// JSON-RPC request: the RPC path decodes it without first making a string of it.
    /// </summary>
    public static SignedTransaction DecodeHex(ReadOnlySpan<byte> utf8Hex, ulong expectedChainId, int maxSize = DefaultMaxSize)
    {
        CheckMaxSize(maxSize);
        var raw = new byte[HexPayloadLength(utf8Hex.Length, utf8Hex.Length >= 2 && utf8Hex[0] == '0' && (utf8Hex[1] == 'x' || utf8Hex[1] == 'X'), maxSize)];
        if (Convert.FromHexString(utf8Hex[2..], raw, out var consumed, out _) != OperationStatus.Done)
        {
            throw NotHex(consumed);
        }

        return DecodeCore(raw, raw, expectedChainId, maxSize);
    }

    /// <summary>Decodes raw transaction bytes; <see cref="SignedTransaction.Raw"/> is this very array.</summary>
    public static SignedTransaction Decode(byte[] raw, ulong expectedChainId, int maxSize = DefaultMaxSize)
    {
        ArgumentNullException.ThrowIfNull(raw);
        CheckMaxSize(maxSize);
        return DecodeCore(raw, raw, expectedChainId, maxSize);
    }

    /// <summary>Decodes raw transaction bytes (copied into <see cref="SignedTransaction.Raw"/>).</summary>
    public static SignedTransaction Decode(ReadOnlySpan<byte> raw, ulong expectedChainId, int maxSize = DefaultMaxSize)
    {
        CheckMaxSize(maxSize);
        return DecodeCore(raw, null, expectedChainId, maxSize);
    }

    private static void CheckMaxSize(int maxSize) =>
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSize);

    /// <summary>
    /// The byte length a <c>0x…</c> string of <paramref name="length"/> characters encodes, checked before
    /// anything is allocated for it: the prefix, an even digit count, the size limit.
    /// </summary>
    private static int HexPayloadLength(int length, bool prefixed, int maxSize)
    {
        if (!prefixed)
        {
            throw new InvalidTransactionException(InvalidTransactionReason.MalformedHex, "Transaction data must be a 0x-prefixed hex string.");
        }

        var digits = length - 2;
        if (digits % 2 != 0)
        {
            throw new InvalidTransactionException(InvalidTransactionReason.MalformedHex, $"Transaction data has an odd number of hex digits ({digits}).");
        }

        return digits / 2 <= maxSize ? digits / 2 : throw TooLarge(digits / 2, maxSize);
    }

    private static InvalidTransactionException NotHex(int consumed) =>
        new(InvalidTransactionReason.MalformedHex, $"Transaction data is not hex: invalid character near position {2 + consumed}.");

    private static InvalidTransactionException TooLarge(int size, int maxSize) =>
        new(InvalidTransactionReason.TooLarge, $"Transaction is {size} bytes; the limit is {maxSize} bytes.");

    private static SignedTransaction DecodeCore(ReadOnlySpan<byte> raw, byte[]? rawArray, ulong expectedChainId, int maxSize)
    {
        if (raw.IsEmpty)
        {
            throw new InvalidTransactionException(InvalidTransactionReason.Empty, "Transaction data is empty.");
        }

        if (raw.Length > maxSize)
        {
            throw TooLarge(raw.Length, maxSize);
        }

        Span<byte> signingHash = stackalloc byte[32];
        Span<byte> rs = stackalloc byte[64];
        var first = raw[0];
        Fields f;
        if (first >= 0xC0)
        {
            f = ReadLegacy(raw, expectedChainId, signingHash, rs);
        }
        else if (first is 0x01 or 0x02)
        {
            f = ReadTyped((TransactionType)first, raw, expectedChainId, signingHash, rs);
        }
        else if (first < 0x80)
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.UnsupportedType,
                $"Transaction type 0x{first:x2}{TypeName(first)} is not supported; accepted are legacy (EIP-155), 0x01 (EIP-2930) and 0x02 (EIP-1559).");
        }
        else
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.MalformedRlp,
                $"Malformed RLP: a transaction is an RLP list or a typed envelope, but it starts with the RLP string prefix 0x{first:x2}.");
        }

        if (!Secp256k1.IsValidScalar(rs[..32]) || !Secp256k1.IsValidScalar(rs[32..]))
        {
            throw new InvalidTransactionException(InvalidTransactionReason.BadSignature, "Signature r and s must both be in [1, n) for the secp256k1 order n.");
        }

        if (!Secp256k1.IsLowS(rs[32..]))
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.HighS,
                "Signature s is above n/2; EIP-2 admits only the low-s form (use s' = n - s and flip the parity).");
        }

        if (!Secp256k1.TryRecoverAddress(signingHash, rs, f.RecoveryId, out var sender))
        {
            throw new InvalidTransactionException(InvalidTransactionReason.BadSignature, "Signature does not recover to any public key.");
        }

        var hash = Keccak256.Hash(raw);
        return new SignedTransaction(rawArray ?? raw.ToArray(), hash, f.Type, f.ChainId, sender, f.Nonce, f.PriorityFee, f.GasLimit);
    }

    private readonly record struct Fields(TransactionType Type, ulong ChainId, ulong Nonce, ulong PriorityFee, ulong GasLimit, int RecoveryId);

    // 0x01 || rlp([chainId, nonce, gasPrice, gasLimit, to, value, data, accessList, yParity, r, s])            (EIP-2930)
    // 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList,
    //              yParity, r, s])                                                                           (EIP-1559)
    // The signing hash is keccak256(type || rlp(the fields before yParity)).
    private static Fields ReadTyped(TransactionType type, ReadOnlySpan<byte> raw, ulong expectedChainId, Span<byte> signingHash, Span<byte> rs)
    {
        var outer = new RlpReader(raw[1..], baseOffset: 1);
        var body = outer.ReadList("the transaction");
        RejectTrailing(outer);

        var chainIdBytes = body.ReadUInt256("chainId");
        var chainId = CheckChainId(chainIdBytes, expectedChainId);
        var nonce = UInt64(body.ReadUInt256("nonce"), "nonce");
        ulong priorityFee;
        if (type == TransactionType.DynamicFee)
        {
            priorityFee = UInt64(body.ReadUInt256("maxPriorityFeePerGas"), "maxPriorityFeePerGas");
            var maxFee = UInt64(body.ReadUInt256("maxFeePerGas"), "maxFeePerGas");
            if (priorityFee > maxFee)
            {
                throw new InvalidTransactionException(
                    InvalidTransactionReason.PriorityFeeAboveMaxFee,
                    $"maxPriorityFeePerGas {priorityFee} is above maxFeePerGas {maxFee}.");
            }
        }
        else
        {
            priorityFee = UInt64(body.ReadUInt256("gasPrice"), "gasPrice");
        }

        var gasLimit = UInt64(body.ReadUInt256("gasLimit"), "gasLimit");
        ReadTo(ref body);
        body.ReadUInt256("value");
        body.ReadString("data");
        ReadAccessList(ref body);
        var unsignedLength = body.Position;

        var parity = body.ReadUInt256("yParity");
        if (parity.Length > 1 || (parity.Length == 1 && parity[0] != 1))
        {
            throw new InvalidTransactionException(InvalidTransactionReason.BadSignature, "Signature yParity must be 0 or 1.");
        }

        ReadSignatureScalars(ref body, rs);
        if (!body.AtEnd)
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.MalformedRlp,
                $"Malformed RLP: a type-0x{(byte)type:x2} transaction has {(type == TransactionType.DynamicFee ? 12 : 11)} fields; more follow the signature.");
        }

        // keccak256(type || listHeader || fields before the signature), straight from the input bytes.
        var payload = raw.Slice(body.Offset, unsignedLength);
        Span<byte> prefix = stackalloc byte[6];
        prefix[0] = (byte)type;
        var headerLength = RlpReader.WriteListHeader(unsignedLength, prefix[1..]);
        Keccak256.Hash(prefix[..(1 + headerLength)], payload, [], signingHash);

        return new Fields(type, chainId, nonce, priorityFee, gasLimit, parity.Length);
    }

    // rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s]) with v = chainId * 2 + 35 + yParity (EIP-155).
    // The signing hash is keccak256(rlp([nonce, gasPrice, gasLimit, to, value, data, chainId, 0, 0])).
    private static Fields ReadLegacy(ReadOnlySpan<byte> raw, ulong expectedChainId, Span<byte> signingHash, Span<byte> rs)
    {
        var outer = new RlpReader(raw);
        var body = outer.ReadList("the transaction");
        RejectTrailing(outer);

        var nonce = UInt64(body.ReadUInt256("nonce"), "nonce");
        var gasPrice = UInt64(body.ReadUInt256("gasPrice"), "gasPrice");
        var gasLimit = UInt64(body.ReadUInt256("gasLimit"), "gasLimit");
        ReadTo(ref body);
        body.ReadUInt256("value");
        body.ReadString("data");
        var unsignedLength = body.Position;

        var vBytes = body.ReadUInt256("v");
        ReadSignatureScalars(ref body, rs);
        if (!body.AtEnd)
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.MalformedRlp,
                "Malformed RLP: a legacy transaction has 9 fields; more follow the signature.");
        }

        var v = new BigInteger(vBytes, isUnsigned: true, isBigEndian: true);
        if (v == 27 || v == 28)
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.MissingChainId,
                "Legacy transaction is signed without a chain id (v = 27/28), so it is valid on every chain; sign it with EIP-155 replay protection.");
        }

        if (v < 35)
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.BadSignature,
                $"Legacy signature v = {v} is neither 27/28 nor chainId * 2 + 35/36 (EIP-155).");
        }

        var chainId = (v - 35) >> 1;
        var recoveryId = (int)((v - 35) & 1);
        if (chainId != expectedChainId)
        {
            throw WrongChainId(chainId, expectedChainId);
        }

        // The signing payload reuses the first six encoded fields as they arrived.
        var payload = raw.Slice(body.Offset, unsignedLength);
        Span<byte> tail = stackalloc byte[11];
        var tailLength = RlpReader.WriteUInt64(expectedChainId, tail);
        tail[tailLength++] = 0x80;
        tail[tailLength++] = 0x80;
        Span<byte> header = stackalloc byte[5];
        var headerLength = RlpReader.WriteListHeader(unsignedLength + tailLength, header);
        Keccak256.Hash(header[..headerLength], payload, tail[..tailLength], signingHash);

        return new Fields(TransactionType.Legacy, expectedChainId, nonce, gasPrice, gasLimit, recoveryId);
    }

    private static void RejectTrailing(RlpReader outer)
    {
        if (!outer.AtEnd)
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.TrailingBytes,
                $"{outer.Remaining} byte(s) follow the transaction's RLP list.");
        }
    }

    private static void ReadTo(ref RlpReader body)
    {
        var to = body.ReadString("to");
        if (to.Length is not (0 or 20))
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.MalformedRlp,
                $"Malformed RLP: 'to' is {to.Length} bytes; it must be a 20-byte address or empty (contract creation).");
        }
    }

    // accessList = [[address, [storageKey, ...]], ...] with 20-byte addresses and 32-byte keys (EIP-2930).
    private static void ReadAccessList(ref RlpReader body)
    {
        var list = body.ReadList("accessList");
        while (!list.AtEnd)
        {
            var entry = list.ReadList("an accessList entry");
            if (entry.ReadString("an accessList address").Length != 20)
            {
                throw new InvalidTransactionException(InvalidTransactionReason.MalformedRlp, "Malformed RLP: an accessList address is not 20 bytes.");
            }

            var keys = entry.ReadList("accessList storage keys");
            while (!keys.AtEnd)
            {
                if (keys.ReadString("an accessList storage key").Length != 32)
                {
                    throw new InvalidTransactionException(InvalidTransactionReason.MalformedRlp, "Malformed RLP: an accessList storage key is not 32 bytes.");
                }
            }

            if (!entry.AtEnd)
            {
                throw new InvalidTransactionException(InvalidTransactionReason.MalformedRlp, "Malformed RLP: an accessList entry has more than [address, storageKeys].");
            }
        }
    }

    private static void ReadSignatureScalars(ref RlpReader body, Span<byte> rs)
    {
        var r = body.ReadUInt256("r");
        var s = body.ReadUInt256("s");
        rs.Clear();
        r.CopyTo(rs[(32 - r.Length)..32]);
        s.CopyTo(rs[(64 - s.Length)..]);
    }

    private static ulong CheckChainId(ReadOnlySpan<byte> chainIdBytes, ulong expected)
    {
        var chainId = new BigInteger(chainIdBytes, isUnsigned: true, isBigEndian: true);
        if (chainId != expected)
        {
            throw WrongChainId(chainId, expected);
        }

        return expected;
    }

    private static InvalidTransactionException WrongChainId(BigInteger chainId, ulong expected) =>
        new(InvalidTransactionReason.WrongChainId, $"Transaction is signed for chain id {chainId}; this sequencer accepts chain id {expected}.");

    /// <summary>A canonical big-endian integer of at most 32 bytes, which must fit 64 bits.</summary>
    private static ulong UInt64(ReadOnlySpan<byte> value, string field)
    {
        if (value.Length > 8)
        {
            throw new InvalidTransactionException(
                InvalidTransactionReason.ValueOutOfRange,
                $"{field} {Describe(value)} {Fits64}.");
        }

        ulong x = 0;
        foreach (var b in value)
        {
            x = (x << 8) | b;
        }

        return x;
    }

    /// <summary>"2^70" for a power of two, else the decimal value: the form a person recognises.</summary>
    private static string Describe(ReadOnlySpan<byte> value)
    {
        var v = new BigInteger(value, isUnsigned: true, isBigEndian: true);
        return v.IsPowerOfTwo
            ? $"2^{(long)v.GetBitLength() - 1}"
            : v.ToString(CultureInfo.InvariantCulture);
    }

    private static string TypeName(byte type) => type switch
    {
        0x03 => " (EIP-4844 blob)",
        0x04 => " (EIP-7702 set-code)",
        _ => "",
    };
}
