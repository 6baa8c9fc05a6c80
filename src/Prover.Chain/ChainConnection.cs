using System.Globalization;
using System.Numerics;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using Prover.Core.Ethereum;

namespace Prover.Chain;

/// <summary>
/// An account on a chain: the RPC endpoint, the signing key and the chain id the endpoint reported.
/// Sends transactions one at a time with nonces it tracks itself, and waits for their receipts.
/// </summary>
/// <remarks>
/// The key is held only by Nethereum's signer: it is not a property here, and neither <see cref="ToString"/>
/// nor any exception message includes it.
/// </remarks>
public sealed class ChainConnection
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private BigInteger? _nextNonce;

    private ChainConnection(Uri endpoint, Web3 web3, EthAddress account, ulong chainId)
    {
        Endpoint = endpoint;
        Web3 = web3;
        Account = account;
        ChainId = chainId;
    }

    public Uri Endpoint { get; }

    /// <summary>
    /// The endpoint as messages and logs show it: scheme, host and port only. Hosted nodes put API keys
    /// in the path or the user info (<c>https://…/v2/KEY</c>), and messages end up in job storage and logs.
    /// </summary>
    public string EndpointForDisplay => ForDisplay(Endpoint);

    /// <summary>The sending account.</summary>
    public EthAddress Account { get; }

    /// <summary>The chain id the endpoint reported; every transaction is signed for it (EIP-155).</summary>
    public ulong ChainId { get; }

    /// <summary>How long to wait for a transaction's receipt before giving up.</summary>
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromMinutes(2);

    internal Web3 Web3 { get; }

    /// <summary>Connects to <paramref name="endpoint"/> as the account of <paramref name="privateKey"/> (hex, with or without 0x).</summary>
    /// <exception cref="ChainConfigurationException">The key is not 32 bytes of hex.</exception>
    /// <exception cref="ChainUnavailableException">The endpoint does not answer <c>eth_chainId</c>.</exception>
    public static async Task<ChainConnection> ConnectAsync(Uri endpoint, string privateKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var key = (privateKey ?? "").Trim();
        if (key.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            key = key[2..];
        }

        if (key.Length != 64 || !key.All(Uri.IsHexDigit))
        {
            throw new ChainConfigurationException("private key", "not 32 bytes of hex (64 hex digits, optionally after 0x).");
        }

        var probe = new Web3(endpoint.ToString());
        ulong chainId;
        try
        {
            var id = await probe.Eth.ChainId.SendRequestAsync().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            chainId = (ulong)id.Value;
        }
        catch (Exception e) when (e is RpcClientUnknownException or RpcResponseException or HttpRequestException or TimeoutException)
        {
            throw new ChainUnavailableException(ForDisplay(endpoint), $"no answer to eth_chainId ({e.Message}). Is the node running, and is the URL right?", e);
        }

        var account = new Account(key, chainId);
        var web3 = new Web3(account, endpoint.ToString());
        web3.TransactionManager.UseLegacyAsDefault = false;
        return new ChainConnection(endpoint, web3, EthAddress.Parse(account.Address), chainId);
    }

    public override string ToString() => $"{Account} on chain {ChainId} at {EndpointForDisplay}";

    /// <summary>See <see cref="EndpointForDisplay"/>.</summary>
    public static string ForDisplay(Uri endpoint) =>
        endpoint.IsAbsoluteUri ? $"{endpoint.Scheme}://{endpoint.Host}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}" : "(a relative URL)";

    /// <summary>
    /// Sends one transaction built by <paramref name="send"/> for the nonce it is given and waits for its
    /// receipt. Nonces are assigned here in order; after a send the node refused, the next one is read
    /// from the chain again, so a gap never stalls later transactions.
    /// </summary>
    /// <exception cref="TransactionRevertedException">The transaction was mined with status 0.</exception>
    internal async Task<TransactionReceipt> SendAsync(string what, ulong gasLimit, Func<HexBigInteger, Task<string>> send, CancellationToken cancellationToken)
    {
        string hash;
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _nextNonce ??= (await Rpc(() => Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(Account.ToString(), BlockParameter.CreatePending())).ConfigureAwait(false)).Value;
            try
            {
                hash = await send(new HexBigInteger(_nextNonce.Value)).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcResponseException or RpcClientUnknownException or HttpRequestException)
            {
                _nextNonce = null;
                throw new ChainUnavailableException(EndpointForDisplay, $"the node refused {what}: {e.Message}", e);
            }
            catch
            {
                _nextNonce = null;
                throw;
            }

            _nextNonce++;
        }
        finally
        {
            _sending.Release();
        }

        var receipt = await WaitForReceiptAsync(hash, cancellationToken).ConfigureAwait(false);
        if (receipt.Status?.Value != 1)
        {
            throw new TransactionRevertedException(what, hash, gasLimit, (ulong)receipt.GasUsed.Value);
        }

        return receipt;
    }

    /// <summary>
    /// Reads the next nonce from the chain again before the next send: after the chain was rewound (anvil's
    /// evm_revert), or when another process may have sent from this account since (a submitter that
    /// takes over from another worker).
    /// </summary>
    public async Task ResynchronizeNonceAsync(CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        _nextNonce = null;
        _sending.Release();
    }

    internal async Task<TransactionReceipt> WaitForReceiptAsync(string hash, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReceiptTimeout;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var receipt = await Rpc(() => Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash)).ConfigureAwait(false);
            if (receipt is not null)
            {
                return receipt;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ChainUnavailableException(EndpointForDisplay, $"transaction {hash} has no receipt after {ReceiptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; it may still be mined (check the node, or raise ReceiptTimeout).");
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    /// <summary>Runs an RPC call, turning transport and node errors into <see cref="ChainUnavailableException"/>.</summary>
    internal async Task<T> Rpc<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcClientUnknownException or HttpRequestException or RpcClientTimeoutException)
        {
            throw new ChainUnavailableException(EndpointForDisplay, $"RPC call failed: {e.Message}", e);
        }
    }
}
