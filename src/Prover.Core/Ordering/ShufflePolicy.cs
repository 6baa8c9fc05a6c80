using Prover.Crypto.Field;
using Prover.Core.Log;

namespace Prover.Core.Ordering;

/// <summary>
/// <c>shuffle</c> (numeric id 4): a pseudo-random order no one can choose a position in.
/// <c>seed = Poseidon(newHead, beacon)</c>, <c>key</c> = the low 64 bits of <c>Poseidon(seed, txId)</c>,
/// ties by sequence number.
/// </summary>
/// <remarks>
/// The beacon is not a parameter of the policy but a value of each batch: the inbox draws it from the
/// hash of the block that recorded the batch's new head (docs/policies.md), so it is fixed only after
/// everything the batch holds is, and the operator cannot choose among seeds. Keys are 64 bits because
/// the circuit compares 64-bit values; two entries of one batch share a key with probability about
/// n²/2^65, and then log order decides, as for every tie.
/// </remarks>
public sealed record ShufflePolicy : OrderingPolicy
{
    public const string PolicyId = "shuffle";

    public static ShufflePolicy Instance { get; } = new();

    private ShufflePolicy() { }

    public override string Id => PolicyId;

    public override int NumericId => 4;

    public override IReadOnlyList<PolicyParameter> Parameters => [];

    public override string Describe() =>
        "shuffle: ascending low 64 bits of Poseidon(seed, txId) with seed = Poseidon(closing log head, the batch's beacon drawn on chain); ties in log order.";

    public override bool NeedsBeacon => true;

    /// <summary><c>Poseidon(newHead, beacon)</c>.</summary>
    /// <exception cref="ArgumentNullException">No beacon: the shuffle cannot order a batch before its beacon is drawn.</exception>
    public override Fr? Seed(Fr newHead, Fr? beacon) =>
        Poseidon.Hash([newHead, beacon ?? throw new ArgumentNullException(nameof(beacon), "The shuffle orders a batch only once its beacon is drawn on chain.")]);

    internal override bool KeysNeedHashing => true;

    /// <summary>The low 64 bits of <c>Poseidon(seed, txId)</c>.</summary>
    public static ulong KeyFor(Fr seed, Fr txId) => (ulong)(Poseidon.Hash([seed, txId]).ToBigInteger() & ulong.MaxValue);

    private protected override void ComputeKeys(ReadOnlySpan<OrderingItem> items, Fr? seed, Span<PolicyKey> keys)
    {
        var s = seed ?? throw new ArgumentNullException(nameof(seed), "The shuffle policy needs its seed.");
        for (var i = 0; i < items.Length; i++)
        {
            keys[i] = PolicyKey.FromUInt64(KeyFor(s, CircuitEncoding.TxId(items[i].TxHash)));
        }
    }
}
