using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;

namespace Prover.Core.Tests.Golden;

/// <summary>
/// The fixture streams are what they say they are, and varied enough that the golden witnesses mean
/// something: if a regenerated stream lost its ties or its controller, these fail before anyone reviews
/// snapshot diffs.
/// </summary>
public class FixtureStreamTests
{
    public static TheoryData<string> Streams() => [.. FixtureStream.Names];

    [Theory]
    [MemberData(nameof(Streams))]
    public void Every_fixture_transaction_decodes_to_what_the_generator_signed(string stream)
    {
        var fixture = FixtureStream.Load(stream);
        Assert.Equal(31337UL, fixture.ChainId);
        foreach (var (t, i) in fixture.Transactions.Select((t, i) => (t, i)))
        {
            var tx = TransactionDecoder.DecodeHex(t.Raw, fixture.ChainId);
            Assert.True(
                (t.From, t.Type, t.Nonce, t.PriorityFee) == (tx.Sender, tx.Type, tx.Nonce, tx.PriorityFee),
                $"{stream} transaction {i} ({t.Note}): the fixture says {(t.From, t.Type, t.Nonce, t.PriorityFee)}, " +
                $"the decoder reads {(tx.Sender, tx.Type, tx.Nonce, tx.PriorityFee)}.");
            Assert.Equal(fixture.ChainId, tx.ChainId);
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Every_fixture_stream_is_a_valid_log_with_consecutive_nonces_per_sender(string stream)
    {
        var fixture = FixtureStream.Load(stream);
        var log = fixture.LogEntries();
        BatchBuilder.CheckSegment(0, log);
        Assert.Equal(log.Length, log.Select(e => e.Tx.Hash).Distinct().Count());
        foreach (var sender in log.GroupBy(e => e.Tx.Sender))
        {
            Assert.Equal(Enumerable.Range(0, sender.Count()).Select(n => (ulong)n), sender.Select(e => e.Tx.Nonce));
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Every_fixture_stream_has_ties_all_transaction_types_and_a_sending_controller(string stream)
    {
        var fixture = FixtureStream.Load(stream);
        var log = fixture.LogEntries();
        var controller = fixture.ExpressLaneController;
        Assert.Equal(
            [TransactionType.Legacy, TransactionType.AccessList, TransactionType.DynamicFee],
            log.Select(e => e.Tx.Type).Distinct().Order());
        Assert.Contains(log, e => e.Tx.Sender == controller);
        Assert.True(log.Select(e => e.Tx.Sender).Distinct().Count() >= 3, "fewer than three senders");
        Assert.True(log.GroupBy(e => e.ArrivalMs).Any(g => g.Count() > 1), "no two transactions arrive in the same millisecond");
        Assert.True(log.GroupBy(e => e.Tx.PriorityFee).Any(g => g.Count() > 1), "no two transactions pay the same tip");
    }

    [Fact]
    public void The_mixed_stream_has_five_senders_gaps_and_spans_three_batches()
    {
        var log = FixtureStream.Load("mixed").LogEntries();
        Assert.Equal(5, log.Select(e => e.Tx.Sender).Distinct().Count());
        Assert.Equal(3, new GoldenCase("mixed", GoldenCase.Capped, "fcfs").BatchCount(log.Length));
        Assert.NotEqual(0, log.Length % GoldenCase.Capacity);
        Assert.Contains(log.Zip(log.Skip(1)), p => p.Second.ArrivalMs - p.First.ArrivalMs > 1000);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Every_fixture_stream_is_ordered_differently_by_each_policy(string stream)
    {
        var fixture = FixtureStream.Load(stream);
        var log = fixture.LogEntries();
        var head = Fr.FromUInt64(1);
        var orders = GoldenCase.Policies
            .Select(p => new GoldenCase(stream, GoldenCase.Whole, p).PolicyFor(fixture))
            .Select(p => string.Join(",", p.Order(log, head, GoldenCase.BeaconFor(p, 0)).Permutation))
            .ToArray();
        Assert.Equal(orders.Length, orders.Distinct(StringComparer.Ordinal).Count());
    }
}
