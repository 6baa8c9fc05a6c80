using System.Text;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// One phase 1 contribution's key (snarkjs' <c>createPTauKey</c>): the secrets τ, α, β and, for each,
/// the proof of knowledge (s·G1, x·s·G1, x·s'·G2) whose G2 base s' is hashed from the challenge.
/// </summary>
internal sealed class PtauKey
{
    /// <summary>Bytes of the public key in a transcript or a file: six G1 points, then three G2 points.</summary>
    public const int PublicKeySize = (6 * PointEncoding.G1Size) + (3 * PointEncoding.G2Size);

    private PtauKey(Fr tau, Fr alpha, Fr beta, Share[] shares)
    {
        Tau = tau;
        Alpha = alpha;
        Beta = beta;
        _shares = shares;
    }

    private readonly Share[] _shares;

    public Fr Tau { get; }

    public Fr Alpha { get; }

    public Fr Beta { get; }

    /// <summary>
    /// The key snarkjs draws from <paramref name="rng"/>: the three secrets first, then for τ, α, β in turn
    /// the point s·G1, and s' = hashToG2(blake2b(personalisation ‖ challenge ‖ s·G1 ‖ x·s·G1)).
    /// </summary>
    public static PtauKey Create(ReadOnlySpan<byte> challenge, ChaChaRng rng)
    {
        var tau = SnarkjsRandom.NextFr(rng);
        var alpha = SnarkjsRandom.NextFr(rng);
        var beta = SnarkjsRandom.NextFr(rng);
        var shares = new Share[3];
        Fr[] secrets = [tau, alpha, beta];
        for (var k = 0; k < 3; k++)
        {
            var x = secrets[k].ToBigInteger();
            var s = SnarkjsRandom.NextG1(rng);
            var sx = s.Multiply(x);
            var hasher = new Blake2b();
            hasher.Update([(byte)k]);
            hasher.Update(challenge);
            hasher.Update(PointEncoding.Uncompressed(s));
            hasher.Update(PointEncoding.Uncompressed(sx));
            var sp = SnarkjsRandom.HashToG2(hasher.Digest());
            shares[k] = new Share(s, sx, sp.Multiply(x));
        }

        return new PtauKey(tau, alpha, beta, shares);
    }

    /// <summary>The public key in snarkjs' order (τ, α, β's G1 pairs, then their G2 points), uncompressed for a transcript or LEM for a file.</summary>
    public void WritePublicKey(Span<byte> destination, bool montgomery)
    {
        var at = 0;
        foreach (var share in _shares)
        {
            WriteG1(share.S, destination[at..], montgomery);
            WriteG1(share.SX, destination[(at + 64)..], montgomery);
            at += 128;
        }

        foreach (var share in _shares)
        {
            if (montgomery)
            {
                PointEncoding.WriteLem(share.SpX, destination[at..]);
            }
            else
            {
                PointEncoding.WriteUncompressed(share.SpX, destination[at..]);
            }

            at += 128;
        }
    }

    private static void WriteG1(G1 p, Span<byte> destination, bool montgomery)
    {
        if (montgomery)
        {
            PointEncoding.WriteLem(p, destination);
        }
        else
        {
            PointEncoding.WriteUncompressed(p, destination);
        }
    }

    private readonly record struct Share(G1 S, G1 SX, G2 SpX);
}

/// <summary>A beacon: its name, the public hash its randomness comes from, and 2^IterationsExp SHA-256 rounds.</summary>
internal sealed record Beacon(string Name, byte[] Hash, int IterationsExp)
{
    public static Beacon FromHex(string name, string hashHex, int iterationsExp) => new(name, Convert.FromHexString(hashHex), iterationsExp);

    public ChaChaRng Rng() => ChaChaRng.FromBeacon(Hash, IterationsExp);

    /// <summary>
    /// A contribution's parameter list as snarkjs writes it (type-length-value, sorted by type): 1 the
    /// name (its first 64 UTF-16 units, UTF-8), 2 the iteration exponent and 3 the beacon hash.
    /// </summary>
    public static byte[] Parameters(string? name, Beacon? beacon)
    {
        var bytes = new List<byte>();
        if (!string.IsNullOrEmpty(name))
        {
            var utf8 = Encoding.UTF8.GetBytes(name.Length > 64 ? name[..64] : name);
            bytes.Add(1);
            bytes.Add((byte)utf8.Length);
            bytes.AddRange(utf8);
        }

        if (beacon is not null)
        {
            bytes.Add(2);
            bytes.Add((byte)beacon.IterationsExp);
            bytes.Add(3);
            bytes.Add((byte)beacon.Hash.Length);
            bytes.AddRange(beacon.Hash);
        }

        return [.. bytes];
    }
}
