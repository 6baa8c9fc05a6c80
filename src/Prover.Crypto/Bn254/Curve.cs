using System.Globalization;
using System.Numerics;

namespace Prover.Crypto.Bn254;

/// <summary>
/// A point of G1: <c>y² = x³ + 3</c> over F_p (EIP-196), affine, or the point at infinity (encoded as
/// (0, 0) by the EVM and snarkjs). G1 has cofactor 1, so every point on the curve is in the group.
/// </summary>
public readonly record struct G1(Fq X, Fq Y, bool IsInfinity)
{
    /// <summary>r, the order of G1, G2 and the pairing's target group.</summary>
    public static readonly BigInteger Order = BigInteger.Parse(
        "21888242871839275222246405745257275088548364400416034343698204186575808495617", CultureInfo.InvariantCulture);

    public static readonly Fq B = Fq.FromUInt64(3);

    public static G1 Infinity => new(Fq.Zero, Fq.Zero, true);

    /// <summary>The generator (1, 2).</summary>
    public static G1 Generator => new(Fq.One, Fq.FromUInt64(2), false);

    public bool IsOnCurve => IsInfinity || Y.Square() == (X.Square() * X) + B;

    public G1 Negate() => IsInfinity ? this : new G1(X, -Y, false);

    public static G1 operator +(G1 a, G1 b) => (G1Jacobian.From(a) + b).ToAffine();

    public G1 Multiply(BigInteger scalar) => G1Jacobian.From(this).Multiply(scalar).ToAffine();
}

/// <summary>A G1 point in Jacobian coordinates (x = X/Z², y = Y/Z³; Z = 0 is infinity).</summary>
public readonly record struct G1Jacobian(Fq X, Fq Y, Fq Z)
{
    public static G1Jacobian Infinity => new(Fq.One, Fq.One, Fq.Zero);

    public bool IsInfinity => Z.IsZero;

    public static G1Jacobian From(G1 p) => p.IsInfinity ? Infinity : new G1Jacobian(p.X, p.Y, Fq.One);

    public G1 ToAffine()
    {
        if (IsInfinity)
        {
            return G1.Infinity;
        }

        var zInv = Z.Inverse();
        var zInv2 = zInv.Square();
        return new G1(X * zInv2, Y * zInv2 * zInv, false);
    }

    public G1Jacobian Double()
    {
        if (IsInfinity || Y.IsZero)
        {
            return Infinity;
        }

        // a = 0 doubling: M = 3X², S = 4XY², X' = M² − 2S, Y' = M(S − X') − 8Y⁴, Z' = 2YZ.
        var xx = X.Square();
        var yy = Y.Square();
        var s = (X * yy).Double().Double();
        var m = xx.Double() + xx;
        var x3 = m.Square() - s.Double();
        var yyyy8 = yy.Square().Double().Double().Double();
        return new G1Jacobian(x3, (m * (s - x3)) - yyyy8, (Y * Z).Double());
    }

    /// <summary>Adds an affine point (mixed addition).</summary>
    public static G1Jacobian operator +(G1Jacobian a, G1 b)
    {
        if (b.IsInfinity)
        {
            return a;
        }

        if (a.IsInfinity)
        {
            return From(b);
        }

        var zz = a.Z.Square();
        var h = (b.X * zz) - a.X;
        var r = (b.Y * zz * a.Z) - a.Y;
        if (h.IsZero)
        {
            return r.IsZero ? a.Double() : Infinity;
        }

        var hh = h.Square();
        var hhh = h * hh;
        var v = a.X * hh;
        var x3 = r.Square() - hhh - v.Double();
        return new G1Jacobian(x3, (r * (v - x3)) - (a.Y * hhh), a.Z * h);
    }

    /// <summary>Adds two Jacobian points (add-1998-cmo-2: 12M + 4S), for sums of bucket sums.</summary>
    public static G1Jacobian operator +(G1Jacobian a, G1Jacobian b)
    {
        if (b.IsInfinity)
        {
            return a;
        }

        if (a.IsInfinity)
        {
            return b;
        }

        var z1z1 = a.Z.Square();
        var z2z2 = b.Z.Square();
        var u1 = a.X * z2z2;
        var s1 = a.Y * b.Z * z2z2;
        var h = (b.X * z1z1) - u1;
        var r = (b.Y * a.Z * z1z1) - s1;
        if (h.IsZero)
        {
            return r.IsZero ? a.Double() : Infinity;
        }

        var hh = h.Square();
        var hhh = h * hh;
        var v = u1 * hh;
        var x3 = r.Square() - hhh - v.Double();
        return new G1Jacobian(x3, (r * (v - x3)) - (s1 * hhh), a.Z * b.Z * h);
    }

    public G1Jacobian Negate() => new(X, -Y, Z);

    /// <summary>
    /// Σ scalarᵢ·pointᵢ with one shared doubling chain (Straus–Shamir without tables): one doubling per
    /// bit of the longest scalar instead of one per bit per point.
    /// </summary>
    public static G1Jacobian MultiScalarMultiply(ReadOnlySpan<G1> points, ReadOnlySpan<BigInteger> scalars)
    {
        var bits = 0L;
        foreach (var k in scalars)
        {
            bits = Math.Max(bits, k.GetBitLength());
        }

        var result = Infinity;
        for (var i = (int)bits - 1; i >= 0; i--)
        {
            result = result.Double();
            for (var j = 0; j < points.Length; j++)
            {
                if (!(scalars[j] >> i).IsEven)
                {
                    result += points[j];
                }
            }
        }

        return result;
    }

    public G1Jacobian Multiply(BigInteger scalar)
    {
        var affine = Z == Fq.One ? new G1(X, Y, false) : ToAffine();
        var result = Infinity;
        for (var i = scalar.GetBitLength() - 1; i >= 0; i--)
        {
            result = result.Double();
            if (!(scalar >> (int)i).IsEven)
            {
                result += affine;
            }
        }

        return result;
    }
}

/// <summary>
/// A point of G2, on the sextic twist <c>y² = x³ + 3/ξ</c> over F_p² (EIP-197), affine or infinity.
/// Unlike G1 the twist's group has a large cofactor, so a point must also be checked to be in the
/// order-r subgroup (<see cref="IsInSubgroup"/>).
/// </summary>
public readonly record struct G2(Fq2 X, Fq2 Y, bool IsInfinity)
{
    /// <summary>b' = 3/ξ.</summary>
    public static readonly Fq2 B = new Fq2(Fq.FromUInt64(3), Fq.Zero) * Fq2.Xi.Inverse();

    public static G2 Infinity => new(Fq2.Zero, Fq2.Zero, true);

    /// <summary>The generator EIP-197 and snarkjs use.</summary>
    public static readonly G2 Generator = new(
        new Fq2(
            Fq.FromBigInteger(BigInteger.Parse("10857046999023057135944570762232829481370756359578518086990519993285655852781", CultureInfo.InvariantCulture)),
            Fq.FromBigInteger(BigInteger.Parse("11559732032986387107991004021392285783925812861821192530917403151452391805634", CultureInfo.InvariantCulture))),
        new Fq2(
            Fq.FromBigInteger(BigInteger.Parse("8495653923123431417604973247489272438418190587263600148770280649306958101930", CultureInfo.InvariantCulture)),
            Fq.FromBigInteger(BigInteger.Parse("4082367875863433681332203403145435568316851327593401208105741076214120093531", CultureInfo.InvariantCulture))),
        false);

    public bool IsOnCurve => IsInfinity || Y.Square() == (X.Square() * X) + B;

    /// <summary>r·Q = O: the point is in the order-r subgroup the pairing is defined on.</summary>
    public bool IsInSubgroup => IsInfinity || G2Jacobian.From(this).Multiply(G1.Order).IsInfinity;

    public G2 Negate() => IsInfinity ? this : new G2(X, -Y, false);

    public static G2 operator +(G2 a, G2 b) => (G2Jacobian.From(a) + b).ToAffine();

    public G2 Multiply(BigInteger scalar) => G2Jacobian.From(this).Multiply(scalar).ToAffine();
}

/// <summary>A G2 point in Jacobian coordinates over F_p².</summary>
public readonly record struct G2Jacobian(Fq2 X, Fq2 Y, Fq2 Z)
{
    public static G2Jacobian Infinity => new(Fq2.One, Fq2.One, Fq2.Zero);

    public bool IsInfinity => Z.IsZero;

    public static G2Jacobian From(G2 p) => p.IsInfinity ? Infinity : new G2Jacobian(p.X, p.Y, Fq2.One);

    public G2 ToAffine()
    {
        if (IsInfinity)
        {
            return G2.Infinity;
        }

        var zInv = Z.Inverse();
        var zInv2 = zInv.Square();
        return new G2(X * zInv2, Y * zInv2 * zInv, false);
    }

    public G2Jacobian Double()
    {
        if (IsInfinity || Y.IsZero)
        {
            return Infinity;
        }

        var xx = X.Square();
        var yy = Y.Square();
        var s = (X * yy).Double().Double();
        var m = xx.Double() + xx;
        var x3 = m.Square() - s.Double();
        var yyyy8 = yy.Square().Double().Double().Double();
        return new G2Jacobian(x3, (m * (s - x3)) - yyyy8, (Y * Z).Double());
    }

    public static G2Jacobian operator +(G2Jacobian a, G2 b)
    {
        if (b.IsInfinity)
        {
            return a;
        }

        if (a.IsInfinity)
        {
            return From(b);
        }

        var zz = a.Z.Square();
        var h = (b.X * zz) - a.X;
        var r = (b.Y * zz * a.Z) - a.Y;
        if (h.IsZero)
        {
            return r.IsZero ? a.Double() : Infinity;
        }

        var hh = h.Square();
        var hhh = h * hh;
        var v = a.X * hh;
        var x3 = r.Square() - hhh - v.Double();
        return new G2Jacobian(x3, (r * (v - x3)) - (a.Y * hhh), a.Z * h);
    }

    /// <summary>Adds two Jacobian points (add-1998-cmo-2: 12M + 4S), for sums of bucket sums.</summary>
    public static G2Jacobian operator +(G2Jacobian a, G2Jacobian b)
    {
        if (b.IsInfinity)
        {
            return a;
        }

        if (a.IsInfinity)
        {
            return b;
        }

        var z1z1 = a.Z.Square();
        var z2z2 = b.Z.Square();
        var u1 = a.X * z2z2;
        var s1 = a.Y * b.Z * z2z2;
        var h = (b.X * z1z1) - u1;
        var r = (b.Y * a.Z * z1z1) - s1;
        if (h.IsZero)
        {
            return r.IsZero ? a.Double() : Infinity;
        }

        var hh = h.Square();
        var hhh = h * hh;
        var v = u1 * hh;
        var x3 = r.Square() - hhh - v.Double();
        return new G2Jacobian(x3, (r * (v - x3)) - (s1 * hhh), a.Z * b.Z * h);
    }

    public G2Jacobian Negate() => new(X, -Y, Z);

    public G2Jacobian Multiply(BigInteger scalar)
    {
        // Double-and-add against the affine base (the base is fixed, so mixed addition needs no inversion per step).
        var affine = Z == Fq2.One ? new G2(X, Y, false) : ToAffine();
        var result = Infinity;
        for (var i = scalar.GetBitLength() - 1; i >= 0; i--)
        {
            result = result.Double();
            if (!(scalar >> (int)i).IsEven)
            {
                result += affine;
            }
        }

        return result;
    }
}
