using System.Collections.Concurrent;
using Prover.Proving.Snarkjs;

namespace Prover.Proving.Tests;

/// <summary>Concurrent runs on a cold cache make each ceremony and key once: the others wait for the lock, then use what was published.</summary>
[Collection(MultiplierCollection.Name)]
public sealed class CacheLockTests(MultiplierFixture fixture)
{
    [Fact]
    public async Task A_lock_waits_for_its_holder_and_a_cancelled_wait_gives_up()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("entry.lock");
        var first = await Files.LockAsync(path, CancellationToken.None);

        var second = Files.LockAsync(path, CancellationToken.None);
        using (var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(600)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Files.LockAsync(path, impatient.Token));
        }

        Assert.False(second.IsCompleted, "a second holder got the lock while the first held it");
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
    }

    [Fact]
    public async Task A_setup_waiting_on_a_ceremony_being_made_elsewhere_uses_it_instead_of_making_its_own()
    {
        using var dir = new TempDirectory();
        var made = Directory.GetFiles(Path.Combine(fixture.CacheDirectory, "ptau"), "prover-dev-insecure-*.ptau").Single();
        var final = Path.Combine(dir.Combine("cache"), "ptau", Path.GetFileName(made));
        var started = new ConcurrentQueue<int>();
        var backend = new SnarkjsBackend(new SnarkjsOptions { CacheDirectory = dir.Combine("cache") }) { ToolStarted = started.Enqueue };

        // "Another process" is making the ceremony: it holds the lock.
        var elsewhere = await Files.LockAsync(final + ".lock", CancellationToken.None);
        var setup = backend.SetupAsync(fixture.Circuit, CeremonySource.Development, dir.Combine("artifacts"), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(setup.IsCompleted);
        Assert.Empty(started); // waiting, not running snarkjs

        // It publishes the ceremony and lets go; the waiting setup goes on to the keys with that file.
        File.Copy(made, final);
        var published = File.GetLastWriteTimeUtc(final);
        elsewhere.Dispose();
        var artifacts = await setup.WaitAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(published, File.GetLastWriteTimeUtc(final)); // not made again over it
        Assert.True(File.Exists(artifacts.VerificationKeyFile));
        Assert.Equal(
            await File.ReadAllTextAsync(fixture.Artifacts.VerificationKeyFile),
            await File.ReadAllTextAsync(artifacts.VerificationKeyFile)); // the deterministic ceremony's keys
    }
}
