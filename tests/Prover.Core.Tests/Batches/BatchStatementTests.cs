using System.Numerics;
using Nethereum.ABI;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Log;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Batches;

public class BatchStatementTests
{
    private const ulong ChainId = 31337;
    private static readonly BigInteger R = Fr.Modulus;

    private static OrderingWitness Drawn(Fr beacon) => OrderingWitness.FromBatch(BatchBuilder.Build(
        3, ReceiptChain.Genesis(ChainId, Inbox), Segment(12, (5_000, Alice, 3), (5_004, Bob, 9), (5_004, Carol, 1)),
        ShufflePolicy.Instance, ChainId, Inbox, capacity: 4, prevLastArrivalMs: 4_990, beacon));

    [Fact]
    public void The_statement_of_a_witness_is_the_one_the_inbox_builds_from_its_posted_list()
    {
        var beacon = Fr.FromUInt64(0x1234_5678_9ABC);
        var w = Drawn(beacon);
        var statement = BatchStatement.Of(w);

        Assert.Equal(
            BatchStatement.For(w.Domain, w.PrevHead, w.NewHead, w.OutputCommitment!.Value, 4_990, 5_004, beacon, w.OrderedTxHashes, 4),
            statement);

        // The same values computed from their definitions (docs/circuits.md, "Public inputs").
        var header = 3 + (new BigInteger(4_990) << 32) + (new BigInteger(5_004) << 96) + (beacon.ToBigInteger() << 160);
        var listHash = PostedList.Hash(w.OrderedTxHashes);
        var gamma = new BigInteger(new ABIEncode().GetSha3ABIEncoded(
            new ABIValue("uint256", w.Domain.ToBigInteger()),
            new ABIValue("uint256", w.PrevHead.ToBigInteger()),
            new ABIValue("uint256", w.NewHead.ToBigInteger()),
            new ABIValue("uint256", w.OutputCommitment!.Value.ToBigInteger()),
            new ABIValue("uint256", header),
            new ABIValue("bytes32", listHash.ToArray())), isUnsigned: true, isBigEndian: true) % R;
        var ids = w.OrderedTxHashes.Select(h => new BigInteger(h.ToArray(), isUnsigned: true, isBigEndian: true) % BigInteger.Pow(2, 253)).ToArray();
        var digest = ids.Select((id, i) => id * BigInteger.ModPow(gamma, i, R)).Aggregate(BigInteger.Zero, (a, b) => (a + b) % R);
        var multiset = ids.Aggregate(gamma, (a, id) => a * (gamma - id + R) % R); // one padding slot: γ

        Assert.Equal(
            [w.Domain.ToBigInteger(), w.PrevHead.ToBigInteger(), w.NewHead.ToBigInteger(), w.OutputCommitment!.Value.ToBigInteger(), header, gamma, digest, multiset],
            statement.Signals.Select(s => s.ToBigInteger()));
        Assert.Equal(
            ["domain", "prevHead", "newHead", "outputCommitment", "header", "listChallenge", "listDigest", "listMultiset"],
            BatchStatement.SignalNames);
    }

    [Fact]
    public void A_posted_list_in_another_order_gets_another_challenge_and_digest_and_the_same_multiset_only_at_one_challenge()
    {
        var w = Drawn(Fr.FromUInt64(5));
        Hash32[] swapped = [w.OrderedTxHashes[1], w.OrderedTxHashes[0], w.OrderedTxHashes[2]];
        var honest = BatchStatement.Of(w);
        var posted = BatchStatement.For(w.Domain, w.PrevHead, w.NewHead, w.OutputCommitment!.Value, w.PrevLastArrivalMs, 5_004, w.Beacon!.Value, swapped, 4);

        Assert.Equal(honest.Header, posted.Header);
        Assert.NotEqual(honest.ListChallenge, posted.ListChallenge);
        Assert.NotEqual(honest.ListDigest, posted.ListDigest);
        Assert.Equal(PostedList.Multiset(w.OrderedTxHashes, posted.ListChallenge, 4), posted.ListMultiset);

        // A shorter list is another count in the header.
        var shorter = BatchStatement.For(w.Domain, w.PrevHead, w.NewHead, w.OutputCommitment!.Value, w.PrevLastArrivalMs, 5_004, w.Beacon!.Value, swapped[..2], 4);
        Assert.Equal(honest.Header - Fr.One, shorter.Header);
    }

    [Fact]
    public void The_statement_depends_on_the_beacon_and_the_previous_arrival()
    {
        var a = BatchStatement.Of(Drawn(Fr.FromUInt64(5)));
        var b = BatchStatement.Of(Drawn(Fr.FromUInt64(6)));
        Assert.NotEqual(a.Header, b.Header);
        Assert.NotEqual(a.OutputCommitment, b.OutputCommitment);

        var w = Drawn(Fr.FromUInt64(5));
        var earlier = BatchStatement.Of(w with { PrevLastArrivalMs = 4_989 });
        Assert.Equal(a.Header - Fr.FromBigInteger(BigInteger.One << 32), earlier.Header);
    }

    [Fact]
    public void An_undrawn_shuffle_witness_has_no_statement_yet()
    {
        var undrawn = OrderingWitness.FromBatch(BatchBuilder.Build(
            3, Fr.One, Segment(0, (5_000, Alice, 3)), ShufflePolicy.Instance, ChainId, Inbox, capacity: 4));
        var e = Assert.Throws<InvalidOperationException>(() => BatchStatement.Of(undrawn));
        Assert.Contains("no order yet", e.Message, StringComparison.Ordinal);
    }
}
