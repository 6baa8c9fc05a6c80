namespace Prover.Proving;

/// <summary>Where the phase-1 (powers of tau) parameters of a trusted setup come from.</summary>
public abstract record CeremonySource
{
    private protected CeremonySource() { }

    /// <summary>
    /// A deterministic ceremony made on this machine from fixed, published randomness. Anyone can
    /// recompute its toxic waste, so proofs under it are forgeable: INSECURE, for development and tests only.
    /// </summary>
    public static CeremonySource Development { get; } = new DevelopmentCeremony();

    /// <summary>A public phase-1 ceremony file, prepared for phase 2 (e.g. Hermez' <c>powersOfTau28_hez_final_NN.ptau</c>).</summary>
    public static CeremonySource FromFile(string path) => new PhaseOneFile(Path.GetFullPath(path));

    /// <summary>True when proofs made under this ceremony must not be trusted.</summary>
    public abstract bool IsInsecure { get; }

    /// <summary>See <see cref="Development"/>.</summary>
    public sealed record DevelopmentCeremony : CeremonySource
    {
        internal DevelopmentCeremony() { }

        /// <inheritdoc />
        public override bool IsInsecure => true;
    }

    /// <summary>See <see cref="FromFile"/>.</summary>
    /// <param name="Path">The absolute path of the ceremony file.</param>
    public sealed record PhaseOneFile(string Path) : CeremonySource
    {
        /// <inheritdoc />
        public override bool IsInsecure => false;
    }
}
