using System.Numerics;
using System.Text;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;
using Prover.Core.Batches;

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
        AssertIs(signature, e);
        return e;
    }

    /// <summary>Asserts that <paramref name="e"/> is the custom error <paramref name="signature"/>, by its selector and its name.</summary>
    public static void AssertIs(string signature, InboxRejectedException e)
    {
        Assert.Equal(Selector(signature), e.Selector);
        Assert.Equal(InboxError.Name(signature), e.Error);
    }

    /// <summary>What a submission changes: head, next batch, next seq, the block of the last finalization and the last arrival.</summary>
    public static async Task<(Crypto.Field.Fr Head, ulong Index, ulong Seq, ulong Block, ulong LastArrival)> ProgressAsync(BatchInbox inbox)
    {
        var s = await inbox.GetStateAsync(CancellationToken.None);
        return (s.Head, s.NextBatchIndex, s.NextSeq, s.LastFinalizedBlock, s.LastArrivalMs);
    }

    /// <summary>
    /// The witness ready to prove: as it is for every policy but the shuffle, whose batch is first
    /// committed on chain and then ordered with the beacon the commitment's block draws.
    /// </summary>
    public static async Task<OrderingWitness> OrderAsync(BatchInbox inbox, OrderingWitness witness)
    {
        if (witness.IsOrdered)
        {
            return witness;
        }

        var commitment = await inbox.CommitAsync(witness.BatchIndex, witness.PrevHead, witness.NewHead, CancellationToken.None);
        return witness.WithBeacon(commitment.Beacon ?? throw new InvalidOperationException($"block {commitment.BeaconBlock} has no hash yet"));
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

    /// <summary>Eight words that are no proof of anything: 1 to 8, none of them a point of the curve.</summary>
    public static Groth16Proof Garbage() => new([.. Enumerable.Range(1, 8).Select(i => new BigInteger(i))]);

    /// <summary>Whether the verifier contract itself accepts <paramref name="proof"/> for <paramref name="statement"/>.</summary>
    public static Task<bool> VerifiesAsync(ChainConnection connection, Core.Ethereum.EthAddress verifier, Groth16Proof proof, BatchStatement statement)
    {
        var w = proof.Words;
        var message = new VerifyProofFunction
        {
            A = [w[0], w[1]],
            B = [[w[2], w[3]], [w[4], w[5]]],
            C = [w[6], w[7]],
            PublicSignals = [.. statement.Signals.Select(s => s.ToBigInteger())],
        };
        return connection.Web3.Eth.GetContractQueryHandler<VerifyProofFunction>().QueryAsync<bool>(verifier.ToString(), message, BlockParameter.CreateLatest());
    }

    /// <summary>
    /// Runs an inbox call on the node (eth_call from the connection's account, at <paramref name="block"/>)
    /// without sending it, and returns the inbox's refusal, or null when the call would succeed. For what
    /// <see cref="BatchInbox"/> cannot send: calldata no <see cref="BatchSubmission"/> gives, or a call
    /// against the pending block.
    /// </summary>
    public static async Task<InboxRejectedException?> CallAsync<TMessage>(ChainConnection connection, BatchInbox inbox, TMessage message, BlockParameter block)
        where TMessage : Nethereum.Contracts.FunctionMessage, new()
    {
        message.FromAddress = connection.Account.ToString();
        try
        {
            await connection.Web3.Eth.GetContractQueryHandler<TMessage>().QueryRawAsync(inbox.Address.ToString(), message, block);
            return null;
        }
        catch (Exception e) when (InboxErrors.RevertData(e) is { Length: >= 10 } data)
        {
            return InboxErrors.Decode(data);
        }
    }

    /// <summary>Mines <paramref name="blocks"/> empty blocks (anvil_mine).</summary>
    public static Task MineAsync(ChainConnection connection, ulong blocks) =>
        connection.Web3.Client.SendRequestAsync<object>("anvil_mine", null, new HexBigInteger(blocks));

    /// <summary>The number of the latest block.</summary>
    public static async Task<ulong> BlockNumberAsync(ChainConnection connection) =>
        (ulong)(await connection.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
}
