using System.Globalization;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Ordering;

/// <summary>
/// <c>timeboost</c> (numeric id 3), after Arbitrum's Timeboost: the express-lane
/// <see cref="Controller"/>'s transactions count from their arrival, everyone else's from arrival +
/// <see cref="DelayMs"/>. Key = effective time; ties by sequence number.
/// </summary>
/// <remarks>
/// The effective time must fit 64 bits. Rather than saturate — which would silently make distinct
/// times equal and let sequence numbers decide — a sum past 2^64 − 1 is rejected with
/// <see cref="ValueOutOfRangeException"/>. Millisecond Unix times are near 2^41, so only a corrupt
/// clock or an absurd delay can reach it.
/// </remarks>
public sealed record TimeboostPolicy(EthAddress Controller, ulong DelayMs = TimeboostPolicy.DefaultDelayMs) : OrderingPolicy
{
    public const string PolicyId = "timeboost";

    /// <summary>Arbitrum's non-express delay.</summary>
    public const ulong DefaultDelayMs = 200;

    /// <summary>The largest delay the circuit carries (2^32 − 1 ms, about 49 days), so effective times stay below 2^50.</summary>
    public const ulong MaxDelayMs = uint.MaxValue;

    /// <summary>The parameters in their documented (and commitment) order.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } = ["controller", "delayMs"];

    public override string Id => PolicyId;

    public override int NumericId => 3;

    public override IReadOnlyList<PolicyParameter> Parameters =>
    [
        new("controller", Controller.ToString(), Controller.ToField()),
        new("delayMs", DelayMs.ToString(CultureInfo.InvariantCulture), Fr.FromUInt64(DelayMs)),
    ];

    public override string Describe() =>
        $"timeboost: transactions from express-lane controller {Controller} by arrival time, everyone else's by arrival + {DelayMs} ms; ties in log order.";

    /// <summary>The time an item competes at: arrival for the controller, arrival + delay for everyone else.</summary>
    /// <exception cref="ValueOutOfRangeException">arrival + delay does not fit 64 bits.</exception>
    public ulong EffectiveTime(in OrderingItem item)
    {
        if (item.Sender == Controller)
        {
            return item.ArrivalMs;
        }

        if (item.ArrivalMs > ulong.MaxValue - DelayMs)
        {
            throw new ValueOutOfRangeException(
                $"timeboost effective time (arrivalMs + delayMs) of seq {item.Seq}",
                "64 bits",
                $"{item.ArrivalMs} + {DelayMs}");
        }

        return item.ArrivalMs + DelayMs;
    }

    internal static TimeboostPolicy FromArguments(PolicyArguments args)
    {
        var controllerText = args.Required("controller");
        if (!EthAddress.TryParse(controllerText, out var controller))
        {
            throw args.BadValue("controller", controllerText, "an address, 0x followed by 40 hex digits");
        }

        var delay = DefaultDelayMs;
        if (args.Optional("delayMs") is { } delayText &&
            (!ulong.TryParse(delayText, NumberStyles.None, CultureInfo.InvariantCulture, out delay) || delay > MaxDelayMs))
        {
            throw args.BadValue("delayMs", delayText, "a decimal integer of milliseconds in [0, 2^32)");
        }

        return new TimeboostPolicy(controller, delay);
    }

    /// <summary>Arrivals below 2^49 ms plus a delay below 2^32 ms stay below 2^50; padding takes 2^50 − 1.</summary>
    internal override int CircuitKeyBits => 50;

    private protected override void ComputeKeys(ReadOnlySpan<OrderingItem> items, Fr? seed, Span<PolicyKey> keys)
    {
        for (var i = 0; i < items.Length; i++)
        {
            keys[i] = PolicyKey.FromUInt64(EffectiveTime(items[i]));
        }
    }
}
