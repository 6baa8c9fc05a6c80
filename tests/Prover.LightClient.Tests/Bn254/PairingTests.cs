using System.Numerics;
using Prover.LightClient.Bn254;

namespace Prover.LightClient.Tests.Bn254;

public sealed class PairingTests
{
    [Fact]
    public void The_pairing_is_bilinear_in_both_arguments()
    {
        var a = new BigInteger(123_456_789);
        var b = new BigInteger(987_654_321);
        var p = G1.Generator;
        var q = G2.Generator;
        var e = Pairing.Pair(p, q);
        Assert.False(e.IsOne);
        Assert.Equal(e.Pow(a * b), Pairing.Pair(p.Multiply(a), q.Multiply(b)));
    }
}
