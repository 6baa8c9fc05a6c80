using System.Collections.Concurrent;
using Prover.Proving.Snarkjs;

namespace Prover.Proving.Tests;

/// <summary>
/// Compiled circuits are cached by the hash of their sources: a second compile runs no tool, a changed
/// source (the main file or anything it includes, circomlib's included) compiles again, processes that
/// compile the same circuit at once run circom once, and a killed compile leaves no entry behind.
/// </summary>
[Collection(MultiplierCollection.Name)]
public sealed class CompileCacheTests(MultiplierFixture fixture)
{
    [Fact]
    public async Task A_second_compile_of_the_same_circuit_runs_no_tool_and_yields_identical_files()
    {
        var before = fixture.Started.Count;
        var work = fixture.Work("second-compile");

        var again = await fixture.Backend.CompileAsync(TestCircuits.RangedMultiplier, work, CancellationToken.None);

        Assert.Equal(before, fixture.Started.Count);
        Assert.Equal(fixture.Circuit with { ConstraintSystemFile = "", WitnessGeneratorFile = "" }, again with { ConstraintSystemFile = "", WitnessGeneratorFile = "" });
        Assert.Equal(Path.Combine(work, "ranged_multiplier.r1cs"), again.ConstraintSystemFile);
        Assert.Equal(Path.Combine(work, "ranged_multiplier_js", "ranged_multiplier.wasm"), again.WitnessGeneratorFile);
        Assert.Equal(TestCircuits.Sha256(fixture.Circuit.ConstraintSystemFile), TestCircuits.Sha256(again.ConstraintSystemFile));
        Assert.Equal(TestCircuits.Sha256(fixture.Circuit.WitnessGeneratorFile), TestCircuits.Sha256(again.WitnessGeneratorFile));
        Assert.Equal(
            TestCircuits.Sha256(Path.ChangeExtension(fixture.Circuit.ConstraintSystemFile, ".sym")),
            TestCircuits.Sha256(Path.Combine(work, "ranged_multiplier.sym")));
    }

    [Fact]
    public async Task Changing_an_included_file_compiles_again_and_changing_nothing_does_not()
    {
        // circom2 sees includes beside a file only inside its working folder, the circuits folder: this
        // test has one of its own, with the checkout's tools.
        using var dir = new TempDirectory();
        Directory.CreateSymbolicLink(dir.Combine("node_modules"), Path.Combine(TestCircuits.RepoRoot(), "circuits", "node_modules"));
        var main = await WriteAsync(dir.Combine("src", "main.circom"), """
            pragma circom 2.1.6;
            include "lib/part.circom";
            component main {public [a]} = Part();
            """);
        var part = await WriteAsync(dir.Combine("src", "lib", "part.circom"), Part(squares: 1));
        var started = new ConcurrentQueue<int>();
        var backend = new SnarkjsBackend(new SnarkjsOptions { CircuitsDirectory = dir.Path, CacheDirectory = dir.Combine("cache") }) { ToolStarted = started.Enqueue };

        var first = await backend.CompileAsync(main, dir.Combine("build-1"), CancellationToken.None);
        var afterFirst = started.Count;
        var unchanged = await backend.CompileAsync(main, dir.Combine("build-2"), CancellationToken.None);
        var afterUnchanged = started.Count;
        await File.WriteAllTextAsync(part, Part(squares: 3));
        var changed = await backend.CompileAsync(main, dir.Combine("build-3"), CancellationToken.None);

        Assert.True(afterFirst > 0);
        Assert.Equal(afterFirst, afterUnchanged);
        Assert.True(started.Count > afterUnchanged, "a changed include was served from the cache");
        Assert.Equal(1, first.Constraints);
        Assert.Equal(1, unchanged.Constraints);
        Assert.Equal(3, changed.Constraints);
        Assert.Equal(2, Directory.GetDirectories(dir.Combine("cache", "circuits"), "main-*").Length);
    }

    [Fact]
    public async Task Two_backends_compiling_the_same_circuit_at_once_run_circom_once()
    {
        using var dir = new TempDirectory();
        var main = await WriteAsync(dir.Combine("twice.circom"), """
            pragma circom 2.1.6;
            include "circomlib/circuits/bitify.circom";
            component main = Num2Bits(8);
            """);
        var started = new ConcurrentQueue<int>();
        SnarkjsBackend Backend() => new(new SnarkjsOptions { CacheDirectory = dir.Combine("cache") }) { ToolStarted = started.Enqueue };

        var both = await Task.WhenAll(
            Backend().CompileAsync(main, dir.Combine("a"), CancellationToken.None),
            Backend().CompileAsync(main, dir.Combine("b"), CancellationToken.None));

        Assert.Single(started); // circom, once (the header is read in process)
        Assert.Equal(both[0].Constraints, both[1].Constraints);
        Assert.Equal(TestCircuits.Sha256(both[0].WitnessGeneratorFile), TestCircuits.Sha256(both[1].WitnessGeneratorFile));
    }

    [Fact]
    public async Task A_cancelled_compile_kills_circom_and_leaves_no_entry_in_the_cache()
    {
        using var dir = new TempDirectory();
        var circom = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new SnarkjsBackend(new SnarkjsOptions { CacheDirectory = dir.Combine("cache") }) { ToolStarted = pid => circom.TrySetResult(pid) };
        using var cancel = new CancellationTokenSource();

        var compile = backend.CompileAsync(TestCircuits.PriorityFee4, dir.Combine("build"), cancel.Token);
        var pid = await circom.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => compile);
        Assert.True(TestCircuits.IsGone(pid), $"process {pid} is still running");
        Assert.DoesNotContain(Directory.GetFileSystemEntries(dir.Combine("cache", "circuits")), e => !e.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public void Includes_are_looked_up_as_circom_does_the_including_files_folder_first_then_each_library_in_order()
    {
        using var dir = new TempDirectory();
        Write(dir.Combine("main", "main.circom"), "include \"a.circom\"; include \"b.circom\";");
        Write(dir.Combine("main", "a.circom"), "");
        Write(dir.Combine("lib1", "a.circom"), "include \"missing.circom\";"); // shadowed, yet a source
        Write(dir.Combine("lib2", "b.circom"), "include \"deep/d.circom\";");
        Write(dir.Combine("lib1", "deep", "d.circom"), "include \"e.circom\"; include \"../a.circom\";");
        Write(dir.Combine("lib1", "deep", "e.circom"), ""); // beside d, in no library
        string[] libraries = [dir.Combine("lib1"), dir.Combine("lib2")];

        var sources = CircuitSources.Find(dir.Combine("main", "main.circom"), libraries);

        Assert.Equal(
            [
                dir.Combine("main", "main.circom"),
                dir.Combine("main", "a.circom"),
                dir.Combine("lib1", "a.circom"),
                dir.Combine("lib2", "b.circom"),
                dir.Combine("lib1", "deep", "d.circom"),
                dir.Combine("lib1", "deep", "e.circom"),
            ],
            sources.Files);
        Assert.Equal([$"missing.circom (included by {dir.Combine("lib1", "a.circom")})"], sources.Unresolved);
        Assert.Equal([dir.Combine("main", "a.circom"), dir.Combine("lib1", "a.circom")], CircuitSources.Candidates("a.circom", dir.Combine("main"), libraries));
    }

    [Fact]
    public void Includes_in_comments_and_strings_are_not_includes()
    {
        var names = CircuitSources.Includes("""
            pragma circom 2.1.6;
            // include "line-comment.circom";
            /* include "block-comment.circom"; */
            include /* spaced */ "real.circom";
            template T() { log("include \"in-a-string.circom\""); }
            include"tight.circom";
            """);

        Assert.Equal(["real.circom", "tight.circom"], names);
    }

    [Fact]
    public void An_ordering_circuits_sources_reach_circomlib_files_it_includes_only_through_other_files()
    {
        var circuits = Path.Combine(TestCircuits.RepoRoot(), "circuits");
        string[] libraries = [circuits, Path.Combine(circuits, "node_modules")];

        var sources = CircuitSources.Find(TestCircuits.PriorityFee4, libraries);

        Assert.Empty(sources.Unresolved);
        Assert.Contains(Path.Combine(circuits, "ordering", "common.circom"), sources.Files);
        // poseidon.circom includes it as "./poseidon_constants.circom", beside itself.
        Assert.Contains(Path.Combine(circuits, "node_modules", "circomlib", "circuits", "poseidon_constants.circom"), sources.Files);
        Assert.Equal(sources.Files.Count, sources.Files.Distinct().Count());
    }

    [Fact]
    public void The_hash_changes_with_any_source_and_with_the_compiler_and_not_with_the_checkouts_location()
    {
        using var dir = new TempDirectory();
        string Hash(string root, string compiler = "circom x")
        {
            var lib = Path.Combine(root, "lib");
            return CircuitSources.Find(Path.Combine(root, "main", "m.circom"), [lib]).Hash(compiler, [lib]);
        }

        foreach (var root in new[] { dir.Combine("one"), dir.Combine("two") })
        {
            Write(Path.Combine(root, "main", "m.circom"), "include \"x.circom\";");
            Write(Path.Combine(root, "lib", "x.circom"), "include \"y.circom\";");
            Write(Path.Combine(root, "lib", "y.circom"), "template Y() {}");
        }

        var original = Hash(dir.Combine("one"));
        Assert.Equal(original, Hash(dir.Combine("two")));
        Assert.NotEqual(original, Hash(dir.Combine("one"), "circom y"));
        Write(dir.Combine("two", "lib", "y.circom"), "template Y() { }");
        Assert.NotEqual(original, Hash(dir.Combine("two")));
    }

    private static string Part(int squares) =>
        $$"""
        pragma circom 2.1.6;
        template Part() {
            signal input a;
            signal s[{{squares + 1}}];
            s[0] <== a;
            for (var i = 0; i < {{squares}}; i++) { s[i + 1] <== s[i] * s[i]; }
        }
        """;

    private static async Task<string> WriteAsync(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
