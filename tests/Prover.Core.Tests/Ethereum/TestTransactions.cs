using System.Numerics;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Signer;

namespace Prover.Core.Tests.Ethereum;

/// <summary>Real transactions signed by Nethereum with fixed keys, and a minimal RLP encoder for hand-built bad input.</summary>
internal static class TestTransactions
{
    /// <summary>The private key of EIP-155's worked example.</summary>
    public const string Key46 = "0x4646464646464646464646464646464646464646464646464646464646464646";

    public const string Key01 = "0x0101010101010101010101010101010101010101010101010101010101010101";

    public const string To = "0x3535353535353535353535353535353535353535";

    public static readonly BigInteger TwoTo64 = BigInteger.One << 64;

    public static byte[] Sign1559(
        string key = Key01, ulong chainId = 1, BigInteger? nonce = null, BigInteger? priorityFee = null,
        BigInteger? maxFee = null, BigInteger? gasLimit = null, string? to = To, string data = "",
        List<AccessListItem>? accessList = null)
    {
        var tx = new Transaction1559(
            chainId, nonce ?? 7, priorityFee ?? 2_000_000_000, maxFee ?? 30_000_000_000, gasLimit ?? 21_000,
            to, 1_000, data, accessList ?? []);
        return new Transaction1559Signer().SignTransaction(new EthECKey(key), tx).HexToByteArray();
    }

    public static byte[] Sign2930(
        string key = Key01, ulong chainId = 1, BigInteger? nonce = null, BigInteger? gasPrice = null,
        BigInteger? gasLimit = null, List<AccessListItem>? accessList = null)
    {
        var tx = new Transaction2930(chainId, nonce ?? 3, gasPrice ?? 5_000_000_000, gasLimit ?? 50_000, To, 42, "0xdeadbeef", accessList ?? []);
        return new TypeTransactionSigner<Transaction2930>().SignTransaction(new EthECKey(key), tx).HexToByteArray();
    }

    public static byte[] SignLegacy(
        string key = Key01, ulong chainId = 1, BigInteger? nonce = null, BigInteger? gasPrice = null, BigInteger? gasLimit = null) =>
        new LegacyTransactionSigner()
            .SignTransaction(key.HexToByteArray(), chainId, To, 1_000_000, nonce ?? 9, gasPrice ?? 20_000_000_000, gasLimit ?? 21_000, "")
            .HexToByteArray();

    /// <summary>A type-2 transaction re-encoded with the given signature values (r, s as big-endian integers).</summary>
    public static byte[] Reencode1559(byte[] raw, Func<Transaction1559, Signature> signature)
    {
        var tx = (Transaction1559)TransactionFactory.CreateTransaction(raw);
        var copy = new Transaction1559(
            tx.ChainId, tx.Nonce!.Value, tx.MaxPriorityFeePerGas!.Value, tx.MaxFeePerGas!.Value, tx.GasLimit!.Value,
            tx.ReceiverAddress, tx.Amount!.Value, tx.Data, tx.AccessList, signature(tx));
        return copy.GetRLPEncoded();
    }

    public static string AddressOf(string key) => new EthECKey(key).GetPublicAddress();

    /// <summary>RLP of a byte string (Yellow Paper appendix B), for hand-built malformed input.</summary>
    public static byte[] RlpString(params byte[] bytes) =>
        bytes.Length == 1 && bytes[0] < 0x80 ? bytes : [.. Header(0x80, bytes.Length), .. bytes];

    public static byte[] RlpUInt(BigInteger value) =>
        RlpString(value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true));

    public static byte[] RlpList(params byte[][] items)
    {
        var payload = items.SelectMany(i => i).ToArray();
        return [.. Header(0xC0, payload.Length), .. payload];
    }

    private static byte[] Header(byte offset, int length)
    {
        if (length < 56)
        {
            return [(byte)(offset + length)];
        }

        var len = new BigInteger(length).ToByteArray(isUnsigned: true, isBigEndian: true);
        return [(byte)(offset + 55 + len.Length), .. len];
    }

    /// <summary>The twelve fields of a type-2 transaction (unsigned values, r = s = 1) for hand-built input.</summary>
    public static byte[][] Fields1559(ulong chainId = 1) =>
    [
        RlpUInt(chainId), RlpUInt(7), RlpUInt(2), RlpUInt(3), RlpUInt(21_000), RlpString(To.HexToByteArray()),
        RlpUInt(0), RlpString(), RlpList(), RlpUInt(0), RlpUInt(1), RlpUInt(1),
    ];

    public static byte[] Typed(byte type, params byte[][] fields) => [type, .. RlpList(fields)];
}
