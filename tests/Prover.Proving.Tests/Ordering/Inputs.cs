using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Proving.Tests.Ordering;

/// <summary>
/// Edits of a circuit input document: the adversarial tests build each bad input directly, since the
/// honest witness generator (<see cref="CircuitInputs"/>) refuses to produce one.
/// </summary>
internal static class Inputs
{
    public static readonly BigInteger P = Fr.Modulus;

    public static BigInteger Get(JsonObject input, string name) => BigInteger.Parse(input[name]!.GetValue<string>(), CultureInfo.InvariantCulture);

    public static BigInteger Get(JsonObject input, string name, int i) => BigInteger.Parse(input[name]![i]!.GetValue<string>(), CultureInfo.InvariantCulture);

    public static void Set(JsonObject input, string name, BigInteger value) => input[name] = Mod(value);

    public static void Set(JsonObject input, string name, int i, BigInteger value) => input[name]![i] = Mod(value);

    public static JsonObject Copy(JsonObject input) => (JsonObject)input.DeepClone();

    /// <summary>Swaps two entries of an array signal.</summary>
    public static void Swap(JsonObject input, string name, int i, int j)
    {
        var a = Get(input, name, i);
        Set(input, name, i, Get(input, name, j));
        Set(input, name, j, a);
    }

    /// <summary>
    /// Recomputes outputCommitment from the document's own newHead, arrivals, claimed order (fcfs: the
    /// log order) and positions, so that a lie is consistent and only the order and range checks can
    /// catch it. Steps, positions and gaps that do not fit their widths wrap as they would in the
    /// circuit's bit decompositions.
    /// </summary>
    public static void Recommit(JsonObject input, string policy)
    {
        var n = input["arrival"]!.AsArray().Count;
        var b = OutputCommitment.IndexBits(n);
        UInt128[] composites;
        if (input["ordered"] is null)
        {
            var count = (int)Get(input, "count");
            composites = [.. Enumerable.Range(0, n).Select(i => (UInt128)(uint)i + (i < count ? 0 : UInt128.One << b))];
        }
        else
        {
            composites = [.. Enumerable.Range(0, n).Select(i => (UInt128)(Get(input, "ordered", i) & UInt128.MaxValue))];
        }

        var arrivals = Enumerable.Range(0, n).Select(i => (ulong)(Get(input, "arrival", i) & ulong.MaxValue)).ToArray();
        int[]? positions = input["position"] is null ? null : [.. Enumerable.Range(0, n).Select(i => (int)(Get(input, "position", i) & int.MaxValue))];
        var stepBits = OutputCommitment.StepBits(Batches.Policy(policy), n);
        var commitment = OutputCommitment.SpongeOfSteps(Fr.FromBigInteger(Get(input, "newHead")), composites, stepBits, positions, arrivals);
        Set(input, "outputCommitment", commitment.ToBigInteger());
    }

    /// <summary>
    /// Sets the header and the three list values to what the inbox computes for a call that posts
    /// <paramref name="posted"/> (by default the witness's own list) with the document's current domain,
    /// heads and output commitment: the statement a verifier checks the proof against. The parts of the
    /// header default to the witness's.
    /// </summary>
    public static BatchStatement Post(
        JsonObject input, OrderingWitness witness, IReadOnlyList<Hash32>? posted = null, ulong? prevLastArrivalMs = null,
        ulong? lastArrivalMs = null, Fr? beacon = null)
    {
        var statement = BatchStatement.For(
            Fr.FromBigInteger(Get(input, "domain")),
            Fr.FromBigInteger(Get(input, "prevHead")),
            Fr.FromBigInteger(Get(input, "newHead")),
            Fr.FromBigInteger(Get(input, "outputCommitment")),
            prevLastArrivalMs ?? witness.PrevLastArrivalMs,
            lastArrivalMs ?? witness.Entries[^1].ArrivalMs,
            beacon ?? witness.Beacon ?? Fr.Zero,
            posted ?? witness.OrderedTxHashes,
            witness.Capacity);
        Set(input, "header", statement.Header.ToBigInteger());
        Set(input, "listChallenge", statement.ListChallenge.ToBigInteger());
        Set(input, "listDigest", statement.ListDigest.ToBigInteger());
        Set(input, "listMultiset", statement.ListMultiset.ToBigInteger());
        return statement;
    }

    /// <summary>
    /// The posted-list digest and multiset the circuit computes from the document's own txIds and positions
    /// (fcfs: the slot order) at its listChallenge, to check that a forged document satisfies the binding.
    /// </summary>
    public static (BigInteger Digest, BigInteger Multiset) ListValuesOf(JsonObject input)
    {
        var n = input["txId"]!.AsArray().Count;
        var gamma = Get(input, "listChallenge");
        BigInteger digest = 0, multiset = 1;
        for (var j = 0; j < n; j++)
        {
            var position = input["position"] is null ? j : (int)Get(input, "position", j);
            digest = (digest + (Get(input, "txId", j) * BigInteger.ModPow(gamma, position, P))) % P;
            multiset = multiset * (gamma - Get(input, "txId", j) + P) % P;
        }

        return (digest, multiset);
    }

    private static string Mod(BigInteger value) => (((value % P) + P) % P).ToString(CultureInfo.InvariantCulture);
}
