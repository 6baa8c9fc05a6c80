using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>
/// The batch domain: what a proof about a batch's order is bound to, so that it cannot be replayed for
/// another rollup or passed off under another policy, parameters or circuit capacity.
/// <c>domain = Poseidon(chainId, inbox, policyNumericId, paramsCommitment, capacity)</c>.
/// </summary>
/// <remarks>
/// Every ordering circuit computes the domain with its own policy id and capacity as constants
/// (docs/circuits.md), so the domain an inbox is deployed with names the one circuit whose verifier
/// can finalize its batches: a verifier of another policy's circuit, or of another capacity, refuses
/// them all. The capacity matters beyond the count check: the posted list's multiset counts the
/// circuit's padding slots, so an inbox and a verifier that disagreed on it would finalize batches a
/// light client, rebuilding the statement with the inbox's capacity, could not verify.
/// </remarks>
public static class Domain
{
    /// <summary>
    /// <c>0</c> for a policy without parameters, else <c>Poseidon(p_1, …, p_k)</c> over the parameters'
    /// field elements in the policy's documented order (timeboost: controller, delayMs; shuffle: beacon).
    /// </summary>
    /// <remarks>
    /// 0 cannot collide with a real commitment except by finding a Poseidon preimage of 0, and policies
    /// with different parameter counts are already told apart by their numeric id.
    /// </remarks>
    public static Fr ParamsCommitment(OrderingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var parameters = policy.Parameters;
        if (parameters.Count == 0)
        {
            return Fr.Zero;
        }

        if (parameters.Count > Poseidon.MaxInputs)
        {
            throw new InvalidOperationException($"Policy {policy.Id} has {parameters.Count} parameters; the commitment hashes at most {Poseidon.MaxInputs}.");
        }

        var fields = new Fr[parameters.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = parameters[i].Field;
        }

        return Poseidon.Hash(fields);
    }

    public static Fr Compute(ulong chainId, EthAddress inbox, OrderingPolicy policy, int capacity)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Compute(chainId, inbox, policy.NumericId, ParamsCommitment(policy), capacity);
    }

    public static Fr Compute(ulong chainId, EthAddress inbox, int policyNumericId, Fr paramsCommitment, int capacity)
    {
        if (capacity < 1 || capacity > CircuitLimits.MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A circuit's capacity is 1 to {CircuitLimits.MaxCapacity}.");
        }

        return Poseidon.Hash([Fr.FromUInt64(chainId), inbox.ToField(), Fr.FromUInt64((ulong)policyNumericId), paramsCommitment, Fr.FromUInt64((ulong)capacity)]);
    }
}
