using System.Numerics;

namespace Prover.Crypto.Bn254;

/// <summary>
/// F_p² = F_p[i]/(i² + 1), the field of the G2 twist's coordinates. <see cref="C0"/> is the real part
/// (snarkjs' first coordinate of a pair; EIP-197 writes the imaginary part first).
/// </summary>
public readonly record struct Fq2(Fq C0, Fq C1)
{
    public static Fq2 Zero => default;

    public static Fq2 One => new(Fq.One, Fq.Zero);

    /// <summary>ξ = 9 + i, the non-residue of the tower: F_p⁶ = F_p²[v]/(v³ − ξ).</summary>
    public static readonly Fq2 Xi = new(Fq.FromUInt64(9), Fq.One);

    public bool IsZero => C0.IsZero && C1.IsZero;

    public static Fq2 operator +(Fq2 a, Fq2 b) => new(a.C0 + b.C0, a.C1 + b.C1);

    public static Fq2 operator -(Fq2 a, Fq2 b) => new(a.C0 - b.C0, a.C1 - b.C1);

    public static Fq2 operator -(Fq2 a) => new(-a.C0, -a.C1);

    public static Fq2 operator *(Fq2 a, Fq2 b)
    {
        // Karatsuba: three base-field products.
        var v0 = a.C0 * b.C0;
        var v1 = a.C1 * b.C1;
        return new Fq2(v0 - v1, ((a.C0 + a.C1) * (b.C0 + b.C1)) - v0 - v1);
    }

    public static Fq2 operator *(Fq2 a, Fq b) => new(a.C0 * b, a.C1 * b);

    public Fq2 Square()
    {
        // (a + bi)² = (a + b)(a − b) + 2ab·i
        var ab = C0 * C1;
        return new Fq2((C0 + C1) * (C0 - C1), ab + ab);
    }

    public Fq2 Double() => new(C0.Double(), C1.Double());

    /// <summary>Multiplies by ξ = 9 + i: (a + bi)(9 + i) = (9a − b) + (a + 9b)i.</summary>
    public Fq2 MulByXi()
    {
        var a8 = C0.Double().Double().Double();
        var b8 = C1.Double().Double().Double();
        return new Fq2(a8 + C0 - C1, C0 + b8 + C1);
    }

    /// <summary>The conjugate a − bi, which is also the p-th power (p ≡ 3 mod 4).</summary>
    public Fq2 Conjugate() => new(C0, -C1);

    /// <exception cref="DivideByZeroException">The element is zero.</exception>
    public Fq2 Inverse()
    {
        var inv = (C0.Square() + C1.Square()).Inverse();
        return new Fq2(C0 * inv, -(C1 * inv));
    }

    public Fq2 Pow(BigInteger exponent)
    {
        var result = One;
        var bits = exponent.GetBitLength();
        for (var i = bits - 1; i >= 0; i--)
        {
            result = result.Square();
            if (!(exponent >> (int)i).IsEven)
            {
                result *= this;
            }
        }

        return result;
    }

    public override string ToString() => $"({C0}, {C1})";
}
