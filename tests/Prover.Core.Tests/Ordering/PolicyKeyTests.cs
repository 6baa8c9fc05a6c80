using System.Numerics;
using Prover.Crypto.Field;
using Prover.Core.Ordering;

namespace Prover.Core.Tests.Ordering;

public class PolicyKeyTests
{
    [Fact]
    public void Policy_keys_compare_as_integers_across_limbs()
    {
        var small = PolicyKey.FromUInt64(ulong.MaxValue);
        var big = PolicyKey.FromField(Fr.FromBigInteger(BigInteger.One << 64));
        var bigger = PolicyKey.FromField(Fr.FromBigInteger((BigInteger.One << 200) + 1));
        Assert.True(small < big);
        Assert.True(big < bigger);
        Assert.True(bigger > small);
        Assert.Equal(0, big.CompareTo(PolicyKey.FromField(Fr.FromBigInteger(BigInteger.One << 64))));
    }

    [Fact]
    public void Policy_key_round_trips_the_largest_field_element()
    {
        var max = Fr.FromBigInteger(Fr.Modulus - 1);
        var key = PolicyKey.FromField(max);
        Assert.Equal(max, key.ToField());
        Assert.Equal(Fr.Modulus - 1, key.ToBigInteger());
        Assert.Equal((Fr.Modulus - 1).ToString(), key.ToString());
    }

    [Fact]
    public void Precedes_is_strict_on_key_then_sequence_number()
    {
        var low = PolicyKey.FromUInt64(1);
        var high = PolicyKey.FromUInt64(2);
        Assert.True(OrderingPolicy.Precedes(low, 9, high, 0));
        Assert.False(OrderingPolicy.Precedes(high, 0, low, 9));
        Assert.True(OrderingPolicy.Precedes(low, 3, low, 4));
        Assert.False(OrderingPolicy.Precedes(low, 4, low, 3));
        Assert.False(OrderingPolicy.Precedes(low, 4, low, 4));
    }
}
