namespace Prover.Core.Ethereum.Ecrecover;

/// <summary>
/// ECDSA public-key recovery on secp256k1 (SEC 1 v2 §4.1.6), as Ethereum's ecrecover uses it: from the
/// digest z, (r, s) and the parity of R's y-coordinate, Q = r⁻¹·(s·R − z·G) = u1·G + u2·R with
/// u1 = −z·r⁻¹ and u2 = s·r⁻¹. The multi-scalar product runs as one Strauss–Shamir ladder over wNAF
/// digits: u2 is split by the GLV endomorphism into two ~128-bit halves on R and λ·R = (β·x, y), and u1
/// into its 128-bit halves on G and 2^128·G, whose odd multiples are precomputed once.
/// </summary>
internal static class EcRecover
{
    /// <summary>wNAF window for R and λ·R: 2^(w−2) = 8 odd multiples, built per call.</summary>
    private const int WindowR = 5;

    /// <summary>wNAF window for G and 2^128·G: 2^(w−2) odd multiples each (4096, 256 KiB per table), built once.</summary>
    private const int WindowG = 14;

    /// <summary>β, a primitive cube root of unity mod p, so (x, y) ↦ (β·x, y) is multiplication by λ (GLV 2001 §4 example 4).</summary>
    internal static readonly FieldElement Beta = new(0xC139_6C28_7195_01EE, 0x9CF0_4975_12F5_8995, 0x6E64_479E_AC34_34E9, 0x7AE9_6A2B_657C_0710);

    private static readonly AffinePoint[] s_gTable = OddMultiples(AffinePoint.G, WindowG);
    private static readonly AffinePoint[] s_g128Table = OddMultiples(TwoTo128G(), WindowG);

    /// <summary>
    /// Writes the recovered public key as X‖Y (64 big-endian bytes). False where r or s is 0 or ≥ n, where
    /// r is not the x-coordinate of a curve point, or where Q is the point at infinity; the digest is taken
    /// mod n (SEC 1 §4.1.3 step 5 for a 256-bit hash). Recovery ids are 0 and 1 only: Ethereum has no
    /// encoding for the x = r + n cases.
    /// </summary>
    public static bool TryRecover(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> rs64, int recoveryId, Span<byte> publicKey64)
    {
        if (recoveryId is not (0 or 1)
            || !Scalar.TryRead(rs64[..32], out var r) || r.IsZero
            || !Scalar.TryRead(rs64[32..64], out var s) || s.IsZero)
        {
            return false;
        }

        // R = (r, y) with y² = r³ + 7 and y's parity from the recovery id; r < n < p, so r is a field element.
        FieldElement.TryRead(rs64[..32], out var rx);
        AffinePoint.CurveRhs(rx, out var rhs);
        if (!FieldElement.Sqrt(rhs, out var ry))
        {
            return false;
        }

        if (ry.IsOdd != (recoveryId == 1))
        {
            FieldElement.Negate(ry, out ry);
        }

        var z = Scalar.ReadReduced(digest32);
        var rInv = Scalar.Inverse(r);
        var u1 = Scalar.Negate(Scalar.Mul(z, rInv));
        var u2 = Scalar.Mul(s, rInv);

        if (!MultiplyAdd(u1, u2, new AffinePoint(rx, ry), out var q))
        {
            return false;
        }

        q.X.Write(publicKey64[..32]);
        q.Y.Write(publicKey64[32..64]);
        return true;
    }

    /// <summary>u1·G + u2·P, or false where it is the point at infinity.</summary>
    internal static bool MultiplyAdd(in Scalar u1, in Scalar u2, in AffinePoint p, out AffinePoint result)
    {
        const int Digits = 257;

        Scalar.SplitLambda(u2, out var k1, out var k2);
        bool neg1 = k1.IsHigh;
        bool neg2 = k2.IsHigh;
        if (neg1)
        {
            k1 = Scalar.Negate(k1);
        }

        if (neg2)
        {
            k2 = Scalar.Negate(k2);
        }

        var u1Low = new Scalar(u1.L0, u1.L1, 0, 0);
        var u1High = new Scalar(u1.L2, u1.L3, 0, 0);

        Span<short> w1 = stackalloc short[Digits];
        Span<short> w2 = stackalloc short[Digits];
        Span<short> wLow = stackalloc short[Digits];
        Span<short> wHigh = stackalloc short[Digits];
        int len = Math.Max(
            Math.Max(Wnaf(k1, WindowR, w1), Wnaf(k2, WindowR, w2)),
            Math.Max(Wnaf(u1Low, WindowG, wLow), Wnaf(u1High, WindowG, wHigh)));

        // Odd multiples of P, all with one Z (zc); λ·P's are (β·X, Y) of the same points. The accumulator
        // is held scaled by zc too, so these add as affine points and G's through AddAffineScaled.
        Span<AffinePoint> pTable = stackalloc AffinePoint[1 << (WindowR - 2)];
        Span<AffinePoint> lamTable = stackalloc AffinePoint[1 << (WindowR - 2)];
        OddMultiplesSameZ(p, pTable, out var zc);
        for (int i = 0; i < pTable.Length; i++)
        {
            FieldElement.Mul(pTable[i].X, Beta, out lamTable[i].X);
            lamTable[i].Y = pTable[i].Y;
        }

        var acc = JacobianPoint.Infinity;
        for (int i = len - 1; i >= 0; i--)
        {
            JacobianPoint.Double(ref acc);
            AddDigit(ref acc, pTable, neg1 ? -w1[i] : w1[i]);
            AddDigit(ref acc, lamTable, neg2 ? -w2[i] : w2[i]);
            AddDigitScaled(ref acc, s_gTable, wLow[i], zc);
            AddDigitScaled(ref acc, s_g128Table, wHigh[i], zc);
        }

        FieldElement.Mul(acc.Z, zc, out acc.Z);
        return acc.TryToAffine(out result);
    }

    private static void AddDigit(ref JacobianPoint acc, ReadOnlySpan<AffinePoint> table, int digit)
    {
        if (digit > 0)
        {
            ref readonly var t = ref table[digit >> 1];
            JacobianPoint.AddAffine(ref acc, t.X, t.Y);
        }
        else if (digit < 0)
        {
            ref readonly var t = ref table[-digit >> 1];
            FieldElement.Negate(t.Y, out var y);
            JacobianPoint.AddAffine(ref acc, t.X, y);
        }
    }

    private static void AddDigitScaled(ref JacobianPoint acc, ReadOnlySpan<AffinePoint> table, int digit, in FieldElement zc)
    {
        if (digit > 0)
        {
            ref readonly var t = ref table[digit >> 1];
            JacobianPoint.AddAffineScaled(ref acc, t.X, t.Y, zc);
        }
        else if (digit < 0)
        {
            ref readonly var t = ref table[-digit >> 1];
            FieldElement.Negate(t.Y, out var y);
            JacobianPoint.AddAffineScaled(ref acc, t.X, y, zc);
        }
    }

    /// <summary>
    /// The width-w NAF of k (any value below 2^256): digits d_i, each 0 or odd with |d_i| &lt; 2^(w−1), with
    /// k = Σ d_i·2^i and at least w − 1 zeros after each nonzero digit; libsecp256k1's secp256k1_ecmult_wnaf.
    /// Returns one past the highest nonzero digit (at most 257).
    /// </summary>
    internal static int Wnaf(in Scalar k, int w, Span<short> wnaf)
    {
        wnaf.Clear();
        int end = k.BitLength;
        int carry = 0;
        int last = -1;
        int bit = 0;
        while (bit <= end)
        {
            if ((int)k.GetBits(bit, 1) == carry)
            {
                bit++;
                continue;
            }

            // Bits past the top read as 0, so a carry out of the top leaves a final digit of 1 at `end`.
            int word = (int)k.GetBits(bit, w) + carry;
            carry = (word >> (w - 1)) & 1;
            word -= carry << w;
            wnaf[bit] = (short)word;
            last = bit;
            bit += w;
        }

        return last + 1;
    }

    /// <summary>
    /// P, 3P, 5P, …, (2^(w−1) − 1)·P as (X_i, Y_i, zc) with one shared zc, without an inversion
    /// (libsecp256k1's secp256k1_ecmult_odd_multiples_table plus secp256k1_ge_table_set_globalz). Each
    /// Z_i = Z_(i−1)·H_i, so scaling point i by f = H_(i+1)⋯H_last (X·f², Y·f³) lifts it to the last Z.
    /// </summary>
    private static void OddMultiplesSameZ(in AffinePoint p, Span<AffinePoint> table, out FieldElement zc)
    {
        Span<JacobianPoint> jac = stackalloc JacobianPoint[table.Length];
        Span<FieldElement> ratios = stackalloc FieldElement[table.Length];
        OddMultiplesJacobian(p, jac, ratios, out var dz);

        int last = table.Length - 1;
        table[last] = new AffinePoint(jac[last].X, jac[last].Y);
        var f = ratios[last];
        for (int i = last - 1; i >= 0; i--)
        {
            FieldElement.Sqr(f, out var f2);
            FieldElement.Mul(f2, f, out var f3);
            FieldElement.Mul(jac[i].X, f2, out table[i].X);
            FieldElement.Mul(jac[i].Y, f3, out table[i].Y);
            if (i > 0)
            {
                FieldElement.Mul(f, ratios[i], out f);
            }
        }

        // The chain ran on the curve scaled by 2P's Z (see OddMultiplesJacobian), so the true Z is Z_last·dz.
        FieldElement.Mul(jac[last].Z, dz, out zc);
    }

    private static AffinePoint[] OddMultiples(in AffinePoint p, int w)
    {
        var jac = new JacobianPoint[1 << (w - 2)];
        OddMultiplesJacobian(p, jac, new FieldElement[jac.Length], out var dz);
        for (int i = 0; i < jac.Length; i++)
        {
            FieldElement.Mul(jac[i].Z, dz, out jac[i].Z);
        }

        var table = new AffinePoint[jac.Length];
        JacobianPoint.BatchToAffine(jac, table);
        return table;
    }

    /// <summary>
    /// P, 3P, 5P, … in Jacobian coordinates on the curve scaled by dz, the Z of 2P: 2P = (X, Y, dz) is the
    /// affine (X, Y) on the isomorphic curve y² = x³ + 7·dz⁶ under (x, y) ↦ (x·dz², y·dz³), and the a = 0
    /// formulas do not involve the constant term, so the chain runs there with mixed additions of (X, Y);
    /// a point (X', Y', Z') of it is (X', Y', Z'·dz) on secp256k1. ratios[i] = Z_i/Z_(i−1) (ratios[0] = 1).
    /// Every addition is of distinct x-coordinates: (2i − 1)·P = ±2P would need (2i + 1)·P or (2i − 3)·P to
    /// be infinity, and the group order n is a prime far above 2^w.
    /// </summary>
    private static void OddMultiplesJacobian(in AffinePoint p, Span<JacobianPoint> jac, Span<FieldElement> ratios, out FieldElement dz)
    {
        var d = JacobianPoint.FromAffine(p);
        JacobianPoint.Double(ref d);
        dz = d.Z;
        FieldElement.Sqr(dz, out var z2);
        FieldElement.Mul(z2, dz, out var z3);

        var cur = new JacobianPoint { Z = FieldElement.One };
        FieldElement.Mul(p.X, z2, out cur.X);
        FieldElement.Mul(p.Y, z3, out cur.Y);
        jac[0] = cur;
        ratios[0] = FieldElement.One;
        for (int i = 1; i < jac.Length; i++)
        {
            JacobianPoint.TryAddDistinct(ref cur, d.X, d.Y, cur.Z, out ratios[i]);
            jac[i] = cur;
        }
    }

    private static AffinePoint TwoTo128G()
    {
        var h = JacobianPoint.FromAffine(AffinePoint.G);
        for (int i = 0; i < 128; i++)
        {
            JacobianPoint.Double(ref h);
        }

        h.TryToAffine(out var a);
        return a;
    }
}
