using Prover.Core.Log;
using Prover.Core.Ordering;

namespace Prover.Core.Batches;

/// <summary>
/// Recomputes an <see cref="OrderingWitness"/> and reports its first inconsistency. The order of the
/// checks is part of the contract (docs/witness.md): hash-free checks first, Poseidon ones last.
/// </summary>
internal static class WitnessValidator
{
    public static WitnessProblem? FirstProblem(OrderingWitness w)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (w.Version != OrderingWitness.CurrentVersion)
        {
            return new("/version", $"version {w.Version} is not {OrderingWitness.CurrentVersion}");
        }

        var (policy, policyProblem) = CheckPolicy(w.Policy);
        if (policyProblem is not null)
        {
            return policyProblem;
        }

        var problem = CheckEntries(w) ?? CheckBeacon(w, policy!);
        if (problem is not null)
        {
            return problem;
        }

        if (!w.IsOrdered)
        {
            // A shuffle batch before its beacon: the segment is all there is to check.
            return CheckUnordered(w) ?? CheckDomain(w, policy!) ?? CheckHeads(w);
        }

        problem = CheckPermutation(w) ?? CheckLengths(w, policy!);
        if (problem is not null)
        {
            return problem;
        }

        // Hash-free policies: keys and order before any Poseidon work.
        if (!policy!.KeysNeedHashing && CheckKeysAndOrder(w, policy) is { } keyProblem)
        {
            return keyProblem;
        }

        problem = CheckDomain(w, policy) ?? CheckHeads(w);
        if (problem is not null)
        {
            return problem;
        }

        if (policy.KeysNeedHashing)
        {
            var seed = policy.Seed(w.NewHead, w.Beacon);
            if (seed != w.ShuffleSeed)
            {
                return new("/shuffleSeed", $"{w.ShuffleSeed} is not Poseidon(newHead, beacon) = {seed}");
            }

            if (CheckKeysAndOrder(w, policy) is { } hashedKeyProblem)
            {
                return hashedKeyProblem;
            }
        }

        var output = OutputCommitment.Compute(
            policy, w.NewHead, w.Entries.Select(e => e.ArrivalMs).ToArray(), w.SortKeys.Select(PolicyKey.FromField).ToArray(), w.Permutation, w.Capacity);
        return output != w.OutputCommitment
            ? new("/outputCommitment", $"{w.OutputCommitment} is not the commitment to the ordered composites, {output}")
            : null;
    }

    private static (OrderingPolicy? Policy, WitnessProblem? Problem) CheckPolicy(WitnessPolicy wp)
    {
        if (!OrderingPolicy.TryParse(wp.Spec, out var policy, out var error))
        {
            return (null, new("/policy/spec", error!.Problem));
        }

        if (policy!.Id != wp.Id)
        {
            return (null, new("/policy/id", $"'{wp.Id}' does not match the spec's policy '{policy.Id}'"));
        }

        if (policy.NumericId != wp.NumericId)
        {
            return (null, new("/policy/numericId", $"{wp.NumericId} is not policy {policy.Id}'s numeric id {policy.NumericId}"));
        }

        var expected = policy.Parameters;
        if (wp.Parameters.Count != expected.Count)
        {
            return (null, new("/policy/parameters", $"{wp.Parameters.Count} parameters listed; policy {policy.Id} has {expected.Count}"));
        }

        for (var i = 0; i < expected.Count; i++)
        {
            if (wp.Parameters[i] != expected[i])
            {
                return (null, new($"/policy/parameters/{i}",
                    $"{wp.Parameters[i].Name}={wp.Parameters[i].Value} (field {wp.Parameters[i].Field}) does not match the spec's " +
                    $"{expected[i].Name}={expected[i].Value} (field {expected[i].Field})"));
            }
        }

        return (policy, null);
    }

    private static WitnessProblem? CheckEntries(OrderingWitness w)
    {
        if (w.Entries.Count == 0)
        {
            return new("/entries", "a batch holds at least one entry");
        }

        if (w.Count != w.Entries.Count)
        {
            return new("/count", $"{w.Count} does not match the {w.Entries.Count} entries");
        }

        if (w.Capacity < w.Count || w.Capacity > CircuitLimits.MaxCapacity)
        {
            return new("/capacity", $"{w.Capacity} is not between count {w.Count} and {CircuitLimits.MaxCapacity}");
        }

        if (w.PrevLastArrivalMs >> CircuitLimits.PrevArrivalBits != 0)
        {
            return new("/prevLastArrivalMs", $"{w.PrevLastArrivalMs} does not fit the circuits' {CircuitLimits.PrevArrivalBits} bits");
        }

        if (w.Entries[0].ArrivalMs < w.PrevLastArrivalMs)
        {
            return new("/entries/0/arrivalMs", $"{w.Entries[0].ArrivalMs} is before the previous batch's last arrival, {w.PrevLastArrivalMs}");
        }

        for (var i = 0; i < w.Entries.Count; i++)
        {
            var e = w.Entries[i];
            var at = $"/entries/{i}";
            if ((ulong)i > ulong.MaxValue - w.FirstSeq || e.Seq != w.FirstSeq + (ulong)i)
            {
                return new($"{at}/seq", $"{e.Seq} is not firstSeq + {i}");
            }

            if (i > 0 && e.ArrivalMs < w.Entries[i - 1].ArrivalMs)
            {
                return new($"{at}/arrivalMs", $"{e.ArrivalMs} is before the previous entry's {w.Entries[i - 1].ArrivalMs}");
            }

            if (i == 0 && e.ArrivalMs >> CircuitLimits.FirstArrivalBits != 0)
            {
                return new($"{at}/arrivalMs", $"{e.ArrivalMs} does not fit the circuits' {CircuitLimits.FirstArrivalBits} bits for a batch's first arrival");
            }

            if (i > 0 && (e.ArrivalMs - w.Entries[i - 1].ArrivalMs) >> CircuitLimits.ArrivalGapBits != 0)
            {
                return new($"{at}/arrivalMs", $"{e.ArrivalMs} is 2^{CircuitLimits.ArrivalGapBits} ms or more after the previous entry's {w.Entries[i - 1].ArrivalMs}; the circuits cannot carry that gap");
            }

            if (e.TxId != CircuitEncoding.TxId(e.TxHash))
            {
                return new($"{at}/txId", $"{e.TxId} is not txHash with its top three bits cleared");
            }

            if (e.SenderNonce != CircuitEncoding.SenderNonce(e.Sender, e.Nonce))
            {
                return new($"{at}/senderNonce", $"{e.SenderNonce} is not sender·2^64 + nonce");
            }

            if (e.FeeArrival != CircuitEncoding.FeeArrival(e.Fee, e.ArrivalMs))
            {
                return new($"{at}/feeArrival", $"{e.FeeArrival} is not fee·2^64 + arrivalMs");
            }
        }

        return null;
    }

    private static WitnessProblem? CheckBeacon(OrderingWitness w, OrderingPolicy policy)
    {
        if (w.Beacon is not { } beacon)
        {
            return null;
        }

        if (!policy.NeedsBeacon)
        {
            return new("/beacon", $"policy {policy.Id} draws no beacon, but one is given");
        }

        return beacon.ToBigInteger() >> BatchHeader.BeaconBits != 0
            ? new("/beacon", $"{beacon} does not fit the beacon's {BatchHeader.BeaconBits} bits")
            : null;
    }

    private static WitnessProblem? CheckUnordered(OrderingWitness w)
    {
        if (w.Permutation.Count != 0 || w.OrderedTxHashes.Count != 0 || w.SortKeys.Count != 0 || w.ShuffleSeed.HasValue || w.OutputCommitment.HasValue)
        {
            return new("/beacon", "a shuffle batch has no order before its beacon is drawn, yet this one has parts of one");
        }

        return null;
    }

    private static WitnessProblem? CheckPermutation(OrderingWitness w)
    {
        var n = w.Entries.Count;
        if (w.Permutation.Count != n)
        {
            return new("/permutation", $"{w.Permutation.Count} positions for {n} entries");
        }

        var seen = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var p = w.Permutation[i];
            if (p < 0 || p >= n)
            {
                return new($"/permutation/{i}", $"{p} is not an entry index in [0, {n})");
            }

            if (seen[p])
            {
                return new($"/permutation/{i}", $"entry {p} is placed twice");
            }

            seen[p] = true;
        }

        return null;
    }

    private static WitnessProblem? CheckLengths(OrderingWitness w, OrderingPolicy policy)
    {
        var n = w.Entries.Count;
        if (w.OrderedTxHashes.Count != n)
        {
            return new("/orderedTxHashes", $"{w.OrderedTxHashes.Count} hashes for {n} entries");
        }

        for (var i = 0; i < n; i++)
        {
            if (w.OrderedTxHashes[i] != w.Entries[w.Permutation[i]].TxHash)
            {
                return new($"/orderedTxHashes/{i}", $"{w.OrderedTxHashes[i]} is not the hash of entry {w.Permutation[i]}, which the permutation places here");
            }
        }

        if (w.SortKeys.Count != n)
        {
            return new("/sortKeys", $"{w.SortKeys.Count} keys for {n} entries");
        }

        if (policy.KeysNeedHashing != w.ShuffleSeed.HasValue)
        {
            return new("/shuffleSeed", policy.KeysNeedHashing
                ? $"policy {policy.Id} needs a shuffle seed"
                : $"policy {policy.Id} has no shuffle seed, but one is given");
        }

        return null;
    }

    private static WitnessProblem? CheckKeysAndOrder(OrderingWitness w, OrderingPolicy policy)
    {
        var items = w.Entries.Select(e => e.Item).ToArray();
        PolicyKey[] keys;
        try
        {
            keys = policy.Keys(items, w.NewHead, w.Beacon);
        }
        catch (ValueOutOfRangeException e)
        {
            return new("/entries", e.Message);
        }

        for (var i = 0; i < keys.Length; i++)
        {
            if (PolicyKey.FromField(w.SortKeys[i]) != keys[i])
            {
                return new($"/sortKeys/{i}", $"{w.SortKeys[i]} is not entry {i}'s {policy.Id} key {keys[i]}");
            }
        }

        // A bijection that is strictly increasing under (key, seq) is the one order the policy allows.
        for (var i = 1; i < w.Permutation.Count; i++)
        {
            int a = w.Permutation[i - 1], b = w.Permutation[i];
            if (!OrderingPolicy.Precedes(keys[a], items[a].Seq, keys[b], items[b].Seq))
            {
                return new($"/permutation/{i}", $"entry {b} (seq {items[b].Seq}) does not sort after entry {a} (seq {items[a].Seq}) under {policy.Id}");
            }
        }

        return null;
    }

    private static WitnessProblem? CheckDomain(OrderingWitness w, OrderingPolicy policy)
    {
        var commitment = Domain.ParamsCommitment(policy);
        if (commitment != w.Policy.ParamsCommitment)
        {
            return new("/policy/paramsCommitment", $"{w.Policy.ParamsCommitment} is not the commitment to the parameters, {commitment}");
        }

        var domain = Domain.Compute(w.ChainId, w.Inbox, policy.NumericId, commitment, w.Capacity);
        return domain != w.Domain
            ? new("/domain", $"{w.Domain} is not Poseidon(chainId, inbox, numericId, paramsCommitment, capacity) = {domain}")
            : null;
    }

    private static WitnessProblem? CheckHeads(OrderingWitness w)
    {
        var head = w.PrevHead;
        for (var i = 0; i < w.Entries.Count; i++)
        {
            head = ReceiptChain.Step(head, w.Entries[i].Leaf);
            if (head != w.Entries[i].Head)
            {
                return new($"/entries/{i}/head", $"{w.Entries[i].Head} is not the log head after this entry, {head}");
            }
        }

        return head != w.NewHead
            ? new("/newHead", $"{w.NewHead} is not the head after the last entry, {head}")
            : null;
    }
}
