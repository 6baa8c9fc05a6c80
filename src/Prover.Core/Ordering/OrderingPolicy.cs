using System.Text;
using Prover.Crypto.Field;
using Prover.Core.Log;

namespace Prover.Core.Ordering;

/// <summary>
/// A declared rule for ordering a batch. A policy is data: a stable string <see cref="Id"/>, a stable
/// <see cref="NumericId"/> the circuits bind into the batch domain, and parameters. Every policy maps
/// each entry to a <see cref="PolicyKey"/> and orders ascending by <c>(key, seq)</c>; since log positions
/// are distinct, that order is total and unique, which is what lets a circuit check it.
/// </summary>
/// <remarks>
/// The canonical text form (<see cref="ToString"/>) parses back with <see cref="Parse"/>; see
/// docs/policies.md for each policy's definition and its limits.
/// </remarks>
public abstract record OrderingPolicy
{
    private protected OrderingPolicy() { }

    /// <summary>The policy ids <see cref="Parse"/> knows, in numeric-id order.</summary>
    public static IReadOnlyList<string> KnownIds { get; } =
        [FcfsPolicy.PolicyId, PriorityFeePolicy.PolicyId, TimeboostPolicy.PolicyId, ShufflePolicy.PolicyId];

    /// <summary>The stable string id, e.g. <c>priority-fee</c>.</summary>
    public abstract string Id { get; }

    /// <summary>The stable numeric id bound into the batch domain: fcfs=1, priority-fee=2, timeboost=3, shuffle=4.</summary>
    public abstract int NumericId { get; }

    /// <summary>The parameters in their documented order; that order is also the order of the parameter commitment's inputs.</summary>
    public abstract IReadOnlyList<PolicyParameter> Parameters { get; }

    /// <summary>One sentence for operators and logs.</summary>
    public abstract string Describe();

    /// <summary>
    /// Whether the policy orders a batch only with a beacon drawn after the batch is fixed (the shuffle);
    /// such a batch is committed on chain before it can be ordered and proven (docs/policies.md).
    /// </summary>
    public virtual bool NeedsBeacon => false;

    /// <summary>
    /// The shuffle seed for a batch closing at <paramref name="newHead"/> with <paramref name="beacon"/>,
    /// or null for policies that use none.
    /// </summary>
    public virtual Fr? Seed(Fr newHead, Fr? beacon) => null;

    /// <summary>True when computing keys costs hashing (the shuffle); a witness check then runs it after the cheap checks.</summary>
    internal virtual bool KeysNeedHashing => false;

    /// <summary>
    /// The width of the keys the ordering circuit compares for this policy; its largest key,
    /// 2^bits − 1, is the padding key that sorts after every real entry (docs/circuits.md).
    /// </summary>
    internal virtual int CircuitKeyBits => 64;

    /// <summary>
    /// True when the output is the log order by definition (fcfs): its circuit checks no permutation, so
    /// the output commitment carries no output positions for it.
    /// </summary>
    internal virtual bool OutputIsLogOrder => false;

    /// <summary>An entry's key as the circuit sees it: the policy key, which fits <see cref="CircuitKeyBits"/>.</summary>
    internal virtual ulong CircuitKey(in PolicyKey key) => key.ToUInt64();

    /// <summary>
    /// Writes each item's key to <paramref name="keys"/> (same index). <paramref name="seed"/> is what
    /// <see cref="Seed"/> returned for this batch.
    /// </summary>
    private protected abstract void ComputeKeys(ReadOnlySpan<OrderingItem> items, Fr? seed, Span<PolicyKey> keys);

    /// <summary>The policy key of each item, in the items' order.</summary>
    /// <param name="newHead">The log head after the batch's last entry; only the shuffle policy reads it.</param>
    /// <param name="beacon">The batch's beacon; only the shuffle policy reads it, and needs it.</param>
    public PolicyKey[] Keys(ReadOnlySpan<OrderingItem> items, Fr newHead, Fr? beacon = null)
    {
        var keys = new PolicyKey[items.Length];
        ComputeKeys(items, Seed(newHead, beacon), keys);
        return keys;
    }

    /// <inheritdoc cref="Order(ReadOnlySpan{OrderingItem}, Fr, Fr?)"/>
    public OrderingResult Order(IReadOnlyList<LogEntry> segment, Fr newHead, Fr? beacon = null)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var items = new OrderingItem[segment.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = OrderingItem.From(segment[i]);
        }

        return Order(items, newHead, beacon);
    }

    /// <summary>
    /// Orders a segment: the permutation (ordered position → index into the segment), each entry's key,
    /// and the shuffle seed where there is one. Sorting is over precomputed keys, O(n log n) integer
    /// comparisons; the shuffle policy additionally pays one Poseidon hash per entry.
    /// </summary>
    /// <param name="newHead">The log head after the segment's last entry.</param>
    /// <param name="beacon">The batch's beacon, which the shuffle needs (<see cref="NeedsBeacon"/>).</param>
    /// <exception cref="AmbiguousOrderException">Two items share both seq and key.</exception>
    public OrderingResult Order(ReadOnlySpan<OrderingItem> items, Fr newHead, Fr? beacon = null)
    {
        var seed = Seed(newHead, beacon);
        var keys = new PolicyKey[items.Length];
        ComputeKeys(items, seed, keys);

        var sortable = new SortItem[items.Length];
        for (var i = 0; i < sortable.Length; i++)
        {
            sortable[i] = new SortItem(keys[i], items[i].Seq, i);
        }

        Array.Sort(sortable);

        var permutation = new int[sortable.Length];
        for (var i = 0; i < sortable.Length; i++)
        {
            if (i > 0 && sortable[i].CompareTo(sortable[i - 1]) == 0)
            {
                throw new AmbiguousOrderException(sortable[i].Seq);
            }

            permutation[i] = sortable[i].Index;
        }

        return new OrderingResult(permutation, keys, seed);
    }

    /// <summary>True when <c>(keyA, seqA)</c> sorts strictly before <c>(keyB, seqB)</c>: the order every policy uses.</summary>
    public static bool Precedes(PolicyKey keyA, ulong seqA, PolicyKey keyB, ulong seqB)
    {
        var c = keyA.CompareTo(keyB);
        return c < 0 || (c == 0 && seqA < seqB);
    }

    /// <summary>The canonical form: the id, then every parameter (defaults included) in documented order.</summary>
    public sealed override string ToString()
    {
        if (Parameters.Count == 0)
        {
            return Id;
        }

        var sb = new StringBuilder(Id).Append(':');
        for (var i = 0; i < Parameters.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(Parameters[i].Name).Append('=').Append(Parameters[i].Value);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Parses <c>id</c> or <c>id:name=value,name=value</c>, e.g. <c>fcfs</c>, <c>priority-fee</c>,
    /// <c>timeboost:controller=0x…,delayMs=200</c>, <c>shuffle</c>. Ids and names are
    /// case-sensitive; parameters may come in any order; whitespace around items is ignored.
    /// </summary>
    /// <exception cref="PolicyFormatException">The text names no policy, or its parameters are unknown, missing, repeated or malformed.</exception>
    public static OrderingPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var id = (colon < 0 ? text : text[..colon]).Trim();
        if (id.Length == 0)
        {
            throw new PolicyFormatException(text, PolicyFormatError.Malformed, "no policy id; expected e.g. 'fcfs' or 'timeboost:controller=0x…'.");
        }

        var args = new PolicyArguments(text, id);
        if (colon >= 0)
        {
            args.ReadList(text[(colon + 1)..]);
        }

        if (id == ShufflePolicy.PolicyId && args.Has("beacon"))
        {
            throw new PolicyFormatException(text, PolicyFormatError.UnknownParameter,
                "the shuffle takes no beacon parameter: the inbox draws each batch's beacon on chain, from the block that records the batch's new head (docs/policies.md).");
        }

        IReadOnlyList<string> accepted = id switch
        {
            FcfsPolicy.PolicyId or PriorityFeePolicy.PolicyId or ShufflePolicy.PolicyId => [],
            TimeboostPolicy.PolicyId => TimeboostPolicy.ParameterNames,
            _ => throw new PolicyFormatException(text, PolicyFormatError.UnknownPolicy,
                $"unknown policy '{id}'; known policies are {string.Join(", ", KnownIds)}."),
        };

        // Unknown names first: a misspelt required parameter should be reported as the typo it is.
        args.EnsureOnly(accepted);
        OrderingPolicy policy = id switch
        {
            FcfsPolicy.PolicyId => FcfsPolicy.Instance,
            PriorityFeePolicy.PolicyId => PriorityFeePolicy.Instance,
            TimeboostPolicy.PolicyId => TimeboostPolicy.FromArguments(args),
            _ => ShufflePolicy.Instance,
        };
        return policy;
    }

    /// <summary>Like <see cref="Parse"/>, but reports a bad string as <paramref name="error"/> instead of throwing.</summary>
    public static bool TryParse(string? text, out OrderingPolicy? policy, out PolicyFormatException? error)
    {
        policy = null;
        error = null;
        if (text is null)
        {
            error = new PolicyFormatException("", PolicyFormatError.Malformed, "no policy given.");
            return false;
        }

        try
        {
            policy = Parse(text);
            return true;
        }
        catch (PolicyFormatException e)
        {
            error = e;
            return false;
        }
    }

    private readonly record struct SortItem(PolicyKey Key, ulong Seq, int Index) : IComparable<SortItem>
    {
        public int CompareTo(SortItem other)
        {
            var c = Key.CompareTo(other.Key);
            return c != 0 ? c : Seq.CompareTo(other.Seq);
        }
    }
}
