using System.Buffers.Binary;

namespace Prover.Proving.Snarkjs;

/// <summary>
/// The header of a snarkjs powers-of-tau file (iden3 binfile: magic <c>ptau</c>, version, section table;
/// section 1 holds the field size, the prime, the power and the ceremony power; section 12 exists only
/// once the file is prepared for phase 2). Read directly because it is a few bytes, where
/// <c>snarkjs powersoftau verify</c> would re-check the whole ceremony.
/// </summary>
internal sealed record PtauHeader(int Power, bool PreparedForPhase2)
{
    private const int HeaderSection = 1;
    private const int LagrangeSection = 12;

    public static PtauHeader Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
            Span<byte> head = stackalloc byte[12];
            stream.ReadExactly(head);
            if (!head[..4].SequenceEqual("ptau"u8))
            {
                throw new CeremonyFileException(path, "not a powers-of-tau file (it does not start with 'ptau').");
            }

            uint sections = BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
            int? power = null;
            bool prepared = false;
            Span<byte> entry = stackalloc byte[12];
            Span<byte> word = stackalloc byte[4];
            for (uint i = 0; i < sections; i++)
            {
                stream.ReadExactly(entry);
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(entry);
                long size = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(entry[4..]));
                long next = stream.Position + size;
                if (type == HeaderSection)
                {
                    // n8 (the field element size), the prime in n8 bytes, then the power.
                    stream.ReadExactly(word);
                    stream.Seek(BinaryPrimitives.ReadUInt32LittleEndian(word), SeekOrigin.Current);
                    stream.ReadExactly(word);
                    power = (int)BinaryPrimitives.ReadUInt32LittleEndian(word);
                }
                else if (type == LagrangeSection)
                {
                    prepared = true;
                }

                stream.Seek(next, SeekOrigin.Begin);
            }

            return power is { } p
                ? new PtauHeader(p, prepared)
                : throw new CeremonyFileException(path, "the powers-of-tau file has no header section.");
        }
        catch (Exception ex) when (ex is EndOfStreamException or OverflowException)
        {
            throw new CeremonyFileException(path, "the powers-of-tau file is truncated or damaged.");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CeremonyFileException(path, "the powers-of-tau file does not exist: pass an existing file with --ptau.");
        }
    }
}
