using System.Numerics;
using System.Text;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Util;
using Prover.Core.Ethereum;
using static Prover.Core.Tests.Ethereum.TestTransactions;
using SignedTransaction = Prover.Core.Ethereum.SignedTransaction;
using TransactionType = Prover.Core.Ethereum.TransactionType;

namespace Prover.Core.Tests.Ethereum;

public class TransactionDecoderTests
{
    private static Hash32 Keccak(byte[] data) => new(new Sha3Keccack().CalculateHash(data));

    [Fact]
    public void Eip1559_transaction_decodes_every_field_and_recovers_the_signer()
    {
        var raw = Sign1559(nonce: 7, priorityFee: 2_000_000_000, maxFee: 30_000_000_000, gasLimit: 21_000);

        var tx = TransactionDecoder.Decode(raw, expectedChainId: 1);

        Assert.Equal(raw, tx.Raw);
        Assert.Equal(Keccak(raw), tx.Hash);
        Assert.Equal(TransactionType.DynamicFee, tx.Type);
        Assert.Equal(1UL, tx.ChainId);
        Assert.Equal(EthAddress.Parse(AddressOf(Key01)), tx.Sender);
        Assert.Equal(7UL, tx.Nonce);
        Assert.Equal(2_000_000_000UL, tx.PriorityFee);
        Assert.Equal(21_000UL, tx.GasLimit);
    }

    [Fact]
    public void Eip2930_transaction_with_an_access_list_decodes_every_field_and_recovers_the_signer()
    {
        List<AccessListItem> accessList =
        [
            new("0x1111111111111111111111111111111111111111", [new byte[32], Enumerable.Repeat((byte)0xab, 32).ToArray()]),
            new("0x2222222222222222222222222222222222222222", []),
        ];
        var raw = Sign2930(key: Key46, chainId: 31337, nonce: 3, gasPrice: 5_000_000_000, gasLimit: 50_000, accessList: accessList);

        var tx = TransactionDecoder.Decode(raw, expectedChainId: 31337);

        Assert.Equal(Keccak(raw), tx.Hash);
        Assert.Equal(TransactionType.AccessList, tx.Type);
        Assert.Equal(31337UL, tx.ChainId);
        Assert.Equal(EthAddress.Parse(AddressOf(Key46)), tx.Sender);
        Assert.Equal(3UL, tx.Nonce);
        Assert.Equal(5_000_000_000UL, tx.PriorityFee);
        Assert.Equal(50_000UL, tx.GasLimit);
    }

    [Fact]
    public void Eip155_legacy_transaction_decodes_every_field_and_recovers_the_signer()
    {
        var raw = SignLegacy(chainId: 1337, nonce: 12, gasPrice: 20_000_000_000, gasLimit: 90_000);

        var tx = TransactionDecoder.Decode(raw, expectedChainId: 1337);

        Assert.Equal(Keccak(raw), tx.Hash);
        Assert.Equal(TransactionType.Legacy, tx.Type);
        Assert.Equal(1337UL, tx.ChainId);
        Assert.Equal(EthAddress.Parse(AddressOf(Key01)), tx.Sender);
        Assert.Equal(12UL, tx.Nonce);
        Assert.Equal(20_000_000_000UL, tx.PriorityFee);
        Assert.Equal(90_000UL, tx.GasLimit);
    }

    [Fact]
    public void Contract_creation_and_maximal_64_bit_values_are_accepted()
    {
        var raw = Sign1559(to: null, data: "0x6000", nonce: ulong.MaxValue, priorityFee: ulong.MaxValue, maxFee: ulong.MaxValue, gasLimit: ulong.MaxValue);

        var tx = TransactionDecoder.Decode(raw, 1);

        Assert.Equal(ulong.MaxValue, tx.Nonce);
        Assert.Equal(ulong.MaxValue, tx.PriorityFee);
        Assert.Equal(ulong.MaxValue, tx.GasLimit);
    }

    /// <summary>
    /// EIP-155's worked example (eips.ethereum.org/EIPS/eip-155, "Example"): nonce 9, gas price 20 gwei,
    /// gas 21000, to 0x3535…35, value 10^18, key 0x4646…46, chain 1. The EIP publishes the signing data,
    /// signing hash, v, r, s and the signed transaction. (The archived issue #155 shows an older, wrong
    /// signing hash and r, s; the EIP document corrected them.)
    /// </summary>
    [Fact]
    public void Eip155_published_example_decodes_to_its_published_values()
    {
        const string signed = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
        const string signingData = "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080";
        const string signingHash = "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53";
        var r = BigInteger.Parse("18515461264373351373200002665853028612451056578545711640558177340181847433846");
        var s = BigInteger.Parse("46948507304638947509940763649030358759909902576025900602547168820602576006531");

        var tx = TransactionDecoder.DecodeHex(signed, expectedChainId: 1);

        Assert.Equal(9UL, tx.Nonce);
        Assert.Equal(20_000_000_000UL, tx.PriorityFee);
        Assert.Equal(21_000UL, tx.GasLimit);
        Assert.Equal(1UL, tx.ChainId);
        Assert.Equal(Keccak(signed.HexToByteArray()), tx.Hash);
        // The published signature must verify against the published signing data for the example key.
        var key = new Nethereum.Signer.EthECKey(Key46);
        var sig = Nethereum.Signer.EthECDSASignatureFactory.FromComponents(
            r.ToByteArray(isUnsigned: true, isBigEndian: true), s.ToByteArray(isUnsigned: true, isBigEndian: true), [37]);
        Assert.Equal(Hash32.Parse(signingHash), Keccak(signingData.HexToByteArray()));
        var recovered = Nethereum.Signer.EthECKey.RecoverFromSignature(sig, recId: 0, signingHash.HexToByteArray());
        Assert.Equal(key.GetPublicAddress(), recovered.GetPublicAddress());
        Assert.Equal(EthAddress.Parse(key.GetPublicAddress()), tx.Sender);
        Assert.Equal(EthAddress.Parse("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"), tx.Sender);
    }

    [Fact]
    public void Decoded_fields_agree_with_Nethereums_decoder()
    {
        foreach (var raw in new[] { Sign1559(nonce: 300, priorityFee: 1, maxFee: 99), Sign2930(nonce: 0), SignLegacy(nonce: 65_536) })
        {
            var ours = TransactionDecoder.Decode(raw, 1);
            var theirs = TransactionFactory.CreateTransaction(raw);
            (BigInteger? nonce, BigInteger? fee, BigInteger? gas) = theirs switch
            {
                Transaction1559 t => (t.Nonce, t.MaxPriorityFeePerGas, t.GasLimit),
                Transaction2930 t => (t.Nonce, t.GasPrice, t.GasLimit),
                LegacyTransactionChainId t => (Big(t.Nonce), Big(t.GasPrice), Big(t.GasLimit)),
                _ => throw new InvalidOperationException(theirs.GetType().Name),
            };
            Assert.Equal(nonce, (BigInteger)ours.Nonce);
            Assert.Equal(fee, (BigInteger)ours.PriorityFee);
            Assert.Equal(gas, (BigInteger)ours.GasLimit);
            Assert.Equal(new Nethereum.Signer.TransactionVerificationAndRecoveryImp().GetSenderAddress(theirs), ours.Sender.ToString());
        }
    }

    private static BigInteger? Big(byte[]? b) => new BigInteger(b ?? [], isUnsigned: true, isBigEndian: true);

    [Fact]
    public void Span_byte_array_and_hex_entry_points_agree()
    {
        var raw = Sign1559();
        var a = TransactionDecoder.Decode(raw, 1);
        var b = TransactionDecoder.Decode((ReadOnlySpan<byte>)raw, 1);
        var c = TransactionDecoder.DecodeHex("0x" + Convert.ToHexStringLower(raw), 1);
        var d = TransactionDecoder.DecodeHex("0X" + Convert.ToHexString(raw), 1);
        var e = TransactionDecoder.DecodeHex(Encoding.UTF8.GetBytes("0x" + Convert.ToHexStringLower(raw)), 1);
        var f = TransactionDecoder.DecodeHex(Encoding.UTF8.GetBytes("0X" + Convert.ToHexString(raw)), 1);
        foreach (var other in new[] { b, c, d, e, f })
        {
            Assert.Equal(a.Hash, other.Hash);
            Assert.Equal(a.Sender, other.Sender);
            Assert.Equal(a.Raw, other.Raw);
        }
    }

    private static InvalidTransactionException Rejected(InvalidTransactionReason reason, Func<SignedTransaction> decode)
    {
        var e = Assert.Throws<InvalidTransactionException>(() => decode());
        Assert.Equal(reason, e.Reason);
        return e;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("02f8")]
    [InlineData("0x02f")]
    [InlineData("0x02zz")]
    [InlineData(" 0x02")]
    public void Malformed_hex_is_rejected(string? hex)
    {
        var e = Rejected(InvalidTransactionReason.MalformedHex, () => TransactionDecoder.DecodeHex(hex, 1));
        if (hex is not null)
        {
            // The UTF-8 entry point (the JSON-RPC path) refuses it the same way, in the same words.
            var utf8 = Rejected(InvalidTransactionReason.MalformedHex, () => TransactionDecoder.DecodeHex(Encoding.UTF8.GetBytes(hex), 1));
            Assert.Equal(e.Message, utf8.Message);
        }
    }

    [Fact]
    public void Empty_input_is_rejected()
    {
        Rejected(InvalidTransactionReason.Empty, () => TransactionDecoder.DecodeHex("0x", 1));
        Rejected(InvalidTransactionReason.Empty, () => TransactionDecoder.DecodeHex("0x"u8, 1));
        Rejected(InvalidTransactionReason.Empty, () => TransactionDecoder.Decode([], 1));
    }

    [Fact]
    public void Input_over_the_size_limit_is_rejected_and_the_default_limit_is_128_KiB()
    {
        var big = Sign1559(data: "0x" + new string('a', 2 * 128 * 1024));
        Assert.True(big.Length > TransactionDecoder.DefaultMaxSize);

        var e = Rejected(InvalidTransactionReason.TooLarge, () => TransactionDecoder.Decode(big, 1));
        Assert.Contains("131072", e.Message);
        Rejected(InvalidTransactionReason.TooLarge, () => TransactionDecoder.DecodeHex("0x" + Convert.ToHexString(big), 1));
        Rejected(InvalidTransactionReason.TooLarge, () => TransactionDecoder.DecodeHex(Encoding.UTF8.GetBytes("0x" + Convert.ToHexString(big)), 1));

        var small = Sign1559();
        Rejected(InvalidTransactionReason.TooLarge, () => TransactionDecoder.Decode(small, 1, maxSize: small.Length - 1));
        Assert.Equal(small, TransactionDecoder.Decode(small, 1, maxSize: small.Length).Raw);
    }

    [Fact]
    public void Truncated_rlp_is_rejected()
    {
        var raw = Sign1559();
        for (var cut = 1; cut < raw.Length; cut += 7)
        {
            var e = Rejected(InvalidTransactionReason.MalformedRlp, () => TransactionDecoder.Decode(raw.AsSpan(0, raw.Length - cut), 1));
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void Trailing_bytes_after_the_transaction_are_rejected()
    {
        var e = Rejected(InvalidTransactionReason.TrailingBytes, () => TransactionDecoder.Decode([.. Sign1559(), 0x00], 1));
        Assert.StartsWith("1 byte(s)", e.Message);
        Rejected(InvalidTransactionReason.TrailingBytes, () => TransactionDecoder.Decode([.. SignLegacy(), 0xc0], 1));
    }

    [Fact]
    public void Non_canonical_rlp_is_rejected()
    {
        var fields = Fields1559();
        // nonce 7 written with a leading zero byte.
        fields[1] = RlpString(0x00, 0x07);
        Rejected(InvalidTransactionReason.MalformedRlp, () => TransactionDecoder.Decode(Typed(2, fields), 1));
        // a byte below 0x80 wrapped in a one-byte string.
        fields = Fields1559();
        fields[1] = [0x81, 0x07];
        Rejected(InvalidTransactionReason.MalformedRlp, () => TransactionDecoder.Decode(Typed(2, fields), 1));
        // the outer list in long form although it is shorter than 56 bytes.
        var shortList = RlpList(RlpUInt(1));
        Rejected(InvalidTransactionReason.MalformedRlp, () => TransactionDecoder.Decode([0x02, 0xf8, 0x01, .. shortList[1..]], 1));
        // a thirteenth field.
        fields = [.. Fields1559(), RlpUInt(0)];
        Rejected(InvalidTransactionReason.MalformedRlp, () => TransactionDecoder.Decode(Typed(2, fields), 1));
        // a 19-byte recipient.
        fields = Fields1559();
        fields[5] = RlpString(new byte[19]);
        Rejected(InvalidTransactionReason.MalformedRlp, () => TransactionDecoder.Decode(Typed(2, fields), 1));
        // a string where the access list belongs.
        fields = Fields1559();
        fields[8] = RlpString();
        Rejected(InvalidTransactionReason.MalformedRlp, () => TransactionDecoder.Decode(Typed(2, fields), 1));
        // an RLP string where the transaction list belongs.
        Rejected(InvalidTransactionReason.MalformedRlp, () => TransactionDecoder.Decode(RlpString(1, 2, 3), 1));
    }

    [Theory]
    [InlineData(0x03)]
    [InlineData(0x04)]
    [InlineData(0x00)]
    [InlineData(0x7f)]
    public void Unsupported_transaction_types_are_rejected(byte type)
    {
        var e = Rejected(InvalidTransactionReason.UnsupportedType, () => TransactionDecoder.Decode(Typed(type, Fields1559()), 1));
        Assert.Contains($"0x{type:x2}", e.Message);
    }

    [Fact]
    public void Legacy_transaction_without_a_chain_id_is_rejected()
    {
        var raw = new Nethereum.Signer.LegacyTransactionSigner()
            .SignTransaction(Key01.HexToByteArray(), To, 1, 9, 20_000_000_000, 21_000, "").HexToByteArray();
        Assert.IsType<LegacyTransaction>(TransactionFactory.CreateTransaction(raw));

        var e = Rejected(InvalidTransactionReason.MissingChainId, () => TransactionDecoder.Decode(raw, 1));
        Assert.Contains("EIP-155", e.Message);
    }

    [Fact]
    public void Transactions_for_another_chain_are_rejected()
    {
        var e = Rejected(InvalidTransactionReason.WrongChainId, () => TransactionDecoder.Decode(Sign1559(chainId: 5), 1));
        Assert.Contains("chain id 5", e.Message);
        Rejected(InvalidTransactionReason.WrongChainId, () => TransactionDecoder.Decode(Sign2930(chainId: 1), 31337));
        Rejected(InvalidTransactionReason.WrongChainId, () => TransactionDecoder.Decode(SignLegacy(chainId: 10), 1));
    }

    [Fact]
    public void Priority_fee_of_2_to_the_70_is_rejected_with_the_field_and_limit_named()
    {
        var raw = Sign1559(priorityFee: BigInteger.One << 70, maxFee: BigInteger.One << 70);

        var e = Rejected(InvalidTransactionReason.ValueOutOfRange, () => TransactionDecoder.Decode(raw, 1));

        Assert.Equal("maxPriorityFeePerGas 2^70 does not fit 64 bits (max 18446744073709551615).", e.Message);
    }

    [Fact]
    public void Fee_of_2_to_the_64_is_rejected()
    {
        var e = Rejected(InvalidTransactionReason.ValueOutOfRange, () => TransactionDecoder.Decode(Sign1559(maxFee: TwoTo64), 1));
        Assert.StartsWith("maxFeePerGas 2^64 ", e.Message);
        e = Rejected(InvalidTransactionReason.ValueOutOfRange, () => TransactionDecoder.Decode(SignLegacy(gasPrice: TwoTo64), 1));
        Assert.StartsWith("gasPrice 2^64 ", e.Message);
    }

    [Fact]
    public void Nonce_of_2_to_the_64_is_rejected()
    {
        var e = Rejected(InvalidTransactionReason.ValueOutOfRange, () => TransactionDecoder.Decode(Sign1559(nonce: TwoTo64), 1));
        Assert.StartsWith("nonce 2^64 ", e.Message);
        Rejected(InvalidTransactionReason.ValueOutOfRange, () => TransactionDecoder.Decode(Sign2930(nonce: TwoTo64 + 5), 1));
    }

    [Fact]
    public void Gas_limit_of_2_to_the_64_is_rejected()
    {
        var e = Rejected(InvalidTransactionReason.ValueOutOfRange, () => TransactionDecoder.Decode(Sign1559(gasLimit: TwoTo64 + 1), 1));
        Assert.StartsWith("gasLimit 18446744073709551617 ", e.Message);
    }

    [Fact]
    public void Priority_fee_above_max_fee_is_rejected()
    {
        var e = Rejected(InvalidTransactionReason.PriorityFeeAboveMaxFee, () => TransactionDecoder.Decode(Sign1559(priorityFee: 11, maxFee: 10), 1));
        Assert.Equal("maxPriorityFeePerGas 11 is above maxFeePerGas 10.", e.Message);
    }

    [Fact]
    public void Flipping_a_signature_bit_never_yields_the_original_sender()
    {
        var raw = Sign1559();
        var sender = TransactionDecoder.Decode(raw, 1).Sender;
        var rejected = 0;
        // r is the second-to-last field: flip each bit of r's lowest byte (at raw[^34]).
        for (var bit = 0; bit < 8; bit++)
        {
            var bad = (byte[])raw.Clone();
            bad[^34] ^= (byte)(1 << bit);
            try
            {
                Assert.NotEqual(sender, TransactionDecoder.Decode(bad, 1).Sender);
            }
            catch (InvalidTransactionException e)
            {
                Assert.Equal(InvalidTransactionReason.BadSignature, e.Reason);
                rejected++;
            }
        }

        Assert.InRange(rejected, 1, 7);
    }

    [Fact]
    public void Signature_whose_r_is_not_a_curve_x_coordinate_is_rejected()
    {
        // x^3 + 7 is not a square modulo p for x = 5, so no point has x = 5.
        var raw = Reencode1559(Sign1559(), tx => new Signature([5], tx.Signature.S, tx.Signature.V));

        var e = Rejected(InvalidTransactionReason.BadSignature, () => TransactionDecoder.Decode(raw, 1));
        Assert.Contains("does not recover", e.Message);
    }

    [Fact]
    public void Signature_with_zero_r_or_invalid_parity_is_rejected()
    {
        var fields = Fields1559();
        fields[10] = RlpUInt(0);
        Rejected(InvalidTransactionReason.BadSignature, () => TransactionDecoder.Decode(Typed(2, fields), 1));
        fields = Fields1559();
        fields[9] = RlpUInt(2);
        Rejected(InvalidTransactionReason.BadSignature, () => TransactionDecoder.Decode(Typed(2, fields), 1));
    }

    [Fact]
    public void High_s_twin_of_a_valid_signature_is_rejected()
    {
        var n = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337");
        var raw = Sign1559();
        var sender = TransactionDecoder.Decode(raw, 1).Sender;
        var twin = Reencode1559(raw, tx =>
        {
            var s = new BigInteger(tx.Signature.S, isUnsigned: true, isBigEndian: true);
            var parity = tx.Signature.V.Length == 0 ? 0 : tx.Signature.V[0];
            return new Signature(tx.Signature.R, (n - s).ToByteArray(isUnsigned: true, isBigEndian: true), parity == 1 ? [] : [1]);
        });

        // The twin is a real signature by the same key (ECDSA malleability), which is exactly why EIP-2 bans it.
        var theirs = TransactionFactory.CreateTransaction(twin);
        Assert.Equal(sender.ToString(), new Nethereum.Signer.TransactionVerificationAndRecoveryImp().GetSenderAddress(theirs));
        var e = Rejected(InvalidTransactionReason.HighS, () => TransactionDecoder.Decode(twin, 1));
        Assert.Contains("EIP-2", e.Message);
    }

    [Fact]
    public void Random_corruption_only_ever_raises_InvalidTransactionException()
    {
        var rng = new Random(1234);
        var valid = Sign1559();
        for (var i = 0; i < 2000; i++)
        {
            var bad = (byte[])valid.Clone();
            bad[rng.Next(bad.Length)] = (byte)rng.Next(256);
            var cut = rng.Next(2) == 0 ? bad : bad[..rng.Next(1, bad.Length)];
            try
            {
                TransactionDecoder.Decode(cut, 1);
            }
            catch (InvalidTransactionException)
            {
                // The only exception allowed for bad input.
            }
        }
    }
}
