using Prover.Crypto.Field;

namespace Prover.Core.Ordering;

/// <summary>
/// <c>fcfs</c> (numeric id 1): first come, first served — the log order itself. Key = seq.
/// </summary>
public sealed record FcfsPolicy : OrderingPolicy
{
    public const string PolicyId = "fcfs";

    public static FcfsPolicy Instance { get; } = new();

    private FcfsPolicy() { }

    public override string Id => PolicyId;

    public override int NumericId => 1;

    public override IReadOnlyList<PolicyParameter> Parameters => [];

    public override string Describe() => "fcfs: transactions in the order the sequencer logged them (sequence number ascending).";

    /// <summary>
    /// The circuit keys every real entry 0 (log order is the index order) and padding 1, so it needs
    /// no sort at all: the output is the log.
    /// </summary>
    internal override int CircuitKeyBits => 1;

    internal override ulong CircuitKey(in PolicyKey key) => 0;

    internal override bool OutputIsLogOrder => true;

    private protected override void ComputeKeys(ReadOnlySpan<OrderingItem> items, Fr? seed, Span<PolicyKey> keys)
    {
        for (var i = 0; i < items.Length; i++)
        {
            keys[i] = PolicyKey.FromUInt64(items[i].Seq);
        }
    }
}
