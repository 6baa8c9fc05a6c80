using BenchmarkDotNet.Attributes;
using Prover.Crypto.Field;

namespace Prover.Benchmarks;

/// <summary>
/// The BN254 scalar field and Poseidon: the sequencer hashes Poseidon(4) once per transaction on its
/// serial path. The multiply and square benchmarks chain 100 dependent operations (reported per
/// operation) so they measure latency, not a loop the JIT can hoist.
/// </summary>
[MemoryDiagnoser]
public class FieldBenchmarks
{
    private const int Chain = 100;

    private Fr _a;
    private Fr _b;
    private Fr _c;
    private Fr _d;

    [GlobalSetup]
    public void Setup()
    {
        _a = Fr.Parse("0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809");
        _b = Fr.Parse("12345678901234567890123456789012345678901234567890123456789012345678");
        _c = Fr.FromUInt64(0xdead_beef_cafe_f00d);
        _d = -Fr.One;
    }

    [Benchmark(OperationsPerInvoke = Chain)]
    public Fr Multiply()
    {
        var x = _a;
        var y = _b;
        for (int i = 0; i < Chain; i++)
        {
            x *= y;
        }

        return x;
    }

    [Benchmark(OperationsPerInvoke = Chain)]
    public Fr Square()
    {
        var x = _a;
        for (int i = 0; i < Chain; i++)
        {
            x = x.Square();
        }

        return x;
    }

    [Benchmark(OperationsPerInvoke = Chain)]
    public Fr Add()
    {
        var x = _a;
        var y = _b;
        for (int i = 0; i < Chain; i++)
        {
            x += y;
        }

        return x;
    }

    [Benchmark]
    public Fr Poseidon2() => Poseidon.Hash(_a, _b);

    [Benchmark]
    public Fr Poseidon4() => Poseidon.Hash(_a, _b, _c, _d);

    /// <summary>The scalar path (the fallback without AVX-512F), for old-versus-new in the same run.</summary>
    [Benchmark]
    public Fr Poseidon2Scalar() => Poseidon.HashScalar([_a, _b]);

    /// <summary>The scalar path of <see cref="Poseidon4"/>.</summary>
    [Benchmark]
    public Fr Poseidon4Scalar() => Poseidon.HashScalar([_a, _b, _c, _d]);

    [Benchmark]
    public Fr Poseidon4Span()
    {
        ReadOnlySpan<Fr> inputs = [_a, _b, _c, _d];
        return Poseidon.Hash(inputs);
    }
}
