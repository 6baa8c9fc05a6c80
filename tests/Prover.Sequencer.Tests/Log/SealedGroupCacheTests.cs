using Prover.Crypto.Field;
using Prover.Core.Receipts;
using Prover.Sequencer.Log;
using static Prover.Sequencer.Tests.TestTransactions;

namespace Prover.Sequencer.Tests.Log;

/// <summary>The recent groups' receipt trees: bounded by the hashes they hold, least recently used out first.</summary>
public sealed class SealedGroupCacheTests : IDisposable
{
    private readonly ReceiptSigner _signer = Signer();

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void The_least_recently_used_group_goes_first_when_the_hashes_exceed_the_capacity()
    {
        // Groups of 4 entries hold 4 + 2 + 1 = 7 hashes: three fit in 21, a fourth does not.
        var cache = new SealedGroupCache(capacityNodes: 21);
        var groups = Enumerable.Range(0, 4).Select(i => Seal(firstSeq: (ulong)i * 4, count: 4)).ToArray();
        Assert.All(groups, g => Assert.Equal(7, g.NodeCount));
        cache.Add(groups[0]);
        cache.Add(groups[1]);
        cache.Add(groups[2]);
        Assert.Equal(3, cache.Count);

        // Reading group 0 makes group 1 the least recently used, so group 3 pushes out group 1.
        Assert.True(cache.TryGet(0, out var read));
        Assert.Same(groups[0], read);
        cache.Add(groups[3]);
        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGet(4, out _));
        Assert.True(cache.TryGet(0, out _));
        Assert.True(cache.TryGet(8, out _));
        Assert.True(cache.TryGet(12, out _));
    }

    [Fact]
    public void A_group_larger_than_the_capacity_is_kept_alone_and_a_group_already_held_is_not_added_twice()
    {
        var cache = new SealedGroupCache(capacityNodes: 10);
        var small = Seal(firstSeq: 0, count: 2);
        var large = Seal(firstSeq: 2, count: 16);
        cache.Add(small);
        cache.Add(large);
        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGet(2, out var held));
        Assert.Same(large, held);

        cache.Add(Seal(firstSeq: 2, count: 16));
        Assert.True(cache.TryGet(2, out held));
        Assert.Same(large, held);
        Assert.Equal(1, cache.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SealedGroupCache(0));
    }

    private SealedGroup Seal(ulong firstSeq, int count)
    {
        var entries = Enumerable.Range(0, count)
            .Select(i => new ReceiptFields(firstSeq + (ulong)i, 1_000 + (ulong)i, Decoded(firstSeq + (ulong)i).Hash, Fr.FromUInt64(firstSeq + (ulong)i + 1)))
            .ToList();
        _signer.SignGroup(entries, out var sealedGroup);
        return sealedGroup;
    }
}
