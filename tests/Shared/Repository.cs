namespace Prover.Testing;

/// <summary>Finds the repository (its fixtures, scripts, circuits) from wherever the test runner started.</summary>
internal static class Repository
{
    /// <summary>The folder holding Prover.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the repository's root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Prover.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Prover.sln above {AppContext.BaseDirectory}.");
    }
}
