namespace Prover.Sequencer.Log;

/// <summary>
/// An append-only list in fixed-size chunks: growing never copies what is already there, and no array
/// grows past one chunk however long the list gets (a plain list of a log's records would double into
/// ever larger arrays, each a large-object allocation and a full copy). The default chunk of 1,024
/// items keeps records of up to 82 bytes under the 85,000-byte large-object threshold: a new chunk is
/// then an ordinary small allocation, where a 4.7 MB one had to be zeroed under the log's lock and
/// counted toward the budget that starts full collections.
/// </summary>
internal sealed class ChunkedList<T>
    where T : struct
{
    private readonly int _chunkBits;
    private readonly ulong _chunkMask;
    private readonly List<T[]> _chunks = [];

    /// <param name="chunkBits">Each chunk holds 2^chunkBits items.</param>
    public ChunkedList(int chunkBits = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkBits, 24);
        _chunkBits = chunkBits;
        _chunkMask = (1UL << chunkBits) - 1;
    }

    public ulong Count { get; private set; }

    public T this[ulong index] =>
        index < Count
            ? _chunks[(int)(index >> _chunkBits)][(int)(index & _chunkMask)]
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"the list has {Count} items");

    public void Add(T item)
    {
        if ((Count & _chunkMask) == 0)
        {
            _chunks.Add(new T[1 << _chunkBits]);
        }

        _chunks[^1][(int)(Count & _chunkMask)] = item;
        Count++;
    }
}
