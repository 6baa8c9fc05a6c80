namespace Prover.Proving.Snarkjs;

/// <summary>Where <see cref="SnarkjsBackend"/> finds its tools and keeps its cache. Every property has a working default.</summary>
public sealed class SnarkjsOptions
{
    /// <summary>
    /// The folder holding the circuits and, under <c>node_modules</c>, circom2, circomlib and snarkjs
    /// (<c>make setup</c> installs them). Default: <c>circuits/</c> beside the first <c>Prover.sln</c>
    /// found walking up from the application's base directory.
    /// </summary>
    public string? CircuitsDirectory { get; init; }

    /// <summary>
    /// Where compiled circuits, ceremony files and keys are cached, outside the repository because they
    /// are large and shared between checkouts. Default: <c>$XDG_CACHE_HOME/prover</c>, else <c>~/.cache/prover</c>.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The node executable. Default: <c>node</c> found on <c>PATH</c>.</summary>
    public string? NodePath { get; init; }

    /// <summary>
    /// How long one tool run may take before it is killed. Setups at high powers take hours on small
    /// machines, so the default is generous; a worker that needs a tighter bound passes its own.
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromHours(6);

    /// <summary>
    /// The smallest power the development ceremony prepares. Preparing phase 2 doubles in time with each
    /// power, and one prepared file serves every circuit up to its size, so whoever sets up several
    /// circuits (a test run, the demo) prepares the largest power once instead of each in turn.
    /// </summary>
    public int MinimumDevelopmentPower { get; init; }
}
