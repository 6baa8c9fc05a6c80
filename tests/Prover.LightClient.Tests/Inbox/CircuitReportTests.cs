using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Prover.Core.Ordering;

namespace Prover.LightClient.Tests.Inbox;

/// <summary>
/// Which circuit the deployed verifier is, from the manifest beside the verification key: reported when
/// it is the inbox's, an inbox problem when its policy or capacity is another's, unknown without a manifest.
/// </summary>
[Collection(LightClientCollection.Name)]
public sealed class CircuitReportTests
{
    private readonly LightClientFixture _fixture;

    public CircuitReportTests(LightClientFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task The_key_from_the_setups_artifacts_folder_names_its_circuit_and_matches_the_inbox()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();

        var circuit = await VerifierCircuit.ReadAsync(chain.KeyFile, CancellationToken.None);
        var result = await client.VerifyAsync(chain.Key, circuit, batch: null, witnesses: null, CancellationToken.None);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        Assert.Equal(("fcfs", 4, 8), (circuit.Policy, circuit.Capacity, circuit.PublicInputs));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(chain.KeyFile))), circuit.KeySha256);
        Assert.Same(circuit, result.Circuit);
        Assert.Equal($"the fcfs circuit, capacity 4, 8 public inputs, key sha256 {circuit.KeySha256}", circuit.Describe());
    }

    [Fact]
    public async Task An_inbox_that_declares_another_policy_than_its_verifiers_circuit_is_an_inbox_problem_naming_both()
    {
        // Account 1 deploys an inbox that declares priority-fee but calls the fcfs circuit's verifier:
        // its binding is sound (the domain is priority-fee's), and the verifier embeds the fcfs key.
        var connection = await _fixture.ConnectAsync(account: 1);
        var (_, deployment) = await _fixture.DeployAsync(connection, OrderingPolicy.Parse("priority-fee"), "fcfs");
        var client = await InboxLightClient.ConnectAsync(_fixture.Anvil.Url, deployment.Inbox, CancellationToken.None);
        var chain = await _fixture.ChainAsync();
        var circuit = await VerifierCircuit.ReadAsync(chain.KeyFile, CancellationToken.None);

        var result = await client.VerifyAsync(chain.Key, circuit, batch: null, witnesses: null, CancellationToken.None);

        Assert.False(result.IsValid);
        var problem = Assert.Single(result.Problems);
        Assert.Equal((null, "verifier circuit"), (problem.Batch, problem.Field));
        Assert.Equal(
            "inbox: verifier circuit: expected the priority-fee circuit of capacity 4 (this inbox's policy and capacity), found the fcfs circuit (capacity 4): this inbox declares priority-fee, so every batch of it is refused (a circuit proves only its own policy's domain)",
            problem.ToString());
        // Without the manifest's word the same inbox passes every check the chain allows: nothing is finalized.
        Assert.True((await client.VerifyAsync(chain.Key, batch: null, CancellationToken.None)).IsValid);
    }

    [Fact]
    public async Task A_manifest_of_another_capacity_is_an_inbox_problem_too()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var state = await client.GetStateAsync(CancellationToken.None);
        var key = await CopyKeyAsync(chain.KeyFile, manifest => manifest["circuit"]!["name"] = "fcfs_8");

        var circuit = await VerifierCircuit.ReadAsync(key, CancellationToken.None);

        Assert.Equal(("fcfs", 8), (circuit.Policy, circuit.Capacity));
        var problem = Assert.Single(circuit.Problems(state));
        Assert.StartsWith("the fcfs circuit of capacity 8: this inbox declares capacity 4", problem.Actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_manifest_the_circuit_is_unknown_and_only_its_key_digest_is_reported()
    {
        var chain = await _fixture.ChainAsync();
        var client = await chain.ClientAsync();
        var key = await CopyKeyAsync(chain.KeyFile, manifest: null);

        var circuit = await VerifierCircuit.ReadAsync(key, CancellationToken.None);
        var result = await client.VerifyAsync(chain.Key, circuit, batch: null, witnesses: null, CancellationToken.None);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        Assert.False(circuit.IsKnown);
        Assert.Equal((null, null, 8), (circuit.Policy, circuit.Capacity, circuit.PublicInputs));
        Assert.Equal((await VerifierCircuit.ReadAsync(chain.KeyFile, CancellationToken.None)).KeySha256, circuit.KeySha256);
        Assert.Equal($"unknown (no manifest.json beside the key), 8 public inputs, key sha256 {circuit.KeySha256}", circuit.Describe());
    }

    [Fact]
    public async Task A_manifest_that_lists_another_keys_digest_does_not_name_this_keys_circuit()
    {
        var chain = await _fixture.ChainAsync();
        var other = new string('0', 64);
        var key = await CopyKeyAsync(chain.KeyFile, manifest =>
        {
            foreach (var file in manifest["files"]!.AsArray())
            {
                if (file!["role"]!.GetValue<string>() == "verificationKey")
                {
                    file["sha256"] = other;
                }
            }
        });

        var circuit = await VerifierCircuit.ReadAsync(key, CancellationToken.None);

        Assert.False(circuit.IsKnown);
        Assert.Equal($"manifest.json beside the key describes another key (sha256 {other})", circuit.Unknown);
    }

    /// <summary>The key copied into a folder of its own, with its manifest edited by <paramref name="manifest"/> (null: no manifest).</summary>
    private async Task<string> CopyKeyAsync(string keyFile, Action<JsonNode>? manifest)
    {
        var folder = _fixture.Work("key-" + Guid.NewGuid().ToString("N"));
        var copy = Path.Combine(folder, Path.GetFileName(keyFile));
        File.Copy(keyFile, copy);
        if (manifest is not null)
        {
            var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(keyFile)!, VerifierCircuit.ManifestFileName)))!;
            manifest(json);
            await File.WriteAllTextAsync(Path.Combine(folder, VerifierCircuit.ManifestFileName), json.ToJsonString());
        }

        return copy;
    }
}
