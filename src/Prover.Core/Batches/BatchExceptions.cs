namespace Prover.Core.Batches;

/// <summary>A segment handed to <see cref="BatchBuilder"/> is not a contiguous, time-ordered stretch of the log.</summary>
public abstract class InvalidSegmentException : ProverException
{
    private protected InvalidSegmentException(string message) : base(message) { }
}

/// <summary>A batch must hold at least one entry: an empty one has no first sequence number and proves nothing.</summary>
public sealed class EmptySegmentException : InvalidSegmentException
{
    public EmptySegmentException(ulong batchIndex)
        : base($"Batch {batchIndex} has no entries; cut batches only when the log has grown.")
    {
        BatchIndex = batchIndex;
    }

    public ulong BatchIndex { get; }
}

/// <summary>The entry at <see cref="Position"/> does not carry the next sequence number.</summary>
public sealed class SequenceGapException : InvalidSegmentException
{
    public SequenceGapException(int position, ulong expectedSeq, ulong actualSeq)
        : base($"Segment entry {position} has seq {actualSeq}, expected {expectedSeq}: a batch is a contiguous stretch of the log.")
    {
        Position = position;
        ExpectedSeq = expectedSeq;
        ActualSeq = actualSeq;
    }

    public int Position { get; }

    public ulong ExpectedSeq { get; }

    public ulong ActualSeq { get; }
}

/// <summary>The entry at <see cref="Position"/> arrived before the entry logged ahead of it.</summary>
public sealed class ArrivalRegressionException : InvalidSegmentException
{
    public ArrivalRegressionException(int position, ulong seq, ulong previousArrivalMs, ulong arrivalMs)
        : base($"Segment entry {position} (seq {seq}) arrived at {arrivalMs} ms, before the previous entry's {previousArrivalMs} ms; log arrival times never decrease.")
    {
        Position = position;
        Seq = seq;
        PreviousArrivalMs = previousArrivalMs;
        ArrivalMs = arrivalMs;
    }

    public int Position { get; }

    public ulong Seq { get; }

    public ulong PreviousArrivalMs { get; }

    public ulong ArrivalMs { get; }
}
