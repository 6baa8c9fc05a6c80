using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Receipts;
using Prover.Sequencer.Batching;
using Prover.Sequencer.Log;

namespace Prover.Sequencer;

/// <summary>The intake queue is full: the caller should retry later. Nothing was logged.</summary>
public sealed class SequencerBusyException : ProverException
{
    public SequencerBusyException(int capacity)
        : base($"sequencer busy: {capacity} transactions are already waiting to be logged; retry shortly") { }
}

/// <summary>The sequencer is stopping or has stopped; the transaction was not logged.</summary>
public sealed class SequencerStoppedException : ProverException
{
    public SequencerStoppedException() : base("the sequencer is shutting down; the transaction was not logged") { }
}

/// <summary>
/// The sequencer without its transport: a bounded intake channel, one log writer that assigns seq
/// and arrival and hashes each group onto the log, a committer that signs, syncs and answers it while
/// the writer hashes the next, a batch cutter on the writer's thread, and a batch emitter that orders
/// closed segments and stores their witnesses.
/// </summary>
public sealed class SequencerNode : IAsyncDisposable
{
    private readonly SequencerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReceiptSigner _signer;
    private readonly ReceiptLog _log;
    private readonly BatchStore _batches;
    private readonly BatchCutter _cutter;
    private readonly Channel<Submission> _intake;
    private readonly Channel<ClosedSegment> _closed = Channel.CreateUnbounded<ClosedSegment>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly HandOff<CommitJob> _commits = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private readonly Task _committer;
    private readonly Task _emitter;
    private long _lastBatchIndex = -1;
    private long _hashingTicks;

    // Real time, not the batch clock: a test's fake clock must not stall the retries.
    private static readonly TimeSpan EmitRetryMaxDelay = TimeSpan.FromSeconds(5);

    private SequencerNode(SequencerOptions options, TimeProvider time, ILogger logger, ReceiptSigner signer, ReceiptLog log, BatchStore batches)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _signer = signer;
        _log = log;
        _batches = batches;

        var last = batches.LastIndex();
        var openFirstSeq = 0UL;
        if (last is { } lastIndex)
        {
            var witness = batches.TryLoad(lastIndex)!;
            openFirstSeq = witness.FirstSeq + (ulong)witness.Count;
            _lastBatchIndex = (long)lastIndex;
            if (openFirstSeq > log.NextSeq)
            {
                throw new CorruptStateException(batches.PathOf(lastIndex), $"covers the log up to seq {openFirstSeq - 1}, but the receipt log ends at seq {(long)log.NextSeq - 1}. The log and the batches are from different runs.");
            }
        }

        // Entries of stored batches are on disk twice (log and batch files): only the open batch's are held.
        log.ReleaseBefore(openFirstSeq);
        _cutter = new BatchCutter(options.BatchCapacity, options.BatchMaxAge, last + 1 ?? 0, openFirstSeq, log.ArrivalAt);
        _intake = Channel.CreateBounded<Submission>(new BoundedChannelOptions(options.IntakeCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; we never block a request thread
        });
        // The writer and the emitter block (Poseidon over a whole group, fsync, batch files) for
        // milliseconds at a time. On thread-pool threads that starves the pool on a small machine, and
        // every JSON-RPC request then waits for the pool to grow (half a second per thread), so each
        // runs on a thread of its own.
        _writer = RunOnOwnThread("prover-log-writer", WriteLoop);
        _committer = RunOnOwnThread("prover-log-committer", CommitLoop);
        _emitter = RunOnOwnThread("prover-batch-emitter", EmitLoop);
    }

    /// <summary>The address every receipt recovers to.</summary>
    public EthAddress SequencerAddress => _signer.SequencerAddress;

    public ulong ChainId => _options.ChainId;

    public EthAddress Inbox => _options.Inbox;

    public SequencerOptions Options => _options;

    /// <summary>The head after the last durable entry.</summary>
    public Fr Head => _log.Head;

    /// <summary>The seq the next accepted transaction gets.</summary>
    public ulong NextSeq => _log.NextSeq;

    /// <summary>
    /// <see cref="NextSeq"/> and <see cref="Head"/> read at one moment: <c>Head</c> is the head after entry
    /// <c>NextSeq - 1</c> (the genesis head when the log is empty). Reading the two properties one after
    /// the other can straddle a group commit.
    /// </summary>
    public (ulong NextSeq, Fr Head) Position => _log.Position;

    /// <summary>The index of the last stored batch, or -1 before the first.</summary>
    public long LastBatchIndex => Interlocked.Read(ref _lastBatchIndex);

    /// <summary>The first seq whose full entry the log still holds in memory: the open batch's first.</summary>
    internal ulong HeldFrom => _log.HeldFrom;

    /// <summary>For tests: see <see cref="ReceiptLog.StorageFault"/>.</summary>
    internal Action<string>? LogStorageFault
    {
        get => _log.StorageFault;
        set => _log.StorageFault = value;
    }

    /// <summary>For tests: runs before each batch is saved, with its index, and may throw to fail the save.</summary>
    internal Action<ulong>? BatchStoreFault
    {
        get => _batches.FaultInjection;
        set => _batches.FaultInjection = value;
    }

    /// <summary>
    /// How long the log writer has spent hashing groups onto the log: its serial work, and so the
    /// bound on ingest. Benchmarks divide it by the transactions logged and by the wall time.
    /// </summary>
    internal TimeSpan LogWriterHashingTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _hashingTicks));

    /// <summary>Bytes cut from a torn log tail at start (a crash mid-write); 0 after a clean stop.</summary>
    public long RecoveredTornBytes { get; private init; }

    /// <summary>Opens (or creates) the data directory, replays the log, and starts accepting.</summary>
    public static SequencerNode Start(SequencerOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        var signer = CreateSigner(options);
        try
        {
            Directory.CreateDirectory(options.DataDirectory);
            var log = ReceiptLog.Open(Path.Combine(options.DataDirectory, "receipts.log"), signer, out var torn);
            try
            {
                if (torn > 0)
                {
                    logger.LogWarning("Receipt log: cut a torn tail of {Bytes} bytes left by an interrupted write; no receipt had been issued for it.", torn);
                }

                var node = new SequencerNode(options, time ?? TimeProvider.System, logger, signer, log, new BatchStore(options.DataDirectory)) { RecoveredTornBytes = torn };
                logger.LogInformation("Sequencer {Address} on chain {ChainId}: log at seq {Seq}, head {Head}, policy {Policy}.", signer.SequencerAddress, options.ChainId, log.NextSeq, log.Head.ToHex(), options.Policy);
                return node;
            }
            catch
            {
                log.Dispose();
                throw;
            }
        }
        catch
        {
            signer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Queues a decoded transaction and completes once it is durably logged, with its signed receipt.
    /// Throws <see cref="SequencerBusyException"/> at once if the intake is full.
    /// </summary>
    public Task<Receipt> SubmitAsync(SignedTransaction tx, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (_stopping.IsCancellationRequested)
        {
            throw new SequencerStoppedException();
        }

        var submission = new Submission(tx, NowMs(), new TaskCompletionSource<Receipt>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_intake.Writer.TryWrite(submission))
        {
            throw _stopping.IsCancellationRequested ? new SequencerStoppedException() : new SequencerBusyException(_options.IntakeCapacity);
        }

        // Cancelling stops the wait, not the logging: once queued, the transaction is logged anyway.
        return submission.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Like <see cref="SubmitAsync"/>, but waits for room in the intake instead of refusing: the
    /// backpressure an in-process producer wants (the JSON-RPC endpoint refuses instead, so that its
    /// client can back off). Completes once the transaction is queued, with the task of its receipt,
    /// so a producer that awaits each call keeps at most one waiting submission.
    /// </summary>
    public async ValueTask<Task<Receipt>> EnqueueAsync(SignedTransaction tx, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var submission = new Submission(tx, NowMs(), new TaskCompletionSource<Receipt>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_intake.Writer.TryWrite(submission))
        {
            try
            {
                await _intake.Writer.WriteAsync(submission, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw new SequencerStoppedException();
            }
        }

        return submission.Done.Task;
    }

    /// <summary>Whether the transaction is in the receipt log (durable). Cheaper than <see cref="TryGetReceipt"/>: no receipt is built.</summary>
    public bool IsLogged(Hash32 txHash) => _log.Contains(txHash);

    public bool TryGetReceipt(Hash32 txHash, out Receipt? receipt) => _log.TryGetReceipt(txHash, out receipt);

    /// <summary>A stored batch's ordering witness, or null if that batch does not exist yet.</summary>
    public OrderingWitness? GetBatch(ulong index) => _batches.TryLoad(index);

    /// <summary>Stops intake, logs what was already queued, closes the open batch's pending cuts, and releases files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _intake.Writer.TryComplete();
        try
        {
            try
            {
                await _writer.ConfigureAwait(false);
            }
            finally
            {
                _commits.Complete();
                await _committer.ConfigureAwait(false);
            }
        }
        finally
        {
            _closed.Writer.TryComplete();
            await _emitter.ConfigureAwait(false);
            _log.Dispose();
            _signer.Dispose();
            _stopping.Dispose();
        }
    }

    private ulong NowMs() => (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();

    private static Task RunOnOwnThread(string name, Action loop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loop();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    // The log writer: hashes group k onto the log (the serial part, one Poseidon per transaction) while
    // the committer signs, syncs and answers group k − 1. At most one group is in flight, and the next
    // is handed over only once it has landed, so a failed group costs one re-hash, never a receipt.
    private void WriteLoop()
    {
        var reader = _intake.Reader;
        CommitJob? inFlight = null;
        try
        {
            while (true)
            {
                if (!reader.TryPeek(out _))
                {
                    if (inFlight is not null)
                    {
                        // Nothing to hash meanwhile: let the group in flight land, so that batch cuts
                        // see it without waiting for the next arrival.
                        Land(ref inFlight);
                        continue;
                    }

                    var deadline = _cutter.Deadline(_log.NextSeq);
                    bool more;
                    if (deadline is { } due)
                    {
                        var wait = TimeSpan.FromMilliseconds(Math.Max(0, (double)due - NowMs()));
                        using var timeout = new CancellationTokenSource(wait, _time);
                        if (NowMs() >= due)
                        {
                            // The clock passed the deadline between reading it and arming the timer,
                            // which then counts its full wait from the later time: cut now instead.
                            CutBatches();
                            continue;
                        }

                        try
                        {
                            // Blocking is what this thread is for: it owns the log and has nothing else to do.
                            more = reader.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
                        }
                        catch (OperationCanceledException)
                        {
                            CutBatches();
                            continue;
                        }
                    }
                    else
                    {
                        more = reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult();
                    }

                    if (!more)
                    {
                        return; // intake completed and drained
                    }
                }

                // Sized by what is queued now: at moderate load groups are a few transactions each, and
                // a fixed 256 slots per group was a fair share of all the garbage a request made.
                var group = new List<Submission>(Math.Clamp(reader.Count, 1, _options.MaxGroupSize));
                var pending = new List<PendingTransaction>(group.Capacity);
                while (group.Count < _options.MaxGroupSize && reader.TryRead(out var s))
                {
                    group.Add(s);
                    pending.Add(new PendingTransaction(s.Tx, s.ReceivedMs));
                }

                var hashingStart = Stopwatch.GetTimestamp();
                var prepared = _log.Prepare(pending, inFlight?.Prepared);
                Interlocked.Add(ref _hashingTicks, Stopwatch.GetTimestamp() - hashingStart);
                if (inFlight is not null && !Land(ref inFlight))
                {
                    // The group this one was hashed after never reached the disk: start again from the log.
                    prepared = _log.Prepare(pending, after: null);
                }

                inFlight = new CommitJob(group, prepared);
                _commits.Put(inFlight);
            }
        }
        finally
        {
            if (inFlight is not null)
            {
                Land(ref inFlight);
            }
        }
    }

    /// <summary>Waits for the group in flight, cuts the batches it completes, and says whether it was logged.</summary>
    private bool Land(ref CommitJob? inFlight)
    {
        var job = inFlight!;
        inFlight = null;
        job.Done.Wait();
        job.Done.Dispose();
        CutBatches();
        return job.Logged;
    }

    private void CommitLoop()
    {
        while (_commits.TryTake(out var job))
        {
            try
            {
                job.Logged = Persist(job.Group, job.Prepared);
            }
            catch (Exception e)
            {
                // Never leave the writer waiting: the group fails, the log is unchanged.
                _logger.LogError(e, "Logging a group of {Count} transactions failed.", job.Group.Count);
                foreach (var s in job.Group)
                {
                    s.Done.TrySetException(e);
                }
            }
            finally
            {
                job.Done.Set();
            }
        }
    }

    private bool Persist(List<Submission> group, ReceiptLog.PreparedGroup prepared)
    {
        IReadOnlyList<ReceiptLog.Result> results;
        try
        {
            results = _log.Persist(prepared);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(e, "Receipt log write failed; {Count} transactions were not logged.", group.Count);
            var error = new SequencerStorageException(_log.Path, e);
            foreach (var s in group)
            {
                s.Done.TrySetException(error);
            }

            return false;
        }

        for (var i = 0; i < group.Count; i++)
        {
            if (results[i].Receipt is { } receipt)
            {
                group[i].Done.TrySetResult(receipt);
            }
            else
            {
                group[i].Done.TrySetException(results[i].Error!);
            }
        }

        return true;
    }

    private void CutBatches()
    {
        foreach (var segment in _cutter.Cut(_log.NextSeq, NowMs()))
        {
            _closed.Writer.TryWrite(segment);
        }
    }

    private void EmitLoop()
    {
        var reader = _closed.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            if (reader.TryRead(out var segment) && !Emit(segment))
            {
                return; // stopping with this batch unstored: a restart cuts it again from the log
            }
        }
    }

    /// <summary>
    /// Stores one closed batch, retrying until it is stored or the node stops. Batches are stored in
    /// index order and never past a gap: the restart rule (cut again after the highest stored batch)
    /// and the provers' import (which stops at the first missing batch) both rely on it, so a full
    /// disk or a permissions error holds the batches back rather than losing one for good.
    /// </summary>
    private bool Emit(ClosedSegment segment)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (prevHead, entries, heads) = _log.Segment(segment.FirstSeq, segment.Count);
                var prevLastArrival = segment.FirstSeq == 0 ? 0 : _log.ArrivalAt(segment.FirstSeq - 1);
                var batch = BatchBuilder.BuildFromLog(segment.Index, prevHead, entries, heads, _options.Policy, _options.ChainId, _options.Inbox, _options.BatchCapacity, prevLastArrival);
                _batches.Save(OrderingWitness.FromBatch(batch));
                _log.ReleaseBefore(segment.FirstSeq + (ulong)segment.Count);
                Interlocked.Exchange(ref _lastBatchIndex, (long)segment.Index);
                _logger.LogInformation("Batch {Index}: seq {First}..{Last}, {Count} transactions, new head {Head}.", segment.Index, segment.FirstSeq, segment.FirstSeq + (ulong)segment.Count - 1, segment.Count, batch.NewHead.ToHex());
                return true;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The log keeps every entry of this batch and of those after it until it is stored.
                var delay = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, Math.Min(attempt - 1, 10)), EmitRetryMaxDelay.TotalMilliseconds));
                _logger.LogError(e, "Batch {Index} (seq {First}, {Count} entries) could not be stored (attempt {Attempt}); later batches wait for it. Retrying in {Delay} ms.", segment.Index, segment.FirstSeq, segment.Count, attempt, delay.TotalMilliseconds);
                if (_stopping.Token.WaitHandle.WaitOne(delay))
                {
                    return false;
                }
            }
        }
    }

    private static ReceiptSigner CreateSigner(SequencerOptions options)
    {
        var hex = options.SequencerKey.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? options.SequencerKey[2..] : options.SequencerKey;
        var key = new byte[32];
        if (hex.Length != 64 || Convert.FromHexString(hex, key, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            throw new SequencerConfigurationException("The sequencer key must be 32 bytes of hex (64 hex digits, optionally 0x-prefixed).");
        }

        try
        {
            return new ReceiptSigner(key, options.ChainId, options.Inbox);
        }
        catch (ArgumentException e)
        {
            throw new SequencerConfigurationException("The sequencer key is not a valid secp256k1 private key.", e);
        }
        finally
        {
            Array.Clear(key);
        }
    }

    private sealed record Submission(SignedTransaction Tx, ulong ReceivedMs, TaskCompletionSource<Receipt> Done);

    /// <summary>A hashed group on its way to the disk, and whether it got there.</summary>
    private sealed class CommitJob(List<Submission> group, ReceiptLog.PreparedGroup prepared)
    {
        public List<Submission> Group { get; } = group;

        public ReceiptLog.PreparedGroup Prepared { get; } = prepared;

        // Set once per group and waited on by the writer: blocks at once rather than spinning first (see HandOff).
        public ManualResetEventSlim Done { get; } = new(initialState: false, spinCount: 0);

        public bool Logged { get; set; }
    }
}

/// <summary>The receipt log could not be written; the transactions in that group were not logged.</summary>
public sealed class SequencerStorageException : ProverException
{
    public SequencerStorageException(string path, Exception inner)
        : base($"could not write the receipt log {path}: {inner.Message}. The transaction was not logged; retry once the disk is writable.", inner) { }
}
