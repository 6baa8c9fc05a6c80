using System.Numerics;

namespace Prover.Core.Field;

public static partial class Poseidon
{
    /// <summary>
    /// The permutation with the state in one <see cref="Fr8"/> (word i in lane i): each full round's
    /// t S-boxes are three 8-lane kernels, its mix one <see cref="Fr8.Mix"/> (t broadcast products per
    /// lane, one reduction). The partial rounds run on the scalar path, the state converted out and
    /// back once. Returns exactly what <see cref="Permute"/> returns.
    /// </summary>
    private static Fr PermuteVector(VectorParameters v, ReadOnlySpan<Fr> inputs)
    {
        var p = v.Scalar;
        int t = p.T;
        int halfF = p.RoundsF / 2;

        // [0, inputs…] with the first round's constants: below r·2^24 + r < 2^278 (see Fr8's bounds).
        Span<Fr> words = stackalloc Fr[Fr8.Lanes];
        words.Clear();
        inputs.CopyTo(words[1..]);
        var x = Fr8.FromFr(words[..t]);
        ReadOnlySpan<Fr8> constants = v.FullConstants;
        Fr8.Add(ref x, in constants[0]);

        for (int r = 0; r < halfF; r++)
        {
            SBoxAdd(ref x, in constants[r + 1]);
            Fr8.Mix(x, r == halfF - 1 ? v.PColumns : v.MColumns, out x);
        }

        // Partial rounds on the scalar path: canonical words are valid lazy inputs there, and its
        // lazy outputs (below 2r) made canonical are valid Fr8 inputs again.
        Span<Fr> state = stackalloc Fr[t + 1];
        x.ToFr(state[..t]);

        PartialRounds(p, state);
        for (int i = 0; i < t; i++)
        {
            words[i] = Fr.Canonical(state[i]);
        }

        x = Fr8.FromFr(words[..t]);

        // Second half: S-box plus the next round's constants and the mix, then the last S-box alone
        // (its constant vector is zero) and only word 0 of the last mix.
        for (int r = 0; r < halfF; r++)
        {
            SBoxAdd(ref x, in constants[halfF + 1 + r]);
            if (r < halfF - 1)
            {
                Fr8.Mix(x, v.MColumns, out x);
            }
        }

        // The output columns hold M[j][0]·2^−24, so the sum comes out as Σ M[j][0]·x_j·2^256: Fr's own
        // Montgomery form. With x_j below 2^277 and t ≤ 7 terms it is below 7·2^277·r/2^280 + r < 2r.
        Fr8.Mix(x, v.OutputColumns, out x);
        return x.LaneToFrUnchecked(0);
    }

    /// <summary>x ← x⁵ + c lane by lane: two squarings and a multiply-add.</summary>
    private static void SBoxAdd(ref Fr8 x, in Fr8 c)
    {
        Fr8.Square(x, out var x2);
        Fr8.Square(x2, out var x4);
        Fr8.MultiplyAdd(x4, x, c, out x);
    }

    /// <summary>
    /// One width's constants for <see cref="PermuteVector"/>: the full rounds' constants as lane
    /// vectors (C[0], then each first-half round's next constants, then the second half's, the last
    /// one zero), the mixes as column vectors (column j holds M[j][i] in lane i), and the output
    /// column vectors, M[j][0]·2^−24 in lane 0.
    /// </summary>
    internal sealed class VectorParameters
    {
        private VectorParameters(Parameters scalar, Fr8[] fullConstants, Fr8[] mColumns, Fr8[] pColumns, Fr8[] outputColumns)
        {
            Scalar = scalar;
            FullConstants = fullConstants;
            MColumns = mColumns;
            PColumns = pColumns;
            OutputColumns = outputColumns;
        }

        public Parameters Scalar { get; }

        public Fr8[] FullConstants { get; }

        public Fr8[] MColumns { get; }

        public Fr8[] PColumns { get; }

        public Fr8[] OutputColumns { get; }

        public static VectorParameters From(Parameters p)
        {
            int t = p.T;
            int halfF = p.RoundsF / 2;
            var constants = new Fr8[p.RoundsF + 1];
            for (int r = 0; r <= halfF; r++)
            {
                constants[r] = Fr8.Constants(p.C.AsSpan(r * t, t));
            }

            int second = (halfF + 1) * t + p.RoundsP;
            for (int r = 0; r < halfF - 1; r++)
            {
                constants[halfF + 1 + r] = Fr8.Constants(p.C.AsSpan(second + (r * t), t));
            }

            constants[p.RoundsF] = Fr8.Constants([]);

            var inverseShift = Fr.FromBigInteger(BigInteger.ModPow(BigInteger.ModPow(2, 24, Fr.Modulus), Fr.Modulus - 2, Fr.Modulus));
            var output = new Fr8[t];
            for (int j = 0; j < t; j++)
            {
                output[j] = Fr8.Constants([p.MTransposed[j] * inverseShift]);
            }

            return new VectorParameters(p, constants, Columns(p.MTransposed, t), Columns(p.PTransposed, t), output);
        }

        /// <summary>Column vector j holds M[j][i] in lane i; <paramref name="transposed"/> row i is column i of M.</summary>
        private static Fr8[] Columns(Fr[] transposed, int t)
        {
            var result = new Fr8[t];
            Span<Fr> lanes = stackalloc Fr[t];
            for (int j = 0; j < t; j++)
            {
                for (int i = 0; i < t; i++)
                {
                    lanes[i] = transposed[(i * t) + j];
                }

                result[j] = Fr8.Constants(lanes);
            }

            return result;
        }
    }
}
