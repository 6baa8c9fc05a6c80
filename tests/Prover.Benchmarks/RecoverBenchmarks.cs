using BenchmarkDotNet.Attributes;
using NBitcoin.Secp256k1;
using Prover.Core.Ethereum;
using Prover.Core.Ethereum.Ecrecover;
using Scalar = Prover.Core.Ethereum.Ecrecover.Scalar;

namespace Prover.Benchmarks;

/// <summary>
/// Sender recovery, once per accepted transaction: NBitcoin.Secp256k1 (the first implementation), the
/// managed <see cref="EcRecover"/> and libsecp256k1 (each to the public key), and the address as the
/// decoder gets it (libsecp256k1 plus keccak). Each call
/// takes the next of 64 distinct signatures so no single input's branches are learned.
/// </summary>
[MemoryDiagnoser]
public class RecoverBenchmarks
{
    private const int Count = 64;

    private readonly byte[][] _digests = new byte[Count][];
    private readonly byte[][] _signatures = new byte[Count][];
    private readonly int[] _recoveryIds = new int[Count];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Count; i++)
        {
            var secret = new byte[32];
            random.NextBytes(secret);
            secret[0] &= 0x7F;
            var key = ECPrivKey.Create(secret);
            _digests[i] = new byte[32];
            random.NextBytes(_digests[i]);
            key.TrySignRecoverable(_digests[i], out var sig);
            _signatures[i] = new byte[64];
            sig!.WriteToSpanCompact(_signatures[i], out _recoveryIds[i]);
        }
    }

    [Benchmark(Baseline = true)]
    public EthAddress NBitcoinRecover()
    {
        int i = _next++ & (Count - 1);
        SecpRecoverableECDSASignature.TryCreateFromCompact(_signatures[i], _recoveryIds[i], out var sig);
        ECPubKey.TryRecover(Context.Instance, sig!, _digests[i], out var pub);
        return Secp256k1.AddressOf(pub!);
    }

    [Benchmark]
    public bool ManagedRecover()
    {
        int i = _next++ & (Count - 1);
        Span<byte> key = stackalloc byte[64];
        return EcRecover.TryRecover(_digests[i], _signatures[i], _recoveryIds[i], key);
    }

    [Benchmark]
    public bool NativeRecover()
    {
        int i = _next++ & (Count - 1);
        Span<byte> key = stackalloc byte[64];
        return Prover.Core.Ethereum.Ecrecover.NativeSecp256k1.TryRecover(_digests[i], _signatures[i], _recoveryIds[i], key);
    }

    [Benchmark]
    public EthAddress RecoverAddress()
    {
        int i = _next++ & (Count - 1);
        Secp256k1.TryRecoverAddress(_digests[i], _signatures[i], _recoveryIds[i], out var address);
        return address;
    }
}

/// <summary>The kernels under <see cref="EcRecover"/>, to see where a recovery's time goes.</summary>
public class Secp256k1KernelBenchmarks
{
    private const int Chain = 100;

    private FieldElement _a = new(0x1234_5678_9ABC_DEF0, 0x0FED_CBA9_8765_4321, 0xDEAD_BEEF_CAFE_F00D, 0x7AE9_6A2B_657C_0710);
    private FieldElement _b = new(0xC139_6C28_7195_01EE, 0x9CF0_4975_12F5_8995, 0x6E64_479E_AC34_34E9, 0x0123_4567_89AB_CDEF);
    private Scalar _s = new(0x1234_5678_9ABC_DEF0, 0x0FED_CBA9_8765_4321, 0xDEAD_BEEF_CAFE_F00D, 0x7AE9_6A2B_657C_0710);

    [Benchmark(OperationsPerInvoke = Chain)]
    public ulong FieldMul()
    {
        var x = _a;
        for (int i = 0; i < Chain; i++)
        {
            FieldElement.Mul(x, _b, out x);
        }

        return x.L0;
    }

    [Benchmark(OperationsPerInvoke = Chain)]
    public ulong FieldSqr()
    {
        var x = _a;
        for (int i = 0; i < Chain; i++)
        {
            FieldElement.Sqr(x, out x);
        }

        return x.L0;
    }

    [Benchmark]
    public ulong FieldInverse()
    {
        FieldElement.Inverse(_a, out var r);
        return r.L0;
    }

    [Benchmark]
    public ulong ScalarInverse() => Scalar.Inverse(_s).L0;

    [Benchmark]
    public bool MultiplyAdd() => EcRecover.MultiplyAdd(_s, _s, AffinePoint.G, out _);
}
