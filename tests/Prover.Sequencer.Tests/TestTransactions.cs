using System.Collections.Concurrent;
using System.Numerics;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Signer;
using Prover.Core.Ethereum;
using Prover.Core.Receipts;
using SignedTransaction = Prover.Core.Ethereum.SignedTransaction;

namespace Prover.Sequencer.Tests;

/// <summary>Transactions signed by Nethereum with fixed keys, a small RLP encoder for hand-built bad input, and the sequencer's keys.</summary>
internal static class TestTransactions
{
    public const ulong ChainId = 31337;

    /// <summary>anvil's account #0, the CLI's development key.</summary>
    public const string SequencerKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    /// <summary>anvil's account #1: a different, equally valid sequencer key.</summary>
    public const string OtherSequencerKey = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    public const string SenderKey = "0x0101010101010101010101010101010101010101010101010101010101010101";

    public const string To = "0x3535353535353535353535353535353535353535";

    public static readonly EthAddress Inbox = EthAddress.Parse("0x00000000000000000000000000000000000c0de5");

    public static readonly BigInteger TwoTo64 = BigInteger.One << 64;

    private static readonly ConcurrentDictionary<(ulong Nonce, ulong Fee, string Key), SignedTransaction> DecodedCache = new();

    public static string Sign1559(
        BigInteger nonce, BigInteger? priorityFee = null, BigInteger? maxFee = null, ulong chainId = ChainId, string key = SenderKey)
    {
        var fee = priorityFee ?? 1_000_000_000;
        var tx = new Transaction1559(chainId, nonce, fee, maxFee ?? BigInteger.Max(fee, 30_000_000_000), 21_000, To, 1_000, "", []);
        return Hex(new Transaction1559Signer().SignTransaction(new EthECKey(key), tx));
    }

    public static string Sign2930(BigInteger nonce, ulong chainId = ChainId, string key = SenderKey)
    {
        var tx = new Transaction2930(chainId, nonce, 5_000_000_000, 50_000, To, 42, "0xdeadbeef", []);
        return Hex(new TypeTransactionSigner<Transaction2930>().SignTransaction(new EthECKey(key), tx));
    }

    public static string SignLegacy(BigInteger nonce, ulong chainId = ChainId, string key = SenderKey) =>
        Hex(new LegacyTransactionSigner().SignTransaction(key.HexToByteArray(), chainId, To, 1_000_000, nonce, 20_000_000_000, 21_000, ""));

    /// <summary>A decoded EIP-1559 transaction from <see cref="SenderKey"/> with this nonce.</summary>
    /// <remarks>Memoised: signing dominates the cost of tests that log many transactions.</remarks>
    public static SignedTransaction Decoded(ulong nonce, ulong priorityFee = 1_000_000_000, string key = SenderKey) =>
        DecodedCache.GetOrAdd((nonce, priorityFee, key), k => TransactionDecoder.DecodeHex(Sign1559(k.Nonce, k.Fee, key: k.Key), ChainId));

    public static string AddressOf(string key) => new EthECKey(key).GetPublicAddress();

    public static ReceiptSigner Signer(string key = SequencerKey, ulong chainId = ChainId, EthAddress? inbox = null) =>
        new(key.HexToByteArray(), chainId, inbox ?? Inbox);

    /// <summary>
    /// A type-2 transaction for <see cref="ChainId"/> whose signature has r = 0, outside [1, n): well-formed
    /// RLP that only the signature check refuses.
    /// </summary>
    public static string ZeroRSignature() =>
        "0x02" + Convert.ToHexStringLower(RlpList(
            RlpUInt(ChainId), RlpUInt(7), RlpUInt(2), RlpUInt(3), RlpUInt(21_000), RlpBytes(To.HexToByteArray()),
            RlpUInt(0), RlpBytes(), RlpList(), RlpUInt(0), RlpUInt(0), RlpUInt(1)));

    private static string Hex(string signed) => signed.StartsWith("0x", StringComparison.Ordinal) ? signed : "0x" + signed;

    /// <summary>An RLP byte string (Yellow Paper, appendix B).</summary>
    private static byte[] RlpBytes(params byte[] bytes) =>
        bytes.Length == 1 && bytes[0] < 0x80 ? bytes : [.. RlpHeader(0x80, bytes.Length), .. bytes];

    private static byte[] RlpUInt(BigInteger value) =>
        RlpBytes(value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true));

    private static byte[] RlpList(params byte[][] items)
    {
        var payload = items.SelectMany(i => i).ToArray();
        return [.. RlpHeader(0xC0, payload.Length), .. payload];
    }

    private static byte[] RlpHeader(byte offset, int length)
    {
        if (length < 56)
        {
            return [(byte)(offset + length)];
        }

        var lengthBytes = new BigInteger(length).ToByteArray(isUnsigned: true, isBigEndian: true);
        return [(byte)(offset + 55 + lengthBytes.Length), .. lengthBytes];
    }
}
