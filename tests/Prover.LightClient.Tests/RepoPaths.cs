namespace Prover.LightClient.Tests;

/// <summary>Paths in this checkout, found from the test assembly's location.</summary>
internal static class RepoPaths
{
    public static string Root => Repository.Root;

    /// <summary>The committed Groth16 fixture: a real proof of a real fcfs batch at capacity 4, its public signals and key.</summary>
    public static string Groth16Fixture => Path.Combine(Root, "fixtures", "groth16");
}
