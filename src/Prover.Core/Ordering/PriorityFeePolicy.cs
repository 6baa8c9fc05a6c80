using Prover.Crypto.Field;

namespace Prover.Core.Ordering;

/// <summary>
/// <c>priority-fee</c> (numeric id 2): highest priority fee first, equal fees by sequence number.
/// Key = 2^64 − 1 − fee, so that ascending keys are descending fees and every policy sorts one way.
/// </summary>
public sealed record PriorityFeePolicy : OrderingPolicy
{
    public const string PolicyId = "priority-fee";

    public static PriorityFeePolicy Instance { get; } = new();

    private PriorityFeePolicy() { }

    public override string Id => PolicyId;

    public override int NumericId => 2;

    public override IReadOnlyList<PolicyParameter> Parameters => [];

    public override string Describe() => "priority-fee: highest priority fee per gas first; equal fees in log order.";

    /// <summary>The key for a fee: its 64-bit complement, so a larger fee has a smaller key.</summary>
    public static PolicyKey KeyFor(ulong priorityFee) => PolicyKey.FromUInt64(ulong.MaxValue - priorityFee);

    private protected override void ComputeKeys(ReadOnlySpan<OrderingItem> items, Fr? seed, Span<PolicyKey> keys)
    {
        for (var i = 0; i < items.Length; i++)
        {
            keys[i] = KeyFor(items[i].PriorityFee);
        }
    }
}
