using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Receipts;

/// <summary>A receipt's JSON cannot be read: not JSON, a missing or extra field, a bad value, an unknown version.</summary>
public sealed class InvalidReceiptException : ProverException
{
    public InvalidReceiptException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The JSON form of a <see cref="Receipt"/> (version 1), as clients store and forward it: camelCase;
/// 64-bit integers as decimal strings (JavaScript numbers lose precision above 2^53); 32-bit integers
/// as numbers; bytes as 0x-prefixed lower-case hex; the inbox EIP-55 checksummed. Reading is strict
/// and round-trips exactly. See docs/receipts.md for an example.
/// </summary>
public static class ReceiptJson
{
    public const int Version = 1;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private sealed record GroupDto(string FirstSeq, uint Count, string ReceiptsRoot, string Signature);

    private sealed record ReceiptDto(
        int Version, string ChainId, string Inbox, string Seq, string ArrivalMs, string TxHash, string TxId, string Head,
        GroupDto Group, uint Index, string[] Proof);

    public static string Serialize(Receipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var g = receipt.Group;
        var dto = new ReceiptDto(
            Version,
            Dec(receipt.ChainId),
            receipt.Inbox.ToString(),
            Dec(receipt.Seq),
            Dec(receipt.ArrivalMs),
            receipt.TxHash.ToString(),
            receipt.TxId.ToHex(),
            receipt.Head.ToHex(),
            new GroupDto(Dec(g.FirstSeq), g.Count, g.ReceiptsRoot.ToString(), "0x" + Convert.ToHexStringLower(g.Signature.AsSpan())),
            receipt.Index,
            [.. receipt.Proof.Select(p => p.ToString())]);
        return JsonSerializer.Serialize(dto, Options);
    }

    public static Receipt Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ReceiptDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<ReceiptDto>(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidReceiptException($"Receipt JSON is malformed: {e.Message}", e);
        }

        if (dto is null)
        {
            throw new InvalidReceiptException("Receipt JSON is null.");
        }

        if (dto.Version != Version)
        {
            throw new InvalidReceiptException($"Receipt version {dto.Version} is not supported; this reader knows version {Version}.");
        }

        var g = dto.Group;
        return new Receipt(
            UInt64(dto.ChainId, "chainId"),
            EthAddress.TryParse(dto.Inbox, out var inbox) ? inbox : throw Bad("inbox", dto.Inbox, "a 20-byte 0x-hex address"),
            UInt64(dto.Seq, "seq"),
            UInt64(dto.ArrivalMs, "arrivalMs"),
            Hash(dto.TxHash, "txHash"),
            Field(dto.TxId, "txId"),
            Field(dto.Head, "head"),
            new ReceiptGroup(UInt64(g.FirstSeq, "group.firstSeq"), g.Count, Hash(g.ReceiptsRoot, "group.receiptsRoot"), Signature(g.Signature)),
            dto.Index,
            [.. dto.Proof.Select((p, i) => Hash(p, $"proof[{i}]"))]);
    }

    private static string Dec(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    private static InvalidReceiptException Bad(string field, string value, string expected) =>
        new($"Receipt field {field} = '{value}' is not {expected}.");

    private static ulong UInt64(string s, string field) =>
        ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && Dec(v) == s
            ? v
            : throw Bad(field, s, "a canonical decimal 64-bit unsigned integer");

    private static Hash32 Hash(string s, string field) =>
        IsLowerHex(s, 32) && Hash32.TryParse(s, out var h) ? h : throw Bad(field, s, "0x followed by 64 lower-case hex digits");

    private static Fr Field(string s, string field)
    {
        var h = Hash(s, field);
        try
        {
            return Fr.FromBytesBigEndian(h.ToArray(), field);
        }
        catch (ValueOutOfRangeException e)
        {
            throw new InvalidReceiptException($"Receipt field {field} = '{s}' is not below the BN254 scalar modulus.", e);
        }
    }

    private static ImmutableArray<byte> Signature(string s) =>
        IsLowerHex(s, 65) ? [.. Convert.FromHexString(s.AsSpan(2))] : throw Bad("group.signature", s, "0x followed by 130 lower-case hex digits");

    private static bool IsLowerHex(string s, int bytes) =>
        s.Length == 2 + 2 * bytes && s.StartsWith("0x", StringComparison.Ordinal) && s.AsSpan(2).IndexOfAnyExcept("0123456789abcdef") < 0;
}
