namespace Prover.Core.Ethereum.Ecrecover;

/// <summary>An affine point (x, y) of secp256k1, y² = x³ + 7; never the point at infinity.</summary>
internal struct AffinePoint
{
    public FieldElement X;
    public FieldElement Y;

    public AffinePoint(in FieldElement x, in FieldElement y)
    {
        X = x;
        Y = y;
    }

    /// <summary>The generator G (SEC 2 §2.4.1).</summary>
    public static AffinePoint G => new(
        new FieldElement(0x59F2_815B_16F8_1798, 0x029B_FCDB_2DCE_28D9, 0x55A0_6295_CE87_0B07, 0x79BE_667E_F9DC_BBAC),
        new FieldElement(0x9C47_D08F_FB10_D4B8, 0xFD17_B448_A685_5419, 0x5DA4_FBFC_0E11_08A8, 0x483A_DA77_26A3_C465));

    /// <summary>Whether y² = x³ + 7.</summary>
    public readonly bool IsOnCurve
    {
        get
        {
            FieldElement.Sqr(Y, out var y2);
            CurveRhs(X, out var rhs);
            return y2.EqualsMod(rhs);
        }
    }

    /// <summary>x³ + 7.</summary>
    public static void CurveRhs(in FieldElement x, out FieldElement r)
    {
        FieldElement.Sqr(x, out var x2);
        FieldElement.Mul(x2, x, out var x3);
        FieldElement.Add(x3, new FieldElement(7, 0, 0, 0), out r);
    }
}

/// <summary>
/// A point in Jacobian coordinates, (X, Y, Z) ↦ (X/Z², Y/Z³), with a flag for the point at infinity.
/// Formulas for a = 0 from the Explicit-Formulas Database (hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-0.html).
/// </summary>
internal struct JacobianPoint
{
    public FieldElement X;
    public FieldElement Y;
    public FieldElement Z;
    public bool IsInfinity;

    public static JacobianPoint Infinity => new() { IsInfinity = true };

    public static JacobianPoint FromAffine(in AffinePoint a) =>
        new() { X = a.X, Y = a.Y, Z = FieldElement.One };

    /// <summary>
    /// p = 2p (3M + 4S), libsecp256k1's secp256k1_gej_double: with L = 3X²/2, S = Y², T = −X·S,
    /// X3 = L² + 2T, Y3 = −(L·(X3 + T) + S²), Z3 = Y·Z; the same point as dbl-2009-l scaled by 1/2, with
    /// fewer additions. secp256k1 has prime order, so no finite point has y = 0 and doubling a finite
    /// point never gives infinity. Z3 = Y·Z is linear in Z, so a point held scaled by some zc stays so.
    /// </summary>
    public static void Double(ref JacobianPoint p)
    {
        if (p.IsInfinity)
        {
            return;
        }

        FieldElement.Mul(p.Z, p.Y, out p.Z);
        FieldElement.Sqr(p.Y, out var s);
        FieldElement.Sqr(p.X, out var l);
        FieldElement.Add(l, l, out var l2);
        FieldElement.Add(l2, l, out l);
        FieldElement.Half(l, out l);
        FieldElement.Negate(s, out var t);
        FieldElement.Mul(t, p.X, out t);
        FieldElement.Sqr(l, out var x3);
        FieldElement.Add(x3, t, out x3);
        FieldElement.Add(x3, t, out p.X);
        FieldElement.Sqr(s, out s);
        FieldElement.Add(t, p.X, out t);
        FieldElement.Mul(t, l, out var y3);
        FieldElement.Add(y3, s, out y3);
        FieldElement.Negate(y3, out p.Y);
    }

    /// <summary>
    /// p += (x, y), an affine point, by the mixed addition of add-1998-cmo-2 with Z2 = 1 (8M + 3S); handles
    /// p at infinity, p = (x, y) (doubles) and p = −(x, y) (gives infinity).
    /// </summary>
    public static void AddAffine(ref JacobianPoint p, in FieldElement x, in FieldElement y)
    {
        if (p.IsInfinity)
        {
            p = new JacobianPoint { X = x, Y = y, Z = FieldElement.One };
        }
        else if (!TryAddDistinct(ref p, x, y, p.Z, out _))
        {
            AddSpecial(ref p, y, p.Z);
        }
    }

    /// <summary>
    /// p += (x, y) where p is held scaled: it stands for the point (X, Y, Z·zc), while (x, y) is a plain
    /// affine point. The formulas use Z·zc where Z1 enters U2 and S2 but keep Z3 = Z·H, so the result stays
    /// scaled by the same zc; one extra multiplication (the role of libsecp256k1's secp256k1_gej_add_zinv_var).
    /// </summary>
    public static void AddAffineScaled(ref JacobianPoint p, in FieldElement x, in FieldElement y, in FieldElement zc)
    {
        FieldElement.Sqr(zc, out var zc2);
        if (p.IsInfinity)
        {
            // (x·zc², y·zc³, 1) stands for (x·zc², y·zc³, zc) = (x, y).
            FieldElement.Mul(zc2, zc, out var zc3);
            p = new JacobianPoint { Z = FieldElement.One };
            FieldElement.Mul(x, zc2, out p.X);
            FieldElement.Mul(y, zc3, out p.Y);
            return;
        }

        FieldElement.Mul(p.Z, zc, out var zu);
        if (!TryAddDistinct(ref p, x, y, zu, out _))
        {
            // Doubling does not involve the scale: (X, Y, Z·zc) doubles to (X3, Y3, 2·Y·Z·zc).
            AddSpecial(ref p, y, zu);
        }
    }

    /// <summary>
    /// p += (x, y) for a finite p whose x-coordinate differs from x, using zu in place of Z1 in U2 = x·zu²
    /// and S2 = y·zu³. Writes h = H (Z3 = Z1·H) and returns true; returns false, leaving p unchanged, where
    /// the x-coordinates match (H = 0) and the caller must double or cancel. zu may alias p.Z: it is read
    /// before p.Z is written.
    /// </summary>
    public static bool TryAddDistinct(ref JacobianPoint p, in FieldElement x, in FieldElement y, in FieldElement zu, out FieldElement h)
    {
        FieldElement.Sqr(zu, out var zz);
        FieldElement.Mul(x, zz, out var u2);
        FieldElement.Sub(u2, p.X, out h);
        if (h.IsZero)
        {
            return false;
        }

        FieldElement.Mul(zz, zu, out var zzz);
        FieldElement.Mul(y, zzz, out var s2);
        FieldElement.Sub(s2, p.Y, out var r);

        FieldElement.Sqr(h, out var hh);
        FieldElement.Mul(hh, h, out var hhh);
        FieldElement.Mul(p.X, hh, out var v);
        FieldElement.Mul(p.Z, h, out p.Z);

        FieldElement.Sqr(r, out var x3);
        FieldElement.Sub(x3, hhh, out x3);
        FieldElement.Sub(x3, v, out x3);
        FieldElement.Sub(x3, v, out p.X);

        FieldElement.Sub(v, p.X, out var t);
        FieldElement.Mul(r, t, out t);
        FieldElement.Mul(p.Y, hhh, out var yh);
        FieldElement.Sub(t, yh, out p.Y);
        return true;
    }

    /// <summary>p += (x, y) where p's x-coordinate equals x: p doubles if the y-coordinates agree, else cancels.</summary>
    private static void AddSpecial(ref JacobianPoint p, in FieldElement y, in FieldElement zu)
    {
        FieldElement.Sqr(zu, out var zz);
        FieldElement.Mul(zz, zu, out var zzz);
        FieldElement.Mul(y, zzz, out var s2);
        if (s2.EqualsMod(p.Y))
        {
            Double(ref p);
        }
        else
        {
            p = Infinity;
        }
    }

    /// <summary>The affine form, or false at infinity.</summary>
    public readonly bool TryToAffine(out AffinePoint a)
    {
        if (IsInfinity)
        {
            a = default;
            return false;
        }

        FieldElement.Inverse(Z, out var zi);
        FieldElement.Sqr(zi, out var zi2);
        FieldElement.Mul(zi2, zi, out var zi3);
        FieldElement.Mul(X, zi2, out a.X);
        FieldElement.Mul(Y, zi3, out a.Y);
        return true;
    }

    /// <summary>
    /// Converts finite points to affine with one inversion (Montgomery's trick: invert the product of all Z,
    /// then peel each inverse off with two multiplications).
    /// </summary>
    public static void BatchToAffine(ReadOnlySpan<JacobianPoint> points, Span<AffinePoint> result)
    {
        Span<FieldElement> prefix = points.Length <= 64 ? stackalloc FieldElement[points.Length] : new FieldElement[points.Length];
        var acc = FieldElement.One;
        for (int i = 0; i < points.Length; i++)
        {
            prefix[i] = acc;
            FieldElement.Mul(acc, points[i].Z, out acc);
        }

        FieldElement.Inverse(acc, out var inv);
        for (int i = points.Length - 1; i >= 0; i--)
        {
            // inv = (Z_0 ⋯ Z_i)⁻¹ here, so prefix_i·inv = Z_i⁻¹.
            FieldElement.Mul(prefix[i], inv, out var zi);
            FieldElement.Mul(inv, points[i].Z, out inv);
            FieldElement.Sqr(zi, out var zi2);
            FieldElement.Mul(zi2, zi, out var zi3);
            FieldElement.Mul(points[i].X, zi2, out result[i].X);
            FieldElement.Mul(points[i].Y, zi3, out result[i].Y);
        }
    }
}
