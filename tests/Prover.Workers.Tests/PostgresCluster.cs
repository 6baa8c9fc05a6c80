using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Prover.Workers.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb into a temp folder, pg_ctl start on a free loopback port, one
/// database per test, stopped and deleted at the end. PostgreSQL refuses to run as root, so under root
/// the server runs as the <c>postgres</c> account Debian's package creates.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private const string User = "prover";
    private readonly TempDirectory _root = new();
    private string _bin = "";
    private int _databases;

    public int Port { get; private set; }

    private string DataDirectory => _root.Combine("data");

    private string SocketDirectory => _root.Combine("socket");

    private static bool IsRoot => Environment.UserName == "root";

    public async Task InitializeAsync()
    {
        _bin = FindBinaries();
        Directory.CreateDirectory(SocketDirectory);
        if (IsRoot)
        {
            await RunAsync("chmod", ["755", _root.Path]);
            await RunAsync("chown", ["-R", "postgres:postgres", _root.Path]);
        }

        await RunServerToolAsync("initdb", ["-D", DataDirectory, "-U", User, "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        Port = FreePort();
        await StartAsync();
    }

    /// <summary>A new empty database and a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"pool_{Interlocked.Increment(ref _databases)}";
        // Unpooled: a pooled admin connection would not survive the restart test.
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    /// <summary>Starts the server (again) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        await RunServerToolAsync("pg_ctl", [
            "-D", DataDirectory, "-l", _root.Combine("server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {SocketDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            "start",
        ]);

        // Connections pooled before a restart are dead; this process's tests start afresh.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Stops the server: <c>fast</c> disconnects every client, as a real restart does.</summary>
    public Task StopAsync() => RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"]);

    public async Task DisposeAsync()
    {
        try
        {
            await RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        NpgsqlConnection.ClearAllPools();
        _root.Dispose();
    }

    private string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Database = database,
            Username = User,
            Timeout = 5,
            MaxPoolSize = 20,
        }.ToString();

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(v => Path.Combine(v, "bin"))
            : [];
        foreach (var dir in candidates.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("PostgreSQL's server programs (initdb, pg_ctl) are not installed. On Debian: apt-get install postgresql (`make setup` does it when run as root).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunServerToolAsync(string tool, string[] arguments) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string program, string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}
