using System.Numerics;
using System.Text;
using Nethereum.Util;

namespace Prover.Chain.Tests;

/// <summary>Assertions and edits shared by the inbox tests.</summary>
internal static class InboxTestKit
{
    /// <summary>A custom error's selector, computed here from its Solidity signature rather than taken from the ABI under test.</summary>
    public static string Selector(string signature) =>
        "0x" + Convert.ToHexStringLower(Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(signature)))[..8];

    /// <summary>Asserts that <paramref name="submit"/> is refused with the custom error <paramref name="signature"/>.</summary>
    public static async Task<InboxRejectedException> AssertRejectedAsync(string signature, Func<Task> submit)
    {
        var e = await Assert.ThrowsAsync<InboxRejectedException>(submit);
        Assert.Equal(Selector(signature), e.Selector);
        Assert.Equal(signature[..signature.IndexOf('(', StringComparison.Ordinal)], e.Error);
        return e;
    }

    /// <summary>What a submission changes: head, next batch, next seq and the block of the last finalization.</summary>
    public static async Task<(Core.Field.Fr Head, ulong Index, ulong Seq, ulong Block)> ProgressAsync(BatchInbox inbox)
    {
        var s = await inbox.GetStateAsync(CancellationToken.None);
        return (s.Head, s.NextBatchIndex, s.NextSeq, s.LastFinalizedBlock);
    }

    /// <summary>
    /// The same proof re-randomized: <c>(−a, −b, c)</c> satisfies the same pairing equation, since
    /// <c>e(−a, −b) = e(a, b)</c>. A different, equally valid proof of the same statement.
    /// </summary>
    public static Groth16Proof Negated(Groth16Proof proof)
    {
        var q = Groth16Proof.BaseFieldModulus;
        var w = proof.Words;
        return new Groth16Proof([w[0], (q - w[1]) % q, w[2], w[3], (q - w[4]) % q, (q - w[5]) % q, w[6], w[7]]);
    }

    /// <summary>A proof with one coordinate changed: no longer a point of the curve, or a different point.</summary>
    public static Groth16Proof Corrupted(Groth16Proof proof, int word)
    {
        var words = proof.Words.ToArray();
        words[word] = (words[word] + BigInteger.One) % Groth16Proof.BaseFieldModulus;
        return new Groth16Proof(words);
    }
}
