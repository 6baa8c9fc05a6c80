using Prover.Crypto.Field;

namespace Prover.Core.Ordering;

/// <summary>The outcome of applying a policy to a segment.</summary>
/// <param name="Permutation">
/// <c>Permutation[i]</c> is the index into the segment of the entry placed <c>i</c>-th.
/// </param>
/// <param name="Keys">The policy key of each entry, in segment (log) order: <c>Keys[j]</c> belongs to segment entry <c>j</c>.</param>
/// <param name="ShuffleSeed">The seed the shuffle policy derived; null for every other policy.</param>
public sealed record OrderingResult(int[] Permutation, PolicyKey[] Keys, Fr? ShuffleSeed);
