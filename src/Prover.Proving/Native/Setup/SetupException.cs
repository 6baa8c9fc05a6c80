using Prover.Core;

namespace Prover.Proving.Native.Setup;

/// <summary>A native trusted setup cannot go on: the inputs do not fit together, or a file it reads is not what it must be.</summary>
public sealed class SetupException : ProverException
{
    public SetupException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
