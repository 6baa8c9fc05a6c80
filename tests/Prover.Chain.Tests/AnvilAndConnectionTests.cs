using System.Diagnostics;

namespace Prover.Chain.Tests;

/// <summary>The embedded chain's lifecycle and connection errors.</summary>
public sealed class AnvilAndConnectionTests
{
    [Fact]
    public async Task Anvil_starts_on_a_loopback_port_with_the_chain_id_asked_for_and_dispose_ends_it()
    {
        var anvil = await AnvilNode.StartAsync(new AnvilOptions { ChainId = 4242 }, CancellationToken.None);
        var pid = anvil.ProcessId;
        Assert.Equal("127.0.0.1", anvil.Url.Host);
        var connection = await ChainFixture.ConnectAsync(anvil);
        Assert.Equal(4242UL, connection.ChainId);
        Assert.Equal(Core.Ethereum.EthAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), connection.Account);

        await anvil.DisposeAsync();
        Assert.True(IsGone(pid), "anvil is still running after dispose");
        await Assert.ThrowsAsync<ChainUnavailableException>(() => ChainFixture.ConnectAsync(anvil));
    }

    [Fact]
    public async Task A_chain_with_a_state_file_keeps_its_contracts_and_blocks_across_restarts()
    {
        using var dir = new TempDirectory();
        var options = new AnvilOptions { ChainId = 31339, StateFile = dir.Combine("anvil.state") };
        string hash;
        await using (var anvil = await AnvilNode.StartAsync(options, CancellationToken.None))
        {
            var connection = await ChainFixture.ConnectAsync(anvil);
            var receipt = await connection.SendAsync("a transfer", 21_000, nonce => connection.Web3.Eth.TransactionManager.SendTransactionAsync(
                new Nethereum.RPC.Eth.DTOs.TransactionInput { From = connection.Account.ToString(), To = "0x000000000000000000000000000000000000dEaD", Value = new(12345), Gas = new(21_000), Nonce = nonce }), CancellationToken.None);
            hash = receipt.TransactionHash;
        }

        Assert.True(File.Exists(options.StateFile));
        await using (var anvil = await AnvilNode.StartAsync(options, CancellationToken.None))
        {
            var connection = await ChainFixture.ConnectAsync(anvil);
            var balance = await connection.Web3.Eth.GetBalance.SendRequestAsync("0x000000000000000000000000000000000000dEaD");
            Assert.Equal(12345, balance.Value);
            Assert.NotNull(await connection.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash));
        }
    }

    [Fact]
    public async Task An_anvil_that_exits_at_start_is_a_ChainToolException_with_its_output()
    {
        using var dir = new TempDirectory();
        var tools = FakeAnvil(dir, "echo 'Error: address already in use' >&2; exit 1");

        var e = await Assert.ThrowsAsync<ChainToolException>(() => AnvilNode.StartAsync(new AnvilOptions { Tools = tools }, CancellationToken.None));

        Assert.Contains("anvil exited before it answered JSON-RPC", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.ExitCode);
        Assert.Contains("address already in use", e.OutputTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_anvil_that_never_reports_its_port_is_given_up_on_at_the_start_timeout_with_its_output()
    {
        using var dir = new TempDirectory();
        var tools = FakeAnvil(dir, "echo 'compiling the universe'; sleep 30");

        var e = await Assert.ThrowsAsync<ChainToolException>(() =>
            AnvilNode.StartAsync(new AnvilOptions { Tools = tools, StartTimeout = TimeSpan.FromSeconds(2) }, CancellationToken.None));

        Assert.Contains("anvil did not answer JSON-RPC within 2 s", e.Message, StringComparison.Ordinal);
        Assert.Null(e.ExitCode);
        Assert.Contains("compiling the universe", e.OutputTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_listening_at_the_endpoint_is_a_ChainUnavailableException_naming_it_without_its_secrets()
    {
        // Hosted nodes carry API keys in the path or the user info; the message and the endpoint it
        // names keep only scheme, host and port, since messages reach job storage and logs.
        var url = new Uri("http://apiuser:PASSWORD@127.0.0.1:9/v2/SECRETKEY?token=QUERYSECRET");
        var e = await Assert.ThrowsAsync<ChainUnavailableException>(() => ChainConnection.ConnectAsync(url, AnvilNode.DevelopmentKeys[0], CancellationToken.None));
        Assert.Equal("http://127.0.0.1:9", e.Endpoint);
        foreach (var secret in new[] { "apiuser", "PASSWORD", "SECRETKEY", "QUERYSECRET" })
        {
            Assert.DoesNotContain(secret, e.ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("https://node.example/v2/KEY", "https://node.example:443")]
    [InlineData("http://user:pass@[::1]:8545/", "http://[::1]:8545")]
    [InlineData("http://127.0.0.1:8545", "http://127.0.0.1:8545")]
    public void An_endpoint_is_shown_as_scheme_host_and_port_only(string url, string shown) =>
        Assert.Equal(shown, ChainConnection.ForDisplay(new Uri(url)));

    [Fact]
    public async Task A_node_gone_before_a_submission_is_a_ChainUnavailableException_not_the_rpc_librarys_own()
    {
        var anvil = await AnvilNode.StartAsync(new AnvilOptions(), CancellationToken.None);
        var connection = await ChainFixture.ConnectAsync(anvil);
        await anvil.DisposeAsync();

        var inbox = new BatchInbox(connection, Core.Ethereum.EthAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
        var submission = new BatchSubmission(
            0, Crypto.Field.Fr.One, Crypto.Field.Fr.One, Crypto.Field.Fr.One, Crypto.Field.Fr.One, 1, 1_764_300_000_000,
            [Core.Ethereum.Hash32.Parse("0x" + new string('1', 64))], new ListClaim(Crypto.Field.Fr.One, Crypto.Field.Fr.One, Crypto.Field.Fr.One),
            InboxTestKit.Garbage());
        var e = await Assert.ThrowsAsync<ChainUnavailableException>(() => inbox.SubmitAsync(submission, gasLimit: null, CancellationToken.None));

        Assert.Equal(ChainConnection.ForDisplay(anvil.Url), e.Endpoint);
        Assert.Contains("RPC call failed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_key_is_refused_without_repeating_it()
    {
        const string Key = "0x1234567890abcdefXYZ";
        var e = await Assert.ThrowsAsync<ChainConfigurationException>(() => ChainConnection.ConnectAsync(new Uri("http://127.0.0.1:9/"), Key, CancellationToken.None));
        Assert.DoesNotContain("1234567890", e.Message, StringComparison.Ordinal);
    }

    private static bool IsGone(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    /// <summary>A node_modules folder whose anvil is a shell script running <paramref name="script"/>.</summary>
    private static ChainToolsOptions FakeAnvil(TempDirectory dir, string script)
    {
        var arch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64";
        var os = OperatingSystem.IsMacOS() ? "darwin" : "linux";
        var bin = Directory.CreateDirectory(dir.Combine("node_modules", "@foundry-rs", $"anvil-{os}-{arch}", "bin")).FullName;
        var path = Path.Combine(bin, "anvil");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        if (!OperatingSystem.IsWindows()) // the suite runs where anvil's npm package has a Unix binary
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return new ChainToolsOptions { NodeModulesDirectory = dir.Combine("node_modules") };
    }
}
