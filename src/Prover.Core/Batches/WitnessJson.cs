using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>
/// The witness' JSON form (docs/witness.md, docs/witness.schema.json). Written and read by hand rather
/// than by reflection so that every rule of the schema — decimal strings without leading zeros, 0x hex,
/// no unknown or repeated properties — is enforced with an error that points at the offending value.
/// </summary>
internal static class WitnessJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };

    /// <summary>The document as text: the bytes of <see cref="Write(OrderingWitness, Stream)"/>, decoded.</summary>
    public static string Write(OrderingWitness w)
    {
        using var buffer = new MemoryStream();
        Write(w, buffer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// Writes the document (UTF-8, indented, with a final newline) to a stream, a few kilobytes at a time. The sequencer stores a witness per batch: through a string, each one was a
    /// large-object-heap buffer, a UTF-16 copy and a re-encoding, and those large allocations drove
    /// the background GC that took a tenth of the cores at full ingest.
    /// </summary>
    public static void Write(OrderingWitness w, Stream stream)
    {
        using (var j = new Utf8JsonWriter(stream, WriterOptions))
        {
            WriteBody(j, w);
        }

        stream.WriteByte((byte)'\n');
    }

    private static void WriteBody(Utf8JsonWriter j, OrderingWitness w)
    {
        j.WriteStartObject();
        j.WriteNumber("version", w.Version);
        j.WriteString("chainId", Dec(w.ChainId));
        j.WriteString("inbox", w.Inbox.ToString());
        j.WriteString("batchIndex", Dec(w.BatchIndex));

        j.WriteStartObject("policy");
        j.WriteString("id", w.Policy.Id);
        j.WriteNumber("numericId", w.Policy.NumericId);
        j.WriteString("spec", w.Policy.Spec);
        j.WriteStartArray("parameters");
        foreach (var p in w.Policy.Parameters)
        {
            j.WriteStartObject();
            j.WriteString("name", p.Name);
            j.WriteString("value", p.Value);
            j.WriteString("field", p.Field.ToString());
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteString("paramsCommitment", w.Policy.ParamsCommitment.ToString());
        j.WriteEndObject();

        j.WriteString("domain", w.Domain.ToString());
        j.WriteString("prevHead", w.PrevHead.ToString());
        j.WriteString("newHead", w.NewHead.ToString());
        j.WriteString("firstSeq", Dec(w.FirstSeq));
        j.WriteNumber("count", w.Count);
        j.WriteNumber("capacity", w.Capacity);
        j.WriteString("prevLastArrivalMs", Dec(w.PrevLastArrivalMs));

        j.WriteStartArray("entries");
        foreach (var e in w.Entries)
        {
            j.WriteStartObject();
            // Numbers and hashes go in as UTF-8 bytes: no string per value, a few hundred bytes less
            // garbage per transaction on the emitter.
            WriteDecimal(j, "seq", e.Seq);
            WriteDecimal(j, "arrivalMs", e.ArrivalMs);
            WriteHex(j, "txHash", e.TxHash);
            WriteDecimal(j, "txId", e.TxId);
            j.WriteString("sender", e.Sender.ToString());
            WriteDecimal(j, "nonce", e.Nonce);
            WriteDecimal(j, "fee", e.Fee);
            WriteDecimal(j, "senderNonce", e.SenderNonce);
            WriteDecimal(j, "feeArrival", e.FeeArrival);
            WriteDecimal(j, "head", e.Head);
            j.WriteEndObject();

            // Over a stream, hand finished entries on instead of buffering the whole document.
            if (j.BytesPending > 16_384)
            {
                j.Flush();
            }
        }

        j.WriteEndArray();
        if (w.Beacon is { } beacon)
        {
            j.WriteString("beacon", beacon.ToString());
        }

        if (!w.IsOrdered)
        {
            // A shuffle batch before its beacon: the order does not exist yet.
            j.WriteEndObject();
            return;
        }

        j.WriteStartArray("permutation");
        foreach (var p in w.Permutation)
        {
            j.WriteNumberValue(p);
        }

        j.WriteEndArray();
        j.WriteStartArray("orderedTxHashes");
        Span<byte> hex = stackalloc byte[66];
        foreach (var h in w.OrderedTxHashes)
        {
            h.FormatHex(hex);
            j.WriteStringValue(hex);
        }

        j.WriteEndArray();
        j.WriteStartArray("sortKeys");
        foreach (var k in w.SortKeys)
        {
            j.WriteStringValue(k.ToString());
        }

        j.WriteEndArray();
        if (w.ShuffleSeed is { } seed)
        {
            j.WriteString("shuffleSeed", seed.ToString());
        }

        j.WriteString("outputCommitment", w.OutputCommitment?.ToString() ?? throw new InvalidOperationException($"Batch {w.BatchIndex} is ordered but has no output commitment."));
        j.WriteEndObject();
    }

    public static OrderingWitness Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new WitnessFormatException("", $"not a JSON document ({e.Message})", e);
        }

        using (doc)
        {
            var root = new Obj(doc.RootElement, "");

            // The version decides the shape of everything else, so it is read before anything else.
            var version = root.Int64("version");
            if (version != OrderingWitness.CurrentVersion)
            {
                throw new UnsupportedWitnessVersionException(version);
            }

            var policyObj = root.Object("policy");
            var policyId = policyObj.String("id");
            var policy = new WitnessPolicy(
                policyId,
                policyObj.Int32("numericId"),
                policyObj.String("spec"),
                policyObj.Array("parameters", (e, ptr) =>
                {
                    var p = new Obj(e, ptr);
                    var parameter = new PolicyParameter(p.String("name"), p.String("value"), p.Field("field"));
                    p.End();
                    return parameter;
                }),
                policyObj.Field("paramsCommitment"));
            policyObj.End();

            var header = new OrderingWitness
            {
                Version = (int)version,
                ChainId = root.UInt64("chainId"),
                Inbox = root.Address("inbox"),
                BatchIndex = root.UInt64("batchIndex"),
                Policy = policy,
                Domain = root.Field("domain"),
                PrevHead = root.Field("prevHead"),
                NewHead = root.Field("newHead"),
                FirstSeq = root.UInt64("firstSeq"),
                Count = root.Int32("count"),
                Capacity = root.Int32("capacity"),
                PrevLastArrivalMs = root.UInt64("prevLastArrivalMs"),
                Entries = root.Array("entries", (e, ptr) =>
                {
                    var o = new Obj(e, ptr);
                    var entry = new WitnessEntry(
                        o.UInt64("seq"), o.UInt64("arrivalMs"), o.Hash("txHash"), o.Field("txId"), o.Address("sender"),
                        o.UInt64("nonce"), o.UInt64("fee"), o.Field("senderNonce"), o.Field("feeArrival"), o.Field("head"));
                    o.End();
                    return entry;
                }),
                Beacon = root.OptionalField("beacon"),
                Permutation = [],
                OrderedTxHashes = [],
                SortKeys = [],
            };

            OrderingWitness witness;
            if (header.IsOrdered)
            {
                witness = header with
                {
                    Permutation = root.Array("permutation", Int32Value),
                    OrderedTxHashes = root.Array("orderedTxHashes", HashValue),
                    SortKeys = root.Array("sortKeys", FieldValue),
                    ShuffleSeed = root.OptionalField("shuffleSeed"),
                    OutputCommitment = root.Field("outputCommitment"),
                };
            }
            else
            {
                // A shuffle batch whose beacon is not drawn has no order: anything of one is a mistake.
                root.Refuse(["permutation", "orderedTxHashes", "sortKeys", "shuffleSeed", "outputCommitment"], "a shuffle batch has no order before its beacon is drawn");
                witness = header;
            }

            root.End();
            return witness;
        }
    }

    private static string Dec(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    private static void WriteDecimal(Utf8JsonWriter j, string name, ulong value)
    {
        Span<byte> utf8 = stackalloc byte[20];
        value.TryFormat(utf8, out var written, default, CultureInfo.InvariantCulture);
        j.WriteString(name, utf8[..written]);
    }

    private static void WriteDecimal(Utf8JsonWriter j, string name, Fr value)
    {
        Span<byte> utf8 = stackalloc byte[Fr.MaxDecimalDigits];
        j.WriteString(name, utf8[..value.FormatDecimal(utf8)]);
    }

    private static void WriteHex(Utf8JsonWriter j, string name, Hash32 value)
    {
        Span<byte> utf8 = stackalloc byte[66];
        value.FormatHex(utf8);
        j.WriteString(name, utf8);
    }

    private static WitnessFormatException Bad(string ptr, string problem) => new(ptr, problem);

    private static string StringValue(JsonElement e, string ptr) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad(ptr, $"expected a string, found {Kind(e)}");

    /// <summary>A decimal integer string, no sign, no leading zeros: the form snarkjs reads and writes.</summary>
    private static BigInteger DecimalValue(JsonElement e, string ptr)
    {
        var s = StringValue(e, ptr);
        var ok = s.Length > 0 && s.All(char.IsAsciiDigit) && (s.Length == 1 || s[0] != '0');
        return ok
            ? BigInteger.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture)
            : throw Bad(ptr, $"'{s}' is not a decimal integer string (digits only, no leading zeros)");
    }

    private static ulong UInt64Value(JsonElement e, string ptr)
    {
        var v = DecimalValue(e, ptr);
        return v <= ulong.MaxValue ? (ulong)v : throw Bad(ptr, $"{v} does not fit 64 bits");
    }

    private static Fr FieldValue(JsonElement e, string ptr)
    {
        var v = DecimalValue(e, ptr);
        return v < Fr.Modulus ? Fr.FromBigInteger(v) : throw Bad(ptr, $"{v} is not below the BN254 scalar modulus");
    }

    private static int Int32Value(JsonElement e, string ptr) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v)
            ? v
            : throw Bad(ptr, $"expected a 32-bit integer number, found {Kind(e)} {e.GetRawText()}");

    private static Hash32 HashValue(JsonElement e, string ptr)
    {
        var s = StringValue(e, ptr);
        return s.StartsWith("0x", StringComparison.Ordinal) && Hash32.TryParse(s, out var h)
            ? h
            : throw Bad(ptr, $"'{s}' is not 0x followed by 64 hex digits");
    }

    private static EthAddress AddressValue(JsonElement e, string ptr)
    {
        var s = StringValue(e, ptr);
        return s.StartsWith("0x", StringComparison.Ordinal) && EthAddress.TryParse(s, out var a)
            ? a
            : throw Bad(ptr, $"'{s}' is not 0x followed by 40 hex digits");
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    /// <summary>A JSON object being read: each property is taken once, and <see cref="End"/> rejects any left over.</summary>
    private sealed class Obj
    {
        private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);
        private readonly string _ptr;

        public Obj(JsonElement e, string ptr)
        {
            _ptr = ptr;
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Bad(ptr, $"expected an object, found {Kind(e)}");
            }

            foreach (var p in e.EnumerateObject())
            {
                if (!_properties.TryAdd(p.Name, p.Value))
                {
                    throw Bad(Child(p.Name), "the property appears twice");
                }
            }
        }

        public string String(string name) => StringValue(Take(name), Child(name));
        public ulong UInt64(string name) => UInt64Value(Take(name), Child(name));
        public int Int32(string name) => Int32Value(Take(name), Child(name));
        public Fr Field(string name) => FieldValue(Take(name), Child(name));
        public Hash32 Hash(string name) => HashValue(Take(name), Child(name));
        public EthAddress Address(string name) => AddressValue(Take(name), Child(name));
        public Obj Object(string name) => new(Take(name), Child(name));

        public long Int64(string name)
        {
            var e = Take(name);
            return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v)
                ? v
                : throw Bad(Child(name), $"expected an integer number, found {Kind(e)} {e.GetRawText()}");
        }

        public Fr? OptionalField(string name) =>
            _properties.Remove(name, out var e) ? FieldValue(e, Child(name)) : null;

        public T[] Array<T>(string name, Func<JsonElement, string, T> read)
        {
            var e = Take(name);
            var ptr = Child(name);
            if (e.ValueKind != JsonValueKind.Array)
            {
                throw Bad(ptr, $"expected an array, found {Kind(e)}");
            }

            var result = new T[e.GetArrayLength()];
            var i = 0;
            foreach (var item in e.EnumerateArray())
            {
                result[i] = read(item, $"{ptr}/{i}");
                i++;
            }

            return result;
        }

        /// <summary>Refuses the first of <paramref name="names"/> that is present, saying why.</summary>
        public void Refuse(IEnumerable<string> names, string why)
        {
            foreach (var name in names)
            {
                if (_properties.ContainsKey(name))
                {
                    throw Bad(Child(name), why);
                }
            }
        }

        public void End()
        {
            foreach (var name in _properties.Keys)
            {
                throw Bad(Child(name), "unknown property");
            }
        }

        private JsonElement Take(string name) =>
            _properties.Remove(name, out var e) ? e : throw Bad(Child(name), "missing required property");

        // RFC 6901 escaping; witness property names never need it, but unknown ones might.
        private string Child(string name) => $"{_ptr}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";
    }
}
