using Prover.Crypto.Bn254;

namespace Prover.Testing;

/// <summary>Points of the twist built from x coordinates, for tests that need points outside G2.</summary>
internal static class TwistPoints
{
    /// <summary>The first point (x, y) on the twist with x = k + 0i (k = 1, 2, …) that is not in the order-r subgroup.</summary>
    public static (Fq2 X, Fq2 Y) OutsideSubgroup()
    {
        for (ulong k = 1; ; k++)
        {
            var x = new Fq2(Fq.FromUInt64(k), Fq.Zero);
            if (Sqrt((x.Square() * x) + G2.B) is { } y)
            {
                var point = new G2(x, y, false);
                Assert.True(point.IsOnCurve);
                if (!point.IsInSubgroup)
                {
                    return (x, y);
                }
            }
        }
    }

    /// <summary>A square root in F_p² (p ≡ 3 mod 4; Adj and Rodríguez-Henríquez 2012, algorithm 9), or null.</summary>
    public static Fq2? Sqrt(Fq2 a)
    {
        var p = Fq.Modulus;
        var a1 = a.Pow((p - 3) / 4);
        var alpha = a1.Square() * a;
        var a0 = alpha.Pow(p) * alpha;
        var minusOne = -Fq2.One;
        if (a0 == minusOne)
        {
            return null;
        }

        var x0 = a1 * a;
        var root = alpha == minusOne
            ? new Fq2(Fq.Zero, Fq.One) * x0
            : (Fq2.One + alpha).Pow((p - 1) / 2) * x0;
        return root.Square() == a ? root : null;
    }
}
