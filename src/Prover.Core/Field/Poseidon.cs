namespace Prover.Core.Field;

/// <summary>
/// Poseidon over BN254, bit-for-bit circomlib's <c>Poseidon(n)</c> template (and circomlibjs' <c>poseidon</c>).
/// </summary>
public static class Poseidon
{
    /// <summary>The largest number of inputs supported.</summary>
    public const int MaxInputs = 6;

    /// <summary>Hashes 1..<see cref="MaxInputs"/> field elements, exactly as circomlib's <c>Poseidon(inputs.Length)</c>.</summary>
    public static Fr Hash(ReadOnlySpan<Fr> inputs) => throw new NotImplementedException("Poseidon arrives with the field work.");
}
