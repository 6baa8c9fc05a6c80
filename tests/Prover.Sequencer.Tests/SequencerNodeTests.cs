using Microsoft.Extensions.Time.Testing;
using Prover.Core.Ethereum;
using Prover.Core.Log;
using Prover.Core.Receipts;
using Prover.Sequencer.Log;
using static Prover.Sequencer.Tests.TestTransactions;

namespace Prover.Sequencer.Tests;

/// <summary>The sequencer without its transport: receipts, batch cutting, witnesses, restart and back-pressure.</summary>
public sealed class SequencerNodeTests : IAsyncLifetime
{
    private static readonly TimeSpan Long = SequencerOptions.MaxBatchAge;
    private readonly TempDirectory _dir = new();
    private readonly List<SequencerNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task Receipts_verify_and_recover_to_the_sequencer_address()
    {
        var node = Start(capacity: 64, maxAge: Long);
        Assert.Equal(AddressOf(SequencerKey), node.SequencerAddress.ToString(), ignoreCase: true);

        var txs = Enumerable.Range(0, 6).Select(n => Decoded((ulong)n)).ToList();
        var receipts = await Task.WhenAll(txs.Select(tx => node.SubmitAsync(tx)));

        Assert.Equal(Enumerable.Range(0, 6).Select(n => (ulong)n), receipts.Select(r => r.Seq).Order());
        foreach (var (tx, receipt) in txs.Zip(receipts))
        {
            Assert.Equal(tx.Hash, receipt.TxHash);
            var verification = ReceiptVerifier.Verify(receipt, node.SequencerAddress, ChainId, Inbox);
            Assert.True(verification.IsValid, verification.Message);
            Assert.True(node.TryGetReceipt(tx.Hash, out var served));
            Assert.Equal(ReceiptJson.Serialize(receipt), ReceiptJson.Serialize(served!));

            // The same receipt checked against anyone else's address fails: the check is real.
            var foreign = EthAddress.Parse(AddressOf(OtherSequencerKey));
            Assert.Equal(ReceiptFailure.WrongSigner, ReceiptVerifier.Verify(receipt, foreign, ChainId, Inbox).Failure);
        }
    }

    [Fact]
    public async Task A_batch_closes_when_it_reaches_its_capacity()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var node = Start(capacity: 4, maxAge: Long, time: clock); // no age cut, however slow the machine
        await SubmitSequentially(node, 0, 10);

        await Eventually.Until(() => node.LastBatchIndex == 1, "batches 0 and 1");
        var first = node.GetBatch(0)!;
        var second = node.GetBatch(1)!;
        Assert.Equal((0UL, 4), (first.FirstSeq, first.Count));
        Assert.Equal((4UL, 4), (second.FirstSeq, second.Count));
        Assert.Null(node.GetBatch(2)); // seq 8 and 9 wait for two more transactions or the max age
        Assert.Equal(1, node.LastBatchIndex);
    }

    [Fact]
    public async Task A_batch_closes_with_fewer_entries_once_its_oldest_entry_reaches_the_max_age()
    {
        var maxAge = TimeSpan.FromMilliseconds(150);
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var node = Start(capacity: 100, maxAge: maxAge, time: clock);
        await SubmitSequentially(node, 0, 3);

        clock.Advance(maxAge - TimeSpan.FromMilliseconds(1));
        await Task.Delay(100); // give a wrongly early cut the chance to happen
        Assert.Null(node.GetBatch(0));

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.Until(() => node.GetBatch(0) is not null, "batch 0 to close by age");
        var batch = node.GetBatch(0)!;
        Assert.Equal(3, batch.Count);
        Assert.Equal(1_800_000_000_000UL, batch.Entries[0].ArrivalMs);
        Assert.Null(node.GetBatch(1));
    }

    [Fact]
    public async Task An_age_cut_still_happens_when_the_clock_passes_the_deadline_while_the_timer_is_armed()
    {
        // The writer reads the clock, then arms a timer for the rest of the wait; a clock that moves in
        // between must not push the cut a whole max age later (or, on a test clock, forever).
        var maxAge = TimeSpan.FromMilliseconds(150);
        var clock = new SlippingClock(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000)) { SlipOnNextTimer = maxAge };
        var node = Start(capacity: 100, maxAge: maxAge, time: clock);
        await SubmitSequentially(node, 0, 1);

        await Eventually.Until(() => node.GetBatch(0) is not null, "batch 0 to close by age");
        Assert.Equal(1, node.GetBatch(0)!.Count);
        Assert.Null(clock.SlipOnNextTimer); // the slip really happened while a timer was armed
    }

    [Fact]
    public async Task Batch_witnesses_validate_and_chain_from_the_genesis_head()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var node = Start(capacity: 3, maxAge: TimeSpan.FromMilliseconds(100), time: clock);
        var txs = await SubmitSequentially(node, 0, 7);
        await Eventually.Until(() => node.LastBatchIndex == 1, "two batches by capacity");
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await Eventually.Until(() => node.LastBatchIndex == 2, "three batches (3 + 3 by capacity, 1 by age)");

        var witnesses = Enumerable.Range(0, 3).Select(i => node.GetBatch((ulong)i)!).ToList();
        Assert.Equal([3, 3, 1], witnesses.Select(w => w.Count));
        Assert.Equal(ReceiptChain.Genesis(ChainId, Inbox), witnesses[0].PrevHead);
        for (var k = 0; k < witnesses.Count; k++)
        {
            var w = witnesses[k];
            Assert.Null(w.Validate());
            Assert.Equal((ulong)k, w.BatchIndex);
            Assert.Equal((ulong)(3 * k), w.FirstSeq);
            Assert.Equal((ChainId, Inbox), (w.ChainId, w.Inbox));
            if (k > 0)
            {
                Assert.Equal(witnesses[k - 1].NewHead, w.PrevHead);
            }

            // FCFS: the policy order is the log order, and the log order is the submission order.
            Assert.Equal(txs.Skip(3 * k).Take(w.Count).Select(t => t.Hash), w.OrderedTxHashes);
            Assert.True(node.TryGetReceipt(w.OrderedTxHashes[^1], out var lastReceipt));
            Assert.Equal(w.NewHead, lastReceipt!.Head);
        }

        Assert.Equal(node.Head, witnesses[^1].NewHead);
    }

    [Fact]
    public async Task Restarting_on_the_same_directory_keeps_head_and_seq_and_continues_the_batch_numbering()
    {
        // A test clock that never moves: on a real one, a stop and restart on a busy machine can outlast
        // the max age and close seq 6's batch before seq 7 and 8 arrive.
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var node = Start(capacity: 3, maxAge: Long, time: clock);
        await SubmitSequentially(node, 0, 7);
        await Eventually.Until(() => node.LastBatchIndex == 1, "batches 0 and 1");
        var head = node.Head;
        var nextSeq = node.NextSeq;
        var batch1 = node.GetBatch(1)!;

        // Stored batches' entries are let go; the open batch's (seq 6) are held for its cut.
        Assert.Equal(6UL, node.HeldFrom);
        Assert.True(node.TryGetReceipt(Decoded(0).Hash, out var released));
        Assert.True(ReceiptVerifier.Verify(released!, node.SequencerAddress, ChainId, Inbox).IsValid);
        await Stop(node);

        var restarted = Start(capacity: 3, maxAge: Long, time: clock);
        Assert.Equal(head, restarted.Head);
        Assert.Equal(nextSeq, restarted.NextSeq);
        Assert.Equal(0, restarted.RecoveredTornBytes);
        Assert.Equal(1, restarted.LastBatchIndex);
        Assert.True(restarted.TryGetReceipt(Decoded(6).Hash, out var kept));
        Assert.Equal(6UL, kept!.Seq);
        Assert.Equal(6UL, restarted.HeldFrom);
        Assert.True(restarted.TryGetReceipt(Decoded(0).Hash, out var replayed));
        Assert.Equal(released, replayed);

        // Seq 6 was open at the stop; two more fill batch 2.
        var more = await SubmitSequentially(restarted, 7, 2);
        Assert.Equal(7UL, restarted.TryGetReceipt(more[0].Hash, out var r) ? r!.Seq : ulong.MaxValue);
        await Eventually.Until(() => restarted.LastBatchIndex == 2, "batch 2");
        var batch2 = restarted.GetBatch(2)!;
        Assert.Null(batch2.Validate());
        Assert.Equal((6UL, 3), (batch2.FirstSeq, batch2.Count));
        Assert.Equal(batch1.NewHead, batch2.PrevHead);
        Assert.Equal(9UL, restarted.HeldFrom);
    }

    [Fact]
    public async Task Each_batch_carries_the_last_arrival_of_the_batch_before_it_and_the_first_carries_zero()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var node = Start(capacity: 2, maxAge: Long, time: clock);
        for (var n = 0UL; n < 6; n++)
        {
            await node.SubmitAsync(Decoded(n));
            clock.Advance(TimeSpan.FromMilliseconds(7)); // every arrival distinct, so a wrong entry's arrival shows
        }

        await Eventually.Until(() => node.LastBatchIndex == 2, "three batches by capacity");
        var witnesses = Enumerable.Range(0, 3).Select(i => node.GetBatch((ulong)i)!).ToList();
        Assert.Equal(0UL, witnesses[0].PrevLastArrivalMs);
        for (var k = 1; k < witnesses.Count; k++)
        {
            Assert.Equal(witnesses[k - 1].Entries[^1].ArrivalMs, witnesses[k].PrevLastArrivalMs);
            Assert.True(witnesses[k].PrevLastArrivalMs < witnesses[k].Entries[0].ArrivalMs);
            Assert.Null(witnesses[k].Validate());
        }
    }

    [Fact]
    public async Task After_a_restart_the_first_batch_carries_the_arrival_of_the_log_entry_before_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var node = Start(capacity: 2, maxAge: Long, time: clock);
        for (var n = 0UL; n < 4; n++)
        {
            await node.SubmitAsync(Decoded(n));
            clock.Advance(TimeSpan.FromMilliseconds(7));
        }

        await Eventually.Until(() => node.LastBatchIndex == 1, "batches 0 and 1");
        var lastBefore = node.GetBatch(1)!.Entries[^1];
        await Stop(node);

        // Batch 1 was stored, so seq 3's full entry is no longer held: only the log's record of it is.
        clock.Advance(TimeSpan.FromSeconds(1));
        var restarted = Start(capacity: 2, maxAge: Long, time: clock);
        Assert.Equal(4UL, restarted.HeldFrom);
        await SubmitSequentially(restarted, 4, 2);
        await Eventually.Until(() => restarted.LastBatchIndex == 2, "batch 2 after the restart");

        var batch = restarted.GetBatch(2)!;
        Assert.Equal((3UL, lastBefore.ArrivalMs), (lastBefore.Seq, batch.PrevLastArrivalMs));
        Assert.Equal(1_800_000_001_028UL, batch.Entries[0].ArrivalMs);
        Assert.Null(batch.Validate());
    }

    [Fact]
    public async Task A_shuffle_sequencer_stores_every_batch_without_its_order_and_chains_their_arrivals()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var node = SequencerNode.Start(Options(2, Long, 1024) with { Policy = Core.Ordering.ShufflePolicy.Instance }, clock);
        _nodes.Add(node);
        for (var n = 0UL; n < 4; n++)
        {
            await node.SubmitAsync(Decoded(n));
            clock.Advance(TimeSpan.FromMilliseconds(7));
        }

        await Eventually.Until(() => node.LastBatchIndex == 1, "batches 0 and 1");
        var witnesses = new[] { node.GetBatch(0)!, node.GetBatch(1)! };
        Assert.All(witnesses, w => Assert.Equal((false, null, 0), (w.IsOrdered, w.Beacon, w.OrderedTxHashes.Count)));
        Assert.All(witnesses, w => Assert.Null(w.Validate()));
        Assert.Equal(witnesses[0].Entries[^1].ArrivalMs, witnesses[1].PrevLastArrivalMs);
        Assert.Equal(witnesses[0].NewHead, witnesses[1].PrevHead);
    }

    [Fact]
    public async Task A_batch_that_cannot_be_stored_holds_back_the_later_ones_and_is_stored_once_it_can_be()
    {
        var node = Start(capacity: 2, maxAge: Long);
        var failures = 0;
        var failing = true;
        node.BatchStoreFault = index =>
        {
            if (index == 0 && Volatile.Read(ref failing))
            {
                Interlocked.Increment(ref failures);
                throw new IOException("No space left on device (injected)");
            }
        };

        var txs = await SubmitSequentially(node, 0, 4);
        await Eventually.Until(() => Volatile.Read(ref failures) >= 2, "the save of batch 0 to be retried");

        // Batch 1 is closed but must not be stored past the gap, and batch 0's entries stay held.
        Assert.Equal(-1, node.LastBatchIndex);
        Assert.Null(node.GetBatch(0));
        Assert.Null(node.GetBatch(1));
        Assert.Equal(0UL, node.HeldFrom);

        Volatile.Write(ref failing, false);
        await Eventually.Until(() => node.LastBatchIndex == 1, "batches 0 and 1 once the disk takes them");
        Assert.Equal(txs.Take(2).Select(t => t.Hash), node.GetBatch(0)!.OrderedTxHashes);
        Assert.Equal(node.GetBatch(0)!.NewHead, node.GetBatch(1)!.PrevHead);
        Assert.Equal(4UL, node.HeldFrom);
    }

    [Fact]
    public async Task A_batch_still_unstored_at_a_stop_is_cut_again_after_the_restart()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var node = Start(capacity: 2, maxAge: Long, time: clock);
        var attempts = 0;
        node.BatchStoreFault = _ =>
        {
            Interlocked.Increment(ref attempts);
            throw new UnauthorizedAccessException("Permission denied (injected)");
        };

        await SubmitSequentially(node, 0, 2);
        await Eventually.Until(() => Volatile.Read(ref attempts) >= 1, "a failed save of batch 0");
        await Stop(node); // stops retrying; nothing was stored

        var restarted = Start(capacity: 2, maxAge: Long, time: clock);
        await SubmitSequentially(restarted, 2, 2);
        await Eventually.Until(() => restarted.LastBatchIndex == 1, "batches 0 and 1 after the restart");
        Assert.Equal((0UL, 2), (restarted.GetBatch(0)!.FirstSeq, restarted.GetBatch(0)!.Count));
        Assert.Equal((2UL, 2), (restarted.GetBatch(1)!.FirstSeq, restarted.GetBatch(1)!.Count));
    }

    [Fact]
    public async Task An_open_batch_left_at_a_stop_is_closed_by_age_after_the_restart()
    {
        // A test clock: on a real one, a busy machine can put the two arrivals more than the max age
        // apart, and the age cut then rightly takes only the first.
        var maxAge = TimeSpan.FromMilliseconds(200);
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var node = Start(capacity: 10, maxAge: SequencerOptions.MaxBatchAge, time: clock);
        await SubmitSequentially(node, 0, 2);
        await Stop(node);

        var restarted = Start(capacity: 10, maxAge: maxAge, time: clock);
        await Task.Delay(100); // give a wrongly early cut the chance to happen
        Assert.Null(restarted.GetBatch(0));
        clock.Advance(maxAge);
        await Eventually.Until(() => restarted.GetBatch(0) is not null, "the open batch to close by age");
        Assert.Equal(2, restarted.GetBatch(0)!.Count);
    }

    [Fact]
    public async Task Enqueueing_waits_for_a_full_intake_instead_of_refusing_and_keeps_submission_order()
    {
        var node = Start(capacity: 1000, maxAge: Long, intakeCapacity: 1);
        var txs = Enumerable.Range(0, 120).Select(n => Decoded((ulong)n)).ToList();

        var pending = new List<Task<Receipt>>();
        foreach (var tx in txs)
        {
            pending.Add(await node.EnqueueAsync(tx));
        }

        var receipts = await Task.WhenAll(pending);

        Assert.Equal((ulong)txs.Count, node.NextSeq);
        Assert.Equal(txs.Select(t => t.Hash), receipts.Select(r => r.TxHash));
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (ulong)i), receipts.Select(r => r.Seq));
    }

    [Fact]
    public async Task Enqueueing_to_a_stopped_sequencer_says_it_is_stopping()
    {
        var node = Start(capacity: 10, maxAge: Long);
        await node.DisposeAsync();
        await Assert.ThrowsAsync<SequencerStoppedException>(async () => await node.EnqueueAsync(Decoded(0)));
    }

    [Fact]
    public async Task A_full_intake_answers_busy_and_every_accepted_transaction_gets_a_receipt()
    {
        var node = Start(capacity: 1000, maxAge: Long, intakeCapacity: 1);
        var txs = Enumerable.Range(0, 120).Select(n => Decoded((ulong)n)).ToList();
        var accepted = new List<(SignedTransaction Tx, Task<Receipt> Receipt)>();
        var busy = 0;
        foreach (var tx in txs)
        {
            try
            {
                accepted.Add((tx, node.SubmitAsync(tx)));
            }
            catch (SequencerBusyException e)
            {
                Assert.Contains("sequencer busy", e.Message, StringComparison.Ordinal);
                busy++;
            }
        }

        await Task.WhenAll(accepted.Select(a => a.Receipt));
        Assert.True(busy > 0, "a burst of 120 submissions into an intake of 1 never found it full");
        Assert.NotEmpty(accepted);
        Assert.Equal(txs.Count, busy + accepted.Count);
        Assert.Equal((ulong)accepted.Count, node.NextSeq);
        foreach (var (tx, receipt) in accepted)
        {
            Assert.Equal(tx.Hash, (await receipt).TxHash);
            Assert.True(ReceiptVerifier.Verify(await receipt, node.SequencerAddress, ChainId, Inbox).IsValid);
        }

        // Refused ones were never logged.
        var refused = txs.Except(accepted.Select(a => a.Tx)).First();
        Assert.False(node.TryGetReceipt(refused.Hash, out _));
    }

    [Fact]
    public async Task Position_read_while_the_writer_commits_always_pairs_a_seq_with_its_own_head()
    {
        var node = Start(capacity: 1000, maxAge: Long);
        var txs = Enumerable.Range(0, 40).Select(n => Decoded((ulong)n)).ToList();
        long observed = 0;
        var submitting = Task.Run(async () =>
        {
            foreach (var (tx, n) in txs.Select((tx, i) => (tx, i + 1L)))
            {
                await node.SubmitAsync(tx);

                // Each commit is seen before the next starts, however the two threads get scheduled;
                // the reads still race with the writer's next commit.
                Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref observed) >= n, TimeSpan.FromSeconds(30)), $"the reader never saw seq {n}");
            }
        });

        var seen = new List<(ulong NextSeq, Crypto.Field.Fr Head)>();
        while (!submitting.IsCompleted)
        {
            var position = node.Position;
            if (seen.Count == 0 || seen[^1] != position)
            {
                seen.Add(position);
                Interlocked.Exchange(ref observed, (long)position.NextSeq);
            }
        }

        await submitting;
        seen.Add(node.Position);
        Assert.True(seen.Count > 10, "the reader saw too few commits to test anything");
        foreach (var (nextSeq, head) in seen)
        {
            var expected = nextSeq == 0
                ? ReceiptChain.Genesis(ChainId, Inbox)
                : node.TryGetReceipt(txs[(int)nextSeq - 1].Hash, out var r) ? r!.Head : default;
            Assert.Equal(expected, head);
        }

        Assert.Equal((40UL, node.Head), seen[^1]);
    }

    [Fact]
    public async Task A_transaction_already_logged_is_rejected_as_already_known()
    {
        var node = Start(capacity: 64, maxAge: Long);
        await node.SubmitAsync(Decoded(0));
        var e = await Assert.ThrowsAsync<TransactionRejectedException>(() => node.SubmitAsync(Decoded(0)));
        Assert.Equal("already-known", e.Reason);
        Assert.Equal(1UL, node.NextSeq);
    }

    [Fact]
    public async Task A_stopped_node_refuses_submissions()
    {
        var node = Start(capacity: 64, maxAge: Long);
        await Stop(node);
        // Refused synchronously, as a busy intake is: nothing was queued.
        Assert.Throws<SequencerStoppedException>(() => { _ = node.SubmitAsync(Decoded(0)); });
    }

    [Fact]
    public void A_malformed_key_refuses_to_start()
    {
        var e = Assert.Throws<SequencerConfigurationException>(() => SequencerNode.Start(Options(1, Long, 16) with { SequencerKey = "0x1234" }));
        Assert.Contains("64 hex digits", e.Message, StringComparison.Ordinal);
    }

    private SequencerOptions Options(int capacity, TimeSpan maxAge, int intakeCapacity) => new()
    {
        DataDirectory = _dir.Path,
        SequencerKey = SequencerKey,
        ChainId = ChainId,
        Inbox = Inbox,
        BatchCapacity = capacity,
        BatchMaxAge = maxAge,
        IntakeCapacity = intakeCapacity,
    };

    private SequencerNode Start(int capacity, TimeSpan maxAge, int intakeCapacity = 1024, TimeProvider? time = null)
    {
        var node = SequencerNode.Start(Options(capacity, maxAge, intakeCapacity), time);
        _nodes.Add(node);
        return node;
    }

    private async Task Stop(SequencerNode node)
    {
        await node.DisposeAsync();
        _nodes.Remove(node);
    }

    /// <summary>Submits nonces first..first+count-1 one after another, so seq order is submission order.</summary>
    private static async Task<List<SignedTransaction>> SubmitSequentially(SequencerNode node, ulong first, int count)
    {
        var txs = new List<SignedTransaction>();
        for (var n = first; n < first + (ulong)count; n++)
        {
            var tx = Decoded(n);
            await node.SubmitAsync(tx);
            txs.Add(tx);
        }

        return txs;
    }
}

/// <summary>A test clock that jumps forward just as the next timer is created.</summary>
internal sealed class SlippingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    public TimeSpan? SlipOnNextTimer { get; set; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (SlipOnNextTimer is { } slip)
        {
            SlipOnNextTimer = null;
            Advance(slip);
        }

        return base.CreateTimer(callback, state, dueTime, period);
    }
}
