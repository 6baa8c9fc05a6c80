using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Prover.Core.Batches;
using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Proving;

namespace Prover.Chain;

/// <summary>
/// A Groth16 proof in the order the generated verifier takes it: <c>[a0, a1, b00, b01, b10, b11, c0, c1]</c>.
/// snarkjs writes G2 coordinates as <c>(c0, c1)</c> while the EVM pairing precompile (EIP-197) takes
/// <c>(c1, c0)</c>, so <c>b</c>'s pairs are swapped here, as snarkjs' own <c>generatecall</c> does.
/// </summary>
public sealed record Groth16Proof
{
    /// <summary>The BN254 base field modulus: every coordinate is below it.</summary>
    internal static readonly BigInteger BaseFieldModulus = BigInteger.Parse(
        "21888242871839275222246405745257275088696311157297823662689037894645226208583", CultureInfo.InvariantCulture);

    internal Groth16Proof(IReadOnlyList<BigInteger> words)
    {
        if (words.Count != 8)
        {
            throw new ArgumentException("A Groth16 proof has 8 words.", nameof(words));
        }

        Words = words;
    }

    /// <summary><c>a</c>, <c>b</c> (pairs swapped) and <c>c</c>, flattened.</summary>
    public IReadOnlyList<BigInteger> Words { get; }

    /// <summary>Reads snarkjs' <c>proof.json</c>.</summary>
    /// <exception cref="ChainConfigurationException">The file is not a snarkjs Groth16 proof over BN254.</exception>
    public static async Task<Groth16Proof> ReadSnarkjsAsync(string proofFile, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            json = await File.ReadAllTextAsync(proofFile, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ChainConfigurationException(proofFile, "no such proof file.");
        }

        return ParseSnarkjs(json, proofFile);
    }

    /// <summary>Parses the text of snarkjs' <c>proof.json</c>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ChainConfigurationException">The text is not a snarkjs Groth16 proof over BN254.</exception>
    public static Groth16Proof ParseSnarkjs(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var a = root.GetProperty("pi_a");
            var b = root.GetProperty("pi_b");
            var c = root.GetProperty("pi_c");
            BigInteger[] words =
            [
                Coordinate(a[0]), Coordinate(a[1]),
                Coordinate(b[0][1]), Coordinate(b[0][0]), Coordinate(b[1][1]), Coordinate(b[1][0]),
                Coordinate(c[0]), Coordinate(c[1]),
            ];
            return new Groth16Proof(words);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            throw new ChainConfigurationException(source, $"not a snarkjs Groth16 proof (pi_a, pi_b, pi_c of BN254 coordinates): {e.Message}");
        }
    }

    private static BigInteger Coordinate(JsonElement element)
    {
        var value = BigInteger.Parse(element.GetString() ?? throw new FormatException("a coordinate is not a string"), NumberStyles.None, CultureInfo.InvariantCulture);
        return value < BaseFieldModulus ? value : throw new FormatException($"coordinate {value} is not below the base field modulus");
    }
}

/// <summary>
/// Everything <c>submitBatch</c> takes for one batch: the statement the proof was made for, the ordered
/// transaction hashes the inbox binds to it, the list values the proof was made for and the proof.
/// </summary>
/// <param name="LastArrivalMs">The batch's last arrival, which the proof checks and the inbox stores.</param>
/// <param name="Claim">The posted-list values of the proof's statement: they only explain a refusal (docs/circuits.md).</param>
public sealed record BatchSubmission(
    ulong Index,
    Fr Domain,
    Fr PrevHead,
    Fr NewHead,
    Fr OutputCommitment,
    int Count,
    ulong LastArrivalMs,
    IReadOnlyList<Hash32> OrderedTxHashes,
    ListClaim Claim,
    Groth16Proof Proof)
{
    /// <summary>The submission of an ordered witness's batch with a proof of its statement.</summary>
    /// <exception cref="InvalidOperationException">The witness has no order yet (a shuffle batch whose beacon is not drawn).</exception>
    public static BatchSubmission Of(OrderingWitness witness, Groth16Proof proof)
    {
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(proof);
        var statement = BatchStatement.Of(witness);
        return new BatchSubmission(
            witness.BatchIndex, witness.Domain, witness.PrevHead, witness.NewHead, statement.OutputCommitment, witness.Count,
            witness.Entries[^1].ArrivalMs, witness.OrderedTxHashes, ListClaim.Of(statement), proof);
    }

    /// <summary>The submission of a witness's batch with its proof, after checking that the proof is for that batch's statement.</summary>
    /// <exception cref="ChainConfigurationException">The proof's public signals are not the witness's statement.</exception>
    public static async Task<BatchSubmission> FromProofAsync(OrderingWitness witness, ProofFiles proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(proof);
        if (!witness.IsOrdered)
        {
            throw new ChainConfigurationException(proof.PublicSignalsFile, $"batch {witness.BatchIndex} is a shuffle batch without its beacon: commit it and draw the beacon before proving.");
        }

        var statement = CircuitInputs.PublicSignals(witness);
        if (!statement.SequenceEqual(proof.PublicSignals))
        {
            throw new ChainConfigurationException(
                proof.PublicSignalsFile,
                $"the proof's public signals ({string.Join(", ", proof.PublicSignals)}) are not batch {witness.BatchIndex}'s statement ({string.Join(", ", statement)}): prove this witness again.");
        }

        return Of(witness, await Groth16Proof.ReadSnarkjsAsync(proof.ProofFile, cancellationToken).ConfigureAwait(false));
    }
}

/// <summary>The posted-list values a proof was made for: its challenge, digest and multiset public signals.</summary>
public readonly record struct ListClaim(Fr Challenge, Fr Digest, Fr Multiset)
{
    public static ListClaim Of(BatchStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return new ListClaim(statement.ListChallenge, statement.ListDigest, statement.ListMultiset);
    }
}
