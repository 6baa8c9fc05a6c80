using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prover.Proving.Snarkjs;

/// <summary>
/// <c>manifest.json</c> beside an artifact set: what was built, from what, by which tools, and each
/// file's SHA-256, so a deployment can check that the verifier on chain belongs to the proving key it
/// serves. No timestamps: the same inputs give the same manifest.
/// </summary>
internal sealed record ArtifactManifest(
    int Version,
    string Backend,
    ManifestCircuit Circuit,
    int Power,
    ManifestCeremony Ceremony,
    ManifestTools Tools,
    IReadOnlyList<ManifestFile> Files)
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var scratch = path + $".tmp-{Guid.NewGuid():N}";
        await using (var stream = File.Create(scratch))
        {
            await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken).ConfigureAwait(false);
            stream.WriteByte((byte)'\n');
        }

        File.Move(scratch, path, overwrite: true);
    }

    public static async Task<ArtifactManifest> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<ArtifactManifest>(stream, Json, cancellationToken).ConfigureAwait(false)
            ?? throw new Core.CorruptStateException(path, "the manifest is empty.");
    }
}

internal sealed record ManifestCircuit(string Name, string Source, int Constraints, int PublicInputs, int PublicOutputs, int PrivateInputs);

/// <param name="Kind"><c>development</c> or <c>ptau</c>.</param>
/// <param name="Insecure">True when anyone can forge proofs under these keys.</param>
/// <param name="Label">What the ceremony is, for a human; starts with INSECURE for a development ceremony.</param>
/// <param name="Phase1File">The phase-1 file's name.</param>
/// <param name="Phase1Sha256">The phase-1 file's SHA-256.</param>
/// <param name="Phase1Power">The phase-1 file's power (at least the artifact's power).</param>
/// <param name="Steps">The ceremony's steps, with the fixed hashes of the development ceremony.</param>
internal sealed record ManifestCeremony(
    string Kind,
    bool Insecure,
    string Label,
    string Phase1File,
    string Phase1Sha256,
    int Phase1Power,
    IReadOnlyList<string> Steps);

internal sealed record ManifestTools(string Node, string Circom, string Circom2Package, string Snarkjs);

/// <param name="Role"><c>r1cs</c>, <c>wasm</c>, <c>zkey</c>, <c>verificationKey</c> or <c>verifier</c>.</param>
/// <param name="Path">Relative to the manifest's folder, with forward slashes.</param>
internal sealed record ManifestFile(string Role, string Path, string Sha256, long Bytes);
