using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native.Setup;

/// <summary>The part of a constraint system a Groth16 key is shaped by, with snarkjs' choice of domain.</summary>
internal sealed class CircuitShape
{
    public CircuitShape(R1cs r1cs)
    {
        R1cs = r1cs;
        Public = r1cs.PublicOutputs + r1cs.PublicInputs;

        // zkey_new.js: log2(constraints + public) + 1, log2 rounding down: one spare row at least, for
        // the constraints snarkjs adds to bind each public signal (and the constant) to A.
        Power = BitOperations.Log2((uint)Math.Max(1, r1cs.Constraints + Public)) + 1;
        DomainSize = 1 << Power;
    }

    public R1cs R1cs { get; }

    public int Wires => R1cs.Wires;

    /// <summary>Public signals, outputs then inputs (wires 1 … Public).</summary>
    public int Public { get; }

    public int Constraints => R1cs.Constraints;

    public int Power { get; }

    public int DomainSize { get; }

    /// <summary>
    /// The points snarkjs hashes for H into the circuit hash: D − 1 of them, but in calls of 2^14 points
    /// whose last one runs past the end when D > 2^14 (zkey_new.js, <c>hashHPoints</c>), so one more.
    /// </summary>
    public int HashedHPoints => DomainSize <= 1 << 14 ? DomainSize - 1 : DomainSize;

    /// <summary>
    /// Section 4: each A and B term of each constraint, then an A term of 1 binding each public signal
    /// and the constant to its own row after the constraints. A value is stored as v·2^512 mod r.
    /// </summary>
    public byte[] CoefficientSection()
    {
        var r2 = Fr.FromBigInteger(BigInteger.ModPow(2, 512, Fr.Modulus));
        var entries = new List<(int Matrix, int Row, int Wire, Fr Value)>();
        for (var c = 0; c < Constraints; c++)
        {
            for (var m = 0; m < 2; m++)
            {
                var wires = R1cs.TermWires(c, m);
                var values = R1cs.TermCoefficients(c, m);
                for (var t = 0; t < wires.Length; t++)
                {
                    entries.Add((m, c, wires[t], values[t]));
                }
            }
        }

        for (var s = 0; s <= Public; s++)
        {
            entries.Add((0, Constraints + s, s, Fr.One));
        }

        var section = new byte[4 + (entries.Count * 44)];
        BinaryPrimitives.WriteInt32LittleEndian(section, entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = section.AsSpan(4 + (i * 44), 44);
            BinaryPrimitives.WriteInt32LittleEndian(entry, entries[i].Matrix);
            BinaryPrimitives.WriteInt32LittleEndian(entry[4..], entries[i].Row);
            BinaryPrimitives.WriteInt32LittleEndian(entry[8..], entries[i].Wire);
            (entries[i].Value * r2).WriteLittleEndian(entry[12..]);
        }

        return section;
    }
}

/// <summary>
/// What snarkjs' <c>zkey new</c> hashes into the circuit hash and what a phase 2 contribution needs:
/// the key's points before any δ, in the order of the hash.
/// </summary>
internal sealed class InitialKey
{
    public required G1 Alpha1 { get; init; }

    public required G1 Beta1 { get; init; }

    public required G2 Beta2 { get; init; }

    public required G1[] IC { get; init; }

    /// <summary>τ^(i+D)·G1 − τ^i·G1 for each point <see cref="CircuitShape.HashedHPoints"/> counts.</summary>
    public required G1[] HashedH { get; init; }

    /// <summary>C before division by δ, one per private wire.</summary>
    public required G1[] C { get; init; }

    public required G1[] A { get; init; }

    public required G1[] B1 { get; init; }

    public required G2[] B2 { get; init; }

    /// <summary>
    /// zkey_new.js' circuit hash: α1, β1, β2, then γ2 = G2, δ1 = G1, δ2 = G2 of the new key, then IC,
    /// the H differences, C, A, B1, B2, each led by its count (big-endian u32; D − 1 for H), all uncompressed.
    /// </summary>
    public byte[] CircuitHash(CircuitShape shape)
    {
        var hasher = new Blake2b();
        hasher.Update(PointEncoding.Uncompressed(Alpha1));
        hasher.Update(PointEncoding.Uncompressed(Beta1));
        hasher.Update(PointEncoding.Uncompressed(Beta2));
        hasher.Update(PointEncoding.Uncompressed(G2.Generator));
        hasher.Update(PointEncoding.Uncompressed(G1.Generator));
        hasher.Update(PointEncoding.Uncompressed(G2.Generator));
        HashG1s(hasher, IC.Length, IC);
        HashG1s(hasher, shape.DomainSize - 1, HashedH);
        HashG1s(hasher, C.Length, C);
        HashG1s(hasher, A.Length, A);
        HashG1s(hasher, B1.Length, B1);
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(count, B2.Length);
        hasher.Update(count);
        var bytes = new byte[B2.Length * PointEncoding.G2Size];
        for (var i = 0; i < B2.Length; i++)
        {
            PointEncoding.WriteUncompressed(B2[i], bytes.AsSpan(i * PointEncoding.G2Size));
        }

        hasher.Update(bytes);
        return hasher.Digest();
    }

    private static void HashG1s(Blake2b hasher, int declared, G1[] points)
    {
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(count, declared);
        hasher.Update(count);
        var bytes = new byte[points.Length * PointEncoding.G1Size];
        for (var i = 0; i < points.Length; i++)
        {
            PointEncoding.WriteUncompressed(points[i], bytes.AsSpan(i * PointEncoding.G1Size));
        }

        hasher.Update(bytes);
    }
}

/// <summary>
/// One phase 2 contribution (snarkjs' <c>zkey beacon</c> or <c>zkey contribute</c>): a secret δ, its proof
/// of knowledge bound to the transcript, and the record section 10 keeps.
/// </summary>
internal sealed class Phase2Contribution
{
    private Phase2Contribution(Fr delta, byte[] record)
    {
        Delta = delta;
        Record = record;
    }

    public Fr Delta { get; }

    /// <summary>The record as <c>writeContribution</c> writes it.</summary>
    public byte[] Record { get; }

    /// <summary>The first contribution after <c>zkey new</c>, with randomness from <paramref name="beacon"/> (type 1), as <c>zkey beacon</c> makes it.</summary>
    public static Phase2Contribution FromBeacon(byte[] circuitHash, Beacon beacon) =>
        Create(circuitHash, beacon.Rng(), beacon.Name, beacon);

    /// <summary>
    /// The first contribution after <c>zkey new</c> from fresh system randomness (type 0), as <c>zkey contribute</c>
    /// makes it; the secret lives only in this object.
    /// </summary>
    public static Phase2Contribution FromSystemRandomness(byte[] circuitHash, string name) =>
        Create(circuitHash, ChaChaRng.FromHash(RandomNumberGenerator.GetBytes(32)), name, beacon: null);

    private static Phase2Contribution Create(byte[] circuitHash, ChaChaRng rng, string name, Beacon? beacon)
    {
        var delta = SnarkjsRandom.NextFr(rng);
        var x = delta.ToBigInteger();
        var s = SnarkjsRandom.NextG1(rng);
        var sx = s.Multiply(x);
        var transcriptHasher = new Blake2b();
        transcriptHasher.Update(circuitHash);
        transcriptHasher.Update(PointEncoding.Uncompressed(s));
        transcriptHasher.Update(PointEncoding.Uncompressed(sx));
        var transcript = transcriptHasher.Digest();
        var spx = SnarkjsRandom.HashToG2(transcript).Multiply(x);

        var parameters = Beacon.Parameters(name, beacon);
        var record = new byte[(3 * 64) + 128 + 64 + 8 + parameters.Length];
        var span = record.AsSpan();
        PointEncoding.WriteLem(G1.Generator.Multiply(x), span);
        PointEncoding.WriteLem(s, span[64..]);
        PointEncoding.WriteLem(sx, span[128..]);
        PointEncoding.WriteLem(spx, span[192..]);
        transcript.CopyTo(span[320..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[384..], beacon is null ? 0u : 1u);
        BinaryPrimitives.WriteUInt32LittleEndian(span[388..], (uint)parameters.Length);
        parameters.CopyTo(span[392..]);
        return new Phase2Contribution(delta, record);
    }
}

/// <summary>Writes a Groth16 .zkey with one phase 2 contribution, section by section as <c>zkey beacon</c> writes it (see <see cref="ProvingKey"/> for the layout).</summary>
internal static class ZkeyWriter
{
    public static void Write(
        string path,
        CircuitShape shape,
        InitialKey key,
        byte[] circuitHash,
        Phase2Contribution contribution,
        G1[] cOverDelta,
        G1[] hOverDelta)
    {
        using var file = new BinFileWriter(path, "zkey", 1, 10);
        var protocol = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(protocol, 1);
        file.Section(1, protocol);

        var header = new byte[4 + 32 + 4 + 32 + 12 + (3 * 64) + (3 * 128)];
        var h = header.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(h, 32);
        Fq.Modulus.TryWriteBytes(h.Slice(4, 32), out _, isUnsigned: true);
        BinaryPrimitives.WriteInt32LittleEndian(h[36..], 32);
        Fr.Modulus.TryWriteBytes(h.Slice(40, 32), out _, isUnsigned: true);
        BinaryPrimitives.WriteInt32LittleEndian(h[72..], shape.Wires);
        BinaryPrimitives.WriteInt32LittleEndian(h[76..], shape.Public);
        BinaryPrimitives.WriteInt32LittleEndian(h[80..], shape.DomainSize);
        var delta = contribution.Delta.ToBigInteger();
        PointEncoding.WriteLem(key.Alpha1, h[84..]);
        PointEncoding.WriteLem(key.Beta1, h[148..]);
        PointEncoding.WriteLem(key.Beta2, h[212..]);
        PointEncoding.WriteLem(G2.Generator, h[340..]);
        PointEncoding.WriteLem(G1.Generator.Multiply(delta), h[468..]);
        PointEncoding.WriteLem(G2.Generator.Multiply(delta), h[532..]);
        file.Section(2, header);

        file.Section(3, Lem(key.IC));
        file.Section(4, shape.CoefficientSection());
        file.Section(5, Lem(key.A));
        file.Section(6, Lem(key.B1));
        file.Section(7, Lem(key.B2));
        file.Section(8, Lem(cOverDelta));
        file.Section(9, Lem(hOverDelta));

        var mpc = new byte[64 + 4 + contribution.Record.Length];
        circuitHash.CopyTo(mpc, 0);
        BinaryPrimitives.WriteInt32LittleEndian(mpc.AsSpan(64), 1);
        contribution.Record.CopyTo(mpc, 68);
        file.Section(10, mpc);
    }

    private static byte[] Lem(G1[] points)
    {
        var bytes = new byte[points.Length * PointEncoding.G1Size];
        for (var i = 0; i < points.Length; i++)
        {
            PointEncoding.WriteLem(points[i], bytes.AsSpan(i * PointEncoding.G1Size));
        }

        return bytes;
    }

    private static byte[] Lem(G2[] points)
    {
        var bytes = new byte[points.Length * PointEncoding.G2Size];
        for (var i = 0; i < points.Length; i++)
        {
            PointEncoding.WriteLem(points[i], bytes.AsSpan(i * PointEncoding.G2Size));
        }

        return bytes;
    }
}
