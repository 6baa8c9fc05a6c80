using System.Numerics;
using System.Text.Json;
using Nethereum.EVM.Execution;
using Prover.Crypto.Bn254;

namespace Prover.Crypto.Tests.Bn254;

/// <summary>The pairing's defining properties, and agreement with Nethereum.EVM's EIP-196/197 precompiles (0x06, 0x07, 0x08).</summary>
public sealed class PairingTests
{
    private static readonly BuiltInPrecompileProvider Evm = BuiltInPrecompileProvider.Cancun();

    [Fact]
    public void The_pairing_is_bilinear_in_both_arguments()
    {
        var a = new BigInteger(123_456_789);
        var b = BigInteger.Parse("98765432109876543210987654321", System.Globalization.CultureInfo.InvariantCulture);
        var p = G1.Generator;
        var q = G2.Generator;
        var e = Pairing.Pair(p, q);

        Assert.Equal(e.Pow(a * b), Pairing.Pair(p.Multiply(a), q.Multiply(b)));
        Assert.Equal(Pairing.Pair(p.Multiply(a * b), q), Pairing.Pair(p, q.Multiply(a * b)));
    }

    [Fact]
    public void The_pairing_is_non_degenerate_and_its_values_have_order_r()
    {
        var e = Pairing.Pair(G1.Generator, G2.Generator);
        Assert.False(e.IsOne);
        Assert.True(e.Pow(G1.Order).IsOne);
    }

    [Fact]
    public void A_product_of_pairings_is_one_exactly_when_the_exponents_cancel()
    {
        var a = new BigInteger(31_415_926_535);
        var b = new BigInteger(27_182_818_284);
        (G1, G2)[] balanced = [(G1.Generator.Multiply(a), G2.Generator.Multiply(b)), (G1.Generator.Multiply(a * b).Negate(), G2.Generator)];
        (G1, G2)[] unbalanced = [(G1.Generator.Multiply(a), G2.Generator.Multiply(b)), (G1.Generator.Multiply((a * b) + 1).Negate(), G2.Generator)];

        Assert.True(Pairing.ProductIsOne(balanced));
        Assert.False(Pairing.ProductIsOne(unbalanced));
        Assert.True(Precompile(balanced));
        Assert.False(Precompile(unbalanced));
    }

    [Fact]
    public void The_groth16_fixture_equation_holds_for_the_precompile_and_for_the_csharp_pairing_alike()
    {
        // fixtures/groth16 read straight from snarkjs' JSON (G2 coordinates as [c0, c1]), independently
        // of the light client's own reader.
        var folder = Repository.Path("fixtures", "groth16");
        using var keyJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "verification_key.json")));
        using var proofJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "proof.json")));
        using var publicJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "public.json")));
        var key = keyJson.RootElement;
        var proof = proofJson.RootElement;
        var ic = key.GetProperty("IC").EnumerateArray().Select(G1Of).ToArray();
        var signals = publicJson.RootElement.EnumerateArray().Select(e => BigInteger.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(signals.Length + 1, ic.Length);

        var vkX = ic[0];
        for (var i = 0; i < signals.Length; i++)
        {
            vkX += ic[i + 1].Multiply(signals[i]);
        }

        var (a, b, c) = (G1Of(proof.GetProperty("pi_a")), G2Of(proof.GetProperty("pi_b")), G1Of(proof.GetProperty("pi_c")));
        var (alpha, beta, gamma, delta) = (G1Of(key.GetProperty("vk_alpha_1")), G2Of(key.GetProperty("vk_beta_2")), G2Of(key.GetProperty("vk_gamma_2")), G2Of(key.GetProperty("vk_delta_2")));
        (G1, G2)[] pairs = [(a.Negate(), b), (alpha, beta), (vkX, gamma), (c, delta)];
        Assert.True(Precompile(pairs));
        Assert.True(Pairing.ProductIsOne(pairs));

        (G1, G2)[] wrong = [(a.Negate(), b), (alpha, beta), (vkX + G1.Generator, gamma), (c, delta)];
        Assert.False(Precompile(wrong));
        Assert.False(Pairing.ProductIsOne(wrong));
    }

    private static Fq FqOf(JsonElement e) => Fq.FromBigInteger(BigInteger.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture));

    private static G1 G1Of(JsonElement e) => new(FqOf(e[0]), FqOf(e[1]), false);

    private static G2 G2Of(JsonElement e) => new(new Fq2(FqOf(e[0][0]), FqOf(e[0][1])), new Fq2(FqOf(e[1][0]), FqOf(e[1][1])), false);

    [Fact]
    public void G1_addition_and_scalar_multiplication_agree_with_the_precompiles()
    {
        var p = G1.Generator.Multiply(7_777_777);
        var q = G1.Generator.Multiply(BigInteger.Parse("1234567890123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture));
        var k = G1.Order - 12_345;

        Assert.Equal(Bytes(p + q), Evm.Execute("0x0000000000000000000000000000000000000006", [.. Bytes(p), .. Bytes(q)]));
        Assert.Equal(Bytes(p.Multiply(k)), Evm.Execute("0x0000000000000000000000000000000000000007", [.. Bytes(p), .. Word(k)]));
        Assert.Equal(Bytes(G1.Infinity), Bytes(p + p.Negate()));
    }

    [Fact]
    public void The_twist_points_outside_g2_exist_and_are_on_the_curve_but_fail_the_subgroup_check()
    {
        var (x, y) = TwistPoints.OutsideSubgroup();
        var point = new G2(x, y, false);
        Assert.True(point.IsOnCurve);
        Assert.False(point.IsInSubgroup);
        Assert.True(G2.Generator.IsInSubgroup);
    }

    [Fact]
    public void Cyclotomic_squaring_equals_squaring_after_the_easy_part_of_the_final_exponentiation()
    {
        var f = Pairing.MillerLoop([(G1.Generator.Multiply(5), G2.Generator.Multiply(7))]);
        var easy = f.Conjugate() * f.Inverse();
        easy = easy.Frobenius(2) * easy;

        Assert.Equal(easy.Square(), easy.CyclotomicSquare());
        Assert.NotEqual(f.Square(), f.CyclotomicSquare());
    }

    [Fact]
    public void Frobenius_maps_are_the_p_th_powers()
    {
        var x = Pairing.MillerLoop([(G1.Generator, G2.Generator.Multiply(3))]);
        Assert.Equal(x.Pow(Fq.Modulus), x.Frobenius(1));
        Assert.Equal(x.Frobenius(1).Frobenius(1), x.Frobenius(2));
        Assert.Equal(x.Frobenius(2).Frobenius(1), x.Frobenius(3));
    }

    [Fact]
    public void A_multi_scalar_multiplication_is_the_sum_of_the_scalar_multiplications()
    {
        G1[] points = [G1.Generator, G1.Generator.Multiply(11), G1.Generator.Multiply(G1.Order - 2)];
        BigInteger[] scalars = [G1.Order - 1, 0, BigInteger.Pow(2, 200) + 3];

        var expected = points[0].Multiply(scalars[0]) + points[1].Multiply(scalars[1]) + points[2].Multiply(scalars[2]);
        Assert.Equal(expected, G1Jacobian.MultiScalarMultiply(points, scalars).ToAffine());
    }

    /// <summary>The 0x08 precompile's answer for these pairs (EIP-197 encoding: G2 imaginary parts first).</summary>
    internal static bool Precompile(IEnumerable<(G1 P, G2 Q)> pairs)
    {
        var input = new List<byte>();
        foreach (var (p, q) in pairs)
        {
            input.AddRange(Bytes(p));
            input.AddRange(Word(q.X.C1.ToBigInteger()));
            input.AddRange(Word(q.X.C0.ToBigInteger()));
            input.AddRange(Word(q.Y.C1.ToBigInteger()));
            input.AddRange(Word(q.Y.C0.ToBigInteger()));
        }

        var output = Evm.Execute("0x0000000000000000000000000000000000000008", [.. input]);
        return output[^1] == 1;
    }

    internal static byte[] Bytes(G1 p) => p.IsInfinity ? new byte[64] : [.. Word(p.X.ToBigInteger()), .. Word(p.Y.ToBigInteger())];

    internal static byte[] Word(BigInteger v)
    {
        var bytes = v.ToByteArray(isUnsigned: true, isBigEndian: true);
        var word = new byte[32];
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }
}
