using System.Buffers.Binary;
using Prover.Core;

namespace Prover.Crypto.Field;

/// <summary>
/// Poseidon over BN254, bit-for-bit circomlib's <c>Poseidon(n)</c> template (and circomlibjs' <c>poseidon</c>).
/// </summary>
/// <remarks>
/// <para>
/// This is the optimized form circomlib 2.0.5's <c>circuits/poseidon.circom</c> computes (after
/// filecoin's neptune): width t = n + 1, initial state <c>[0, inputs…]</c>, 8 full rounds and
/// <c>N_ROUNDS_P[t − 2]</c> partial rounds, S-box x⁵. The first half's last full round mixes with the
/// matrix P; each partial round applies the S-box to word 0 only, adds one constant, and mixes with a
/// sparse matrix from S (a dense first row and first column, identity elsewhere) in 2t − 1 products
/// instead of t². The output is word 0 of the final mix. The constants are circomlib's
/// <c>POSEIDON_C/S/M/P</c>, extracted by <c>circuits/scripts/poseidon-constants.mjs</c> into the
/// embedded <c>poseidon-constants.bin</c> (its layout is documented in that script).
/// </para>
/// <para>
/// The state is kept lazily reduced (each word below 2r rather than r), which drops the final
/// conditional subtraction from every Montgomery product; dense mix rows sum their products before a
/// single reduction (<see cref="Fr.SumOfProductsLazy"/>). Nothing here allocates.
/// </para>
/// <para>
/// Where AVX-512F is available (<see cref="Fr8.IsSupported"/>) the permutation runs on
/// <see cref="Fr8"/> instead, the state in the lanes of one vector (Poseidon.Vector.cs), about twice
/// as fast; <see cref="HashScalar"/> keeps the path above reachable, and the tests hold the two equal.
/// </para>
/// </remarks>
public static partial class Poseidon
{
    /// <summary>The largest number of inputs supported.</summary>
    public const int MaxInputs = 16;

    // The AVX-512 path holds the state in the eight lanes of one vector: widths up to t = 7, which are
    // all the sequencer's hot path uses; wider sponges (one per batch) run on the scalar path.
    private const int VectorMaxInputs = 6;

    private const string ResourceName = "Prover.Crypto.Field.poseidon-constants.bin";

    // Indexed by the number of inputs minus one (t − 2).
    private static readonly Parameters[] ByInputs = Load();

    // The AVX-512 path's constants per width (see Poseidon.Vector.cs), each built on first use, or
    // null where the scalar path runs.
    private static readonly VectorParameters?[]? Vectorized = Fr8.IsSupported ? new VectorParameters?[VectorMaxInputs] : null;

    /// <summary>Hashes 1..<see cref="MaxInputs"/> field elements, exactly as circomlib's <c>Poseidon(inputs.Length)</c>.</summary>
    public static Fr Hash(ReadOnlySpan<Fr> inputs)
    {
        if (inputs.Length is < 1 or > MaxInputs)
        {
            throw new ArgumentException($"Poseidon takes 1 to {MaxInputs} inputs, got {inputs.Length}.", nameof(inputs));
        }

        if (Vectorized is { } v && inputs.Length <= VectorMaxInputs)
        {
            return PermuteVector(VectorFor(v, inputs.Length - 1), inputs);
        }

        var p = ByInputs[inputs.Length - 1];
        Span<Fr> state = stackalloc Fr[p.T + 1];
        state[0] = Fr.Zero;
        inputs.CopyTo(state[1..]);
        return Permute(p, state);
    }

    /// <summary>The scalar path of <see cref="Hash(ReadOnlySpan{Fr})"/>, whatever the CPU (tests and benchmarks compare against it).</summary>
    internal static Fr HashScalar(ReadOnlySpan<Fr> inputs) => HashWithInitialState(Fr.Zero, inputs);

    /// <summary>
    /// circomlib's <c>PoseidonEx(inputs.Length, 1)</c>: the permutation's capacity word starts at
    /// <paramref name="initialState"/> instead of 0 (with 0 this is <see cref="Hash(ReadOnlySpan{Fr})"/>).
    /// A sponge chains calls through it, so each call absorbs a full 16 inputs. Scalar path only: the
    /// sponges that use it run once per batch, not per transaction.
    /// </summary>
    public static Fr HashWithInitialState(Fr initialState, ReadOnlySpan<Fr> inputs)
    {
        if (inputs.Length is < 1 or > MaxInputs)
        {
            throw new ArgumentException($"Poseidon takes 1 to {MaxInputs} inputs, got {inputs.Length}.", nameof(inputs));
        }

        var p = ByInputs[inputs.Length - 1];
        Span<Fr> state = stackalloc Fr[p.T + 1];
        state[0] = initialState;
        inputs.CopyTo(state[1..]);
        return Permute(p, state);
    }

    /// <summary>circomlib's <c>Poseidon(2)</c> of <paramref name="a"/>, <paramref name="b"/>.</summary>
    public static Fr Hash(Fr a, Fr b)
    {
        if (Vectorized is { } v)
        {
            return PermuteVector(VectorFor(v, 1), [a, b]);
        }

        Span<Fr> state = [Fr.Zero, a, b, Fr.Zero];
        return Permute(ByInputs[1], state);
    }

    /// <summary>circomlib's <c>Poseidon(4)</c> of <paramref name="a"/>..<paramref name="d"/>, the receipt chain's step.</summary>
    public static Fr Hash(Fr a, Fr b, Fr c, Fr d)
    {
        if (Vectorized is { } v)
        {
            return PermuteVector(VectorFor(v, 3), [a, b, c, d]);
        }

        Span<Fr> state = [Fr.Zero, a, b, c, d, Fr.Zero];
        return Permute(ByInputs[3], state);
    }

    /// <summary>
    /// Runs the permutation on the first t words of <paramref name="state"/> (length t + 1: the partial
    /// rounds keep one more value there) and returns word 0 of the output.
    /// </summary>
    /// <remarks>
    /// The state stays lazily reduced (each word below 2r, see <see cref="Fr.Pow5AddLazy"/>) from the
    /// first constant to the last mix, which is made canonical once. The arithmetic runs in a handful of
    /// Fr kernels called once per S-box, product sum or sparse update: inlined here they would exhaust
    /// the JIT's inlining budget and leave the carry helpers as calls.
    /// </remarks>
    private static Fr Permute(Parameters p, Span<Fr> state)
    {
        int t = p.T;
        int halfF = p.RoundsF / 2;
        ReadOnlySpan<Fr> c = p.C;
        ReadOnlySpan<Fr> mt = p.MTransposed;
        Span<Fr> scratch = stackalloc Fr[t];

        // The first round's constants, then the first half of the full rounds: S-box plus the next
        // round's constants, and the mix; the last of them mixes with P. Canonical inputs below r plus
        // constants below r stay below 2r.
        for (int i = 0; i < t; i++)
        {
            state[i] = Fr.Add(in state[i], in c[i]);
        }

        for (int r = 0; r < halfF; r++)
        {
            var rc = c.Slice((r + 1) * t, t);
            for (int i = 0; i < t; i++)
            {
                state[i] = Fr.Pow5AddLazy(in state[i], in rc[i]);
            }

            Mix(state[..t], r == halfF - 1 ? p.PTransposed : mt, scratch);
        }

        PartialRounds(p, state);

        // Second half, without constants after the last S-box.
        var secondC = c[((halfF + 1) * t + p.RoundsP)..];
        for (int r = 0; r < halfF - 1; r++)
        {
            var rc = secondC.Slice(r * t, t);
            for (int i = 0; i < t; i++)
            {
                state[i] = Fr.Pow5AddLazy(in state[i], in rc[i]);
            }

            Mix(state[..t], mt, scratch);
        }

        for (int i = 0; i < t; i++)
        {
            state[i] = Fr.Pow5AddLazy(in state[i], Fr.Zero);
        }

        // Poseidon(n) outputs only word 0 of the last mix: Σ M[j][0]·in[j].
        return Fr.Canonical(SumOfProducts(mt[..t], state[..t]));
    }

    /// <summary>
    /// The partial rounds on the lazily reduced state (t + 1 words, see <see cref="Permute"/>), each
    /// word below 2r in and out.
    /// </summary>
    private static void PartialRounds(Parameters p, Span<Fr> state)
    {
        int t = p.T;
        int halfF = p.RoundsF / 2;
        ReadOnlySpan<Fr> c = p.C;
        ReadOnlySpan<Fr> s = p.S;

        // Partial rounds: S-box on word 0, one constant, then the sparse mix
        // out[0] = Σ S[j]·in[j], out[k] = in[k] + in[0]·S[t + k − 1]. They run in pairs (r, r + 1) so
        // that words 1..t−1 take both rounds' updates in one reduction: round r + 1's word 0 needs
        // words k after round r's update, Σ_k S'[k]·(in[k] + s0·v[k]) = Σ_k S'[k]·in[k] + s0·W with
        // the constant W = Σ_k S'[k]·v[k] (Parameters.PartialPairs), so the update can wait. Word t
        // of the state holds round r's S-box output s0 for that product.
        var partialC = c.Slice((halfF + 1) * t, p.RoundsP);
        ReadOnlySpan<Fr> pairs = p.PartialPairs;
        int sparse = 2 * t - 1;
        int r0 = 0;
        for (; r0 + 1 < partialC.Length; r0 += 2)
        {
            var sr = s.Slice(sparse * r0, sparse);
            var sn = s.Slice(sparse * (r0 + 1), sparse);
            var s0 = Fr.Pow5AddLazy(in state[0], in partialC[r0]);
            state[0] = s0;
            var mid = SumOfProducts(sr[..t], state[..t]);
            state[t] = s0;
            state[0] = Fr.Pow5AddLazy(in mid, in partialC[r0 + 1]);
            var out0 = SumOfProducts(pairs.Slice((r0 / 2) * (t + 1), t + 1), state);
            for (int k = 1; k < t; k++)
            {
                state[k] = Fr.MultiplyAdd2Lazy(in state[k], in state[t], in sr[t + k - 1], in state[0], in sn[t + k - 1]);
            }

            state[0] = out0;
        }

        if (r0 < partialC.Length)
        {
            var s0 = Fr.Pow5AddLazy(in state[0], in partialC[r0]);
            state[0] = s0;
            var sr = s.Slice(sparse * r0, sparse);
            var out0 = SumOfProducts(sr[..t], state[..t]);
            for (int k = 1; k < t; k++)
            {
                state[k] = Fr.MultiplyAddLazy(in state[k], in s0, in sr[t + k - 1]);
            }

            state[0] = out0;
        }
    }

    /// <summary>Σ a_i·b_i of canonical values, for precomputing constants of any width.</summary>
    private static Fr CanonicalSumOfProducts(ReadOnlySpan<Fr> a, ReadOnlySpan<Fr> b)
    {
        var sum = Fr.Zero;
        for (int k = 0; k < a.Length; k += 10)
        {
            int n = Math.Min(10, a.Length - k);
            sum += Fr.SumOfProducts(a.Slice(k, n), b.Slice(k, n));
        }

        return sum;
    }

    /// <summary>
    /// Σ a_i·b_i, lazily reduced. The single-reduction kernel takes up to 8 terms, enough for every
    /// width up to t = 7 (the paired partial rounds sum t + 1); the wide sponges (t up to 17, one per
    /// batch) sum canonical partial sums of at most 5 terms.
    /// </summary>
    private static Fr SumOfProducts(ReadOnlySpan<Fr> a, ReadOnlySpan<Fr> b)
    {
        if (a.Length <= 8)
        {
            return Fr.SumOfProductsLazy(a, b);
        }

        var sum = Fr.Zero;
        for (int k = 0; k < a.Length; k += 5)
        {
            int n = Math.Min(5, a.Length - k);
            sum += Fr.Canonical(Fr.SumOfProductsLazy(a.Slice(k, n), b.Slice(k, n)));
        }

        return sum;
    }

    /// <summary>state ← state·M, i.e. out[i] = Σ_j M[j][i]·in[j], with M given transposed (row i = column i).</summary>
    private static void Mix(Span<Fr> state, ReadOnlySpan<Fr> transposed, Span<Fr> scratch)
    {
        int t = state.Length;
        for (int i = 0; i < t; i++)
        {
            scratch[i] = SumOfProducts(transposed.Slice(i * t, t), state);
        }

        scratch.CopyTo(state);
    }

    private static Parameters[] Load()
    {
        using var stream = typeof(Poseidon).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new CorruptStateException(ResourceName, "the embedded Poseidon constants are missing from Prover.Core.");
        var data = new byte[stream.Length];
        stream.ReadExactly(data);
        return Parse(data, ResourceName);
    }

    /// <summary>Reads the layout <c>circuits/scripts/poseidon-constants.mjs</c> writes.</summary>
    internal static Parameters[] Parse(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length < 8 || !data[..4].SequenceEqual("PSDN"u8) || data[4] != 1 || data[5] != MaxInputs)
        {
            throw new CorruptStateException(source, $"not a version 1 Poseidon constants file for 1..{MaxInputs} inputs; regenerate it with circuits/scripts/poseidon-constants.mjs.");
        }

        var result = new Parameters[MaxInputs];
        int offset = 8;
        for (int n = 1; n <= MaxInputs; n++)
        {
            int expectedT = n + 1;
            if (data.Length < offset + 4 || data[offset] != expectedT)
            {
                throw new CorruptStateException(source, $"the section for t = {expectedT} is missing or out of order.");
            }

            int roundsF = data[offset + 1];
            int roundsP = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            offset += 4;
            if (roundsF == 0 || roundsF % 2 != 0)
            {
                throw new CorruptStateException(source, $"t = {expectedT} has {roundsF} full rounds; Poseidon needs an even, positive number.");
            }

            var c = ReadElements(data, ref offset, expectedT * roundsF + roundsP, source);
            var s = ReadElements(data, ref offset, roundsP * (2 * expectedT - 1), source);
            var m = ReadElements(data, ref offset, expectedT * expectedT, source);
            var p = ReadElements(data, ref offset, expectedT * expectedT, source);
            result[n - 1] = new Parameters(expectedT, roundsF, roundsP, c, s, Transpose(m, expectedT), Transpose(p, expectedT), PartialPairs(s, expectedT, roundsP));
        }

        if (offset != data.Length)
        {
            throw new CorruptStateException(source, $"{data.Length - offset} bytes follow the last section.");
        }

        return result;
    }

    private static Fr[] ReadElements(ReadOnlySpan<byte> data, ref int offset, int count, string source)
    {
        if (data.Length - offset < count * Fr.ByteLength)
        {
            throw new CorruptStateException(source, "the file ends inside a section.");
        }

        var elements = new Fr[count];
        for (int i = 0; i < count; i++)
        {
            elements[i] = Fr.FromBytesBigEndian(data.Slice(offset, Fr.ByteLength), "Poseidon constant");
            offset += Fr.ByteLength;
        }

        return elements;
    }

    /// <summary>
    /// For each pair of partial rounds (r, r + 1): round r + 1's dense row S'[0..t−1], then
    /// W = Σ_{k≥1} S'[k]·v[k] with v round r's column (S[t..2t−2]), the weight of round r's S-box
    /// output in round r + 1's word 0 (see Permute).
    /// </summary>
    private static Fr[] PartialPairs(Fr[] s, int t, int roundsP)
    {
        int sparse = 2 * t - 1;
        var result = new Fr[roundsP / 2 * (t + 1)];
        for (int q = 0; q < roundsP / 2; q++)
        {
            var v = s.AsSpan(sparse * 2 * q + t, t - 1);
            var next = s.AsSpan(sparse * (2 * q + 1), t);
            next.CopyTo(result.AsSpan(q * (t + 1)));
            result[q * (t + 1) + t] = CanonicalSumOfProducts(next[1..], v);
        }

        return result;
    }

    private static Fr[] Transpose(Fr[] rowMajor, int t)
    {
        var result = new Fr[t * t];
        for (int j = 0; j < t; j++)
        {
            for (int i = 0; i < t; i++)
            {
                result[i * t + j] = rowMajor[j * t + i];
            }
        }

        return result;
    }

    /// <summary>
    /// One width's constants: C and S in circomlib's order, M and P stored transposed for the mixes,
    /// and the rows and weights that let partial rounds run in pairs (see Permute).
    /// </summary>
    internal sealed record Parameters(int T, int RoundsF, int RoundsP, Fr[] C, Fr[] S, Fr[] MTransposed, Fr[] PTransposed, Fr[] PartialPairs);
}
