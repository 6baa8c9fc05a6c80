using System.Numerics;

namespace Prover.Crypto.Bn254;

/// <summary>
/// The optimal ate pairing on BN254 and the product check the EVM's 0x08 precompile performs
/// (EIP-197): <c>Π e(P_i, Q_i) = 1</c>, with one shared Miller loop and one final exponentiation.
/// </summary>
/// <remarks>
/// <para>
/// The twist is the D-type sextic twist <c>y² = x³ + 3/ξ</c>; a twist point <c>(x, y)</c> is the curve
/// point <c>(x·w², y·w³)</c> over F_p¹² (w⁶ = ξ). Lines are evaluated at P from the twist point in
/// Jacobian coordinates and scaled by a factor in F_p² (which the final exponentiation sends to 1), so
/// every line is <c>a + (b + c·v)·w</c>:
/// </para>
/// <list type="bullet">
/// <item>tangent at T = (X, Y, Z): <c>2YZ³·y_P − 3X²Z²·x_P·w + (3X³ − 2Y²)·w³</c>;</item>
/// <item>chord through T and affine Q, with H = x_Q Z² − X, R = y_Q Z³ − Y:
/// <c>HZ·y_P − R·x_P·w + (R·x_Q − y_Q·HZ)·w³</c>.</item>
/// </list>
/// <para>
/// The loop runs over the bits of 6u + 2 (u = 4965661367192848881), then adds the lines through
/// π(Q) and −π²(Q) (π: the p-power Frobenius carried to the twist). Vertical lines are omitted: they
/// lie in F_p⁶, which the final exponentiation kills. The final exponentiation is
/// <c>(p⁶ − 1)(p² + 1)</c> by conjugation and Frobenius, then <c>(p⁴ − p² + 1)/r</c> by square-and-multiply.
/// </para>
/// </remarks>
public static class Pairing
{
    /// <summary>6u + 2 for the BN254 parameter u = 4965661367192848881.</summary>
    public static readonly BigInteger LoopCount = (6 * BigInteger.Parse("4965661367192848881", System.Globalization.CultureInfo.InvariantCulture)) + 2;

    private static readonly BigInteger HardExponent = (BigInteger.Pow(Fq.Modulus, 4) - BigInteger.Pow(Fq.Modulus, 2) + 1) / G1.Order;

    // π on the twist: (x, y) ↦ (conj(x)·ξ^((p−1)/3), conj(y)·ξ^((p−1)/2)); π² : (x·ξ^((p²−1)/3), y·ξ^((p²−1)/2)).
    private static readonly Fq2 Frob1X = Fq2.Xi.Pow((Fq.Modulus - 1) / 3);
    private static readonly Fq2 Frob1Y = Fq2.Xi.Pow((Fq.Modulus - 1) / 2);
    private static readonly Fq2 Frob2X = Fq2.Xi.Pow(((Fq.Modulus * Fq.Modulus) - 1) / 3);
    private static readonly Fq2 Frob2Y = Fq2.Xi.Pow(((Fq.Modulus * Fq.Modulus) - 1) / 2);

    /// <summary>e(P, Q), the reduced pairing value in the order-r subgroup of F_p¹².</summary>
    public static Fq12 Pair(G1 p, G2 q) => FinalExponentiation(MillerLoop([(p, q)]));

    /// <summary>
    /// Whether <c>Π e(P_i, Q_i) = 1</c>. The points must already be checked (on the curve, Q_i in the
    /// subgroup): this is the arithmetic, not the input validation.
    /// </summary>
    public static bool ProductIsOne(ReadOnlySpan<(G1 P, G2 Q)> pairs) => FinalExponentiation(MillerLoop(pairs)).IsOne;

    /// <summary>The product of the pairs' Miller loops f_{6u+2,Q}(P)·lines, before the final exponentiation.</summary>
    public static Fq12 MillerLoop(ReadOnlySpan<(G1 P, G2 Q)> pairs)
    {
        var active = new List<(Fq Xp, Fq Yp, G2 Q)>(pairs.Length);
        foreach (var (p, q) in pairs)
        {
            // A pair with a point at infinity contributes e = 1.
            if (!p.IsInfinity && !q.IsInfinity)
            {
                active.Add((p.X, p.Y, q));
            }
        }

        var f = Fq12.One;
        if (active.Count == 0)
        {
            return f;
        }

        var t = active.Select(a => G2Jacobian.From(a.Q)).ToArray();
        var bits = LoopCount.GetBitLength();
        for (var i = (int)bits - 2; i >= 0; i--)
        {
            f = f.Square();
            for (var k = 0; k < active.Count; k++)
            {
                f = Double(ref t[k], active[k].Xp, active[k].Yp, f);
            }

            if (!(LoopCount >> i).IsEven)
            {
                for (var k = 0; k < active.Count; k++)
                {
                    f = Add(ref t[k], active[k].Q, active[k].Xp, active[k].Yp, f);
                }
            }
        }

        for (var k = 0; k < active.Count; k++)
        {
            var q = active[k].Q;
            var q1 = new G2(q.X.Conjugate() * Frob1X, q.Y.Conjugate() * Frob1Y, false);
            var q2 = new G2(q.X * Frob2X, -(q.Y * Frob2Y), false);
            f = Add(ref t[k], q1, active[k].Xp, active[k].Yp, f);
            f = Add(ref t[k], q2, active[k].Xp, active[k].Yp, f);
        }

        return f;
    }

    public static Fq12 FinalExponentiation(Fq12 f)
    {
        // Easy part: f^(p⁶ − 1) = conj(f)/f, then ^(p² + 1).
        var f1 = f.Conjugate() * f.Inverse();
        var f2 = f1.Frobenius(2) * f1;

        // Hard part. f2 is in the cyclotomic subgroup, where the inverse is the conjugate, so a signed
        // (NAF) digit costs the same as a positive one.
        return CyclotomicPow(f2, HardExponent);
    }

    private static Fq12 CyclotomicPow(Fq12 x, BigInteger exponent)
    {
        var inverse = x.Conjugate();
        var naf = Naf(exponent);
        var result = Fq12.One;
        for (var i = naf.Count - 1; i >= 0; i--)
        {
            result = result.CyclotomicSquare();
            if (naf[i] == 1)
            {
                result *= x;
            }
            else if (naf[i] == -1)
            {
                result *= inverse;
            }
        }

        return result;
    }

    private static List<int> Naf(BigInteger k)
    {
        var digits = new List<int>();
        while (k > 0)
        {
            if (k.IsEven)
            {
                digits.Add(0);
            }
            else
            {
                var d = (int)(k & 3) == 3 ? -1 : 1;
                digits.Add(d);
                k -= d;
            }

            k >>= 1;
        }

        return digits;
    }

    /// <summary>f·ℓ_{T,T}(P); T ← 2T.</summary>
    private static Fq12 Double(ref G2Jacobian t, Fq xp, Fq yp, Fq12 f)
    {
        var xx = t.X.Square();
        var yy = t.Y.Square();
        var zz = t.Z.Square();
        var m = xx.Double() + xx;
        var z3 = (t.Y * t.Z).Double();

        // Line: 2YZ³·y_P + (−3X²Z²·x_P + (3X³ − 2Y²)·v)·w.
        var a = (z3 * zz) * yp;
        var b = -((m * zz) * xp);
        var c = (m * t.X) - yy.Double();

        var s = (t.X * yy).Double().Double();
        var x3 = m.Square() - s.Double();
        var y3 = (m * (s - x3)) - yy.Square().Double().Double().Double();
        t = new G2Jacobian(x3, y3, z3);
        return f.MulByLine(a, b, c);
    }

    /// <summary>f·ℓ_{T,Q}(P); T ← T + Q (Q affine, T ≠ ±Q).</summary>
    private static Fq12 Add(ref G2Jacobian t, G2 q, Fq xp, Fq yp, Fq12 f)
    {
        var zz = t.Z.Square();
        var h = (q.X * zz) - t.X;
        var r = (q.Y * zz * t.Z) - t.Y;
        var z3 = t.Z * h;

        // Line: HZ·y_P + (−R·x_P + (R·x_Q − y_Q·HZ)·v)·w.
        var a = z3 * yp;
        var b = -(r * xp);
        var c = (r * q.X) - (q.Y * z3);

        var hh = h.Square();
        var hhh = h * hh;
        var v = t.X * hh;
        var x3 = r.Square() - hhh - v.Double();
        var y3 = (r * (v - x3)) - (t.Y * hhh);
        t = new G2Jacobian(x3, y3, z3);
        return f.MulByLine(a, b, c);
    }
}
