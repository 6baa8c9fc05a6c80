using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Prover.Crypto.Field;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>
/// The signals an ordering circuit (circuits/ordering/policies.circom) takes for one batch, built from
/// its ordering witness: the eight public inputs (<see cref="BatchStatement"/>), the slots in log order
/// padded to the capacity, the one-hot selector of <c>count</c>, the claimed order as composites, each
/// slot's output position, the deployment (chain id and inbox) and the policy's parameters.
/// </summary>
/// <remarks>
/// Padding follows the circuits' rules (docs/circuits.md): zero leaves with fee 0 whose arrival repeats
/// the last real one, so every gap after the batch is 0, and whose position is the slot's own. Values
/// are decimal strings, as circom's witness calculator and snarkjs expect.
/// </remarks>
public static class CircuitInputs
{
    /// <summary>The public signals in the circuits' order, as snarkjs writes them to public.json.</summary>
    public static IReadOnlyList<string> PublicSignalNames => BatchStatement.SignalNames;

    /// <summary>The circuit main for a policy and capacity, relative to circuits/ (e.g. <c>main/priority_fee_8.circom</c>).</summary>
    public static string MainFor(string policyId, int capacity) =>
        $"main/{policyId.Replace('-', '_')}_{capacity.ToString(CultureInfo.InvariantCulture)}.circom";

    /// <summary>The public signals of a witness's statement, in <see cref="PublicSignalNames"/> order.</summary>
    /// <exception cref="InvalidOperationException">The witness has no order yet (a shuffle batch before its beacon).</exception>
    public static IReadOnlyList<Fr> PublicSignals(OrderingWitness witness) => BatchStatement.Of(witness).Signals;

    /// <summary>The circuit's input document for a witness.</summary>
    /// <exception cref="InvalidWitnessException">The witness is inconsistent; it is checked in full first.</exception>
    /// <exception cref="InvalidOperationException">The witness has no order yet (a shuffle batch before its beacon).</exception>
    public static JsonObject From(OrderingWitness witness)
    {
        ArgumentNullException.ThrowIfNull(witness);
        witness.EnsureValid();
        var statement = BatchStatement.Of(witness);
        var policy = OrderingPolicy.Parse(witness.Policy.Spec);
        var n = witness.Capacity;
        var entries = witness.Entries;
        var lastArrival = entries[^1].ArrivalMs;

        var input = new JsonObject();
        var names = PublicSignalNames;
        var publics = statement.Signals;
        for (var i = 0; i < names.Count; i++)
        {
            input[names[i]] = publics[i].ToString();
        }

        input["chainId"] = Dec(witness.ChainId);
        input["inbox"] = witness.Inbox.ToField().ToString();
        input["count"] = witness.Count.ToString(CultureInfo.InvariantCulture);
        input["prevLastArrival"] = Dec(witness.PrevLastArrivalMs);
        input["txId"] = Column(n, j => j < entries.Count ? entries[j].TxId.ToString() : "0");
        input["senderNonce"] = Column(n, j => j < entries.Count ? entries[j].SenderNonce.ToString() : "0");
        input["fee"] = Column(n, j => j < entries.Count ? Dec(entries[j].Fee) : "0");
        input["arrival"] = Column(n, j => Dec(j < entries.Count ? entries[j].ArrivalMs : lastArrival));
        input["selector"] = Column(n + 1, k => k == witness.Count ? "1" : "0");

        // fcfs proves the log order itself and takes neither a claimed order nor positions.
        if (policy is not FcfsPolicy)
        {
            var composites = OutputCommitment.OrderedComposites(
                policy, witness.SortKeys.Select(PolicyKey.FromField).ToArray(), witness.Permutation, n);
            input["ordered"] = Column(n, i => composites[i].ToString(CultureInfo.InvariantCulture));
            var positions = OutputCommitment.Positions(witness.Permutation, n);
            input["position"] = Column(n, j => positions[j].ToString(CultureInfo.InvariantCulture));
        }

        switch (policy)
        {
            case TimeboostPolicy timeboost:
                input["controller"] = timeboost.Controller.ToField().ToString();
                input["delayMs"] = Dec(timeboost.DelayMs);
                break;
            case ShufflePolicy:
                input["beacon"] = (witness.Beacon ?? Fr.Zero).ToString();
                break;
        }

        return input;
    }
    /// <summary><see cref="From"/> as indented JSON text.</summary>
    public static string ToJson(OrderingWitness witness) =>
        From(witness).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static JsonArray Column(int length, Func<int, string> value)
    {
        var array = new JsonArray();
        for (var i = 0; i < length; i++)
        {
            array.Add(value(i));
        }

        return array;
    }

    private static string Dec(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
