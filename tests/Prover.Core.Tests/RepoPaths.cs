namespace Prover.Core.Tests;

/// <summary>Finds files in the repository (fixtures, scripts) from wherever the test runner started.</summary>
internal static class RepoPaths
{
    public static string Root => Repository.Root;

    public static string Fixture(params string[] parts) => Path.Combine([Root, "fixtures", .. parts]);
}
