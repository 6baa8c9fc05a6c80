using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// A circuit's Groth16 key from a ceremony whose secrets are known: what snarkjs' <c>groth16 setup</c>
/// followed by one phase 2 contribution writes, with every point computed as a scalar times a generator.
/// </summary>
/// <remarks>
/// With L_c the Lagrange basis of the circuit's domain at τ, and a_s, b_s, c_s the sums of wire s's
/// coefficients times L_c over A, B, C (plus L_(constraints+s) in A for a public signal s):
/// A_s = a_s·G1, B_s = b_s·G1 and b_s·G2, IC_s and C_s = (β·a_s + α·b_s + c_s)·G1 (C then over δ), and
/// H_i = L'_(2i+1)(τ)/δ·G1 over the doubled domain (see <see cref="Lagrange"/>), exactly the points
/// snarkjs gathers from the prepared ptau by multi-exponentiation.
/// </remarks>
internal static class DevelopmentKeys
{
    public static void Write(R1cs r1cs, int ceremonyPower, PowersOfTau.Totals secrets, Func<byte[], Phase2Contribution> contribute, string path, GeneratorTables tables, CancellationToken cancellationToken)
    {
        var shape = new CircuitShape(r1cs);
        if (shape.Power > ceremonyPower)
        {
            throw new SetupException(
                $"the circuit needs a ceremony of power {shape.Power} ({shape.Constraints:N0} constraints + {shape.Public} public signals), but this one has power {ceremonyPower}.");
        }

        var tau = secrets.Tau;
        var lagrange = Lagrange.Evaluate(tau, shape.Power);
        var wires = shape.Wires;
        var a = new Fr[wires];
        var b = new Fr[wires];
        var c = new Fr[wires];
        for (var row = 0; row < shape.Constraints; row++)
        {
            Accumulate(a, r1cs.TermWires(row, 0), r1cs.TermCoefficients(row, 0), lagrange[row]);
            Accumulate(b, r1cs.TermWires(row, 1), r1cs.TermCoefficients(row, 1), lagrange[row]);
            Accumulate(c, r1cs.TermWires(row, 2), r1cs.TermCoefficients(row, 2), lagrange[row]);
        }

        for (var s = 0; s <= shape.Public; s++)
        {
            a[s] += lagrange[shape.Constraints + s];
        }

        var k = new Fr[wires];
        for (var s = 0; s < wires; s++)
        {
            k[s] = (secrets.Beta * a[s]) + (secrets.Alpha * b[s]) + c[s];
        }

        cancellationToken.ThrowIfCancellationRequested();
        var key = new InitialKey
        {
            Alpha1 = tables.G1(secrets.Alpha),
            Beta1 = tables.G1(secrets.Beta),
            Beta2 = tables.G2(secrets.Beta),
            IC = tables.G1(k.AsMemory(0, shape.Public + 1)),
            HashedH = HashedH(shape, ceremonyPower, tau, tables),
            C = tables.G1(k.AsMemory(shape.Public + 1)),
            A = tables.G1(a),
            B1 = tables.G1(b),
            B2 = tables.G2(b),
        };
        cancellationToken.ThrowIfCancellationRequested();
        var circuitHash = key.CircuitHash(shape);
        var contribution = contribute(circuitHash);
        var deltaInverse = contribution.Delta.Inverse();

        var cOverDelta = tables.G1(GeneratorTables.Scaled(k.AsSpan(shape.Public + 1), deltaInverse));
        var doubled = Lagrange.Evaluate(tau, shape.Power + 1, withoutTopPower: shape.Power == ceremonyPower);
        var h = new Fr[shape.DomainSize];
        for (var i = 0; i < h.Length; i++)
        {
            h[i] = doubled[(2 * i) + 1] * deltaInverse;
        }

        cancellationToken.ThrowIfCancellationRequested();
        ZkeyWriter.Write(path, shape, key, circuitHash, contribution, cOverDelta, tables.G1(h));
    }

    private static void Accumulate(Fr[] sums, ReadOnlySpan<int> wires, ReadOnlySpan<Fr> coefficients, Fr basis)
    {
        for (var t = 0; t < wires.Length; t++)
        {
            sums[wires[t]] += coefficients[t] * basis;
        }
    }

    /// <summary>τ^i·(τ^D − 1)·G1, the differences tauG1[i + D] − tauG1[i] snarkjs hashes for H.</summary>
    private static G1[] HashedH(CircuitShape shape, int ceremonyPower, Fr tau, GeneratorTables tables)
    {
        var d = shape.DomainSize;
        var factor = tau.Pow(d) - Fr.One;
        var regular = Math.Min(shape.HashedHPoints, d - 1);
        var points = new G1[shape.HashedHPoints];
        tables.G1(GeneratorTables.Geometric(factor, tau, 0, regular)).CopyTo(points, 0);
        if (shape.HashedHPoints == d)
        {
            // The call that runs one point past D − 1 reads tauG1[2D − 1]: a real point when the ceremony
            // is larger than the circuit, otherwise the bytes after section 2.
            points[d - 1] = shape.Power < ceremonyPower
                ? tables.G1(factor * tau.Pow(d - 1))
                : SnarkjsQuirks.PastTauG1(ceremonyPower, tables.G1(tau.Pow(d - 1)));
        }

        return points;
    }
}
