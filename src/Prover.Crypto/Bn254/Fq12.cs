using System.Numerics;

namespace Prover.Crypto.Bn254;

/// <summary>
/// F_p¹² = F_p⁶[w]/(w² − v): <c>C0 + C1·w</c>, the field the pairing's values live in. With
/// <c>w⁶ = v³ = ξ</c>, an element is <c>Σ c_m·w^m</c> (m = 0..5) over F_p², with
/// <c>C0 = (c_0, c_2, c_4)</c> and <c>C1 = (c_1, c_3, c_5)</c>.
/// </summary>
public readonly record struct Fq12(Fq6 C0, Fq6 C1)
{
    public static Fq12 One => new(Fq6.One, Fq6.Zero);

    // γ[k][m] = ξ^(m·(p^k − 1)/6): the Frobenius x ↦ x^(p^k) maps c_m·w^m to conj^k(c_m)·γ[k][m]·w^m,
    // since w^(m·p^k) = w^m·(w⁶)^(m(p^k − 1)/6) and p ≡ 1 (mod 6).
    private static readonly Fq2[][] Gamma = [Constants(1), Constants(2), Constants(3)];

    public bool IsOne => this == One;

    public static Fq12 operator *(Fq12 a, Fq12 b)
    {
        var v0 = a.C0 * b.C0;
        var v1 = a.C1 * b.C1;
        return new Fq12(v0 + v1.MulByV(), ((a.C0 + a.C1) * (b.C0 + b.C1)) - v0 - v1);
    }

    public Fq12 Square()
    {
        // (a + bw)² = a² + b²v + 2ab·w, with a² + b²v = (a + b)(a + bv) − ab − abv.
        var ab = C0 * C1;
        var c0 = ((C0 + C1) * (C0 + C1.MulByV())) - ab - ab.MulByV();
        return new Fq12(c0, ab + ab);
    }

    /// <summary>
    /// The square of an element of the cyclotomic subgroup (x^(p⁶ + 1)·… = 1, i.e. any value after the
    /// easy part of the final exponentiation): Granger and Scott, "Faster squaring in the cyclotomic
    /// subgroup of sixth degree extensions" (PKC 2010), 9 F_p² squarings instead of 12 products. Viewing
    /// the element as <c>A0 + A1·w + A2·w²</c> over F_p⁴ = F_p²[s]/(s² − ξ), s = w³, with
    /// <c>A0 = c0 + c3 s</c>, <c>A1 = c1 + c4 s</c>, <c>A2 = c2 + c5 s</c>, its square is
    /// <c>(3A0² − 2Ā0) + (3s·A2² + 2Ā1)·w + (3A1² − 2Ā2)·w²</c>. Wrong for any other element.
    /// </summary>
    public Fq12 CyclotomicSquare()
    {
        Fq2 c0 = C0.C0, c2 = C0.C1, c4 = C0.C2, c1 = C1.C0, c3 = C1.C1, c5 = C1.C2;

        // Aᵢ² = (a² + ξb²) + 2ab·s for Aᵢ = a + b s.
        var (a0, b0) = Fq4Square(c0, c3);
        var (a1, b1) = Fq4Square(c1, c4);
        var (a2, b2) = Fq4Square(c2, c5);
        var sb2 = b2.MulByXi(); // s·A2² = ξ·b2 + a2·s

        Fq2 Minus(Fq2 square, Fq2 c) => ((square - c).Double()) + square; // 3·square − 2c
        Fq2 Plus(Fq2 square, Fq2 c) => ((square + c).Double()) + square;  // 3·square + 2c
        return new Fq12(
            new Fq6(Minus(a0, c0), Minus(a1, c2), Minus(a2, c4)),
            new Fq6(Plus(sb2, c1), Plus(b0, c3), Plus(b1, c5)));
    }

    private static (Fq2 A, Fq2 B) Fq4Square(Fq2 a, Fq2 b)
    {
        var aa = a.Square();
        var bb = b.Square();
        return (bb.MulByXi() + aa, (a + b).Square() - aa - bb);
    }

    /// <summary>
    /// Multiplies by a line value <c>a0 + (b0 + b1·v)·w</c> (<c>a0, b0, b1</c> in F_p²), the only shape
    /// the Miller loop produces: 13 F_p² products instead of 18.
    /// </summary>
    public Fq12 MulByLine(Fq2 a0, Fq2 b0, Fq2 b1)
    {
        var v0 = C0.Scale(a0);
        var v1 = C1.MulBy01(b0, b1);
        var c1 = (C0 + C1).MulBy01(a0 + b0, b1) - v0 - v1;
        return new Fq12(v0 + v1.MulByV(), c1);
    }

    /// <summary>The conjugate <c>C0 − C1·w</c>, which is the p⁶-th power.</summary>
    public Fq12 Conjugate() => new(C0, -C1);

    /// <exception cref="DivideByZeroException">The element is zero.</exception>
    public Fq12 Inverse()
    {
        // (a + bw)⁻¹ = (a − bw)/(a² − b²v)
        var inv = (C0.Square() - C1.Square().MulByV()).Inverse();
        return new Fq12(C0 * inv, -(C1 * inv));
    }

    /// <summary>x^(p^k) for k = 1, 2, 3.</summary>
    public Fq12 Frobenius(int k)
    {
        var g = Gamma[k - 1];
        Fq2 F(Fq2 c, int m) => ((k & 1) == 1 ? c.Conjugate() : c) * g[m];
        return new Fq12(
            new Fq6(F(C0.C0, 0), F(C0.C1, 2), F(C0.C2, 4)),
            new Fq6(F(C1.C0, 1), F(C1.C1, 3), F(C1.C2, 5)));
    }

    public Fq12 Pow(BigInteger exponent)
    {
        var result = One;
        for (var i = exponent.GetBitLength() - 1; i >= 0; i--)
        {
            result = result.Square();
            if (!(exponent >> (int)i).IsEven)
            {
                result *= this;
            }
        }

        return result;
    }

    private static Fq2[] Constants(int k)
    {
        var pk = BigInteger.Pow(Fq.Modulus, k);
        return [.. Enumerable.Range(0, 6).Select(m => Fq2.Xi.Pow(m * (pk - 1) / 6))];
    }
}
