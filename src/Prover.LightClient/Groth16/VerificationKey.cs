using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Prover.Crypto.Bn254;

namespace Prover.LightClient.Groth16;

/// <summary>
/// A Groth16 verification key over BN254, read from snarkjs' <c>verification_key.json</c>
/// (<c>protocol: groth16</c>, <c>curve: bn128</c>). Every point is checked when the key is read: coordinates
/// below p, on the curve, G2 points in the order-r subgroup.
/// </summary>
public sealed class VerificationKey
{
    private VerificationKey(G1 alpha, G2 beta, G2 gamma, G2 delta, G1[] ic)
    {
        Alpha = alpha;
        Beta = beta;
        Gamma = gamma;
        Delta = delta;
        IC = ic;
        NegatedAlphaBeta = Pairing.MillerLoop([(alpha.Negate(), beta)]);
    }

    /// <summary>How many public inputs the key verifies (<c>nPublic</c>; the inbox's circuits have 8).</summary>
    public int PublicInputCount => IC.Length - 1;

    internal G1 Alpha { get; }

    internal G2 Beta { get; }

    internal G2 Gamma { get; }

    internal G2 Delta { get; }

    internal G1[] IC { get; }

    /// <summary>The Miller loop of e(−α, β), the same for every proof, computed once.</summary>
    internal Fq12 NegatedAlphaBeta { get; }

    /// <summary>
    /// Every coordinate of the key by name (<c>vk_alpha_1.x</c>, <c>vk_delta_2.y.c1</c>, <c>IC[3].y</c>…) as
    /// an integer: the constants a snarkjs-generated Solidity verifier embeds in its code.
    /// </summary>
    public IReadOnlyList<(string Name, BigInteger Value)> Constants()
    {
        var list = new List<(string, BigInteger)>
        {
            ("vk_alpha_1.x", Alpha.X.ToBigInteger()),
            ("vk_alpha_1.y", Alpha.Y.ToBigInteger()),
        };
        foreach (var (name, q) in new[] { ("vk_beta_2", Beta), ("vk_gamma_2", Gamma), ("vk_delta_2", Delta) })
        {
            list.Add(($"{name}.x.c0", q.X.C0.ToBigInteger()));
            list.Add(($"{name}.x.c1", q.X.C1.ToBigInteger()));
            list.Add(($"{name}.y.c0", q.Y.C0.ToBigInteger()));
            list.Add(($"{name}.y.c1", q.Y.C1.ToBigInteger()));
        }

        for (var i = 0; i < IC.Length; i++)
        {
            list.Add(($"IC[{i}].x", IC[i].X.ToBigInteger()));
            list.Add(($"IC[{i}].y", IC[i].Y.ToBigInteger()));
        }

        return list;
    }

    /// <summary>Reads a snarkjs <c>verification_key.json</c>.</summary>
    /// <exception cref="ProofFormatException">The file is missing or not a Groth16 BN254 key.</exception>
    /// <exception cref="InvalidPointException">A point of the key is not a valid curve point.</exception>
    public static async Task<VerificationKey> ReadAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ProofFormatException(path, "no such verification key file.", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses the text of a snarkjs <c>verification_key.json</c>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ProofFormatException">Not a Groth16 BN254 key.</exception>
    /// <exception cref="InvalidPointException">A point of the key is not a valid curve point.</exception>
    public static VerificationKey Parse(string json, string source = "verification key")
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.GetProperty("protocol").GetString() != "groth16" || root.GetProperty("curve").GetString() is not ("bn128" or "bn254"))
            {
                throw new ProofFormatException(source, "not a Groth16 key over BN254 (protocol must be groth16, curve bn128).");
            }

            var ic = root.GetProperty("IC").EnumerateArray().Select((p, i) => SnarkjsPoints.G1(p, $"IC[{i}]", source)).ToArray();
            var nPublic = root.GetProperty("nPublic").GetInt32();
            if (ic.Length != nPublic + 1)
            {
                throw new ProofFormatException(source, $"nPublic is {nPublic} but IC has {ic.Length} points (expected nPublic + 1).");
            }

            return new VerificationKey(
                SnarkjsPoints.G1(root.GetProperty("vk_alpha_1"), "vk_alpha_1", source),
                SnarkjsPoints.G2(root.GetProperty("vk_beta_2"), "vk_beta_2", source),
                SnarkjsPoints.G2(root.GetProperty("vk_gamma_2"), "vk_gamma_2", source),
                SnarkjsPoints.G2(root.GetProperty("vk_delta_2"), "vk_delta_2", source),
                ic);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            throw new ProofFormatException(source, $"not a snarkjs verification key: {e.Message}", e);
        }
    }
}

/// <summary>snarkjs' JSON encodings of BN254 points: projective decimal strings, G2 pairs as <c>[c0, c1]</c>.</summary>
internal static class SnarkjsPoints
{
    public static G1 G1(JsonElement e, string name, string source)
    {
        var x = Coordinate(e[0], name, source);
        var y = Coordinate(e[1], name, source);
        var z = Integer(e[2], name, source);
        if (z.IsZero)
        {
            return Curves.CheckG1(BigInteger.Zero, BigInteger.Zero, name);
        }

        if (!z.IsOne)
        {
            throw new ProofFormatException(source, $"{name} is not in affine form (z = {z}, expected 1).");
        }

        return Curves.CheckG1(x, y, name);
    }

    public static G2 G2(JsonElement e, string name, string source)
    {
        var z0 = Integer(e[2][0], name, source);
        var z1 = Integer(e[2][1], name, source);
        if (z0.IsZero && z1.IsZero)
        {
            return Curves.CheckG2(BigInteger.Zero, BigInteger.Zero, BigInteger.Zero, BigInteger.Zero, name);
        }

        if (!z0.IsOne || !z1.IsZero)
        {
            throw new ProofFormatException(source, $"{name} is not in affine form (z = [{z0}, {z1}], expected [1, 0]).");
        }

        return Curves.CheckG2(
            Coordinate(e[0][0], name, source), Coordinate(e[0][1], name, source),
            Coordinate(e[1][0], name, source), Coordinate(e[1][1], name, source), name);
    }

    private static BigInteger Coordinate(JsonElement e, string name, string source) => Integer(e, name, source);

    private static BigInteger Integer(JsonElement e, string name, string source)
    {
        var text = e.GetString() ?? throw new FormatException($"{name} has a coordinate that is not a string");
        return BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ProofFormatException(source, $"{name} has a coordinate '{text}' that is not a decimal integer.");
    }
}

/// <summary>The checks every point from outside passes before it reaches the pairing (as the EVM's precompiles do).</summary>
internal static class Curves
{
    /// <exception cref="InvalidPointException">A coordinate is ≥ p or the point is not on the curve.</exception>
    public static G1 CheckG1(BigInteger x, BigInteger y, string name)
    {
        var fx = Field(x, name, "x");
        var fy = Field(y, name, "y");
        if (fx.IsZero && fy.IsZero)
        {
            return G1.Infinity;
        }

        var point = new G1(fx, fy, false);
        return point.IsOnCurve ? point : throw new InvalidPointException(name, $"({x}, {y}) is not on the curve y² = x³ + 3.");
    }

    /// <exception cref="InvalidPointException">A coordinate is ≥ p, or the point is not on the twist or not in the order-r subgroup.</exception>
    public static G2 CheckG2(BigInteger x0, BigInteger x1, BigInteger y0, BigInteger y1, string name)
    {
        var x = new Fq2(Field(x0, name, "x.c0"), Field(x1, name, "x.c1"));
        var y = new Fq2(Field(y0, name, "y.c0"), Field(y1, name, "y.c1"));
        if (x.IsZero && y.IsZero)
        {
            return G2.Infinity;
        }

        var point = new G2(x, y, false);
        if (!point.IsOnCurve)
        {
            throw new InvalidPointException(name, $"(({x0}, {x1}), ({y0}, {y1})) is not on the twist y² = x³ + 3/(9 + i).");
        }

        return point.IsInSubgroup
            ? point
            : throw new InvalidPointException(name, $"(({x0}, {x1}), ({y0}, {y1})) is on the twist but not in the order-r subgroup G2.");
    }

    private static Fq Field(BigInteger value, string name, string coordinate) =>
        Fq.TryFromBigInteger(value, out var f)
            ? f
            : throw new InvalidPointException(name, $"coordinate {coordinate} = {value} is not below the base field modulus p = {Fq.Modulus}.");
}
