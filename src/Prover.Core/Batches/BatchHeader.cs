using System.Numerics;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Batches;

/// <summary>
/// The header word, one public input that carries a batch's small facts (docs/circuits.md):
/// <c>header = count + 2^32·prevLastArrival + 2^96·lastArrival + 2^160·beacon</c>.
/// </summary>
/// <remarks>
/// The inbox builds it from the call (count, the batch's last arrival), its own state (the last arrival
/// it stored for the previous batch) and, for the shuffle, the beacon it draws. Packing them costs the
/// proof one public input instead of four (each costs the verifier an elliptic-curve multiplication,
/// about 6,500 gas); every part is range-checked in the circuit, so the word splits in one way only.
/// </remarks>
public static class BatchHeader
{
    /// <summary>Where the previous batch's last arrival starts.</summary>
    public const int PrevLastArrivalShift = 32;

    /// <summary>Where this batch's last arrival starts.</summary>
    public const int LastArrivalShift = 96;

    /// <summary>Where the beacon starts.</summary>
    public const int BeaconShift = 160;

    /// <summary>The beacon's bits: the top 93 bits of a block hash, so the word stays below 2^253.</summary>
    public const int BeaconBits = 93;

    /// <summary>The header word.</summary>
    /// <param name="beacon">The shuffle's beacon (below 2^93), or zero for the other policies.</param>
    /// <exception cref="ArgumentOutOfRangeException">A part does not fit its place.</exception>
    public static Fr Pack(int count, ulong prevLastArrivalMs, ulong lastArrivalMs, Fr beacon)
    {
        if (count < 1 || count > CircuitLimits.MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A batch holds 1 to {CircuitLimits.MaxCapacity} entries.");
        }

        var b = beacon.ToBigInteger();
        if (b >> BeaconBits != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(beacon), beacon, $"A beacon has {BeaconBits} bits.");
        }

        var word = new BigInteger(count)
            | (new BigInteger(prevLastArrivalMs) << PrevLastArrivalShift)
            | (new BigInteger(lastArrivalMs) << LastArrivalShift)
            | (b << BeaconShift);
        return Fr.FromBigInteger(word);
    }

    /// <summary>The beacon a block hash gives: its top <see cref="BeaconBits"/> bits, as the inbox takes them.</summary>
    public static Fr BeaconOf(Hash32 blockHash)
    {
        var value = new BigInteger(blockHash.ToArray(), isUnsigned: true, isBigEndian: true);
        return Fr.FromBigInteger(value >> (256 - BeaconBits));
    }
}
