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

    /// <summary>
    /// Holds <paramref name="lockFile"/> exclusively until disposed, waiting while another process (or
    /// another caller here) holds it. Used so that concurrent runs on a cold cache make a ceremony or a
    /// key once instead of each making its own: the others wait, then find it published. The lock is
    /// the file system's (an open with no sharing), so a killed holder releases it; the file stays.
    /// </summary>
    public static async Task<IDisposable> LockAsync(string lockFile, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(lockFile))!);
        while (true)
        {
            try
            {
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                // held elsewhere: a ceremony takes minutes, so a coarse poll costs nothing
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
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

    /// <summary>
    /// Copies every file under <paramref name="source"/> to the same place under <paramref name="destination"/>,
    /// each through a temporary file and a rename: a process that has an earlier copy open keeps reading
    /// that one whole, and one that opens the file sees the old copy or the new one, never half of either.
    /// </summary>
    public static void CopyTree(string source, string destination, string except)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative == except)
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var scratch = $"{target}.{Guid.NewGuid():N}.tmp";
            try
            {
                File.Copy(file, scratch);
                File.Move(scratch, target, overwrite: true);
            }
            finally
            {
                File.Delete(scratch);
            }
        }
    }
}
