using System.Numerics;
using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Web3;
using Prover.Core.Ethereum;

namespace Prover.Cli.Demo;

/// <summary>
/// The demo's users: anvil's development accounts 1–5 sending EIP-1559 transfers with priority fees
/// spread over two orders of magnitude, account 1 being the Timeboost express-lane controller. They
/// submit through Nethereum's own JSON-RPC client, as any wallet would.
/// </summary>
internal sealed class DemoLoad
{
    // anvil's public development accounts 1-5 (0 is the sequencer).
    private static readonly string[] Keys = [.. Prover.Chain.AnvilNode.DevelopmentKeys.Skip(1).Take(5)];

    private readonly Random _random;
    private readonly ulong[] _nonces = new ulong[Keys.Length];
    private readonly EthECKey[] _keys = [.. Keys.Select(k => new EthECKey(k))];

    public DemoLoad(int seed) => _random = new Random(seed);

    /// <summary>The express-lane controller of the timeboost policy: the first sender.</summary>
    public static EthAddress ExpressLaneController { get; } = EthAddress.Parse(new EthECKey(Keys[0]).GetPublicAddress());

    /// <summary>
    /// Sends <paramref name="count"/> transactions to the sequencer at <paramref name="sequencer"/>, in small
    /// bursts a few ms apart, and returns each transaction's hash with the time it was sent (Unix ms).
    /// </summary>
    public async Task<List<(string Hash, long SentMs)>> SendAsync(Uri sequencer, ulong chainId, int count, CancellationToken cancellationToken)
    {
        var web3 = new Web3(sequencer.ToString());
        var sent = new List<(string, long)>(count);
        for (var i = 0; i < count; i++)
        {
            var sender = _random.Next(_keys.Length);
            // Fees from 0.1 to 50 gwei; the express-lane controller bids low: its edge is time, not money.
            var fee = sender == 0 ? 100_000_000UL : (ulong)(_random.Next(1, 500) * 100_000_000L);
            var tx = new Transaction1559(chainId, _nonces[sender]++, fee, new BigInteger(60_000_000_000), 21_000, "0x000000000000000000000000000000000000dEaD", 1_000 + i, "", []);
            var raw = new Transaction1559Signer().SignTransaction(_keys[sender], tx);
            var hash = await web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(raw.StartsWith("0x", StringComparison.Ordinal) ? raw : "0x" + raw).WaitAsync(cancellationToken);
            sent.Add((hash, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            if (_random.Next(4) == 0)
            {
                await Task.Delay(_random.Next(5, 60), cancellationToken);
            }
        }

        return sent;
    }
}
