using System.Numerics;
using FsCheck.Xunit;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;

namespace Prover.Crypto.Tests.Field;

/// <summary>
/// The encodings build limbs directly; these check them against the arithmetic they stand for,
/// written with <see cref="BigInteger"/>, for random and extreme inputs.
/// </summary>
public sealed class CircuitEncodingTests
{
    private static readonly BigInteger Low253 = (BigInteger.One << 253) - 1;

    private static BigInteger Unsigned(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private static byte[] Bytes(byte[] seed, int length)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = seed.Length == 0 ? (byte)0 : (byte)(seed[i % seed.Length] * 31 + i * 17);
        }

        return b;
    }

    [Property(MaxTest = 500)]
    public bool TxId_is_the_hash_with_its_top_three_bits_cleared(byte[] seed)
    {
        var bytes = Bytes(seed, 32);
        return CircuitEncoding.TxId(new Hash32(bytes)).ToBigInteger() == (Unsigned(bytes) & Low253);
    }

    [Property(MaxTest = 500)]
    public bool SenderNonce_is_sender_times_2_to_the_64_plus_nonce(byte[] seed, ulong nonce)
    {
        var bytes = Bytes(seed, 20);
        return CircuitEncoding.SenderNonce(new EthAddress(bytes), nonce).ToBigInteger() == ((Unsigned(bytes) << 64) | nonce);
    }

    [Property(MaxTest = 500)]
    public bool FeeArrival_is_fee_times_2_to_the_64_plus_arrival(ulong fee, ulong arrival) =>
        CircuitEncoding.FeeArrival(fee, arrival).ToBigInteger() == (((BigInteger)fee << 64) | arrival);

    [Fact]
    public void Encodings_of_all_ones_inputs_use_every_bit_of_their_width()
    {
        var ones32 = Enumerable.Repeat((byte)0xff, 32).ToArray();
        var ones20 = Enumerable.Repeat((byte)0xff, 20).ToArray();
        Assert.Equal(Low253, CircuitEncoding.TxId(new Hash32(ones32)).ToBigInteger());
        Assert.Equal((BigInteger.One << 224) - 1, CircuitEncoding.SenderNonce(new EthAddress(ones20), ulong.MaxValue).ToBigInteger());
        Assert.Equal((BigInteger.One << 128) - 1, CircuitEncoding.FeeArrival(ulong.MaxValue, ulong.MaxValue).ToBigInteger());
        Assert.Equal(Fr.Zero, CircuitEncoding.SenderNonce(EthAddress.Zero, 0));
    }

    [Fact]
    public void Encodings_do_not_allocate()
    {
        var hash = new Hash32(Bytes([1, 2, 3], 32));
        var sender = new EthAddress(Bytes([4, 5], 20));
        CircuitEncoding.TxId(hash);
        CircuitEncoding.SenderNonce(sender, 1);
        CircuitEncoding.FeeArrival(2, 3);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var acc = Fr.Zero;
        for (ulong i = 0; i < 100; i++)
        {
            acc += CircuitEncoding.TxId(hash) + CircuitEncoding.SenderNonce(sender, i) + CircuitEncoding.FeeArrival(i, i + 1);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(Fr.Zero, acc);
    }
}
