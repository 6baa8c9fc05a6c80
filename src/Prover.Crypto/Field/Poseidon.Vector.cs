using System.Numerics;
using System.Runtime.Intrinsics;
using Prover.Core;

namespace Prover.Crypto.Field;

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

        // [0, inputs…] with the first round's constants: below r·2^5 + r < 2^260 (see Fr8's bounds).
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

        PartialRoundsVector(v, ref x);

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

        // The output columns hold M[j][0]·2^−5, so the sum comes out as Σ M[j][0]·x_j·2^256: Fr's own
        // Montgomery form. The last S-box's outputs are below 3r, so with t ≤ 7 terms the sum is below
        // 21r·r/2^261 + r < 2r.
        Fr8.Mix(x, v.OutputColumns, out x);
        return x.LaneToFrUnchecked(0);
    }

    /// <summary>
    /// The partial rounds on Fr8: two kernels and one scalar squaring per round. Word 0 is carried
    /// scaled: x_r = β_r·y_r with β_0 = 1 and β_{r+1} = S_r[0]·γ_r, γ_r = β_r⁵/κ, which folds the
    /// sparse row's S_r[0] (and the factor κ = 2^5 that the scalar squaring leaves, see below) into
    /// the constants, so that circomlib's round (s_r = x_r⁵ + c_r, x_{r+1} = S_r[0]·s_r + Σ_k S_r[k]·z_k,
    /// z_k += s_r·v_r[k]) becomes, with σ_r = κ·y_r⁵ + c_r/γ_r, A_r = S_r[1..]/β_{r+1} and
    /// B_r = γ_r·v_r: y_{r+1} = σ_r + Σ_k A_r[k]·z_k, z_k += σ_r·B_r[k]. The state vector is
    /// [y_r, σ_{r−1}, z_1 … z_{t−1}] with z one update behind (z^(r−1)); round r computes
    /// (A) y_r² in lane 0 and the terms of Σ_k A_r[k]·z^(r)_k = Σ_k A_r[k]·z^(r−1)_k + σ_{r−1}·W_r
    /// (W_r = Σ_k A_r[k]·B_{r−1}[k]) in lanes 1..t, summed into lane 0 (<see cref="Fr8.PartialDot"/>);
    /// (B) κ·y_r⁴ on the scalar path: Fr's Montgomery square (R = 2^256) of the raw y²·2^261 is
    /// y⁴·2^266, the Fr8 form of κ·y⁴; (C) lane 0 κy⁴·y + c′ + that sum = y_{r+1}, lane 1 σ_r,
    /// lanes 2..t the lagging update of z (<see cref="Fr8.PartialUpdate"/>). One square of a single
    /// lane costs about half an 8-lane kernel on the scalar path, conversions included.
    /// </summary>
    /// <remarks>
    /// Bounds, with ε = r/2^261 &lt; 0.006 (a product with a canonical constant is below ε·x + r): the
    /// P mix leaves z below 1.13r; σ = κy⁴·y + c′ stays below 2r + 2εy; each round adds under
    /// εσ + r &lt; 1.02r to z, so after at most 63 rounds z &lt; 66r &lt; 2^259.7, inside Fr8's 2^260;
    /// the dot's terms are below 66εr + r &lt; 1.4r, so y &lt; r + 6·1.4r + 1.02r + 2εy + r &lt; 12r and
    /// y² &lt; 144εr + r &lt; 1.9r, a valid input to Fr's lazy square (below 2r).
    /// </remarks>
    private static void PartialRoundsVector(VectorParameters v, ref Fr8 x)
    {
        var lane0 = Vector512.Create(ulong.MaxValue, 0, 0, 0, 0, 0, 0, 0);
        var lanes01 = Vector512.Create(ulong.MaxValue, ulong.MaxValue, 0, 0, 0, 0, 0, 0);
        var zero = default(Fr8);

        // [x_0, x_1 … x_{t−1}] → [y_0 = x_0, σ_{−1} = 0, z_1 … z_{t−1}].
        var state = Fr8.Permute(x, zero, Vector512.Create(0UL, 8, 1, 2, 3, 4, 5, 6));
        ReadOnlySpan<Fr8> dot = v.PartialDot;
        ReadOnlySpan<Fr8> update = v.PartialUpdate;
        ReadOnlySpan<Fr8> constants = v.PartialConstants;
        Span<ulong> y4 = stackalloc ulong[Fr8.LimbCount];
        for (int r = 0; r < dot.Length; r++)
        {
            // (A) lane 0: y·y; lanes 1..t: σ_{r−1}·W_r and z_k·A_r[k], summed into lane 0.
            Fr8.PartialDot(state, dot[r], out var a, out var sum);

            // (B) κ·y⁴ on the scalar path (see above); y² is below 2r, a valid lazy Fr.
            Fr8.SquareLane0(a, y4);

            // (C) [κy⁴, κy⁴, σ_{r−1} …]·[y, y, B_{r−1} …] + [c′ + sum, c′, z …].
            Fr8.PartialUpdate(ref y4[0], state, update[r], constants[r], sum, out state);
        }

        // x_R = β_R·y_R and the last update of z, then back to [x_R, z_1 … z_{t−1}].
        Fr8.MultiplyAdd(
            Fr8.Permute(state, zero, Vector512.Create(0UL, 1, 1, 1, 1, 1, 1, 1)),
            v.PartialEnd,
            Fr8.Select(lanes01, zero, state),
            out var end);
        x = Fr8.Permute(end, zero, Vector512.Create(0UL, 2, 3, 4, 5, 6, 7, 8));
    }

    /// <summary>
    /// The vector constants for inputs.Length − 1 = <paramref name="index"/>, built on first use: a
    /// width's take a few milliseconds (mostly JIT and conversions), and a process usually hashes one
    /// or two widths. Racing threads may both build them; the first published copy wins.
    /// </summary>
    private static VectorParameters VectorFor(VectorParameters?[] cache, int index) =>
        Volatile.Read(ref cache[index])
        ?? Interlocked.CompareExchange(ref cache[index], VectorParameters.From(ByInputs[index]), null)
        ?? cache[index]!;

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
    /// column vectors, M[j][0]·2^−5 in lane 0.
    /// </summary>
    internal sealed class VectorParameters
    {
        private VectorParameters(Parameters scalar, Fr8[] fullConstants, Fr8[] mColumns, Fr8[] pColumns, Fr8[] outputColumns, Fr8[] partialDot, Fr8[] partialUpdate, Fr8[] partialConstants, Fr8 partialEnd)
        {
            PartialDot = partialDot;
            PartialUpdate = partialUpdate;
            PartialConstants = partialConstants;
            PartialEnd = partialEnd;
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

        /// <summary>Per partial round r: [0, W_r, A_r[1] … A_r[t−1]] (lanes 0..t).</summary>
        public Fr8[] PartialDot { get; }

        /// <summary>Per partial round r: [0, 0, B_{r−1}[1] … B_{r−1}[t−1]], zero for r = 0.</summary>
        public Fr8[] PartialUpdate { get; }

        /// <summary>Per partial round r: [c_r/γ_r, c_r/γ_r, 0 …].</summary>
        public Fr8[] PartialConstants { get; }

        /// <summary>[β_R, 0, B_{R−1}[1] … B_{R−1}[t−1]]: unscales word 0 and applies the last update.</summary>
        public Fr8 PartialEnd { get; }

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

            var inverseShift = ShiftInverse();
            var output = new Fr8[t];
            for (int j = 0; j < t; j++)
            {
                output[j] = Fr8.Constants([p.MTransposed[j] * inverseShift]);
            }

            var (dot, update, partialConstants, end) = Partial(p);
            return new VectorParameters(p, constants, Columns(p.MTransposed, t), Columns(p.PTransposed, t), output, dot, update, partialConstants, end);
        }

        /// <summary>The scaled partial-round constants (see <see cref="PartialRoundsVector"/>).</summary>
        private static (Fr8[] Dot, Fr8[] Update, Fr8[] Constants, Fr8 End) Partial(Parameters p)
        {
            int t = p.T;
            int sparse = (2 * t) - 1;
            var c = p.C.AsSpan(((p.RoundsF / 2) + 1) * t, p.RoundsP);
            var dot = new Fr8[p.RoundsP];
            var update = new Fr8[p.RoundsP];
            var partialConstants = new Fr8[p.RoundsP];
            Span<Fr> lanes = stackalloc Fr[Fr8.Lanes];
            Span<Fr> a = stackalloc Fr[t];
            Span<Fr> previousB = stackalloc Fr[t];
            previousB.Clear();
            // γ_r = β_r⁵/κ replaces β_r⁵ where the kernels compute κ·y⁵ (κ = 2^5, see PartialRoundsVector).
            // The inverses are tracked alongside (1/γ_r = κ/β_r⁵, 1/β_{r+1} = 1/(S_r[0]·γ_r)), with the
            // S_r[0] inverted all at once: one field inversion per width.
            var kappaInverse = ShiftInverse();
            var kappa = kappaInverse.Inverse();
            var s0 = new Fr[p.RoundsP];
            for (int r = 0; r < p.RoundsP; r++)
            {
                s0[r] = p.S[sparse * r];
                if (s0[r].IsZero)
                {
                    throw new CorruptStateException("poseidon-constants.bin", $"partial round {r} of t = {t} has S[0] = 0.");
                }
            }

            var s0Inverse = BatchInverse(s0);
            var beta = Fr.One;
            var betaInverse = Fr.One;
            for (int r = 0; r < p.RoundsP; r++)
            {
                var row = p.S.AsSpan(sparse * r, sparse);
                var gamma = beta.Pow5() * kappaInverse;
                var gammaInverse = betaInverse.Pow5() * kappa;
                var next = row[0] * gamma;
                var nextInverse = s0Inverse[r] * gammaInverse;
                var w = Fr.Zero;
                for (int k = 1; k < t; k++)
                {
                    a[k] = row[k] * nextInverse;
                    w += a[k] * previousB[k];
                }

                lanes.Clear();
                lanes[1] = w;
                a[1..].CopyTo(lanes[2..]);
                dot[r] = Fr8.Constants(lanes[..(t + 1)]);

                lanes.Clear();
                previousB[1..].CopyTo(lanes[2..]);
                update[r] = Fr8.Constants(lanes[..(t + 1)]);

                lanes.Clear();
                lanes[0] = lanes[1] = c[r] * gammaInverse;
                partialConstants[r] = Fr8.Constants(lanes[..2]);

                for (int k = 1; k < t; k++)
                {
                    previousB[k] = gamma * row[t + k - 1];
                }

                beta = next;
                betaInverse = nextInverse;
            }

            lanes.Clear();
            lanes[0] = beta;
            previousB[1..].CopyTo(lanes[2..]);
            return (dot, update, partialConstants, Fr8.Constants(lanes[..(t + 1)]));
        }

        /// <summary>The inverses of nonzero elements with one field inversion (Montgomery's trick).</summary>
        private static Fr[] BatchInverse(Fr[] x)
        {
            var prefix = new Fr[x.Length];
            var running = Fr.One;
            for (int i = 0; i < x.Length; i++)
            {
                prefix[i] = running;
                running *= x[i];
            }

            var inverse = running.Inverse();
            var result = new Fr[x.Length];
            for (int i = x.Length - 1; i >= 0; i--)
            {
                result[i] = inverse * prefix[i];
                inverse *= x[i];
            }

            return result;
        }

        /// <summary>
        /// 2^−5 mod r: Fr8's R over Fr's (2^261/2^256), the factor between the two Montgomery forms, inverted.
        /// </summary>
        private static Fr ShiftInverse() =>
            Fr.FromBigInteger(BigInteger.ModPow(Fr8.R >> 256, Fr.Modulus - 2, Fr.Modulus));

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
