using System.Buffers.Binary;
using System.Numerics;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// BLAKE2b-512 (RFC 7693), unkeyed, with the buffering of @noble/hashes 1.x, the implementation
/// snarkjs 0.7 hashes its ceremonies with, so that <see cref="PartialState"/> matches the 216-byte
/// "partial hash" snarkjs stores in every phase 1 contribution.
/// </summary>
/// <remarks>
/// A partial hash is noble's internal state, stale bytes included: the 128-byte buffer, the chaining
/// value, the bytes already compressed and the bytes waiting. noble copies input into its buffer
/// except whole blocks that are not the last of an <see cref="Update"/> call, which it compresses in
/// place, so what stays in the buffer past the waiting bytes depends on how the input was cut into
/// calls. Callers that want snarkjs' partial hash must cut their input exactly as snarkjs does. (noble
/// also copies whole blocks when the input is not 4-byte aligned; snarkjs' inputs always are.)
/// </remarks>
internal sealed class Blake2b
{
    public const int HashLength = 64;

    /// <summary>Bytes in the partial state: the buffer, sixteen 32-bit words of chaining value and six of counters.</summary>
    public const int PartialStateLength = 216;

    private const int BlockLength = 128;

    private static readonly ulong[] Iv =
    [
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    ];

    private static readonly byte[][] Sigma =
    [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ];

    private readonly ulong[] _h = new ulong[8];
    private readonly byte[] _buffer = new byte[BlockLength];
    private int _pos;
    private long _length;
    private bool _finished;

    public Blake2b()
    {
        Iv.CopyTo(_h, 0);

        // Parameter block: digest length 64, no key, fanout 1, depth 1.
        _h[0] ^= 0x01010000UL | HashLength;
    }

    /// <summary>BLAKE2b-512 of <paramref name="data"/> in one call.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var hasher = new Blake2b();
        hasher.Update(data);
        return hasher.Digest();
    }

    public void Update(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var at = 0;
        while (at < data.Length)
        {
            // A full buffer is compressed only once more input proves it is not the last block.
            if (_pos == BlockLength)
            {
                Compress(_buffer, last: false);
                _pos = 0;
            }

            var take = Math.Min(BlockLength - _pos, data.Length - at);
            if (take == BlockLength && at + take < data.Length)
            {
                while (at + BlockLength < data.Length)
                {
                    _length += BlockLength;
                    Compress(data.Slice(at, BlockLength), last: false);
                    at += BlockLength;
                }

                continue;
            }

            data.Slice(at, take).CopyTo(_buffer.AsSpan(_pos));
            _pos += take;
            _length += take;
            at += take;
        }
    }

    /// <summary>The 64-byte hash; the hasher is finished afterwards.</summary>
    public byte[] Digest()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        _buffer.AsSpan(_pos).Clear();
        Compress(_buffer, last: true);
        var result = new byte[HashLength];
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(8 * i), _h[i]);
        }

        return result;
    }

    /// <summary>snarkjs' <c>toPartialHash</c>: the buffer, the chaining value, then bytes compressed and bytes waiting.</summary>
    public byte[] PartialState()
    {
        var state = new byte[PartialStateLength];
        _buffer.CopyTo(state, 0);
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(state.AsSpan(BlockLength + (8 * i)), _h[i]);
        }

        // Words 16…21 after the chaining value: compressed (low, high 0), waiting (low, high 0), two unused.
        BinaryPrimitives.WriteUInt32LittleEndian(state.AsSpan(BlockLength + 64), (uint)(_length - _pos));
        BinaryPrimitives.WriteUInt32LittleEndian(state.AsSpan(BlockLength + 72), (uint)_pos);
        return state;
    }

    public Blake2b Clone()
    {
        var copy = new Blake2b();
        _h.CopyTo(copy._h, 0);
        _buffer.CopyTo(copy._buffer, 0);
        copy._pos = _pos;
        copy._length = _length;
        copy._finished = _finished;
        return copy;
    }

    private void Compress(ReadOnlySpan<byte> block, bool last)
    {
        Span<ulong> m = stackalloc ulong[16];
        for (var i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt64LittleEndian(block[(8 * i)..]);
        }

        Span<ulong> v = stackalloc ulong[16];
        _h.CopyTo(v);
        Iv.CopyTo(v[8..]);
        v[12] ^= (ulong)_length;
        if (last)
        {
            v[14] = ~v[14];
        }

        for (var round = 0; round < 12; round++)
        {
            var s = Sigma[round % 10];
            Mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            Mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            Mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            Mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            Mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            Mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            Mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            Mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }

        for (var i = 0; i < 8; i++)
        {
            _h[i] ^= v[i] ^ v[i + 8];
        }
    }

    private static void Mix(Span<ulong> v, int a, int b, int c, int d, ulong x, ulong y)
    {
        v[a] = v[a] + v[b] + x;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 32);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 24);
        v[a] = v[a] + v[b] + y;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 16);
        v[c] += v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 63);
    }
}
