using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Core.Ordering;

namespace Prover.Sequencer;

/// <summary>Everything a sequencer needs to run. Defaults are the embedded development set-up.</summary>
public sealed record SequencerOptions
{
    /// <summary>Holds the receipt log and the batch files.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The rollup's chain id; transactions for any other chain are refused.</summary>
    public ulong ChainId { get; init; } = 31337;

    /// <summary>The inbox contract the batches go to; part of every receipt's EIP-712 domain.</summary>
    public EthAddress Inbox { get; init; } = EthAddress.Zero;

    /// <summary>The sequencer's secp256k1 key, 32 bytes hex. Never logged.</summary>
    public required string SequencerKey { get; init; }

    /// <summary>The declared ordering policy applied to every batch.</summary>
    public OrderingPolicy Policy { get; init; } = OrderingPolicy.Parse("fcfs");

    /// <summary>A batch closes when it holds this many transactions...</summary>
    public int BatchCapacity { get; init; } = 64;

    /// <summary>...or when its oldest transaction is this old, whichever comes first.</summary>
    public TimeSpan BatchMaxAge { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Submissions waiting for the log writer; beyond it the RPC answers "busy".</summary>
    public int IntakeCapacity { get; init; } = 16_384;

    /// <summary>The most transactions one group commit (one fsync, one signature) takes.</summary>
    public int MaxGroupSize { get; init; } = 4_096;

    /// <summary>Largest accepted JSON-RPC request body.</summary>
    public int MaxRequestBytes { get; init; } = 512 * 1024;

    /// <summary>Most requests in one JSON-RPC batch (geth's default too).</summary>
    public int MaxBatchRequests { get; init; } = 1_000;

    /// <summary>
    /// Largest JSON-RPC response: once a batch's answers reach it, its remaining members are answered
    /// with an error instead of being run (geth's default, 25 MB).
    /// </summary>
    public int MaxResponseBytes { get; init; } = 25 * 1000 * 1000;

    /// <summary>The longest a batch may stay open: its entries must arrive less than 2^12 ms apart (<see cref="CircuitLimits.MaxBatchAge"/>).</summary>
    public static TimeSpan MaxBatchAge => CircuitLimits.MaxBatchAge;

    internal void Validate()
    {
        if (BatchCapacity < 1 || BatchCapacity > CircuitLimits.MaxCapacity)
        {
            throw new SequencerConfigurationException($"Batch capacity must be between 1 and {CircuitLimits.MaxCapacity}, got {BatchCapacity}.");
        }

        // Every entry of a batch arrives within the max age of its first, so this bound keeps each
        // arrival gap inside the circuits' 2^12 ms gap check.
        if (BatchMaxAge <= TimeSpan.Zero || BatchMaxAge > MaxBatchAge)
        {
            throw new SequencerConfigurationException($"Batch max age must be positive and at most {MaxBatchAge.TotalSeconds} s (the ordering circuits check arrival gaps below 2^12 ms), got {BatchMaxAge.TotalMilliseconds} ms.");
        }

        if (IntakeCapacity < 1 || MaxGroupSize < 1)
        {
            throw new SequencerConfigurationException("Intake capacity and group size must be at least 1.");
        }

        if (MaxRequestBytes < 1024)
        {
            throw new SequencerConfigurationException($"The request size limit must be at least 1024 bytes, got {MaxRequestBytes}.");
        }

        if (MaxBatchRequests < 1 || MaxResponseBytes < 1024)
        {
            throw new SequencerConfigurationException($"A batch must allow at least 1 request and a response at least 1024 bytes, got {MaxBatchRequests} and {MaxResponseBytes}.");
        }
    }
}
