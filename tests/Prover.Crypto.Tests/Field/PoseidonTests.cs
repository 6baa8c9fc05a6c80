using System.Globalization;
using System.Text.Json;
using Prover.Core;
using Prover.Crypto.Field;

namespace Prover.Crypto.Tests.Field;

public sealed class PoseidonTests
{
    private sealed record Vector(string[] Inputs, string Output, string? InitialState);

    private sealed record VectorFile(string Modulus, Vector[] Vectors);

    private static readonly Lazy<VectorFile> File = new(() =>
        JsonSerializer.Deserialize<VectorFile>(
            System.IO.File.ReadAllText(Repository.Path("fixtures", "poseidon", "vectors.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
        ?? throw new InvalidOperationException("fixtures/poseidon/vectors.json is empty."));

    // The vectors of circomlib's Poseidon(n), whose initial state is 0.
    private static IEnumerable<Vector> Plain => File.Value.Vectors.Where(v => v.InitialState is null);

    private static Fr[] Inputs(Vector v) => v.Inputs.Select(s => Fr.Parse(s)).ToArray();

    [Fact]
    public void Vector_file_covers_every_supported_arity_and_the_same_modulus()
    {
        Assert.Equal(Fr.Modulus.ToString(CultureInfo.InvariantCulture), File.Value.Modulus);
        for (int n = 1; n <= Poseidon.MaxInputs; n++)
        {
            Assert.True(Plain.Count(v => v.Inputs.Length == n) >= 30, $"too few vectors for {n} inputs");
            Assert.True(File.Value.Vectors.Count(v => v.InitialState is not null && v.Inputs.Length == n) >= 4, $"too few initial-state vectors for {n} inputs");
        }
    }

    [Fact]
    public void Poseidon_matches_circomlibjs_for_every_vector()
    {
        var mismatches = Plain
            .Where(v => Poseidon.Hash(Inputs(v)).ToString() != v.Output)
            .Select(v => $"[{string.Join(", ", v.Inputs)}]: expected {v.Output}, got {Poseidon.Hash(Inputs(v))}")
            .ToList();

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public void Poseidon_from_an_initial_state_matches_circomlibjs_PoseidonEx()
    {
        var vectors = File.Value.Vectors.Where(v => v.InitialState is not null).ToList();
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            Assert.Equal(v.Output, Poseidon.HashWithInitialState(Fr.Parse(v.InitialState!), Inputs(v)).ToString());
        }

        // From state 0 it is Poseidon(n) itself.
        foreach (var v in Plain.Where(v => v.Inputs.Length is 3 or 16))
        {
            Assert.Equal(v.Output, Poseidon.HashWithInitialState(Fr.Zero, Inputs(v)).ToString());
        }
    }

    [Fact]
    public void Two_input_overload_matches_the_span_form()
    {
        foreach (var v in Plain.Where(v => v.Inputs.Length == 2))
        {
            var x = Inputs(v);
            Assert.Equal(v.Output, Poseidon.Hash(x[0], x[1]).ToString());
        }
    }

    [Fact]
    public void Four_input_overload_matches_the_span_form()
    {
        foreach (var v in Plain.Where(v => v.Inputs.Length == 4))
        {
            var x = Inputs(v);
            Assert.Equal(v.Output, Poseidon.Hash(x[0], x[1], x[2], x[3]).ToString());
        }
    }

    [Fact]
    public void Poseidon_of_1_and_2_is_the_value_circomlibs_own_tests_check()
    {
        Assert.Equal(
            "7853200120776062878684798364095072458815029376092732009249414926327459813530",
            Poseidon.Hash([Fr.FromUInt64(1), Fr.FromUInt64(2)]).ToString());
    }

    [Fact]
    public void Poseidon_depends_on_input_order()
    {
        var a = Fr.FromUInt64(1);
        var b = Fr.FromUInt64(2);
        Assert.NotEqual(Poseidon.Hash(a, b), Poseidon.Hash(b, a));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    public void Poseidon_rejects_an_unsupported_number_of_inputs(int count)
    {
        var inputs = new Fr[count];
        var e = Assert.Throws<ArgumentException>(() => Poseidon.Hash(inputs));
        Assert.Contains("1 to 16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hashing_does_not_allocate()
    {
        var a = Fr.FromUInt64(11);
        var b = Fr.FromUInt64(22);
        Span<Fr> six = [a, b, a, b, a, b];
        var acc = Fr.Zero;
        for (int i = 0; i < 50; i++)
        {
            acc = Poseidon.Hash(acc, a, b, a) + Poseidon.Hash(acc, b) + Poseidon.Hash(six);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            acc = Poseidon.Hash(acc, a, b, a) + Poseidon.Hash(acc, b) + Poseidon.Hash(six);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.NotEqual(Fr.Zero, acc);
    }

    [Fact]
    public void Constants_file_with_a_bad_header_is_rejected()
    {
        var e = Assert.Throws<CorruptStateException>(() => Poseidon.Parse("PSDX\u0001\u0006\0\0"u8, "test.bin"));
        Assert.Equal("test.bin", e.Path);
    }

    [Fact]
    public void Truncated_constants_file_is_rejected()
    {
        var full = System.IO.File.ReadAllBytes(Repository.Path("src", "Prover.Crypto", "Field", "poseidon-constants.bin"));
        Assert.Equal(Poseidon.MaxInputs, Poseidon.Parse(full, "full").Length);
        Assert.Throws<CorruptStateException>(() => Poseidon.Parse(full.AsSpan(0, full.Length - 1), "short"));
        Assert.Throws<CorruptStateException>(() => Poseidon.Parse([.. full, 0], "long"));
    }

    [Fact]
    public void Hash_equals_the_scalar_path_on_random_and_edge_inputs()
    {
        // On AVX-512 hardware Hash runs the Fr8 path; elsewhere both are the scalar path.
        var rng = new Random(4242);
        var bytes = new byte[32];
        Fr Random()
        {
            rng.NextBytes(bytes);
            return Fr.Reduce(new System.Numerics.BigInteger(bytes, isUnsigned: true));
        }

        Fr[] edges = [Fr.Zero, Fr.One, -Fr.One, -Fr.FromUInt64(2), Fr.FromUInt64(ulong.MaxValue)];
        for (int i = 0; i < 3000; i++)
        {
            int n = 1 + (i % Poseidon.MaxInputs);
            var inputs = Enumerable.Range(0, n).Select(j => i < 40 ? edges[(i + j) % edges.Length] : Random()).ToArray();
            Assert.Equal(Poseidon.HashScalar(inputs), Poseidon.Hash(inputs));
            if (n == 2)
            {
                Assert.Equal(Poseidon.HashScalar(inputs), Poseidon.Hash(inputs[0], inputs[1]));
            }

            if (n == 4)
            {
                Assert.Equal(Poseidon.HashScalar(inputs), Poseidon.Hash(inputs[0], inputs[1], inputs[2], inputs[3]));
            }
        }
    }
}
