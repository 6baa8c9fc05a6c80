namespace Prover.Cli.Tests;

/// <summary>Where the built <c>prover</c> lives: the test project references Prover.Cli, so prover.dll sits beside the tests.</summary>
internal static class RepoPaths
{
    public static string ProverDll { get; } = Path.Combine(AppContext.BaseDirectory, "prover.dll");

    /// <summary>The checkout: the first folder above the test assembly that holds Prover.sln.</summary>
    public static string Root => Repository.Root;

    /// <summary>The dotnet host running the tests (dotnet test sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
