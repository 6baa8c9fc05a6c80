using System.Numerics;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Tests.Batches;

public class BatchHeaderTests
{
    private static readonly BigInteger Two = 2;

    [Fact]
    public void The_header_is_count_plus_the_arrivals_and_the_beacon_at_their_shifts()
    {
        // Every part at its largest: the sum is the word, so no two parts overlap, and it stays below 2^253.
        var count = CircuitLimits.MaxCapacity;
        var prev = (1UL << 49) - 1;
        var last = ulong.MaxValue;
        var beacon = BigInteger.Pow(Two, 93) - 1;

        var header = BatchHeader.Pack(count, prev, last, Fr.FromBigInteger(beacon)).ToBigInteger();

        Assert.Equal(count + (prev * BigInteger.Pow(Two, 32)) + (last * BigInteger.Pow(Two, 96)) + (beacon * BigInteger.Pow(Two, 160)), header);
        Assert.True(header < BigInteger.Pow(Two, 253));
    }

    [Fact]
    public void Each_part_of_the_header_reads_back_from_its_own_bits()
    {
        var header = BatchHeader.Pack(5, 1_764_300_000_000, 1_764_300_004_095, Fr.FromUInt64(77)).ToBigInteger();
        var mask32 = BigInteger.Pow(Two, 32) - 1;
        var mask64 = BigInteger.Pow(Two, 64) - 1;
        Assert.Equal(5, header & mask32);
        Assert.Equal(1_764_300_000_000, (header >> 32) & mask64);
        Assert.Equal(1_764_300_004_095, (header >> 96) & mask64);
        Assert.Equal(77, header >> 160);
    }

    [Fact]
    public void Without_a_beacon_the_top_bits_are_zero()
    {
        var header = BatchHeader.Pack(1, 0, 9, Fr.Zero).ToBigInteger();
        Assert.Equal(1 + (9 * BigInteger.Pow(Two, 96)), header);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(CircuitLimits.MaxCapacity + 1)]
    public void A_count_outside_one_to_the_largest_capacity_is_refused(int count)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BatchHeader.Pack(count, 0, 0, Fr.Zero));
        Assert.Equal("count", e.ParamName);
    }

    [Fact]
    public void A_beacon_of_94_bits_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BatchHeader.Pack(1, 0, 0, Fr.FromBigInteger(BigInteger.Pow(Two, 93))));
        Assert.Equal("beacon", e.ParamName);

        // A field element near p is not a small beacon either.
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchHeader.Pack(1, 0, 0, -Fr.One));
    }

    [Fact]
    public void The_beacon_of_a_block_hash_is_its_top_93_bits()
    {
        Assert.Equal(BigInteger.Pow(Two, 93) - 1, BatchHeader.BeaconOf(HashOf(BigInteger.Pow(Two, 256) - 1)).ToBigInteger());

        // Bit 163 is the lowest bit taken, bit 162 the highest left out, bit 255 the highest.
        Assert.Equal(BigInteger.One, BatchHeader.BeaconOf(HashOf(BigInteger.Pow(Two, 163))).ToBigInteger());
        Assert.Equal(BigInteger.Zero, BatchHeader.BeaconOf(HashOf(BigInteger.Pow(Two, 163) - 1)).ToBigInteger());
        Assert.Equal(BigInteger.Pow(Two, 92), BatchHeader.BeaconOf(HashOf(BigInteger.Pow(Two, 255))).ToBigInteger());

        // A hash read as a big-endian integer, divided by 2^163: the first 11 bytes and 5 bits of the 12th.
        var hash = Hash32.Parse("0x9b3f2c71d04e5a86b1c7e29f30d4a5b6c8e1f20394a7b6c5d8e9f0a1b2c3d4e5");
        var bytes = hash.ToArray();
        var expected = BigInteger.Zero;
        for (var i = 0; i < 11; i++)
        {
            expected = (expected << 8) + bytes[i];
        }

        expected = (expected << 5) + (bytes[11] >> 3);
        Assert.Equal(expected, BatchHeader.BeaconOf(hash).ToBigInteger());
    }

    private static Hash32 HashOf(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[32];
        bytes.CopyTo(padded.AsSpan(32 - bytes.Length));
        return new Hash32(padded);
    }
}
