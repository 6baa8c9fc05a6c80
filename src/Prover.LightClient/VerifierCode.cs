using System.Numerics;
using Prover.Core.Ethereum;
using Prover.LightClient.Groth16;

namespace Prover.LightClient;

/// <summary>Finds a verification key's coordinates in a verifier's runtime bytecode.</summary>
internal static class VerifierCode
{
    public static List<Mismatch> MissingConstants(ReadOnlySpan<byte> code, VerificationKey key, EthAddress verifier)
    {
        var missing = new List<Mismatch>();
        if (code.Length == 0)
        {
            missing.Add(new Mismatch(null, "verifier", $"contract code at {verifier}", "no code"));
            return missing;
        }

        foreach (var (name, value) in key.Constants())
        {
            if (!Contains(code, value))
            {
                missing.Add(new Mismatch(null, $"verification key {name}", $"{value} embedded in the verifier's code at {verifier}", "not in the code: the chain verifies with another key"));
            }
        }

        return missing;
    }

    /// <summary>Whether the code pushes <paramref name="value"/>: PUSHn followed by its n significant bytes (solc pushes constants in their shortest form), or a full 32-byte push.</summary>
    internal static bool Contains(ReadOnlySpan<byte> code, BigInteger value)
    {
        var bytes = value.IsZero ? [0] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        Span<byte> pattern = stackalloc byte[33];
        pattern[0] = (byte)(0x5F + bytes.Length);
        bytes.CopyTo(pattern[1..]);
        if (code.IndexOf(pattern[..(bytes.Length + 1)]) >= 0)
        {
            return true;
        }

        pattern.Clear();
        pattern[0] = 0x7F;
        bytes.CopyTo(pattern[(33 - bytes.Length)..]);
        return code.IndexOf(pattern) >= 0;
    }
}
