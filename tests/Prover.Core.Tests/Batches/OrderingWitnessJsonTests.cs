using System.Text.Json;
using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

public class OrderingWitnessJsonTests
{
    [Fact]
    public void Witness_survives_a_JSON_round_trip()
    {
        var witness = HandMadeWitness.Build();
        var json = witness.ToJson();
        var back = OrderingWitness.FromJson(json);

        Assert.Equal(json, back.ToJson());
        Assert.Equal(witness.Entries, back.Entries);
        Assert.Equal(witness.Permutation, back.Permutation);
        Assert.Equal(witness.Policy.Parameters, back.Policy.Parameters);
        Assert.Equal((witness.ChainId, witness.Inbox, witness.BatchIndex, witness.NewHead), (back.ChainId, back.Inbox, back.BatchIndex, back.NewHead));
        Assert.Null(back.ShuffleSeed);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(200)]
    public void Writing_to_a_stream_gives_the_bytes_of_the_text(int count)
    {
        // 200 entries pass the writer's 16 KB flush threshold several times.
        var segment = Enumerable.Range(0, count).Select(i => Entry((ulong)i, 10 + (ulong)i, Senders[i % Senders.Length], fee: (ulong)(i % 7))).ToArray();
        var batch = BatchBuilder.Build(0, Fr.One, segment, PriorityFeePolicy.Instance, 31337, Inbox, capacity: 256);
        var witness = OrderingWitness.FromBatch(batch);
        using var stream = new MemoryStream();

        witness.WriteJson(stream);

        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(witness.ToJson()), stream.ToArray());
    }

    [Fact]
    public void Witness_JSON_writes_integers_as_decimal_strings_and_hashes_as_hex()
    {
        var doc = JsonNode.Parse(HandMadeWitness.Build().ToJson())!;
        Assert.Equal(OrderingWitness.CurrentVersion, doc["version"]!.GetValue<int>());
        Assert.Equal("42161", doc["chainId"]!.GetValue<string>());
        Assert.Equal("7", doc["batchIndex"]!.GetValue<string>());
        Assert.Equal(3, doc["policy"]!["numericId"]!.GetValue<int>());
        Assert.Equal(HandMadeWitness.Policy.ToString(), doc["policy"]!["spec"]!.GetValue<string>());
        var entry = doc["entries"]![0]!;
        Assert.Equal("100", entry["seq"]!.GetValue<string>());
        Assert.Equal(HashFor(100).ToString(), entry["txHash"]!.GetValue<string>());
        Assert.Equal(CircuitEncoding().ToString(), entry["txId"]!.GetValue<string>());
        Assert.Equal(4, doc["count"]!.GetValue<int>());
        Assert.Equal(JsonValueKind.Number, doc["permutation"]![0]!.GetValueKind());
        Assert.Null(doc["shuffleSeed"]);

        static Fr CircuitEncoding() => Prover.Core.Log.CircuitEncoding.TxId(HashFor(100));
    }

    [Fact]
    public void A_drawn_shuffle_witness_carries_its_beacon_and_seed_through_JSON()
    {
        var beacon = Fr.FromUInt64(4242);
        var witness = HandMadeWitness.Build(ShufflePolicy.Instance, beacon);
        var doc = JsonNode.Parse(witness.ToJson())!;
        Assert.Equal("4242", doc["beacon"]!.GetValue<string>());

        var back = OrderingWitness.FromJson(witness.ToJson());
        Assert.True(back.IsOrdered);
        Assert.Equal(beacon, back.Beacon);
        Assert.Equal(witness.ShuffleSeed, back.ShuffleSeed);
        Assert.Equal(Poseidon.Hash([witness.NewHead, beacon]), back.ShuffleSeed);
    }

    [Fact]
    public void An_undrawn_shuffle_witness_round_trips_without_any_part_of_an_order()
    {
        var witness = HandMadeWitness.Undrawn();
        Assert.False(witness.IsOrdered);
        var json = witness.ToJson();
        var doc = JsonNode.Parse(json)!.AsObject();
        foreach (var name in OrderFields)
        {
            Assert.False(doc.ContainsKey(name), $"an undrawn witness wrote {name}");
        }

        Assert.False(doc.ContainsKey("beacon"));
        var back = OrderingWitness.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.False(back.IsOrdered);
        Assert.Null(back.Beacon);
        Assert.Null(back.OutputCommitment);
        Assert.Empty(back.Permutation);
        Assert.Equal(witness.Entries, back.Entries);
        Assert.Equal(HandMadeWitness.PrevLastArrivalMs, back.PrevLastArrivalMs);
    }

    /// <summary>What a witness holds of the order, which a shuffle batch has only once its beacon is drawn.</summary>
    public static TheoryData<string> OrderFields => ["permutation", "orderedTxHashes", "sortKeys", "shuffleSeed", "outputCommitment"];

    [Theory]
    [MemberData(nameof(OrderFields))]
    public void An_undrawn_shuffle_witness_with_a_part_of_an_order_is_refused_with_a_pointer_to_it(string field)
    {
        var ordered = JsonNode.Parse(HandMadeWitness.Build(ShufflePolicy.Instance, Fr.FromUInt64(5)).ToJson())!.AsObject();
        var json = EditOf(HandMadeWitness.Undrawn(), d => d[field] = ordered[field]!.DeepClone());
        var e = Assert.Throws<WitnessFormatException>(() => OrderingWitness.FromJson(json));
        Assert.Equal("/" + field, e.Pointer);
        Assert.Contains("no order before its beacon is drawn", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ordered_witness_without_its_output_commitment_is_refused()
    {
        var e = Assert.Throws<WitnessFormatException>(() => OrderingWitness.FromJson(Edit(d => d.Remove("outputCommitment"))));
        Assert.Equal("/outputCommitment", e.Pointer);
        Assert.Contains("missing required property", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void A_witness_of_another_version_is_refused(int version)
    {
        Assert.Equal(3, OrderingWitness.CurrentVersion);
        var e = Assert.Throws<UnsupportedWitnessVersionException>(() => OrderingWitness.FromJson(Edit(d => d["version"] = version)));
        Assert.Equal(version, e.Version);
        Assert.Equal("/version", e.Pointer);
    }

    [Fact]
    public void A_document_that_is_not_JSON_is_refused()
    {
        var e = Assert.Throws<WitnessFormatException>(() => OrderingWitness.FromJson("{\"version\": 1,"));
        Assert.Equal("", e.Pointer);
        Assert.Contains("not a JSON document", e.Problem, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> Malformations => new()
    {
        { "remove version", "/version", "missing required property" },
        { "version as string", "/version", "expected an integer number" },
        { "remove entry txId", "/entries/0/txId", "missing required property" },
        { "unknown top-level property", "/extra", "unknown property" },
        { "unknown entry property", "/entries/1/gasLimit", "unknown property" },
        { "chainId as number", "/chainId", "expected a string, found number" },
        { "seq with leading zero", "/entries/2/seq", "not a decimal integer string" },
        { "negative fee", "/entries/0/fee", "not a decimal integer string" },
        { "arrival past 64 bits", "/entries/0/arrivalMs", "does not fit 64 bits" },
        { "head not below r", "/entries/3/head", "not below the BN254 scalar modulus" },
        { "field element in hex", "/domain", "not a decimal integer string" },
        { "short tx hash", "/orderedTxHashes/1", "not 0x followed by 64 hex digits" },
        { "sender without 0x", "/entries/0/sender", "not 0x followed by 40 hex digits" },
        { "permutation entry as string", "/permutation/0", "expected a 32-bit integer number" },
        { "entries as object", "/entries", "expected an array" },
        { "policy as string", "/policy", "expected an object" },
        { "parameter without field", "/policy/parameters/0/field", "missing required property" },
        { "remove prevLastArrivalMs", "/prevLastArrivalMs", "missing required property" },
        { "prevLastArrivalMs as number", "/prevLastArrivalMs", "expected a string, found number" },
        { "beacon in hex", "/beacon", "not a decimal integer string" },
    };

    [Theory]
    [MemberData(nameof(Malformations))]
    public void Malformed_witness_documents_are_refused_with_a_pointer_to_the_problem(string edit, string pointer, string problem)
    {
        var json = Edit(d =>
        {
            switch (edit)
            {
                case "remove version": d.Remove("version"); break;
                case "version as string": d["version"] = "2"; break;
                case "remove entry txId": ((JsonObject)d["entries"]![0]!).Remove("txId"); break;
                case "unknown top-level property": d["extra"] = 1; break;
                case "unknown entry property": d["entries"]![1]!["gasLimit"] = "21000"; break;
                case "chainId as number": d["chainId"] = 42161; break;
                case "seq with leading zero": d["entries"]![2]!["seq"] = "0102"; break;
                case "negative fee": d["entries"]![0]!["fee"] = "-5"; break;
                case "arrival past 64 bits": d["entries"]![0]!["arrivalMs"] = "18446744073709551616"; break;
                case "head not below r": d["entries"]![3]!["head"] = Fr.Modulus.ToString(); break;
                case "field element in hex": d["domain"] = "0x01"; break;
                case "short tx hash": d["orderedTxHashes"]![1] = "0x1234"; break;
                case "sender without 0x": d["entries"]![0]!["sender"] = Alice.ToString()[2..]; break;
                case "permutation entry as string": d["permutation"]![0] = "0"; break;
                case "entries as object": d["entries"] = new JsonObject(); break;
                case "policy as string": d["policy"] = "fcfs"; break;
                case "parameter without field": ((JsonObject)d["policy"]!["parameters"]![0]!).Remove("field"); break;
                case "remove prevLastArrivalMs": d.Remove("prevLastArrivalMs"); break;
                case "prevLastArrivalMs as number": d["prevLastArrivalMs"] = 990; break;
                case "beacon in hex": d["beacon"] = "0x05"; break;
                default: throw new ArgumentException(edit);
            }
        });
        var e = Assert.Throws<WitnessFormatException>(() => OrderingWitness.FromJson(json));
        Assert.Equal(pointer, e.Pointer);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_property_is_refused()
    {
        var json = HandMadeWitness.Build().ToJson().Replace("\"chainId\": \"42161\",", "\"chainId\": \"42161\", \"chainId\": \"1\",", StringComparison.Ordinal);
        var e = Assert.Throws<WitnessFormatException>(() => OrderingWitness.FromJson(json));
        Assert.Equal("/chainId", e.Pointer);
        Assert.Contains("appears twice", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_JSON_schema_lists_exactly_the_properties_the_serializer_writes()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "witness.schema.json")))!;
        var drawn = JsonNode.Parse(HandMadeWitness.Build(ShufflePolicy.Instance, Fr.FromUInt64(5)).ToJson())!.AsObject();
        var undrawn = JsonNode.Parse(HandMadeWitness.Undrawn().ToJson())!.AsObject();

        Assert.Equal(3, schema["properties"]!["version"]!["const"]!.GetValue<int>());
        AssertSameProperties(schema, drawn);
        AssertSameProperties(schema["properties"]!["policy"]!, drawn["policy"]!.AsObject());
        AssertSameProperties(schema["$defs"]!["parameter"]!, JsonNode.Parse(HandMadeWitness.Build().ToJson())!["policy"]!["parameters"]![0]!.AsObject());
        AssertSameProperties(schema["$defs"]!["entry"]!, drawn["entries"]![0]!.AsObject());

        // Always required: exactly what an undrawn shuffle witness writes. The order is required only
        // once there is one.
        Assert.Equal(undrawn.Select(p => p.Key).Order(), Names(schema["required"]!).Order());
        var ordered = drawn.Select(p => p.Key).Except(undrawn.Select(p => p.Key)).Except(["beacon", "shuffleSeed"]);
        Assert.Equal(ordered.Order(), Names(schema["allOf"]![0]!["else"]!["required"]!).Order());

        static void AssertSameProperties(JsonNode schemaObject, JsonObject written)
        {
            Assert.Equal(
                written.Select(p => p.Key).Order(),
                schemaObject["properties"]!.AsObject().Select(p => p.Key).Order());
            Assert.False(schemaObject["additionalProperties"]!.GetValue<bool>());
        }

        static IEnumerable<string> Names(JsonNode array) => array.AsArray().Select(n => n!.GetValue<string>());
    }

    private static string Edit(Action<JsonObject> edit) => EditOf(HandMadeWitness.Build(), edit);

    private static string EditOf(OrderingWitness witness, Action<JsonObject> edit)
    {
        var doc = JsonNode.Parse(witness.ToJson())!.AsObject();
        edit(doc);
        return doc.ToJsonString();
    }
}
