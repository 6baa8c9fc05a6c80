using System.Globalization;
using Prover.Core;
using Prover.Core.Batches;

namespace Prover.Sequencer.Batching;

/// <summary>
/// Closed batches as files under <c>batches/</c>: one ordering witness per batch, named by its index.
/// A file appears whole or not at all (written aside, flushed, then renamed into place).
/// </summary>
internal sealed class BatchStore
{
    private const string Extension = ".witness.json";

    public BatchStore(string dataDirectory)
    {
        Directory = Path.Combine(dataDirectory, "batches");
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var stale in System.IO.Directory.EnumerateFiles(Directory, "*.tmp"))
        {
            File.Delete(stale); // a save interrupted by a crash; the batch is cut again from the log
        }
    }

    public string Directory { get; }

    public string PathOf(ulong index) => Path.Combine(Directory, index.ToString("D10", CultureInfo.InvariantCulture) + Extension);

    /// <summary>For tests: runs at the start of each <see cref="Save"/>, with the batch index, and may throw to fail it.</summary>
    internal Action<ulong>? FaultInjection { get; set; }

    public void Save(OrderingWitness witness)
    {
        FaultInjection?.Invoke(witness.BatchIndex);
        var path = PathOf(witness.BatchIndex);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            witness.WriteJson(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public OrderingWitness? TryLoad(ulong index)
    {
        var path = PathOf(index);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return OrderingWitness.FromJson(File.ReadAllText(path));
        }
        catch (ProverException e)
        {
            throw new CorruptStateException(path, $"is not a readable ordering witness: {e.Message}", e);
        }
    }

    /// <summary>The highest stored batch index, or null when no batch was cut yet.</summary>
    public ulong? LastIndex()
    {
        ulong? last = null;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            var name = Path.GetFileName(file)[..^Extension.Length];
            if (ulong.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && (last is null || index > last))
            {
                last = index;
            }
        }

        return last;
    }
}
