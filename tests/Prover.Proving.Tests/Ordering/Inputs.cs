using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Core.Field;

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

    private static string Mod(BigInteger value) => (((value % P) + P) % P).ToString(CultureInfo.InvariantCulture);
}
