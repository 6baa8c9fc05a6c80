using System.Collections.Immutable;
using Prover.Core.Ethereum;

namespace Prover.Core.Receipts;

/// <summary>
/// The group's binary keccak Merkle tree. A parent is keccak256(left || right), children in seq order
/// (never sorted); an unpaired last node is promoted to the next level unchanged; a single leaf is the
/// root. The tree's shape follows from the leaf count alone, so (index, count) fix which levels of a
/// proof carry a sibling.
/// </summary>
internal static class ReceiptMerkle
{
    /// <summary>All levels, leaves first, root last (a one-element level).</summary>
    public static Hash32[][] Build(Hash32[] leaves)
    {
        if (leaves.Length == 0)
        {
            throw new ArgumentException("A group has at least one leaf.", nameof(leaves));
        }

        var levels = new List<Hash32[]> { leaves };
        var level = leaves;
        while (level.Length > 1)
        {
            var next = new Hash32[(level.Length + 1) / 2];
            for (var i = 0; i + 1 < level.Length; i += 2)
            {
                next[i / 2] = Node(level[i], level[i + 1]);
            }

            if (level.Length % 2 == 1)
            {
                next[^1] = level[^1];
            }

            levels.Add(next);
            level = next;
        }

        return [.. levels];
    }

    /// <summary>Sibling hashes bottom-up, omitting the levels where the node is promoted.</summary>
    public static ImmutableArray<Hash32> Proof(Hash32[][] levels, int index)
    {
        var count = 0;
        for (int l = 0, i = index; l < levels.Length - 1; l++, i >>= 1)
        {
            count += (i ^ 1) < levels[l].Length ? 1 : 0;
        }

        // Sized exactly, so the builder's array becomes the proof without a copy.
        var proof = ImmutableArray.CreateBuilder<Hash32>(count);
        for (var l = 0; l < levels.Length - 1; l++, index >>= 1)
        {
            var sibling = index ^ 1;
            if (sibling < levels[l].Length)
            {
                proof.Add(levels[l][sibling]);
            }
        }

        return proof.MoveToImmutable();
    }

    /// <summary>
    /// Recomputes the root from a leaf and its proof; false where the proof has the wrong number of
    /// siblings for (index, count).
    /// </summary>
    public static bool TryComputeRoot(Hash32 leaf, uint index, uint count, ReadOnlySpan<Hash32> proof, out Hash32 root)
    {
        root = leaf;
        var used = 0;
        for (ulong width = count, i = index; width > 1; width = (width + 1) / 2, i >>= 1)
        {
            var promoted = i == width - 1 && width % 2 == 1;
            if (promoted)
            {
                continue;
            }

            if (used == proof.Length)
            {
                return false;
            }

            root = (i & 1) == 0 ? Node(root, proof[used]) : Node(proof[used], root);
            used++;
        }

        return used == proof.Length;
    }

    public static Hash32 Node(Hash32 left, Hash32 right)
    {
        Span<byte> buf = stackalloc byte[64];
        left.WriteTo(buf);
        right.WriteTo(buf[32..]);
        return Keccak256.Hash(buf);
    }
}
