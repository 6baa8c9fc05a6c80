using System.Runtime.InteropServices;
using System.Text;
using CliWrap;
using CliWrap.Builders;

namespace Prover.Chain;

/// <summary>Where the chain tools are. Every property has a working default for a checkout where <c>make setup</c> has run.</summary>
public sealed class ChainToolsOptions
{
    /// <summary>
    /// The <c>node_modules</c> folder holding solc and @foundry-rs/anvil (the repository root's, installed by
    /// <c>make setup</c>). Default: beside the first <c>Prover.sln</c> above the application.
    /// </summary>
    public string? NodeModulesDirectory { get; init; }

    /// <summary>The node executable. Default: <c>node</c> on <c>PATH</c>.</summary>
    public string? NodePath { get; init; }

    /// <summary>Where compiled verifiers are cached (by the SHA-256 of their source). Default: <c>$XDG_CACHE_HOME/prover</c>, else <c>~/.cache/prover</c>.</summary>
    public string? CacheDirectory { get; init; }
}

/// <summary>Resolves the chain tools, checked before each use so a missing install gets a message that says how to fix it.</summary>
internal sealed class ChainTools
{
    private readonly ChainToolsOptions _options;

    public ChainTools(ChainToolsOptions? options = null) => _options = options ?? new ChainToolsOptions();

    public string NodeModules => _options.NodeModulesDirectory is { } dir ? Path.GetFullPath(dir) : DefaultNodeModules();

    public string CacheDirectory => _options.CacheDirectory is { } dir ? Path.GetFullPath(dir) : DefaultCacheDirectory();

    public string SolcPackage => Path.GetDirectoryName(RequireFile(Path.Combine(NodeModules, "solc", "package.json"), "solc"))!;

    /// <summary>The script that compiled the inbox at build time, shipped beside this assembly.</summary>
    public static string CompileScript => Path.Combine(AppContext.BaseDirectory, "Contracts", "compile.mjs");

    /// <summary>anvil's native binary: @foundry-rs/anvil installs it as an optional package per platform.</summary>
    public string Anvil
    {
        get
        {
            var os = OperatingSystem.IsWindows() ? "win32" : OperatingSystem.IsMacOS() ? "darwin" : "linux";
            var arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64";
            var binary = Path.Combine(NodeModules, "@foundry-rs", $"anvil-{os}-{arch}", "bin", OperatingSystem.IsWindows() ? "anvil.exe" : "anvil");
            return RequireFile(binary, "anvil");
        }
    }

    public string Node
    {
        get
        {
            if (_options.NodePath is { } explicitPath)
            {
                return File.Exists(explicitPath)
                    ? Path.GetFullPath(explicitPath)
                    : throw new ChainToolException($"{explicitPath} does not exist:", "fix ChainToolsOptions.NodePath or leave it unset to use node from PATH.", "node", null, "");
            }

            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "node.exe" : "node");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new ChainToolException("node was not found on PATH:", "install Node.js 20 or later.", "node", null, "");
        }
    }

    /// <summary>Runs a tool to completion and returns its exit code and output; cancellation kills it.</summary>
    public static async Task<(int ExitCode, string Output, string CommandLine)> RunAsync(string target, Action<ArgumentsBuilder> arguments, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        var command = Cli.Wrap(target)
            .WithArguments(arguments)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(output))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(output));
        var commandLine = $"{command.TargetFilePath} {command.Arguments}";
        try
        {
            var result = await command.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return (result.ExitCode, output.ToString(), commandLine);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ChainToolException($"{target} could not be started ({ex.Message}):", "check that it is installed and executable (`make setup`).", commandLine, null, "", ex);
        }
    }

    /// <summary>The last lines of a tool's output, indented, for an exception message.</summary>
    public static string Tail(string output, int lines = 20)
    {
        var all = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)).Select(l => "    " + l));
    }

    private string RequireFile(string path, string tool) =>
        File.Exists(path)
            ? path
            : throw new ChainToolException($"{tool} is not installed ({path} is missing):", $"run `make setup` (npm ci in {Path.GetDirectoryName(NodeModules)}).", tool, null, "");

    private static string DefaultNodeModules()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Prover.sln")))
            {
                return Path.Combine(dir.FullName, "node_modules");
            }
        }

        throw new ChainToolException($"no Prover.sln above {AppContext.BaseDirectory}, so node_modules is unknown:", "pass it (ChainToolsOptions.NodeModulesDirectory).", "anvil/solc", null, "");
    }

    private static string DefaultCacheDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "prover");
    }
}
