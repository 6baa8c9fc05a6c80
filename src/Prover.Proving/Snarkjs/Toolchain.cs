namespace Prover.Proving.Snarkjs;

/// <summary>The resolved locations of node, circom2 and snarkjs, checked before each use so a missing install gets a message that says how to fix it.</summary>
internal sealed class Toolchain
{
    private readonly SnarkjsOptions _options;

    public Toolchain(SnarkjsOptions options) => _options = options;

    public string CacheDirectory => _options.CacheDirectory is { } dir ? Path.GetFullPath(dir) : DefaultCacheDirectory();

    public string CircuitsDirectory => _options.CircuitsDirectory is { } dir ? Path.GetFullPath(dir) : DefaultCircuitsDirectory();

    public string NodeModules => Path.Combine(CircuitsDirectory, "node_modules");

    public string SnarkjsScript => RequirePackageFile("snarkjs", Path.Combine("snarkjs", "build", "cli.cjs"));

    public string Circom2Script => RequirePackageFile("circom2", Path.Combine("circom2", "cli.js"));

    /// <summary>The snarkjs version, from its package manifest (running <c>snarkjs --version</c> exits non-zero).</summary>
    public string SnarkjsVersion => ReadPackageVersion("snarkjs");

    public string Circom2PackageVersion => ReadPackageVersion("circom2");

    public string Node
    {
        get
        {
            if (_options.NodePath is { } explicitPath)
            {
                return File.Exists(explicitPath)
                    ? Path.GetFullPath(explicitPath)
                    : throw Missing("node", $"{explicitPath} does not exist:", "fix SnarkjsOptions.NodePath or leave it unset to use node from PATH.");
            }

            // Resolved here rather than left to the OS so that its absence is reported as what it is.
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var name in OperatingSystem.IsWindows() ? ["node.exe", "node.cmd"] : new[] { "node" })
                {
                    var candidate = Path.Combine(dir, name);
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }

            throw Missing("node", "node was not found on PATH:", "install Node.js 20 or later, or set SnarkjsOptions.NodePath.");
        }
    }

    private string RequirePackageFile(string package, string relativePath)
    {
        var circuits = CircuitsDirectory;
        if (!Directory.Exists(circuits))
        {
            throw Missing(package, $"the circuits folder {circuits} does not exist:", "pass the circuits folder (SnarkjsOptions.CircuitsDirectory).");
        }

        var path = Path.Combine(NodeModules, relativePath);
        return File.Exists(path)
            ? path
            : throw Missing(package, $"{package} is not installed ({path} is missing):", $"run `make setup` (npm ci in {circuits}).");
    }

    private string ReadPackageVersion(string package)
    {
        var manifest = RequirePackageFile(package, Path.Combine(package, "package.json"));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(manifest));
        return json.RootElement.TryGetProperty("version", out var version) ? version.GetString() ?? "unknown" : "unknown";
    }

    private static ProvingToolException Missing(string tool, string problem, string advice) =>
        new(problem, advice, tool, exitCode: null, outputTail: "");

    private static string DefaultCacheDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "prover");
    }

    private static string DefaultCircuitsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Prover.sln")))
            {
                return Path.Combine(dir.FullName, "circuits");
            }
        }

        throw Missing("circom2/snarkjs", $"no Prover.sln above {AppContext.BaseDirectory}, so the circuits folder is unknown:", "pass it (SnarkjsOptions.CircuitsDirectory).");
    }
}
