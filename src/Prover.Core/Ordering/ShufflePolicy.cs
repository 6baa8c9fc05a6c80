using Prover.Core.Field;
using Prover.Core.Log;

namespace Prover.Core.Ordering;

/// <summary>
/// <c>shuffle</c> (numeric id 4): a pseudo-random order no one can choose a position in.
/// <c>seed = Poseidon(newHead, beacon)</c>, <c>key</c> = the low 64 bits of <c>Poseidon(seed, txId)</c>,
/// ties by sequence number.
/// </summary>
/// <remarks>
/// The seed depends on the batch's closing head, so it is fixed only once every input of the batch
/// is. A user cannot grind a position because later transactions are unknown to them; with
/// <see cref="Beacon"/> = 0 the operator still could, by choosing its own last transaction. A beacon
/// fixed only after the batch closes (an L1 RANDAO value) removes that. Keys are 64 bits because the
/// circuit compares 64-bit values; two entries of one batch share a key with probability about
/// n²/2^65, and then log order decides, as for every tie. See docs/policies.md.
/// </remarks>
public sealed record ShufflePolicy(Fr Beacon) : OrderingPolicy
{
    public const string PolicyId = "shuffle";

    /// <summary>The parameters in their documented (and commitment) order.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } = ["beacon"];

    /// <summary>The shuffle with beacon 0: no outside randomness.</summary>
    public static ShufflePolicy WithoutBeacon { get; } = new(Fr.Zero);

    public override string Id => PolicyId;

    public override int NumericId => 4;

    public override IReadOnlyList<PolicyParameter> Parameters => [new("beacon", Beacon.ToString(), Beacon)];

    public override string Describe() =>
        $"shuffle: ascending low 64 bits of Poseidon(seed, txId) with seed = Poseidon(closing log head, beacon {Beacon}); ties in log order.";

    /// <summary><c>Poseidon(newHead, beacon)</c>.</summary>
    public override Fr? Seed(Fr newHead) => Poseidon.Hash([newHead, Beacon]);

    internal override bool KeysNeedHashing => true;

    /// <summary>The low 64 bits of <c>Poseidon(seed, txId)</c>.</summary>
    public static ulong KeyFor(Fr seed, Fr txId) => (ulong)(Poseidon.Hash([seed, txId]).ToBigInteger() & ulong.MaxValue);

    internal static ShufflePolicy FromArguments(PolicyArguments args)
    {
        if (args.Optional("beacon") is not { } text)
        {
            return WithoutBeacon;
        }

        try
        {
            return new ShufflePolicy(Fr.Parse(text, "beacon"));
        }
        catch (Exception e) when (e is FormatException or ValueOutOfRangeException)
        {
            throw args.BadValue("beacon", text, "a decimal or 0x-hex integer below the BN254 scalar modulus", e);
        }
    }

    private protected override void ComputeKeys(ReadOnlySpan<OrderingItem> items, Fr? seed, Span<PolicyKey> keys)
    {
        var s = seed ?? throw new ArgumentNullException(nameof(seed), "The shuffle policy needs its seed.");
        for (var i = 0; i < items.Length; i++)
        {
            keys[i] = PolicyKey.FromUInt64(KeyFor(s, CircuitEncoding.TxId(items[i].TxHash)));
        }
    }
}
