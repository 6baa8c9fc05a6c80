using System.Diagnostics;
using System.Globalization;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Batches;
using Prover.Core.Log;
using Prover.Core.Ordering;
using Prover.Core.Receipts;
using Prover.Sequencer;

namespace Prover.Benchmarks;

/// <summary>
/// Sustained in-process ingest: decoded transactions pushed into a <see cref="SequencerNode"/> with the
/// durable log on (fsync per group), as fast as the intake takes them, and where the time goes.
/// </summary>
internal static class IngestRun
{
    public static async Task RunAsync(int count)
    {
        Console.WriteLine($"# ingest: {count} transactions, durable log (fsync per group), in-process, {Environment.ProcessorCount} cores");
        var raw = LoadTransactions.Raw(count);
        var sw = Stopwatch.StartNew();
        var decoded = new SignedTransaction[count];
        for (var i = 0; i < count; i++)
        {
            decoded[i] = TransactionDecoder.Decode(raw[i], LoadTransactions.ChainId);
        }

        var decodeUs = sw.Elapsed.TotalMicroseconds / count;
        Components(decoded, decodeUs);

        var dir = Path.Combine(Path.GetTempPath(), "prover-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new SequencerOptions
            {
                DataDirectory = dir,
                SequencerKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
                IntakeCapacity = 65_536,
                BatchCapacity = 256,
                BatchMaxAge = TimeSpan.FromMilliseconds(250),
            };
            await using var node = SequencerNode.Start(options);
            // Like a client, the producer keeps what it needs from each receipt (here its group) and lets
            // the receipt go: holding every receipt until the end, as an array of their tasks did, kept
            // a hundred megabytes alive that only the harness wanted, and the GC copied it from
            // generation to generation while the writer stood still.
            var groupOf = new ulong[count];
            var remaining = count;
            var failures = 0;
            var allLogged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var hashing = node.LogWriterHashingTime;
            var allocated = GC.GetTotalAllocatedBytes();
            var gcPause = GC.GetTotalPauseDuration();
            var gcCounts = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            sw.Restart();
            for (var i = 0; i < count; i++)
            {
                // Backpressure: when the intake is full the producer waits for the writer.
                var receipt = await node.EnqueueAsync(decoded[i]);
                var k = i;
                _ = receipt.ContinueWith(
                    t =>
                    {
                        if (t.IsCompletedSuccessfully)
                        {
                            groupOf[k] = t.Result.Group.FirstSeq;
                        }
                        else
                        {
                            Interlocked.Increment(ref failures);
                        }

                        if (Interlocked.Decrement(ref remaining) == 0)
                        {
                            allLogged.SetResult();
                        }
                    },
                    TaskContinuationOptions.ExecuteSynchronously);
            }

            await allLogged.Task;
            var elapsed = sw.Elapsed;
            if (failures > 0)
            {
                throw new InvalidOperationException($"{failures} transactions were not logged");
            }

            gcPause = GC.GetTotalPauseDuration() - gcPause;
            hashing = node.LogWriterHashingTime - hashing;
            allocated = GC.GetTotalAllocatedBytes() - allocated;
            var groups = groupOf.Distinct().Count();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ingest: {count / elapsed.TotalSeconds:F0} tx/s sustained ({count} tx in {elapsed.TotalSeconds:F2} s), {groups} group commits, mean group {(double)count / groups:F0} tx"));
            // The writer's serial work, timed in place: what bounds ingest, against the micro-benchmark above.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"log writer: hashing {hashing / elapsed:P0} of the wall time, {hashing.TotalMicroseconds / count:F1} µs per transaction (collection pauses included)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"garbage collection during ingest: {GC.CollectionCount(0) - gcCounts.Item1} gen0, {GC.CollectionCount(1) - gcCounts.Item2} gen1, {GC.CollectionCount(2) - gcCounts.Item3} gen2 collections, paused {gcPause.TotalMilliseconds:F0} ms ({gcPause / elapsed:P1} of the time); {allocated / (double)count:F0} bytes allocated per transaction"));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var batches = (count + options.BatchCapacity - 1) / options.BatchCapacity;
            while (node.LastBatchIndex < batches - 1 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"batches: {node.LastBatchIndex + 1} of {batches} witnesses stored {sw.Elapsed.TotalSeconds:F2} s after the first submission"));
            Lookups(node, decoded, count / groups);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// prover_getReceipt's work after an ingest: receipts of the latest transactions, whose groups' trees
    /// the log keeps, and of transactions drawn from the whole log, whose groups are mostly rebuilt.
    /// </summary>
    private static void Lookups(SequencerNode node, SignedTransaction[] txs, int meanGroup)
    {
        // Fewer of the second kind: each miss rehashes a group of thousands, milliseconds apiece.
        var recent = Enumerable.Range(txs.Length - Math.Min(10_000, txs.Length), Math.Min(10_000, txs.Length)).ToArray();
        var rng = new Random(1);
        var anywhere = Enumerable.Range(0, Math.Min(1_000, txs.Length)).Select(_ => rng.Next(txs.Length)).ToArray();
        foreach (var (name, picks) in new[] { ("latest", recent), ("anywhere", anywhere) })
        {
            var sw = Stopwatch.StartNew();
            foreach (var i in picks)
            {
                if (!node.TryGetReceipt(txs[i].Hash, out _))
                {
                    throw new InvalidOperationException($"no receipt for logged transaction {txs[i].Hash}");
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"receipt lookups, {picks.Length} of the {name} transactions: {sw.Elapsed.TotalMicroseconds / picks.Length:F1} µs each (groups of {meanGroup} on average)"));
        }
    }

    /// <summary>The per-transaction and per-group costs that add up to ingest, each measured alone.</summary>
    private static void Components(SignedTransaction[] txs, double decodeUs)
    {
        var n = Math.Min(txs.Length, 20_000);
        var entries = new LogEntry[n];
        for (var i = 0; i < n; i++)
        {
            entries[i] = new LogEntry((ulong)(i % 256), 1_700_000_000_000UL + (ulong)i, txs[i]);
        }

        var sw = Stopwatch.StartNew();
        var leaves = new LeafFields[n];
        for (var i = 0; i < n; i++)
        {
            leaves[i] = entries[i].Leaf;
        }

        var leafUs = sw.Elapsed.TotalMicroseconds / n;
        sw.Restart();
        var head = Fr.One;
        for (var i = 0; i < n; i++)
        {
            head = ReceiptChain.Step(head, leaves[i]);
        }

        var chainUs = sw.Elapsed.TotalMicroseconds / n;

        // The batch emitter's work for full 256-transaction batches, stage by stage; the last of four
        // rounds counts, so the per-batch methods run at the JIT's final tier as they do in a long run.
        const int batchSize = 256;
        var batchCount = n / batchSize;
        var segments = new LogEntry[batchCount][];
        var segmentHeads = new Fr[batchCount][];
        for (var b = 0; b < batchCount; b++)
        {
            segments[b] = entries.AsSpan(b * batchSize, batchSize).ToArray();
            segmentHeads[b] = new Fr[batchSize];
            var h = Fr.One;
            for (var i = 0; i < batchSize; i++)
            {
                h = ReceiptChain.Step(h, segments[b][i].Leaf);
                segmentHeads[b][i] = h;
            }
        }

        var policy = OrderingPolicy.Parse("priority-fee");
        double buildUs = 0, witnessUs = 0, jsonUs = 0;
        for (var round = 0; round < 4; round++)
        {
            buildUs = witnessUs = jsonUs = 0;
            for (var b = 0; b < batchCount; b++)
            {
                sw.Restart();
                var batch = BatchBuilder.BuildFromLog((ulong)b, Fr.One, segments[b], segmentHeads[b], policy, LoadTransactions.ChainId, EthAddress.Zero, batchSize, prevLastArrivalMs: 0);
                buildUs += sw.Elapsed.TotalMicroseconds;
                sw.Restart();
                var witness = OrderingWitness.FromBatch(batch);
                witnessUs += sw.Elapsed.TotalMicroseconds;
                sw.Restart();
                _ = witness.ToJson();
                jsonUs += sw.Elapsed.TotalMicroseconds;
            }
        }

        var perTx = (double)batchCount * batchSize;

        using var signer = new ReceiptSigner(Convert.FromHexString("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"), LoadTransactions.ChainId, EthAddress.Zero);
        var fields = Enumerable.Range(0, 256).Select(i => new ReceiptFields((ulong)i, (ulong)i, txs[i].Hash, head)).ToList();
        signer.SignGroup(fields);
        sw.Restart();
        const int groups = 50;
        for (var g = 0; g < groups; g++)
        {
            signer.SignGroup(fields);
        }

        var signUs = sw.Elapsed.TotalMicroseconds / groups;

        var path = Path.Combine(Path.GetTempPath(), "prover-fsync-" + Guid.NewGuid().ToString("N"));
        var block = new byte[256 * 200];
        double fsyncUs;
        using (var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            sw.Restart();
            for (var i = 0; i < 200; i++)
            {
                f.Write(block);
                f.Flush(flushToDisk: true);
            }

            fsyncUs = sw.Elapsed.TotalMicroseconds / 200;
        }

        File.Delete(path);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            where the time goes (each measured alone, one core):
              decode + recover sender        {decodeUs,8:F1} µs/tx   (RPC threads, parallel)
              leaf encoding                  {leafUs,8:F1} µs/tx   (log writer, serial)
              Poseidon(4) chain step         {chainUs,8:F1} µs/tx   (log writer, serial)
              receipts + 1 signature, 256 tx {signUs,8:F1} µs/group = {signUs / 256:F2} µs/tx
              write + fsync 51 KB            {fsyncUs,8:F1} µs/group
              batch of 256: build + commit   {buildUs / perTx,8:F1} µs/tx   (batch emitter)
              batch of 256: witness          {witnessUs / perTx,8:F1} µs/tx   (batch emitter)
              batch of 256: witness JSON     {jsonUs / perTx,8:F1} µs/tx   (batch emitter)
            """));
    }
}
