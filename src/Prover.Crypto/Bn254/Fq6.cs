namespace Prover.Crypto.Bn254;

/// <summary>F_p⁶ = F_p²[v]/(v³ − ξ): <c>C0 + C1·v + C2·v²</c>.</summary>
public readonly record struct Fq6(Fq2 C0, Fq2 C1, Fq2 C2)
{
    public static Fq6 Zero => default;

    public static Fq6 One => new(Fq2.One, Fq2.Zero, Fq2.Zero);

    public bool IsZero => C0.IsZero && C1.IsZero && C2.IsZero;

    public static Fq6 operator +(Fq6 a, Fq6 b) => new(a.C0 + b.C0, a.C1 + b.C1, a.C2 + b.C2);

    public static Fq6 operator -(Fq6 a, Fq6 b) => new(a.C0 - b.C0, a.C1 - b.C1, a.C2 - b.C2);

    public static Fq6 operator -(Fq6 a) => new(-a.C0, -a.C1, -a.C2);

    public static Fq6 operator *(Fq6 a, Fq6 b)
    {
        // Karatsuba over the three coefficients, folding v³ = ξ.
        var v0 = a.C0 * b.C0;
        var v1 = a.C1 * b.C1;
        var v2 = a.C2 * b.C2;
        var c0 = ((((a.C1 + a.C2) * (b.C1 + b.C2)) - v1 - v2).MulByXi()) + v0;
        var c1 = ((a.C0 + a.C1) * (b.C0 + b.C1)) - v0 - v1 + v2.MulByXi();
        var c2 = ((a.C0 + a.C2) * (b.C0 + b.C2)) - v0 - v2 + v1;
        return new Fq6(c0, c1, c2);
    }

    /// <summary>Multiplies by an element of F_p² (each coefficient).</summary>
    public Fq6 Scale(Fq2 k) => new(C0 * k, C1 * k, C2 * k);

    /// <summary>Multiplies by <c>b0 + b1·v</c> (the shape of a line's <c>w</c> part), five F_p² products instead of six.</summary>
    public Fq6 MulBy01(Fq2 b0, Fq2 b1)
    {
        var v0 = C0 * b0;
        var v1 = C1 * b1;
        var c0 = (((C1 + C2) * b1) - v1).MulByXi() + v0;
        var c1 = ((C0 + C1) * (b0 + b1)) - v0 - v1;
        var c2 = ((C0 + C2) * b0) - v0 + v1;
        return new Fq6(c0, c1, c2);
    }

    public Fq6 Square() => this * this;

    /// <summary>Multiplies by v: (a0 + a1 v + a2 v²)·v = ξ a2 + a0 v + a1 v².</summary>
    public Fq6 MulByV() => new(C2.MulByXi(), C0, C1);

    /// <exception cref="DivideByZeroException">The element is zero.</exception>
    public Fq6 Inverse()
    {
        var t0 = C0.Square() - (C1 * C2).MulByXi();
        var t1 = C2.Square().MulByXi() - (C0 * C1);
        var t2 = C1.Square() - (C0 * C2);
        var denominator = (C0 * t0) + ((C2 * t1) + (C1 * t2)).MulByXi();
        var inv = denominator.Inverse();
        return new Fq6(t0 * inv, t1 * inv, t2 * inv);
    }
}
