using System.Buffers.Binary;
using Prover.Crypto.Bn254;
using Prover.Crypto.Field;

namespace Prover.Proving.Native.Setup;

/// <summary>
/// A phase 1 ceremony made only of beacons, written as snarkjs' <c>powersoftau new</c>, one
/// <c>powersoftau beacon</c> per beacon and <c>powersoftau prepare phase2</c> would write it, byte for
/// byte, but computed from the secrets: each beacon's τ, α, β come from its public hash, so every point
/// of every section is a known multiple of a generator.
/// </summary>
/// <remarks>
/// <para>
/// File (ptau version 1, 11 sections): 1 header (n8, q, power, ceremony power); 2 τ^i·G1, i &lt; 2^(power+1) − 1;
/// 3 τ^i·G2, i &lt; 2^power; 4 ατ^i·G1; 5 βτ^i·G1; 6 β·G2; 7 the contributions; 12–15 the Lagrange
/// forms of 2–5 for every domain 2^0 … 2^power (and 2^(power+1) for section 12).
/// </para>
/// <para>
/// A contribution's record holds hashes of the whole accumulator after it (see <see cref="Blake2b"/>):
/// the response hash runs over the challenge and every point compressed, then the public key; the next
/// challenge over the response hash and every point uncompressed. So every accumulator along the way
/// is computed, not only the last one.
/// </para>
/// </remarks>
internal static class PowersOfTau
{
    /// <summary>snarkjs 0.7 hashes a section's compressed points in calls of 2^20 bytes of Montgomery input: 16 384 G1 or 8 192 G2 points.</summary>
    private const int ResponseChunkG1 = (1 << 20) / PointEncoding.G1Size;

    private const int ResponseChunkG2 = (1 << 20) / PointEncoding.G2Size;

    /// <summary>The largest power handled: ffjavascript's FFTs (and so snarkjs' sections 12–15) stop at 2^28.</summary>
    public const int MaxPower = 27;

    /// <summary>The secrets after every beacon: the products of the beacons' τ, α, β.</summary>
    internal sealed record Totals(Fr Tau, Fr Alpha, Fr Beta);

    /// <summary>Writes the prepared ptau of a ceremony of beacons applied in order to <c>powersoftau new</c>; returns the total secrets.</summary>
    public static Totals WriteBeaconCeremony(int power, IReadOnlyList<Beacon> beacons, string path, GeneratorTables tables, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(power, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(power, MaxPower);
        if (beacons.Count == 0)
        {
            throw new ArgumentException("A ceremony needs at least one beacon.", nameof(beacons));
        }

        var challenge = FirstChallengeHash(power);
        var totals = new Totals(Fr.One, Fr.One, Fr.One);
        var records = new List<byte[]>();
        var scratch = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.uncompressed");
        using var file = new BinFileWriter(path, "ptau", 1, 11);
        WriteHeader(file, power);
        for (var b = 0; b < beacons.Count; b++)
        {
            var beacon = beacons[b];
            var key = PtauKey.Create(challenge, beacon.Rng());
            totals = new Totals(totals.Tau * key.Tau, totals.Alpha * key.Alpha, totals.Beta * key.Beta);
            var last = b == beacons.Count - 1;

            var response = new Blake2b();
            response.Update(challenge);
            byte[] next;
            using (var uncompressed = new FileStream(scratch, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20, FileOptions.DeleteOnClose))
            {
                Accumulator(power, totals, tables, response, uncompressed, last ? file : null, cancellationToken);
                var partial = response.PartialState();
                var publicKey = new byte[PtauKey.PublicKeySize];
                key.WritePublicKey(publicKey, montgomery: false);
                response.Update(publicKey);
                var nextHasher = new Blake2b();
                nextHasher.Update(response.Digest());
                uncompressed.Position = 0;
                var buffer = new byte[1 << 20];
                int read;
                while ((read = uncompressed.Read(buffer)) > 0)
                {
                    nextHasher.Update(buffer.AsSpan(0, read));
                }

                next = nextHasher.Digest();
                records.Add(Record(totals, key, partial, next, beacon, tables));
            }

            challenge = next;
        }

        var contributions = new List<byte>();
        contributions.AddRange(BitConverter.GetBytes((uint)records.Count));
        foreach (var record in records)
        {
            contributions.AddRange(record);
        }

        file.Section(7, [.. contributions]);
        WritePrepared(file, power, totals, tables, cancellationToken);
        return totals;
    }

    /// <summary>snarkjs' <c>calculateFirstChallengeHash</c>: blake2b of the empty hash, then every point of a new accumulator (all generators) uncompressed.</summary>
    public static byte[] FirstChallengeHash(int power)
    {
        var n = 1L << power;
        var hasher = new Blake2b();
        hasher.Update(new Blake2b().Digest());
        var g1 = PointEncoding.Uncompressed(Crypto.Bn254.G1.Generator);
        var g2 = PointEncoding.Uncompressed(Crypto.Bn254.G2.Generator);
        Repeat(hasher, g1, (2 * n) - 1);
        Repeat(hasher, g2, n);
        Repeat(hasher, g1, 2 * n);
        hasher.Update(g2);
        return hasher.Digest();
    }

    private static void Repeat(Blake2b hasher, byte[] point, long count)
    {
        // The digest does not depend on how the input is cut; batches only save calls.
        const int Batch = 4096;
        var block = new byte[point.Length * Batch];
        for (var i = 0; i < Batch; i++)
        {
            point.CopyTo(block, i * point.Length);
        }

        for (var done = 0L; done < count; done += Batch)
        {
            var k = (int)Math.Min(Batch, count - done);
            hasher.Update(block.AsSpan(0, k * point.Length));
        }
    }

    private static void WriteHeader(BinFileWriter file, int power)
    {
        var header = new byte[4 + 32 + 4 + 4];
        BinaryPrimitives.WriteInt32LittleEndian(header, 32);
        Fq.Modulus.TryWriteBytes(header.AsSpan(4, 32), out _, isUnsigned: true, isBigEndian: false);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(36), power);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(40), power);
        file.Section(1, header);
    }

    /// <summary>
    /// Sections 2–6 of the accumulator (τ, α, β): compressed into the response hash in snarkjs' calls,
    /// uncompressed into <paramref name="uncompressed"/> for the next challenge, and into the file when it is the last.
    /// </summary>
    private static void Accumulator(int power, Totals secrets, GeneratorTables tables, Blake2b response, Stream uncompressed, BinFileWriter? file, CancellationToken cancellationToken)
    {
        var n = 1L << power;
        G1Section(2, (2 * n) - 1, Fr.One, secrets.Tau);
        G2Section(3, n, Fr.One, secrets.Tau);
        G1Section(4, n, secrets.Alpha, secrets.Tau);
        G1Section(5, n, secrets.Beta, secrets.Tau);
        G2Section(6, 1, secrets.Beta, secrets.Tau);

        void G1Section(int type, long count, Fr first, Fr ratio)
        {
            file?.BeginSection(type, count * PointEncoding.G1Size);
            for (var start = 0L; start < count; start += GeneratorTables.Chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var points = tables.G1(GeneratorTables.Geometric(first, ratio, start, (int)Math.Min(GeneratorTables.Chunk, count - start)));
                var compressed = new byte[points.Length * PointEncoding.G1CompressedSize];
                var plain = new byte[points.Length * PointEncoding.G1Size];
                var lem = file is null ? null : new byte[points.Length * PointEncoding.G1Size];
                Parallel.For(0, points.Length, new ParallelOptions { MaxDegreeOfParallelism = tables.Parallelism }, i =>
                {
                    PointEncoding.WriteCompressed(points[i], compressed.AsSpan(i * PointEncoding.G1CompressedSize));
                    PointEncoding.WriteUncompressed(points[i], plain.AsSpan(i * PointEncoding.G1Size));
                    if (lem is not null)
                    {
                        PointEncoding.WriteLem(points[i], lem.AsSpan(i * PointEncoding.G1Size));
                    }
                });

                // Chunk starts are multiples of snarkjs' call size, so the calls line up with its calls.
                for (var at = 0; at < points.Length; at += ResponseChunkG1)
                {
                    var k = Math.Min(ResponseChunkG1, points.Length - at);
                    response.Update(compressed.AsSpan(at * PointEncoding.G1CompressedSize, k * PointEncoding.G1CompressedSize));
                }

                uncompressed.Write(plain);
                file?.Write(lem);
            }

            file?.EndSection();
        }

        void G2Section(int type, long count, Fr first, Fr ratio)
        {
            file?.BeginSection(type, count * PointEncoding.G2Size);
            for (var start = 0L; start < count; start += GeneratorTables.Chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var points = tables.G2(GeneratorTables.Geometric(first, ratio, start, (int)Math.Min(GeneratorTables.Chunk, count - start)));
                var compressed = new byte[points.Length * PointEncoding.G2CompressedSize];
                var plain = new byte[points.Length * PointEncoding.G2Size];
                var lem = file is null ? null : new byte[points.Length * PointEncoding.G2Size];
                Parallel.For(0, points.Length, new ParallelOptions { MaxDegreeOfParallelism = tables.Parallelism }, i =>
                {
                    PointEncoding.WriteCompressed(points[i], compressed.AsSpan(i * PointEncoding.G2CompressedSize));
                    PointEncoding.WriteUncompressed(points[i], plain.AsSpan(i * PointEncoding.G2Size));
                    if (lem is not null)
                    {
                        PointEncoding.WriteLem(points[i], lem.AsSpan(i * PointEncoding.G2Size));
                    }
                });

                for (var at = 0; at < points.Length; at += ResponseChunkG2)
                {
                    var k = Math.Min(ResponseChunkG2, points.Length - at);
                    response.Update(compressed.AsSpan(at * PointEncoding.G2CompressedSize, k * PointEncoding.G2CompressedSize));
                }

                uncompressed.Write(plain);
                file?.Write(lem);
            }

            file?.EndSection();
        }
    }

    /// <summary>
    /// One contribution as snarkjs' <c>writeContribution</c> stores it: the accumulator's τ·G1, τ·G2,
    /// α·G1, β·G1, β·G2 after it, the public key (LEM), the partial response hash, the next challenge,
    /// the type (1, a beacon) and the parameters.
    /// </summary>
    private static byte[] Record(Totals after, PtauKey key, byte[] partialHash, byte[] nextChallenge, Beacon beacon, GeneratorTables tables)
    {
        var parameters = Beacon.Parameters(beacon.Name, beacon);
        var record = new byte[(3 * 64) + (2 * 128) + PtauKey.PublicKeySize + Blake2b.PartialStateLength + 64 + 8 + parameters.Length];
        var span = record.AsSpan();
        PointEncoding.WriteLem(tables.G1(after.Tau), span);
        PointEncoding.WriteLem(tables.G2(after.Tau), span[64..]);
        PointEncoding.WriteLem(tables.G1(after.Alpha), span[192..]);
        PointEncoding.WriteLem(tables.G1(after.Beta), span[256..]);
        PointEncoding.WriteLem(tables.G2(after.Beta), span[320..]);
        var at = 448;
        key.WritePublicKey(span[at..], montgomery: true);
        at += PtauKey.PublicKeySize;
        partialHash.CopyTo(span[at..]);
        at += Blake2b.PartialStateLength;
        nextChallenge.CopyTo(span[at..]);
        at += 64;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 4)..], (uint)parameters.Length);
        parameters.CopyTo(span[(at + 8)..]);
        return record;
    }

    /// <summary>Sections 12–15: for each domain 2^p, the Lagrange basis at τ times G1, G2, α·G1 and β·G1.</summary>
    private static void WritePrepared(BinFileWriter file, int power, Totals secrets, GeneratorTables tables, CancellationToken cancellationToken)
    {
        file.BeginSection(12, ((1L << (power + 2)) - 1) * PointEncoding.G1Size);
        for (var p = 0; p <= power + 1; p++)
        {
            WriteG1(file, Lagrange.Evaluate(secrets.Tau, p, withoutTopPower: p == power + 1), tables, cancellationToken);
        }

        file.EndSection();

        file.BeginSection(13, ((1L << (power + 1)) - 1) * PointEncoding.G2Size);
        for (var p = 0; p <= power; p++)
        {
            WriteG2(file, Lagrange.Evaluate(secrets.Tau, p), tables, cancellationToken);
        }

        file.EndSection();

        foreach (var (type, factor) in new[] { (14, secrets.Alpha), (15, secrets.Beta) })
        {
            file.BeginSection(type, ((1L << (power + 1)) - 1) * PointEncoding.G1Size);
            for (var p = 0; p <= power; p++)
            {
                var lagrange = Lagrange.Evaluate(secrets.Tau, p);
                WriteG1(file, GeneratorTables.Scaled(lagrange, factor), tables, cancellationToken);
            }

            file.EndSection();
        }
    }

    /// <summary>scalars[i]·G1 for every i, LEM, in chunks.</summary>
    internal static void WriteG1(BinFileWriter file, Fr[] scalars, GeneratorTables tables, CancellationToken cancellationToken)
    {
        for (var start = 0; start < scalars.Length; start += GeneratorTables.Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var points = tables.G1(scalars.AsMemory(start, Math.Min(GeneratorTables.Chunk, scalars.Length - start)));
            var lem = new byte[points.Length * PointEncoding.G1Size];
            for (var i = 0; i < points.Length; i++)
            {
                PointEncoding.WriteLem(points[i], lem.AsSpan(i * PointEncoding.G1Size));
            }

            file.Write(lem);
        }
    }

    /// <summary>scalars[i]·G2 for every i, LEM, in chunks.</summary>
    internal static void WriteG2(BinFileWriter file, Fr[] scalars, GeneratorTables tables, CancellationToken cancellationToken)
    {
        for (var start = 0; start < scalars.Length; start += GeneratorTables.Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var points = tables.G2(scalars.AsMemory(start, Math.Min(GeneratorTables.Chunk, scalars.Length - start)));
            var lem = new byte[points.Length * PointEncoding.G2Size];
            for (var i = 0; i < points.Length; i++)
            {
                PointEncoding.WriteLem(points[i], lem.AsSpan(i * PointEncoding.G2Size));
            }

            file.Write(lem);
        }
    }
}
