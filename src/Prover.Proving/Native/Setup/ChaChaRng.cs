using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// The random generator of ffjavascript (0.3), which snarkjs draws every ceremony secret from: the
/// ChaCha20 block function (20 rounds) keyed by eight 32-bit seed words, a zero nonce and a 128-bit
/// block counter in words 12…15, read one 32-bit word at a time.
/// </summary>
internal sealed class ChaChaRng
{
    private readonly uint[] _state = new uint[16];
    private readonly uint[] _block = new uint[16];
    private int _index = 16;

    /// <param name="seed">Eight words: the ChaCha key.</param>
    public ChaChaRng(ReadOnlySpan<uint> seed)
    {
        if (seed.Length != 8)
        {
            throw new ArgumentException($"A ChaCha seed is 8 words, not {seed.Length}.", nameof(seed));
        }

        // "expand 32-byte k".
        _state[0] = 0x61707865;
        _state[1] = 0x3320646E;
        _state[2] = 0x79622D32;
        _state[3] = 0x6B206574;
        seed.CopyTo(_state.AsSpan(4));
    }

    /// <summary>A generator seeded by the first 32 bytes of <paramref name="hash"/>, read as big-endian words (snarkjs' <c>hashToG2</c> and beacons).</summary>
    public static ChaChaRng FromHash(ReadOnlySpan<byte> hash)
    {
        Span<uint> seed = stackalloc uint[8];
        for (var i = 0; i < 8; i++)
        {
            seed[i] = BinaryPrimitives.ReadUInt32BigEndian(hash[(4 * i)..]);
        }

        return new ChaChaRng(seed);
    }

    /// <summary>
    /// snarkjs' <c>rngFromBeaconParams</c>: SHA-256 applied 2^<paramref name="iterationsExp"/> times to the
    /// beacon hash, the result seeding the generator.
    /// </summary>
    public static ChaChaRng FromBeacon(ReadOnlySpan<byte> beaconHash, int iterationsExp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterationsExp, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterationsExp, 40);
        var current = beaconHash.ToArray();
        for (long i = 0; i < 1L << iterationsExp; i++)
        {
            current = SHA256.HashData(current);
        }

        return FromHash(current);
    }

    public uint NextU32()
    {
        if (_index == 16)
        {
            NextBlock();
        }

        return _block[_index++];
    }

    /// <summary>Two words, the first the high half.</summary>
    public ulong NextU64()
    {
        var high = (ulong)NextU32();
        return (high << 32) | NextU32();
    }

    public bool NextBool() => (NextU32() & 1) == 1;

    private void NextBlock()
    {
        _state.CopyTo(_block, 0);
        for (var i = 0; i < 10; i++)
        {
            QuarterRound(0, 4, 8, 12);
            QuarterRound(1, 5, 9, 13);
            QuarterRound(2, 6, 10, 14);
            QuarterRound(3, 7, 11, 15);
            QuarterRound(0, 5, 10, 15);
            QuarterRound(1, 6, 11, 12);
            QuarterRound(2, 7, 8, 13);
            QuarterRound(3, 4, 9, 14);
        }

        for (var i = 0; i < 16; i++)
        {
            _block[i] += _state[i];
        }

        _index = 0;

        // The counter spans words 12…15, carrying upwards.
        for (var w = 12; w < 16; w++)
        {
            if (++_state[w] != 0)
            {
                break;
            }
        }
    }

    private void QuarterRound(int a, int b, int c, int d)
    {
        var s = _block;
        s[a] += s[b];
        s[d] = BitOperations.RotateLeft(s[d] ^ s[a], 16);
        s[c] += s[d];
        s[b] = BitOperations.RotateLeft(s[b] ^ s[c], 12);
        s[a] += s[b];
        s[d] = BitOperations.RotateLeft(s[d] ^ s[a], 8);
        s[c] += s[d];
        s[b] = BitOperations.RotateLeft(s[b] ^ s[c], 7);
    }
}
