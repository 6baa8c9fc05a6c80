using System.Security.Cryptography;

namespace Prover.Proving.Snarkjs;

/// <summary>File helpers for the cache: hashing, and publishing a finished file or folder in one rename so a killed run never leaves half of one.</summary>
internal static class Files
{
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>A fresh scratch folder beside <paramref name="finalPath"/> (same file system, so the final rename is atomic).</summary>
    public static string ScratchBeside(string finalPath)
    {
        var parent = Path.GetDirectoryName(finalPath)!;
        Directory.CreateDirectory(parent);
        return Directory.CreateDirectory(Path.Combine(parent, $".tmp-{Guid.NewGuid():N}")).FullName;
    }

    /// <summary>Moves a finished file into place; a concurrent run that got there first made the same file, so either copy is right.</summary>
    public static void Publish(string finishedFile, string finalPath) => File.Move(finishedFile, finalPath, overwrite: true);

    /// <summary>Moves a finished folder into place, unless a concurrent run already did.</summary>
    public static void PublishDirectory(string finishedDirectory, string finalPath)
    {
        try
        {
            Directory.Move(finishedDirectory, finalPath);
        }
        catch (IOException) when (Directory.Exists(finalPath))
        {
            // Someone else's copy is already in place and complete (it was published whole); ours goes away with the scratch folder.
        }
    }

    public static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // already gone
        }
    }

    /// <summary>Copies unless source and destination are the same file.</summary>
    public static void CopyInto(string source, string destination)
    {
        if (!string.Equals(Path.GetFullPath(source), Path.GetFullPath(destination), StringComparison.Ordinal))
        {
            File.Copy(source, destination, overwrite: true);
        }
    }
}
