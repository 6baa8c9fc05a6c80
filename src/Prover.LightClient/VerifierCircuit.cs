using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Prover.Chain;
using Prover.Core.Ordering;

namespace Prover.LightClient;

/// <summary>
/// Which ordering circuit a verification key belongs to: its policy and capacity, as the
/// <c>manifest.json</c> of the artifacts folder the key came from names them (the folder the trusted
/// setup writes: key, verifier, manifest), and the SHA-256 of the key file (what a deployment record
/// calls <c>verificationKeySha256</c>).
/// </summary>
/// <remarks>
/// The manifest is believed only when it lists the key file's own digest, so a key moved beside
/// another circuit's manifest reads as unknown rather than as that circuit. Nothing here is trusted for
/// soundness: every ordering circuit pins its policy in the domain (docs/circuits.md), so a verifier
/// of another policy's circuit refuses every batch whatever a manifest says. The report explains such
/// an inbox; it cannot make one pass.
/// </remarks>
/// <param name="KeySha256">SHA-256 of the verification key file, lowercase hex.</param>
/// <param name="PublicInputs">How many public inputs the key takes (<c>nPublic</c>).</param>
/// <param name="Policy">The circuit's policy id (<c>fcfs</c>, <c>priority-fee</c>, …), or null when unknown.</param>
/// <param name="Capacity">The circuit's capacity N, or null when unknown.</param>
/// <param name="Unknown">Why the circuit is unknown (no manifest beside the key, …); null when it is known.</param>
public sealed record VerifierCircuit(string KeySha256, int PublicInputs, string? Policy, int? Capacity, string? Unknown)
{
    /// <summary>The manifest's file name, beside the key (Prover.Proving's <c>ArtifactManifest.FileName</c>).</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>Whether the manifest beside the key named the circuit.</summary>
    public bool IsKnown => Policy is not null && Capacity is not null;

    /// <summary>One line for people, e.g. <c>the fcfs circuit, capacity 4, 8 public inputs, key sha256 9f3c…</c>.</summary>
    public string Describe() => IsKnown
        ? string.Create(CultureInfo.InvariantCulture, $"the {Policy} circuit, capacity {Capacity}, {PublicInputs} public inputs, key sha256 {KeySha256}")
        : string.Create(CultureInfo.InvariantCulture, $"unknown ({Unknown}), {PublicInputs} public inputs, key sha256 {KeySha256}");

    /// <summary>Reads a <c>verification_key.json</c>'s digest and public-input count, and the circuit from the manifest beside it.</summary>
    /// <exception cref="ProofFormatException">The key file is missing, or is not JSON with an <c>nPublic</c>; or the manifest beside it is not JSON.</exception>
    public static async Task<VerifierCircuit> ReadAsync(string verificationKeyFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verificationKeyFile);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(verificationKeyFile, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ProofFormatException(verificationKeyFile, "no such verification key file.", e);
        }

        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        int publicInputs;
        try
        {
            using var key = JsonDocument.Parse(bytes);
            publicInputs = key.RootElement.GetProperty("nPublic").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ProofFormatException(verificationKeyFile, $"not a snarkjs verification key: {e.Message}", e);
        }

        var manifest = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(verificationKeyFile))!, ManifestFileName);
        if (!File.Exists(manifest))
        {
            return new VerifierCircuit(digest, publicInputs, null, null, $"no {ManifestFileName} beside the key");
        }

        var text = await File.ReadAllBytesAsync(manifest, cancellationToken).ConfigureAwait(false);
        return FromManifest(digest, publicInputs, text, manifest);
    }

    /// <summary>The circuit a manifest names for a key of this digest; <paramref name="source"/> names the manifest in errors.</summary>
    /// <exception cref="ProofFormatException">The manifest is not JSON.</exception>
    internal static VerifierCircuit FromManifest(string keySha256, int publicInputs, ReadOnlySpan<byte> manifest, string source)
    {
        string? name;
        string? listed;
        try
        {
            var reader = new Utf8JsonReader(manifest);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            name = root.TryGetProperty("circuit", out var circuit) && circuit.ValueKind == JsonValueKind.Object
                && circuit.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            listed = root.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array
                ? files.EnumerateArray()
                    .Where(f => f.ValueKind == JsonValueKind.Object && f.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String && r.GetString() == "verificationKey")
                    .Select(f => f.TryGetProperty("sha256", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null)
                    .FirstOrDefault()
                : null;
        }
        catch (JsonException e)
        {
            throw new ProofFormatException(source, $"not an artifact manifest: {e.Message}", e);
        }

        VerifierCircuit Unknown(string why) => new(keySha256, publicInputs, null, null, why);
        if (listed is null)
        {
            return Unknown($"{ManifestFileName} beside the key lists no verification key");
        }

        if (!string.Equals(listed, keySha256, StringComparison.OrdinalIgnoreCase))
        {
            return Unknown($"{ManifestFileName} beside the key describes another key (sha256 {listed})");
        }

        return ParseName(name) is var (policy, capacity)
            ? new VerifierCircuit(keySha256, publicInputs, policy, capacity, null)
            : Unknown($"{ManifestFileName} names circuit '{name}', not an ordering circuit's <policy>_<capacity>");
    }

    /// <summary>
    /// Whether this circuit can be the inbox's: its policy is the one the inbox declares and its capacity
    /// the inbox's. Empty when it can, or when the circuit is unknown (nothing to compare).
    /// </summary>
    public IReadOnlyList<Mismatch> Problems(InboxState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!IsKnown)
        {
            return [];
        }

        var declared = PolicyName(state.PolicyNumericId);
        var expected = string.Create(CultureInfo.InvariantCulture, $"the {declared} circuit of capacity {state.Capacity} (this inbox's policy and capacity)");
        if (Policy != declared)
        {
            return [new Mismatch(null, "verifier circuit", expected, string.Create(CultureInfo.InvariantCulture,
                $"the {Policy} circuit (capacity {Capacity}): this inbox declares {declared}, so every batch of it is refused (a circuit proves only its own policy's domain)"))];
        }

        if (Capacity != state.Capacity)
        {
            return [new Mismatch(null, "verifier circuit", expected, string.Create(CultureInfo.InvariantCulture,
                $"the {Policy} circuit of capacity {Capacity}: this inbox declares capacity {state.Capacity}, and a statement pads the posted list's multiset to the capacity, so no batch of it verifies against the statement rebuilt from the chain"))];
        }

        return [];
    }

    /// <summary>The policy id of an inbox's numeric policy id, as circuits are named by it.</summary>
    internal static string PolicyName(int numericId) =>
        numericId >= 1 && numericId <= OrderingPolicy.KnownIds.Count
            ? OrderingPolicy.KnownIds[numericId - 1]
            : string.Create(CultureInfo.InvariantCulture, $"unknown policy {numericId}");

    /// <summary><c>priority_fee_8</c> → (<c>priority-fee</c>, 8), as <c>CircuitInputs.MainFor</c> names the mains.</summary>
    private static (string Policy, int Capacity)? ParseName(string? name)
    {
        var cut = name?.LastIndexOf('_') ?? -1;
        if (name is null || cut <= 0
            || !int.TryParse(name.AsSpan(cut + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var capacity) || capacity < 1)
        {
            return null;
        }

        var policy = name[..cut].Replace('_', '-');
        return OrderingPolicy.KnownIds.Contains(policy) ? (policy, capacity) : null;
    }
}
