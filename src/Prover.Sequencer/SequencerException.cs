using Prover.Core;

namespace Prover.Sequencer;

/// <summary>The sequencer cannot start or continue with its configuration or data directory as they are.</summary>
public sealed class SequencerConfigurationException : ProverException
{
    public SequencerConfigurationException(string message, Exception? inner = null) : base(message, inner) { }
}
