namespace Prover.Core.Tests;

/// <summary>Finds files in the repository (fixtures, scripts) from wherever the test runner started.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Fixture(params string[] parts) => Path.Combine([Root, "fixtures", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Prover.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Prover.sln above {AppContext.BaseDirectory}.");
    }
}
