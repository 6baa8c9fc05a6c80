using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// Fixed-base tables for the two generators, built on first use and shared by every section of a
/// ceremony and its keys: with the secrets known, every point a setup writes is k·G1 or k·G2.
/// </summary>
internal sealed class GeneratorTables
{
    /// <summary>Points per chunk: bounds the memory of one section in flight (a few MB) whatever the power.</summary>
    public const int Chunk = 1 << 16;

    private readonly Lazy<G1FixedBase> _g1;
    private readonly Lazy<G2FixedBase> _g2;

    /// <param name="expectedG1">About how many G1 multiplications will follow (sizes the window).</param>
    /// <param name="expectedG2">The same for G2.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use; −1 for all.</param>
    public GeneratorTables(long expectedG1, long expectedG2, int maxDegreeOfParallelism = -1)
    {
        _g1 = new Lazy<G1FixedBase>(() => G1FixedBase.For(Crypto.Bn254.G1.Generator, expectedG1));
        _g2 = new Lazy<G2FixedBase>(() => G2FixedBase.For(Crypto.Bn254.G2.Generator, expectedG2));
        Parallelism = maxDegreeOfParallelism;
    }

    public int Parallelism { get; }

    public G1[] G1(ReadOnlyMemory<Fr> scalars) => _g1.Value.MultiplyAll(scalars, Parallelism);

    public G2[] G2(ReadOnlyMemory<Fr> scalars) => _g2.Value.MultiplyAll(scalars, Parallelism);

    public G1 G1(Fr scalar) => _g1.Value.Multiply(scalar);

    public G2 G2(Fr scalar) => _g2.Value.Multiply(scalar);

    /// <summary>first·ratio^i for i in [start, start + count): a chunk of a section of powers.</summary>
    public static Fr[] Geometric(Fr first, Fr ratio, long start, int count)
    {
        var scalars = new Fr[count];
        var value = first * ratio.Pow(start);
        for (var i = 0; i < count; i++)
        {
            scalars[i] = value;
            value *= ratio;
        }

        return scalars;
    }

    /// <summary>Each scalar times <paramref name="factor"/>, in a new array.</summary>
    public static Fr[] Scaled(ReadOnlySpan<Fr> scalars, Fr factor)
    {
        var result = new Fr[scalars.Length];
        for (var i = 0; i < scalars.Length; i++)
        {
            result[i] = scalars[i] * factor;
        }

        return result;
    }
}
