using System.Numerics;
using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Util;

namespace Prover.Cli.Tests;

/// <summary>EIP-1559 transactions for chain 31337 signed by Nethereum with a fixed key.</summary>
internal static class Transactions
{
    public const string SenderKey = "0x0101010101010101010101010101010101010101010101010101010101010101";

    public static string Sign(ulong nonce, ulong priorityFee = 1_000_000_000)
    {
        var tx = new Transaction1559(31337, nonce, priorityFee, new BigInteger(30_000_000_000), 21_000, "0x3535353535353535353535353535353535353535", 1, "", []);
        var signed = new Transaction1559Signer().SignTransaction(new EthECKey(SenderKey), tx);
        return signed.StartsWith("0x", StringComparison.Ordinal) ? signed : "0x" + signed;
    }

    public static string HashOf(string raw) => "0x" + Sha3Keccack.Current.CalculateHashFromHex(raw);
}
