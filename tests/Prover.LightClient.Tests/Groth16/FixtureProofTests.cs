using System.Numerics;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Crypto.Bn254;
using Prover.LightClient.Groth16;

namespace Prover.LightClient.Tests.Groth16;

/// <summary>The C# Groth16 verifier on the committed snarkjs proof of a real batch (fixtures/groth16).</summary>
public sealed class FixtureProofTests
{
    private static readonly BigInteger P = Fq.Modulus;

    [Fact]
    public void The_snarkjs_fixture_proof_verifies_against_its_public_signals()
    {
        Assert.Equal(BatchStatement.SignalNames.Count, Fixture.Key.PublicInputCount);
        Assert.True(Groth16Verifier.Verify(Fixture.Key, Fixture.Proof, Fixture.Signals));
    }

    [Fact]
    public async Task The_snarkjs_fixture_files_verify_as_read_from_disk()
    {
        var dir = RepoPaths.Groth16Fixture;
        Assert.True(await Groth16Verifier.VerifyFilesAsync(Fixture.Key, Path.Combine(dir, "proof.json"), Path.Combine(dir, "public.json"), CancellationToken.None));
    }

    public static TheoryData<int> SignalIndices => [0, 1, 2, 3, 4, 5, 6, 7];

    [Theory]
    [MemberData(nameof(SignalIndices))]
    public void The_proof_fails_when_any_single_public_signal_is_changed(int index)
    {
        var signals = Fixture.Signals.ToArray();
        signals[index] -= Fr.One;
        Assert.False(Groth16Verifier.Verify(Fixture.Key, Fixture.Proof, signals), CircuitInputs.PublicSignalNames[index]);
    }

    [Fact]
    public void The_re_randomized_proof_minus_a_minus_b_c_verifies_too()
    {
        // e(−A, −B) = e(A, B): a sign error anywhere in the G2 encoding would break this.
        var w = Fixture.Proof.Words;
        var negated = Fixture.With(Fixture.Proof, (1, P - w[1]), (4, P - w[4]), (5, P - w[5]));
        Assert.True(Groth16Verifier.Verify(Fixture.Key, negated, Fixture.Signals));
    }

    [Fact]
    public void A_proof_with_a_different_valid_point_for_a_b_or_c_fails()
    {
        var w = Fixture.Proof.Words;
        var a = new G1(Fq.FromBigInteger(w[0]), Fq.FromBigInteger(w[1]), false) + G1.Generator;
        var c = new G1(Fq.FromBigInteger(w[6]), Fq.FromBigInteger(w[7]), false).Multiply(2);
        var b = new G2(new Fq2(Fq.FromBigInteger(w[3]), Fq.FromBigInteger(w[2])), new Fq2(Fq.FromBigInteger(w[5]), Fq.FromBigInteger(w[4])), false).Multiply(3);

        Assert.False(Groth16Verifier.Verify(Fixture.Key, Fixture.With(Fixture.Proof, (0, a.X.ToBigInteger()), (1, a.Y.ToBigInteger())), Fixture.Signals));
        Assert.False(Groth16Verifier.Verify(Fixture.Key, Fixture.With(Fixture.Proof, (6, c.X.ToBigInteger()), (7, c.Y.ToBigInteger())), Fixture.Signals));
        Assert.False(Groth16Verifier.Verify(
            Fixture.Key,
            Fixture.With(Fixture.Proof, (2, b.X.C1.ToBigInteger()), (3, b.X.C0.ToBigInteger()), (4, b.Y.C1.ToBigInteger()), (5, b.Y.C0.ToBigInteger())),
            Fixture.Signals));
    }

    public static TheoryData<int> Words => [0, 1, 2, 3, 4, 5, 6, 7];

    [Theory]
    [MemberData(nameof(Words))]
    public void A_proof_with_any_coordinate_changed_is_refused_as_off_its_curve(int word)
    {
        var tampered = Fixture.With(Fixture.Proof, (word, (Fixture.Proof.Words[word] + 1) % P));
        var e = Assert.Throws<InvalidPointException>(() => Groth16Verifier.Verify(Fixture.Key, tampered, Fixture.Signals));
        Assert.Equal(word switch { < 2 => "proof.A", < 6 => "proof.B", _ => "proof.C" }, e.Point);
        Assert.Contains("is not on the", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Words))]
    public void A_coordinate_at_or_above_p_is_refused_even_when_it_is_congruent_to_the_right_one(int word)
    {
        var tampered = Fixture.With(Fixture.Proof, (word, Fixture.Proof.Words[word] + P));
        var e = Assert.Throws<InvalidPointException>(() => Groth16Verifier.Verify(Fixture.Key, tampered, Fixture.Signals));
        Assert.Contains("is not below the base field modulus", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_point_on_the_twist_outside_the_order_r_subgroup_is_refused_as_b()
    {
        var (x, y) = TwistPoints.OutsideSubgroup();
        var tampered = Fixture.With(Fixture.Proof, (2, x.C1.ToBigInteger()), (3, x.C0.ToBigInteger()), (4, y.C1.ToBigInteger()), (5, y.C0.ToBigInteger()));
        var e = Assert.Throws<InvalidPointException>(() => Groth16Verifier.Verify(Fixture.Key, tampered, Fixture.Signals));
        Assert.Equal("proof.B", e.Point);
        Assert.Contains("not in the order-r subgroup", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wrong_number_of_public_signals_is_refused()
    {
        Assert.Throws<ProofFormatException>(() => Groth16Verifier.Verify(Fixture.Key, Fixture.Proof, Fixture.Signals.Take(4).ToArray()));
    }

    [Fact]
    public void The_pairing_of_the_keys_alpha_and_beta_is_the_alphabeta_snarkjs_precomputed_up_to_its_fixed_exponent()
    {
        using var doc = Fixture.KeyDocument();
        var ab = doc.RootElement.GetProperty("vk_alphabeta_12");
        Fq2 Pair(int half, int i) => new(
            Fq.FromBigInteger(BigInteger.Parse(ab[half][i][0].GetString()!, System.Globalization.CultureInfo.InvariantCulture)),
            Fq.FromBigInteger(BigInteger.Parse(ab[half][i][1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
        var expected = new Fq12(new Fq6(Pair(0, 0), Pair(0, 1), Pair(0, 2)), new Fq6(Pair(1, 0), Pair(1, 1), Pair(1, 2)));

        // ffjavascript's final exponentiation uses the Fuentes-Castañeda et al. hard part, which raises
        // to a fixed multiple of (p⁴ − p² + 1)/r: its values are the reduced pairing's to the power
        // 2u(6u² + 3u + 1) (coprime to r, so still a non-degenerate bilinear pairing). A match under that
        // power pins every coefficient of ours, in the same tower F_p²[v][w].
        var u = BigInteger.Parse("4965661367192848881", System.Globalization.CultureInfo.InvariantCulture);
        var ours = Pairing.Pair(Fixture.Key.Alpha, Fixture.Key.Beta);
        Assert.NotEqual(expected, ours);
        Assert.Equal(expected, ours.Pow(2 * u * ((6 * u * u) + (3 * u) + 1)));
    }

    [Fact]
    public void A_key_point_off_its_curve_is_refused_when_the_key_is_read()
    {
        var json = Fixture.KeyJson.Replace(Fixture.Key.Alpha.Y.ToString(), (Fixture.Key.Alpha.Y + Fq.One).ToString(), StringComparison.Ordinal);
        var e = Assert.Throws<InvalidPointException>(() => VerificationKey.Parse(json));
        Assert.Equal("vk_alpha_1", e.Point);
    }

    [Fact]
    public void A_file_that_is_not_a_groth16_key_is_refused_with_its_name()
    {
        var e = Assert.Throws<ProofFormatException>(() => VerificationKey.Parse("{\"protocol\":\"plonk\",\"curve\":\"bn128\"}", "k.json"));
        Assert.Contains("k.json", e.Message, StringComparison.Ordinal);
    }
}
