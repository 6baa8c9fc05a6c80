using FsCheck;
using FsCheck.Xunit;
using Prover.Core;
using Prover.Core.Ethereum;
using Prover.Core.Receipts;
using Prover.Sequencer.Log;
using static Prover.Sequencer.Tests.TestTransactions;

namespace Prover.Sequencer.Tests.Log;

/// <summary>
/// The receipt log on disk: recovery cuts exactly a torn tail and nothing acknowledged, damage and
/// foreign logs are refused, duplicates never reach the file, arrival times never go backwards.
/// </summary>
public sealed class ReceiptLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ReceiptSigner _signer = Signer();

    private string LogPath => _dir.Combine("receipts.log");

    public void Dispose()
    {
        _signer.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Released_entries_still_have_their_receipts_heads_and_arrivals_but_no_segment()
    {
        using var log = ReceiptLog.Open(LogPath, _signer, out _);
        var receipts = log.Append([.. Enumerable.Range(0, 6).Select(i => new PendingTransaction(Decoded((ulong)i), 1_000 + (ulong)i))])
            .Select(r => r.Receipt!).ToArray();
        var (_, entries, heads) = log.Segment(0, 6);
        Assert.Equal(0UL, log.HeldFrom);

        log.ReleaseBefore(4);
        Assert.Equal(4UL, log.HeldFrom);

        // Receipts of released entries are rebuilt from what the log keeps of them, identical and valid.
        foreach (var expected in receipts)
        {
            Assert.True(log.TryGetReceipt(expected.TxHash, out var rebuilt));
            Assert.Equal(expected, rebuilt);
            Assert.True(ReceiptVerifier.Verify(rebuilt!, _signer.SequencerAddress, ChainId, Inbox).IsValid);
        }

        Assert.Equal(1_002UL, log.ArrivalAt(2));

        // The held tail reads as before, with the head before it; a released range is refused.
        var (prev, tail, tailHeads) = log.Segment(4, 2);
        Assert.Equal(heads[3], prev);
        Assert.Equal(entries.Skip(4), tail);
        Assert.Equal(heads.Skip(4), tailHeads);
        var e = Assert.Throws<InvalidOperationException>(() => log.Segment(3, 2));
        Assert.Contains("not held", e.Message, StringComparison.Ordinal);

        // Releasing backwards does nothing; past the end it stops at the end, and the log goes on.
        log.ReleaseBefore(1);
        Assert.Equal(4UL, log.HeldFrom);
        log.ReleaseBefore(100);
        Assert.Equal(6UL, log.HeldFrom);
        Assert.NotNull(log.Append([new PendingTransaction(Decoded(6), 2_000)])[0].Receipt);
        Assert.Equal(Decoded(6).Hash, log.Segment(6, 1).Entries[0].Tx.Hash);
    }

    [Fact]
    public void A_chunked_list_reads_back_across_its_chunk_boundaries()
    {
        var list = new ChunkedList<ulong>(chunkBits: 2);
        for (var i = 0UL; i < 11; i++)
        {
            list.Add(i * 10);
        }

        Assert.Equal(11UL, list.Count);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (ulong)i * 10), Enumerable.Range(0, 11).Select(i => list[(ulong)i]));
        Assert.Throws<ArgumentOutOfRangeException>(() => list[11]);
    }

    [Fact]
    public void The_tx_id_index_finds_every_id_it_was_given_and_no_other()
    {
        var index = new TxIdIndex();
        var ids = Enumerable.Range(0, 20_000).Select(i => Crypto.Field.Fr.FromUInt64((ulong)i * 0x9E37_79B9_7F4A_7C15)).ToArray();
        for (var i = 0; i < ids.Length; i += 2)
        {
            index.Add(ids[i], (ulong)i);
        }

        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(i % 2 == 0, index.Contains(ids[i]));
            Assert.Equal(i % 2 == 0, index.TryGetSeq(ids[i], out var seq));
            Assert.Equal(i % 2 == 0 ? (ulong)i : 0UL, seq);
        }

        Assert.Throws<ArgumentException>(() => index.Add(ids[42], 7));
    }

    [Fact]
    public void A_log_cut_anywhere_inside_its_last_frame_reopens_with_every_acknowledged_group()
    {
        var acknowledged = WriteAcknowledgedGroups(out var ackLength, out var head);
        var frameLength = (int)(AppendGroup(ackLength, 5, 6) - ackLength); // the frame whose write is "interrupted" below
        var full = File.ReadAllBytes(LogPath);
        Assert.True(frameLength > 8);

        // Crash points inside the unacknowledged frame: every one in its header and its group prefix,
        // then a spread through its entries, and its last byte. Each is tried twice: as an append that
        // stopped there (the file ends at the cut) and as a write into preallocated space that stopped
        // there (zeros follow, up to the end of the preallocated chunk).
        var cuts = Enumerable.Range(1, 8 + 12 + 65 + 2).Concat(Enumerable.Range(1, 20).Select(k => k * frameLength / 21)).Append(frameLength - 1).Distinct();
        foreach (var cut in cuts)
        {
            // What the tail holds up to its last non-zero byte is the torn write that recovery reports.
            var written = full.AsSpan((int)ackLength, cut).LastIndexOfAnyExcept((byte)0) + 1;
            var preallocated = full.ToArray();
            Array.Clear(preallocated, (int)ackLength + cut, frameLength - cut);
            foreach (var bytes in new[] { full.AsSpan(0, (int)ackLength + cut).ToArray(), preallocated })
            {
                File.WriteAllBytes(LogPath, bytes);
                using var log = ReceiptLog.Open(LogPath, _signer, out var torn);
                Assert.Equal(written, torn);
                AssertHolds(log, acknowledged, head);
                Assert.False(log.TryGetReceipt(Decoded(5).Hash, out _));
                Assert.Equal(ackLength, new FileInfo(LogPath).Length);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(4096)]
    [InlineData(LogFile.PreallocationChunk)]
    public void Zero_bytes_after_the_last_frame_are_cut_without_a_torn_write_reported_and_the_log_continues(int zeros)
    {
        var acknowledged = WriteAcknowledgedGroups(out var ackLength, out var head);
        using (var stream = new FileStream(LogPath, FileMode.Open))
        {
            stream.SetLength(ackLength + zeros); // what lies past the last frame: zeros, however many
        }

        using (var log = ReceiptLog.Open(LogPath, _signer, out var torn))
        {
            Assert.Equal(0, torn);
            AssertHolds(log, acknowledged, head);
            Assert.Equal(ackLength, new FileInfo(LogPath).Length);

            // The next group lands right after the acknowledged ones.
            var results = log.Append([new PendingTransaction(Decoded(5), 10_000)]);
            Assert.Equal(5UL, results[0].Receipt!.Seq);
        }

        using var reopened = ReceiptLog.Open(LogPath, _signer, out var tornAfter);
        Assert.Equal(0, tornAfter);
        Assert.Equal(6UL, reopened.NextSeq);
        Assert.True(reopened.TryGetReceipt(Decoded(5).Hash, out _));
    }

    [Fact]
    public void A_last_frame_whose_bytes_the_filesystem_lost_to_zeros_is_cut()
    {
        var acknowledged = WriteAcknowledgedGroups(out var ackLength, out var head);
        var frameLength = AppendGroup(ackLength, 5, 6) - ackLength;
        using (var stream = new FileStream(LogPath, FileMode.Open))
        {
            stream.Seek(ackLength, SeekOrigin.Begin);
            stream.Write(new byte[frameLength]);
        }

        // Zeros in place of the frame cannot be told from unused preallocated space, and need not be:
        // no receipt was issued for them either way.
        using var log = ReceiptLog.Open(LogPath, _signer, out var torn);
        Assert.Equal(0, torn);
        AssertHolds(log, acknowledged, head);
        Assert.Equal(ackLength, new FileInfo(LogPath).Length);
    }

    [Fact]
    public void The_file_grows_ahead_of_the_log_in_whole_chunks_of_zeros()
    {
        WriteAcknowledgedGroups(out var ackLength, out _);
        var bytes = File.ReadAllBytes(LogPath);
        Assert.Equal(LogFile.PreallocationChunk, bytes.Length);
        Assert.Equal(-1, bytes.AsSpan((int)ackLength).IndexOfAnyExcept((byte)0));

        // Groups that cross the end of the preallocated space grow it by whole chunks before they are
        // written, and every group stays readable after a reopen.
        var written = new List<Receipt>();
        using (var log = ReceiptLog.Open(LogPath, _signer, out var torn))
        {
            Assert.Equal(0, torn);
            for (var g = 0UL; g < 3; g++)
            {
                var group = Enumerable.Range(0, 4).Select(i => new PendingTransaction(Bulky(100 + (g * 4) + (ulong)i, 200_000), 5_000 + g)).ToList();
                var results = log.Append(group);
                Assert.All(results, r => Assert.NotNull(r.Receipt));
                written.AddRange(results.Select(r => r.Receipt!));
                var size = new FileInfo(LogPath).Length;
                Assert.Equal(0, size % LogFile.PreallocationChunk);
                Assert.InRange(size - log.ValidLength, 0, LogFile.PreallocationChunk - 1);
            }
        }

        using var reopened = ReceiptLog.Open(LogPath, _signer, out var tornAfter);
        Assert.Equal(0, tornAfter);
        Assert.Equal(5UL + 12, reopened.NextSeq);
        foreach (var receipt in written)
        {
            Assert.True(reopened.TryGetReceipt(receipt.TxHash, out var served));
            Assert.Equal(ReceiptJson.Serialize(receipt), ReceiptJson.Serialize(served!));
        }
    }

    [Fact]
    public void A_write_into_preallocated_space_that_landed_any_subset_of_its_sectors_is_cut()
    {
        var acknowledged = WriteAcknowledgedGroups(out var ackLength, out var head);
        var frameEnd = AppendGroup(ackLength, 5, 6, 7, 8, 9, 10, 11, 12);
        var full = File.ReadAllBytes(LogPath);

        // A disk persists whole sectors, in any order: split the unacknowledged frame at 512-byte
        // boundaries and try every combination of pieces that reached the disk, short of all of them.
        // (The header and the group's seq and count share the first piece, as they do in any frame
        // that does not start in the last 20 bytes of a sector.)
        Assert.True((ackLength % 512) + 20 <= 512);
        var cuts = new List<long> { ackLength };
        for (var b = ((ackLength / 512) + 1) * 512; b < frameEnd; b += 512)
        {
            cuts.Add(b);
        }

        cuts.Add(frameEnd);
        var pieces = cuts.Count - 1;
        Assert.InRange(pieces, 3, 8);
        for (var landed = 0; landed < (1 << pieces) - 1; landed++)
        {
            var bytes = full.ToArray();
            for (var k = 0; k < pieces; k++)
            {
                if ((landed & (1 << k)) == 0)
                {
                    Array.Clear(bytes, (int)cuts[k], (int)(cuts[k + 1] - cuts[k]));
                }
            }

            File.WriteAllBytes(LogPath, bytes);
            using var log = ReceiptLog.Open(LogPath, _signer, out var torn);
            Assert.Equal(bytes.AsSpan((int)ackLength).LastIndexOfAnyExcept((byte)0) + 1, torn);
            AssertHolds(log, acknowledged, head);
            Assert.Equal(ackLength, new FileInfo(LogPath).Length);
        }
    }

    [Theory]
    [InlineData(1)] // the length grows by 256: the frame now ends in the zeros after it
    [InlineData(3)] // the length grows by 2^24: the frame claims to run past the end of the file
    public void A_damaged_length_on_the_last_frame_refuses_to_open_though_only_zeros_follow(int lengthByte)
    {
        long lastFrame;
        using (var log = ReceiptLog.Open(LogPath, _signer, out _))
        {
            log.Append([new(Decoded(0), 1_000), new(Decoded(1), 1_001)]);
            lastFrame = log.ValidLength;
            log.Append([new(Decoded(2), 1_002), new(Decoded(3), 1_003)]);
        }

        var bytes = File.ReadAllBytes(LogPath);
        bytes[lastFrame + lengthByte] ^= 0x01;
        File.WriteAllBytes(LogPath, bytes);

        var e = Assert.Throws<CorruptStateException>(() => ReceiptLog.Open(LogPath, _signer, out _).Dispose());
        Assert.Contains($"the group commit at byte {lastFrame} has a damaged length field", e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(LogPath));
    }

    [Fact]
    public void A_zeroed_header_with_an_intact_group_behind_it_refuses_to_open()
    {
        WriteAcknowledgedGroups(out _, out _);
        var bytes = File.ReadAllBytes(LogPath);
        Array.Clear(bytes, 64, 8); // the first frame's length and checksum, as if its sector were lost
        File.WriteAllBytes(LogPath, bytes);

        var e = Assert.Throws<CorruptStateException>(() => ReceiptLog.Open(LogPath, _signer, out _).Dispose());
        Assert.Contains("reading stops at byte 64 (an empty frame), yet an intact group commit follows at byte", e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(LogPath));
    }

    [Theory]
    [InlineData("grow")]
    [InlineData("write")]
    [InlineData("sync")]
    public void A_failed_append_leaves_the_log_as_it_was_and_the_next_one_lands_after_the_acknowledged_groups(string step)
    {
        var acknowledged = WriteAcknowledgedGroups(out var ackLength, out var head);
        using (var log = ReceiptLog.Open(LogPath, _signer, out _))
        {
            // Reopening cut the preallocated space, so this append grows the file first.
            log.StorageFault = s =>
            {
                if (s == step)
                {
                    throw new IOException($"injected failure at {s}");
                }
            };
            var e = Assert.Throws<IOException>(() => log.Append([new PendingTransaction(Decoded(5), 2_000)]));
            Assert.Equal($"injected failure at {step}", e.Message);
            AssertHolds(log, acknowledged, head);
            Assert.Equal(ackLength, log.ValidLength);
            Assert.Equal(ackLength, new FileInfo(LogPath).Length);

            log.StorageFault = null;
            Assert.Equal(5UL, log.Append([new PendingTransaction(Decoded(5), 2_001)])[0].Receipt!.Seq);
        }

        using var reopened = ReceiptLog.Open(LogPath, _signer, out var torn);
        Assert.Equal(0, torn);
        Assert.Equal(6UL, reopened.NextSeq);
        Assert.True(reopened.TryGetReceipt(Decoded(5).Hash, out var receipt));
        Assert.Equal(2_001UL, receipt!.ArrivalMs);
    }

    [Fact]
    public void An_append_that_cannot_be_undone_stops_the_log_until_a_restart_recovers_it()
    {
        var acknowledged = WriteAcknowledgedGroups(out _, out var head);
        using (var log = ReceiptLog.Open(LogPath, _signer, out _))
        {
            log.StorageFault = s =>
            {
                if (s is "sync" or "truncate")
                {
                    throw new IOException($"injected failure at {s}");
                }
            };
            Assert.Throws<IOException>(() => log.Append([new PendingTransaction(Decoded(5), 2_000)]));

            log.StorageFault = null;
            var e = Assert.Throws<IOException>(() => log.Append([new PendingTransaction(Decoded(6), 2_001)]));
            Assert.Contains("Restart the sequencer", e.Message, StringComparison.Ordinal);
            AssertHolds(log, acknowledged, head);
        }

        // The frame was written but never synced, and could not be cut: whatever of it reached the
        // disk is recovered as it stands. Here the page cache holds all of it, so the restart finds a
        // complete group, for which no receipt was ever returned; the log goes on after it.
        using var reopened = ReceiptLog.Open(LogPath, _signer, out var torn);
        Assert.Equal(0, torn);
        Assert.Equal(6UL, reopened.NextSeq);
        Assert.Equal(6UL, reopened.Append([new PendingTransaction(Decoded(6), 2_002)])[0].Receipt!.Seq);
    }

    /// <summary>Offsets into the first of two frames: its length field, its checksum, its payload.</summary>
    [Theory]
    [InlineData(0, "damaged length field")] // low byte of the length: the frame now ends inside the next one, and the intact group behind the length is found
    [InlineData(3, "length")] // high byte of the length: the frame claims to run past the end of the file
    [InlineData(5, "fails its checksum")]
    [InlineData(40, "fails its checksum")]
    [InlineData(200, "fails its checksum")]
    public void A_damaged_frame_followed_by_more_data_refuses_to_open_and_leaves_the_file_alone(int offsetInFrame, string fragment)
    {
        WriteAcknowledgedGroups(out _, out _);
        var bytes = File.ReadAllBytes(LogPath);
        bytes[64 + offsetInFrame] ^= 0x01; // 64: the header
        File.WriteAllBytes(LogPath, bytes);

        var e = Assert.Throws<CorruptStateException>(() => ReceiptLog.Open(LogPath, _signer, out _).Dispose());
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Equal(LogPath, e.Path);
        Assert.Equal(bytes, File.ReadAllBytes(LogPath));
    }

    [Fact]
    public void A_log_for_another_chain_refuses_to_open_with_a_configuration_error()
    {
        WriteAcknowledgedGroups(out _, out _);
        using var other = Signer(chainId: ChainId + 1);
        var e = Assert.Throws<SequencerConfigurationException>(() => ReceiptLog.Open(LogPath, other, out _).Dispose());
        Assert.Contains($"belongs to chain {ChainId}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"started for chain {ChainId + 1}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_for_another_inbox_refuses_to_open_with_a_configuration_error()
    {
        WriteAcknowledgedGroups(out _, out _);
        var otherInbox = EthAddress.Parse("0x1111111111111111111111111111111111111111");
        using var other = Signer(inbox: otherInbox);
        var e = Assert.Throws<SequencerConfigurationException>(() => ReceiptLog.Open(LogPath, other, out _).Dispose());
        Assert.Contains($"inbox {Inbox}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"inbox {otherInbox}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_written_with_another_key_refuses_to_open()
    {
        WriteAcknowledgedGroups(out _, out _);
        using var other = Signer(OtherSequencerKey);
        var e = Assert.Throws<CorruptStateException>(() => ReceiptLog.Open(LogPath, other, out _).Dispose());
        Assert.Contains("not signed by this sequencer's key", e.Message, StringComparison.Ordinal);
        Assert.Contains(other.SequencerAddress.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_receipt_log_refuses_to_open()
    {
        File.WriteAllText(LogPath, "this is not a receipt log, but it is long enough to hold a header of sixty-four bytes");
        var e = Assert.Throws<CorruptStateException>(() => ReceiptLog.Open(LogPath, _signer, out _).Dispose());
        Assert.Contains("not a Prover receipt log", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_within_a_group_is_rejected_and_only_the_first_copy_is_logged()
    {
        using var log = ReceiptLog.Open(LogPath, _signer, out _);
        var a = Decoded(0);
        var b = Decoded(1);
        var results = log.Append([new(a, 100), new(b, 100), new(a, 100)]);

        Assert.Equal(0UL, results[0].Receipt!.Seq);
        Assert.Equal(1UL, results[1].Receipt!.Seq);
        Assert.Null(results[2].Receipt);
        var rejected = Assert.IsType<TransactionRejectedException>(results[2].Error);
        Assert.Equal("already-known", rejected.Reason);
        Assert.Contains(a.Hash.ToString(), rejected.Message, StringComparison.Ordinal);
        Assert.Equal(2UL, log.NextSeq);
        log.Dispose();

        using var reopened = ReceiptLog.Open(LogPath, _signer, out var torn);
        Assert.Equal(0, torn);
        Assert.Equal(2UL, reopened.NextSeq);
    }

    [Fact]
    public void A_duplicate_of_an_earlier_group_is_rejected_without_touching_the_file()
    {
        using var log = ReceiptLog.Open(LogPath, _signer, out _);
        var a = Decoded(0);
        log.Append([new(a, 100)]);
        var head = log.Head;
        var length = new FileInfo(LogPath).Length;

        var again = log.Append([new(a, 200)]);
        Assert.Equal("already-known", Assert.IsType<TransactionRejectedException>(again[0].Error).Reason);
        Assert.Equal(length, new FileInfo(LogPath).Length);
        Assert.Equal(1UL, log.NextSeq);
        Assert.Equal(head, log.Head);

        // In a mixed group only the new transaction is logged, at the next seq.
        var mixed = log.Append([new(a, 300), new(Decoded(1), 300)]);
        Assert.IsType<TransactionRejectedException>(mixed[0].Error);
        Assert.Equal(1UL, mixed[1].Receipt!.Seq);
        Assert.Equal(0U, mixed[1].Receipt!.Index);
        Assert.Equal(2UL, log.NextSeq);
    }

    [Fact]
    public void A_group_hashed_while_the_previous_is_in_flight_continues_it_and_refuses_its_duplicates()
    {
        using var log = ReceiptLog.Open(LogPath, _signer, out _);
        var first = log.Prepare([new(Decoded(0), 1_000), new(Decoded(1), 1_000)], after: null);
        var second = log.Prepare([new(Decoded(1), 1_005), new(Decoded(2), 900)], after: first);

        // Nothing is visible before the disk has it.
        Assert.Equal(0UL, log.NextSeq);
        Assert.Equal(2UL, second.FirstSeq);
        Assert.Equal("already-known", Assert.IsType<TransactionRejectedException>(second.Results[0].Error).Reason);
        Assert.Equal(1_000UL, second.Entries[0].ArrivalMs); // never before the group in flight

        log.Persist(first);
        var results = log.Persist(second);
        Assert.Equal(2UL, results[1].Receipt!.Seq);
        Assert.Equal(3UL, log.NextSeq);
        Assert.Equal(second.EndHead, log.Head);

        // Hashed in one go, the same transactions give the same log.
        log.Dispose();
        using var reopened = ReceiptLog.Open(LogPath, _signer, out var torn);
        Assert.Equal((0L, 3UL), (torn, reopened.NextSeq));
        Assert.Equal(second.EndHead, reopened.Head);
    }

    [Fact]
    public void A_group_hashed_after_one_that_never_landed_is_refused_and_the_log_is_unchanged()
    {
        using var log = ReceiptLog.Open(LogPath, _signer, out _);
        var lost = log.Prepare([new(Decoded(0), 1_000)], after: null);
        var next = log.Prepare([new(Decoded(1), 1_000)], after: lost);
        var length = new FileInfo(LogPath).Length;

        Assert.Throws<InvalidOperationException>(() => log.Persist(next));
        Assert.Equal((0UL, length), (log.NextSeq, new FileInfo(LogPath).Length));

        // Re-hashed on the durable tail (what the writer does when a group fails), it is logged at seq 0.
        var again = log.Persist(log.Prepare([new(Decoded(1), 1_000)], after: null));
        Assert.Equal(0UL, again[0].Receipt!.Seq);
    }

    [Fact]
    public void Arrival_times_never_decrease_even_when_received_times_do()
    {
        using (var log = ReceiptLog.Open(LogPath, _signer, out _))
        {
            var first = log.Append([new(Decoded(0), 1_000), new(Decoded(1), 500), new(Decoded(2), 2_000)]);
            Assert.Equal([1_000UL, 1_000UL, 2_000UL], first.Select(r => r.Receipt!.ArrivalMs));
            var second = log.Append([new(Decoded(3), 10)]);
            Assert.Equal(2_000UL, second[0].Receipt!.ArrivalMs);
        }

        // The floor survives a restart.
        using var reopened = ReceiptLog.Open(LogPath, _signer, out _);
        Assert.Equal(2_000UL, reopened.Append([new(Decoded(4), 1)])[0].Receipt!.ArrivalMs);
    }

    /// <summary>Any received times, split into any groups: each arrival is the running maximum of the received times.</summary>
    [Property(MaxTest = 15)]
    public void Arrival_is_the_running_maximum_of_received_times(NonEmptyArray<ushort> received, PositiveInt groupSize)
    {
        using var dir = new TempDirectory();
        using var log = ReceiptLog.Open(dir.Combine("receipts.log"), _signer, out _);
        var times = received.Get.Take(12).ToArray();
        var arrivals = new List<ulong>();
        for (var start = 0; start < times.Length; start += groupSize.Get)
        {
            var group = times.Skip(start).Take(groupSize.Get)
                .Select((t, i) => new PendingTransaction(Decoded((ulong)(start + i)), t))
                .ToList();
            arrivals.AddRange(log.Append(group).Select(r => r.Receipt!.ArrivalMs));
        }

        var max = 0UL;
        var expected = times.Select(t => max = Math.Max(max, t)).ToList();
        Assert.Equal(expected, arrivals);
    }

    [Theory]
    [InlineData(SealedGroupCache.DefaultCapacityNodes)] // every group's tree kept: receipts cut from it
    [InlineData(1)] // only the last group's: the others rebuilt from the records and the stored signature
    public void Receipts_are_served_identically_whether_their_groups_tree_was_kept_or_rebuilt(int cacheNodes)
    {
        using var log = ReceiptLog.Open(LogPath, _signer, out _, cacheNodes);
        var issued = new List<Receipt>();
        ulong nonce = 0;
        foreach (var size in new[] { 1, 3, 5, 2 })
        {
            var group = new List<PendingTransaction>();
            for (var i = 0; i < size; i++, nonce++)
            {
                group.Add(new PendingTransaction(Decoded(nonce), 1_000 + nonce));
            }

            issued.AddRange(log.Append(group).Select(r => r.Receipt!));
        }

        var held = cacheNodes == 1 ? 1 : 4;
        Assert.Equal(held, log.SealedGroupsHeld);
        foreach (var expected in Enumerable.Reverse(issued))
        {
            Assert.True(log.TryGetReceipt(expected.TxHash, out var served));
            Assert.Equal(expected, served);
            Assert.True(ReceiptVerifier.Verify(served!, _signer.SequencerAddress, ChainId, Inbox).IsValid);
        }

        Assert.Equal(held, log.SealedGroupsHeld);
    }

    [Fact]
    public void Contains_finds_logged_transactions_and_not_a_hash_that_only_shares_a_tx_id_with_one()
    {
        using var log = ReceiptLog.Open(LogPath, _signer, out _);
        log.Append([new PendingTransaction(Decoded(0), 1_000)]);
        Assert.True(log.Contains(Decoded(0).Hash));
        Assert.False(log.Contains(Decoded(1).Hash));

        // The tx id drops the hash's top three bits: flipping one gives another hash with the same id.
        var bytes = Decoded(0).Hash.ToArray();
        bytes[0] ^= 0x80;
        var twin = new Hash32(bytes);
        Assert.Equal(Core.Log.CircuitEncoding.TxId(Decoded(0).Hash), Core.Log.CircuitEncoding.TxId(twin));
        Assert.False(log.Contains(twin));
        Assert.False(log.TryGetReceipt(twin, out _));
    }

    [Fact]
    public void Receipts_issued_by_the_log_verify_and_are_served_identically_after_reopening()
    {
        var acknowledged = WriteAcknowledgedGroups(out _, out var head);
        foreach (var receipt in acknowledged)
        {
            var verification = ReceiptVerifier.Verify(receipt, _signer.SequencerAddress, ChainId, Inbox);
            Assert.True(verification.IsValid, verification.Message);
        }

        using var log = ReceiptLog.Open(LogPath, _signer, out _);
        AssertHolds(log, acknowledged, head);
    }

    /// <summary>Logs two groups (seq 0..1 and 2..4) and returns their receipts, the file length and the head.</summary>
    private List<Receipt> WriteAcknowledgedGroups(out long length, out Crypto.Field.Fr head)
    {
        using var log = ReceiptLog.Open(LogPath, _signer, out _);
        var receipts = new List<Receipt>();
        receipts.AddRange(log.Append([new(Decoded(0), 1_000), new(Decoded(1), 1_001)]).Select(r => r.Receipt!));
        receipts.AddRange(log.Append([new(Decoded(2), 1_002), new(Decoded(3), 1_003), new(Decoded(4), 1_004)]).Select(r => r.Receipt!));
        length = log.ValidLength;
        head = log.Head;
        return receipts;
    }

    /// <summary>Appends one group with these nonces to a log of <paramref name="expectedLength"/> bytes; returns the new length.</summary>
    private long AppendGroup(long expectedLength, params ulong[] nonces)
    {
        using var log = ReceiptLog.Open(LogPath, _signer, out _);
        Assert.Equal(expectedLength, log.ValidLength);
        Assert.All(log.Append([.. nonces.Select(n => new PendingTransaction(Decoded(n), 2_000))]), r => Assert.NotNull(r.Receipt));
        return log.ValidLength;
    }

    /// <summary>
    /// A transaction with a <paramref name="rawSize"/>-byte body, to fill the file quickly. The log stores
    /// and signs what it is given and never decodes it again, so the body need not be valid RLP.
    /// </summary>
    private static SignedTransaction Bulky(ulong nonce, int rawSize)
    {
        var raw = new byte[rawSize];
        Array.Fill(raw, (byte)(nonce | 1));
        BitConverter.TryWriteBytes(raw, nonce);
        var template = Decoded(0);
        return template with { Raw = raw, Hash = new Hash32(System.Security.Cryptography.SHA256.HashData(raw)), Nonce = nonce };
    }

    private static void AssertHolds(ReceiptLog log, List<Receipt> acknowledged, Crypto.Field.Fr head)
    {
        Assert.Equal((ulong)acknowledged.Count, log.NextSeq);
        Assert.Equal(head, log.Head);
        foreach (var receipt in acknowledged)
        {
            Assert.True(log.TryGetReceipt(receipt.TxHash, out var served));
            Assert.Equal(ReceiptJson.Serialize(receipt), ReceiptJson.Serialize(served!));
        }
    }
}
