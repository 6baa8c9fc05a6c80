using System.Numerics;
using System.Text.Json;
using Prover.Chain;
using Prover.Crypto.Field;
using Prover.LightClient.Groth16;
using Prover.Proving.Snarkjs;

namespace Prover.LightClient.Tests.Groth16;

/// <summary>The committed fixture proof (fixtures/groth16), read once.</summary>
internal static class Fixture
{
    private static readonly Lazy<(VerificationKey Key, Groth16Proof Proof, IReadOnlyList<Fr> Signals)> Loaded = new(() =>
    {
        var dir = RepoPaths.Groth16Fixture;
        var key = VerificationKey.ReadAsync(Path.Combine(dir, "verification_key.json"), CancellationToken.None).GetAwaiter().GetResult();
        var proof = Groth16Proof.ReadSnarkjsAsync(Path.Combine(dir, "proof.json"), CancellationToken.None).GetAwaiter().GetResult();
        var signals = SnarkjsBackend.ReadPublicSignalsAsync(Path.Combine(dir, "public.json"), CancellationToken.None).GetAwaiter().GetResult();
        return (key, proof, signals);
    });

    public static VerificationKey Key => Loaded.Value.Key;

    public static Groth16Proof Proof => Loaded.Value.Proof;

    public static IReadOnlyList<Fr> Signals => Loaded.Value.Signals;

    public static string KeyJson => File.ReadAllText(Path.Combine(RepoPaths.Groth16Fixture, "verification_key.json"));

    public static JsonDocument KeyDocument() => JsonDocument.Parse(KeyJson);

    /// <summary>The proof with some words replaced.</summary>
    public static Groth16Proof With(Groth16Proof proof, params (int Word, BigInteger Value)[] changes)
    {
        var words = proof.Words.ToArray();
        foreach (var (word, value) in changes)
        {
            words[word] = value;
        }

        return Groth16Verifier.ProofOf(words);
    }
}
