using Prover.Core.Receipts;

namespace Prover.Sequencer.Log;

/// <summary>
/// The receipt trees of the groups most recently sealed or asked for, bounded by the hashes they hold.
/// Clients fetch a receipt soon after submitting its transaction, and without the tree each fetch
/// rehashed the whole group: at high load, with groups of thousands, that was milliseconds of CPU per
/// fetch and quadratic per group. Least recently used goes first. Thread-safe.
/// </summary>
internal sealed class SealedGroupCache
{
    /// <summary>2^17 hashes, 4 MiB: the trees of the groups of about the last 65,000 transactions.</summary>
    public const int DefaultCapacityNodes = 1 << 17;

    private readonly object _gate = new();
    private readonly Dictionary<ulong, LinkedListNode<SealedGroup>> _byFirstSeq = [];
    private readonly LinkedList<SealedGroup> _recency = []; // most recently used first
    private readonly int _capacityNodes;
    private long _nodes;

    public SealedGroupCache(int capacityNodes = DefaultCapacityNodes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityNodes);
        _capacityNodes = capacityNodes;
    }

    /// <summary>How many groups it holds now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byFirstSeq.Count;
            }
        }
    }

    public bool TryGet(ulong firstSeq, out SealedGroup sealedGroup)
    {
        lock (_gate)
        {
            if (_byFirstSeq.TryGetValue(firstSeq, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                sealedGroup = node.Value;
                return true;
            }
        }

        sealedGroup = null!;
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="sealedGroup"/>, letting go of the least recently used groups beyond the
    /// capacity; the group just added always stays, however large. A group already held is kept as is.
    /// </summary>
    public void Add(SealedGroup sealedGroup)
    {
        lock (_gate)
        {
            if (_byFirstSeq.ContainsKey(sealedGroup.Group.FirstSeq))
            {
                return;
            }

            _byFirstSeq.Add(sealedGroup.Group.FirstSeq, _recency.AddFirst(sealedGroup));
            _nodes += sealedGroup.NodeCount;
            while (_nodes > _capacityNodes && _recency.Last is { } oldest && oldest != _recency.First)
            {
                _recency.RemoveLast();
                _byFirstSeq.Remove(oldest.Value.Group.FirstSeq);
                _nodes -= oldest.Value.NodeCount;
            }
        }
    }
}
