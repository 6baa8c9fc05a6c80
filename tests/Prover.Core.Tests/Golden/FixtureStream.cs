using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Prover.Core.Ethereum;
using Prover.Core.Log;

namespace Prover.Core.Tests.Golden;

/// <summary>
/// A transaction stream from <c>fixtures/streams/</c>, written by <c>fixtures/streams/generate.sh</c>:
/// the rollup it was signed for and its transactions in arrival (log) order. The tests only read these
/// files; regenerating them is a deliberate, reviewed step.
/// </summary>
internal sealed record FixtureStream(
    string Name, ulong ChainId, EthAddress Inbox, EthAddress ExpressLaneController, IReadOnlyList<FixtureTransaction> Transactions)
{
    /// <summary>Every stream in <c>fixtures/streams/</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mixed", "small"];

    private static readonly ConcurrentDictionary<string, FixtureStream> Cache = new(StringComparer.Ordinal);

    public static FixtureStream Load(string name) => Cache.GetOrAdd(name, Read);

    /// <summary>
    /// The log the sequencer would write for this stream: every raw transaction decoded (and its
    /// signature recovered) by <see cref="TransactionDecoder"/>, seq counting from 0, the fixture's arrival time.
    /// </summary>
    public LogEntry[] LogEntries()
    {
        var entries = new LogEntry[Transactions.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new LogEntry((ulong)i, Transactions[i].ArrivalMs, TransactionDecoder.DecodeHex(Transactions[i].Raw, ChainId));
        }

        return entries;
    }

    private static FixtureStream Read(string name)
    {
        var path = RepoPaths.Fixture("streams", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        Assert.Equal(name, root.GetProperty("name").GetString());
        var transactions = root.GetProperty("transactions").EnumerateArray().Select(t => new FixtureTransaction(
            Raw: Text(t, "raw"),
            ArrivalMs: UInt64(t, "arrivalMs"),
            From: EthAddress.Parse(Text(t, "from")),
            Type: Text(t, "type") switch
            {
                "legacy" => TransactionType.Legacy,
                "eip2930" => TransactionType.AccessList,
                "eip1559" => TransactionType.DynamicFee,
                var other => throw new InvalidDataException($"{path}: unknown transaction type '{other}'."),
            },
            Nonce: UInt64(t, "nonce"),
            PriorityFee: UInt64(t, "priorityFee"),
            Note: Text(t, "note"))).ToArray();
        return new FixtureStream(
            name,
            UInt64(root, "chainId"),
            EthAddress.Parse(Text(root, "inbox")),
            EthAddress.Parse(Text(root, "expressLaneController")),
            transactions);
    }

    private static string Text(JsonElement e, string property) =>
        e.GetProperty(property).GetString() ?? throw new InvalidDataException($"'{property}' is null.");

    private static ulong UInt64(JsonElement e, string property) =>
        ulong.Parse(Text(e, property), NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>
/// One fixture transaction: the signed bytes, when the sequencer logged it, and what the generator says
/// it signed (checked against the decoder by <see cref="FixtureStreamTests"/>).
/// </summary>
internal sealed record FixtureTransaction(
    string Raw, ulong ArrivalMs, EthAddress From, TransactionType Type, ulong Nonce, ulong PriorityFee, string Note);
