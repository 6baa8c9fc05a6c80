using Snapshooter;
using Snapshooter.Xunit;

namespace Prover.Core.Tests.Golden;

/// <summary>
/// Snapshooter with a guard: outside CI a missing snapshot is created (Snapshooter's default, so a new
/// case starts with a file to review); in CI it fails.
/// </summary>
/// <remarks>
/// Snapshooter 1.3.1 writes a missing snapshot and passes unless <c>SNAPSHOOTER_STRICT_MODE</c> is
/// <c>on</c>/<c>true</c>; it does not look at <c>CI</c>. A CI job that forgets that variable would pass
/// vacuously on a snapshot nobody committed, so the guard checks for the file itself whenever either
/// variable asks for strictness.
/// <para>
/// Snapshots are named explicitly and placed in this folder's <c>__snapshots__</c> (found from the
/// repository root, not from the PDB's source paths), so the name does not depend on the test method,
/// the build configuration or the machine. On a mismatch Snapshooter writes the actual document to
/// <c>__snapshots__/__mismatch__/</c> (git-ignored).
/// </para>
/// </remarks>
internal static class GoldenSnapshots
{
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "tests", "Prover.Core.Tests", "Golden");

    public static string SnapshotFolder { get; } = Path.Combine(Folder, FileNames.SnapshotFolderName);

    public static string PathOf(string name) => Path.Combine(SnapshotFolder, name + FileNames.SnapshotFileExtension);

    /// <summary>True when a missing snapshot must fail: <c>CI</c> or <c>SNAPSHOOTER_STRICT_MODE</c> is set to a true value.</summary>
    public static bool IsStrict(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return IsOn(environment("CI")) || IsOn(environment("SNAPSHOOTER_STRICT_MODE"));
    }

    public static bool IsStrict() => IsStrict(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Matches a JSON document against snapshot <paramref name="name"/>. The document is passed as text:
    /// Snapshooter stores a string as it is, so the .snap file is exactly what the sequencer writes
    /// (indented, schema property order), and compares it as parsed JSON.
    /// </summary>
    public static void MatchJson(string json, string name)
    {
        var path = PathOf(name);
        if (IsStrict())
        {
            Assert.True(
                File.Exists(path),
                $"Snapshot {Path.GetRelativePath(RepoPaths.Root, path)} is missing and CI/strict mode is on, so it is not created here. " +
                "Run the tests locally without CI set, review the new file and commit it.");
        }

        Snapshot.Match(json, new SnapshotFullName(name + FileNames.SnapshotFileExtension, Folder));
    }

    // "true"/"1"/"on" in any case: what CI systems set (GitHub Actions and GitLab use "true") and what
    // Snapshooter's strict mode accepts.
    private static bool IsOn(string? value) =>
        value is not null && (bool.TryParse(value, out var b) ? b : value is "1" || string.Equals(value, "on", StringComparison.OrdinalIgnoreCase));
}
