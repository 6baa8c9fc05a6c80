namespace Prover.Sequencer.Tests;

/// <summary>Finds files in the repository (tools installed by <c>make setup</c>) from wherever the test runner started.</summary>
internal static class RepoPaths
{
    public static string Root => Repository.Root;

    /// <summary>A tool npm installed at the repository root, e.g. <c>node_modules/.bin/cast</c>.</summary>
    public static string NodeTool(string name) => Path.Combine(Root, "node_modules", ".bin", name);
}
