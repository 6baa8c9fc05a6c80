using System.Text.Json;
using Prover.Core;
using Prover.Crypto.Field;

namespace Prover.Proving.Snarkjs;

/// <summary>
/// Checks that a proof and its public signals have the shape snarkjs' Groth16 verifier expects before it
/// runs. A proof from outside is untrusted: a malformed one is a proof that does not verify (false), not
/// a crash in the verifier (which snarkjs reports the same way as a missing file).
/// </summary>
internal static class ProofShape
{
    public static async Task<bool> IsWellFormedAsync(string verificationKeyFile, string proofFile, string publicSignalsFile, CancellationToken cancellationToken)
    {
        int expected = await PublicSignalCountAsync(verificationKeyFile, cancellationToken).ConfigureAwait(false);
        try
        {
            using var @public = JsonDocument.Parse(await File.ReadAllBytesAsync(publicSignalsFile, cancellationToken).ConfigureAwait(false));
            using var proof = JsonDocument.Parse(await File.ReadAllBytesAsync(proofFile, cancellationToken).ConfigureAwait(false));
            return @public.RootElement is { ValueKind: JsonValueKind.Array } signals
                && signals.GetArrayLength() == expected
                && signals.EnumerateArray().All(IsFieldElement)
                && proof.RootElement.ValueKind == JsonValueKind.Object
                && IsPoint(proof.RootElement, "pi_a", coordinates: 3, IsDecimal)
                && IsPoint(proof.RootElement, "pi_b", coordinates: 3, IsPair)
                && IsPoint(proof.RootElement, "pi_c", coordinates: 3, IsDecimal);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task<int> PublicSignalCountAsync(string verificationKeyFile, CancellationToken cancellationToken)
    {
        try
        {
            using var vk = JsonDocument.Parse(await File.ReadAllBytesAsync(verificationKeyFile, cancellationToken).ConfigureAwait(false));
            return vk.RootElement.GetProperty("nPublic").GetInt32();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CorruptStateException(verificationKeyFile, "not a snarkjs Groth16 verification key (no nPublic).", ex);
        }
    }

    /// <summary>Projective coordinates: snarkjs writes x, y and z (z = 1).</summary>
    private static bool IsPoint(JsonElement proof, string name, int coordinates, Func<JsonElement, bool> coordinate) =>
        proof.TryGetProperty(name, out var point)
        && point.ValueKind == JsonValueKind.Array
        && point.GetArrayLength() == coordinates
        && point.EnumerateArray().All(coordinate);

    private static bool IsPair(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array && element.GetArrayLength() == 2 && element.EnumerateArray().All(IsDecimal);

    private static bool IsDecimal(JsonElement element) =>
        element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } s && s.All(char.IsAsciiDigit);

    /// <summary>A public signal: a scalar-field element. (Proof coordinates live in the larger base field, so they are only checked to be decimals.)</summary>
    private static bool IsFieldElement(JsonElement element)
    {
        if (!IsDecimal(element))
        {
            return false;
        }

        try
        {
            Fr.Parse(element.GetString()!);
            return true;
        }
        catch (ValueOutOfRangeException)
        {
            return false;
        }
    }
}
