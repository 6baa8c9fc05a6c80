using System.Diagnostics;
using System.Security.Cryptography;

namespace Prover.Proving.Tests;

/// <summary>The circuits the tests compile, and small helpers over their files.</summary>
internal static class TestCircuits
{
    /// <summary>c = a·b with 16-bit a, b: 33 constraints, one public input, power 6.</summary>
    public static string RangedMultiplier { get; } = Path.Combine(AppContext.BaseDirectory, "Circuits", "ranged_multiplier.circom");

    /// <summary>A real ordering circuit (docs/circuits.md: 1,797 constraints at N = 4).</summary>
    public static string PriorityFee4 { get; } = Path.Combine(RepoRoot(), "circuits", "main", "priority_fee_4.circom");

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public static async Task<string> WriteInputAsync(string path, string json)
    {
        await File.WriteAllTextAsync(path, json);
        return path;
    }

    /// <summary>True when no process with this id is running any more.</summary>
    public static bool IsGone(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    public static string RepoRoot() => Repository.Root;
}
