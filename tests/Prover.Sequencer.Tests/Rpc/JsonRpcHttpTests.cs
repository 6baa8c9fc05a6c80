using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Nethereum.JsonRpc.Client;
using Nethereum.Util;
using Nethereum.Web3;
using Prover.Core.Batches;
using Prover.Core.Receipts;
using static Prover.Sequencer.Tests.TestTransactions;

namespace Prover.Sequencer.Tests.Rpc;

/// <summary>
/// The sequencer over HTTP on loopback, driven by Nethereum as a real client and by raw JSON-RPC for
/// everything a client library would never send. Every refusal is checked for its code, its message,
/// that nothing reached the log, and that the service still answers.
/// </summary>
public sealed class JsonRpcHttpTests : IAsyncLifetime
{
    private const int MaxRequestBytes = 4096;
    private const int MaxResponseBytes = 2048;
    private readonly TempDirectory _dir = new();
    private SequencerHost _host = null!;
    private RpcClient _rpc = null!;

    public async Task InitializeAsync()
    {
        _host = await SequencerHost.StartAsync(
            new SequencerOptions
            {
                DataDirectory = _dir.Path,
                SequencerKey = SequencerKey,
                ChainId = ChainId,
                Inbox = Inbox,
                BatchCapacity = 3,
                BatchMaxAge = SequencerOptions.MaxBatchAge,
                MaxRequestBytes = MaxRequestBytes,
                MaxResponseBytes = MaxResponseBytes,
            },
            port: 0,
            // A test clock that never moves: batches close only by capacity, however slowly a busy
            // machine runs the requests.
            time: new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000)));
        _rpc = new RpcClient(_host.Url);
    }

    public async Task DisposeAsync()
    {
        _rpc.Dispose();
        await _host.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Nethereum_signed_legacy_2930_and_1559_transactions_get_their_hash_and_a_verifiable_receipt()
    {
        var web3 = new Web3(_host.Url.ToString());
        string[] raws = [SignLegacy(0), Sign2930(1), Sign1559(2)];

        for (var i = 0; i < raws.Length; i++)
        {
            var hash = await web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(raws[i]);
            Assert.Equal("0x" + Sha3Keccack.Current.CalculateHashFromHex(raws[i]), hash);

            var json = await _rpc.ResultAsync("prover_getReceipt", hash);
            var receipt = ReceiptJson.Parse(json.GetRawText());
            Assert.Equal(hash, receipt.TxHash.ToString());
            Assert.Equal((ulong)i, receipt.Seq);
            var verification = ReceiptVerifier.Verify(receipt, _host.Node.SequencerAddress, ChainId, Inbox);
            Assert.True(verification.IsValid, verification.Message);
            Assert.Equal(AddressOf(SequencerKey), _host.Node.SequencerAddress.ToString(), ignoreCase: true);
        }

        Assert.Equal(3UL, await _rpc.NextSeqAsync());
    }

    [Fact]
    public async Task Chain_id_and_network_version_answer_as_a_node_would()
    {
        var web3 = new Web3(_host.Url.ToString());
        Assert.Equal(new BigInteger(ChainId), (await web3.Eth.ChainId.SendRequestAsync()).Value);
        Assert.Equal("31337", (await _rpc.ResultAsync("net_version")).GetString());
        Assert.Equal("0x7a69", (await _rpc.ResultAsync("eth_chainId")).GetString());
    }

    [Fact]
    public async Task A_refusal_reaches_a_Nethereum_client_as_an_rpc_error()
    {
        var web3 = new Web3(_host.Url.ToString());
        var e = await Assert.ThrowsAsync<RpcResponseException>(() => web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(Sign1559(0, chainId: 1)));
        Assert.Equal(-32000, e.RpcError.Code);
        Assert.Contains("this sequencer accepts chain id 31337", e.RpcError.Message, StringComparison.Ordinal);
        Assert.Equal(0UL, await _rpc.NextSeqAsync());
    }

    [Fact]
    public async Task Get_batch_returns_the_stored_witness_and_null_for_a_batch_not_cut_yet()
    {
        foreach (var n in new ulong[] { 0, 1, 2 })
        {
            await _rpc.ResultAsync("eth_sendRawTransaction", Sign1559(n));
        }

        await Eventually.Until(() => _host.Node.LastBatchIndex == 0, "batch 0");
        var json = await _rpc.ResultAsync("prover_getBatch", 0);
        var witness = OrderingWitness.FromJson(json.GetRawText());
        Assert.Null(witness.Validate());
        Assert.Equal(3, witness.Count);
        Assert.Equal(_host.Node.GetBatch(0)!.ToJson(), witness.ToJson());
        Assert.Equal(new[] { Sign1559(0), Sign1559(1), Sign1559(2) }.Select(HexOfHash), witness.OrderedTxHashes.Select(h => h.ToString()));

        // A hex quantity works too; a batch that does not exist yet is null, not an error.
        Assert.Equal(witness.ToJson(), OrderingWitness.FromJson((await _rpc.ResultAsync("prover_getBatch", "0x0")).GetRawText()).ToJson());
        Assert.Equal(JsonValueKind.Null, (await _rpc.ResultAsync("prover_getBatch", 1)).ValueKind);
        RpcClient.AssertError(await _rpc.CallAsync("prover_getBatch", -1), -32602, "non-negative integer");
    }

    [Fact]
    public async Task Get_receipt_is_null_for_an_unknown_hash_and_an_error_for_a_malformed_one()
    {
        Assert.Equal(JsonValueKind.Null, (await _rpc.ResultAsync("prover_getReceipt", "0x" + new string('a', 64))).ValueKind);
        RpcClient.AssertError(await _rpc.CallAsync("prover_getReceipt", "0x1234"), -32602, "is not a transaction hash");
    }

    [Fact]
    public async Task Status_reports_the_rollup_the_sequencer_and_the_log_position()
    {
        await _rpc.ResultAsync("eth_sendRawTransaction", Sign1559(0));
        var status = await _rpc.ResultAsync("prover_status");
        Assert.Equal("31337", status.GetProperty("chainId").GetString());
        Assert.Equal(Inbox.ToString(), status.GetProperty("inbox").GetString());
        Assert.Equal(_host.Node.SequencerAddress.ToString(), status.GetProperty("sequencer").GetString());
        Assert.Equal("1", status.GetProperty("nextSeq").GetString());
        Assert.Equal(_host.Node.Head.ToString(), status.GetProperty("head").GetString());
        Assert.Equal(-1, status.GetProperty("lastBatch").GetInt64());
        Assert.Equal("fcfs", status.GetProperty("policy").GetString());
    }

    public static TheoryData<string> BadRequests =>
    [
        "malformed hex", "odd-length hex", "bad RLP", "bad signature", "wrong chain id", "duplicate hash",
        "fee over 64 bits", "nonce over 64 bits", "legacy without chain id", "missing parameter",
        "params not an array", "oversized body", "oversized chunked body", "unknown method", "malformed JSON",
        "wrong jsonrpc version", "request not an object", "method not a string", "id an object", "empty batch",
        "method not text", "id not text", "transaction not text", "receipt hash not text", "batch index not text",
        "batch too large",
    ];

    [Fact]
    public async Task A_transaction_argument_written_with_json_escapes_is_the_same_transaction()
    {
        // The endpoint decodes the argument's hex from the request's UTF-8 bytes; JSON escapes in it
        // (legal, if unusual) take the string route and must mean exactly the same transaction.
        var raw = Sign1559(0);
        var escaped = "\\u0030x" + raw[2..].Replace("f", "\\u0066", StringComparison.Ordinal);
        var response = await _rpc.PostAsync($$"""{"jsonrpc":"2.0","id":"a\u0062c","method":"eth_sendRawTransaction","params":["{{escaped}}"]}""");
        Assert.Equal(HexOfHash(raw), response.GetProperty("result").GetString());
        Assert.Equal("abc", response.GetProperty("id").GetString());

        // Plain hex, as every client sends it, in a batch whose members each keep their own id.
        var batch = await _rpc.PostAsync($$"""[{"jsonrpc":"2.0","id":7,"method":"eth_sendRawTransaction","params":["{{Sign1559(1)}}"]},{"jsonrpc":"2.0","id":"x","method":"eth_chainId"}]""");
        Assert.Equal(HexOfHash(Sign1559(1)), batch[0].GetProperty("result").GetString());
        Assert.Equal(7, batch[0].GetProperty("id").GetInt32());
        Assert.Equal("x", batch[1].GetProperty("id").GetString());
        Assert.Equal(2UL, await _rpc.NextSeqAsync());
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_gets_a_specific_error_logs_nothing_and_leaves_the_service_answering(string name)
    {
        if (name == "duplicate hash")
        {
            await _rpc.ResultAsync("eth_sendRawTransaction", Sign1559(0));
        }

        var before = await _rpc.NextSeqAsync();
        var (response, code, fragment) = name switch
        {
            "malformed hex" => (await Send("0xzz"), -32000, "Transaction data is not hex"),
            "odd-length hex" => (await Send("0x02f"), -32000, "odd number of hex digits"),
            "bad RLP" => (await Send("0x02f8ff01"), -32000, "Malformed RLP: truncated"),
            "bad signature" => (await Send(ZeroRSignature()), -32000, "Signature r and s must both be in [1, n)"),
            "wrong chain id" => (await Send(Sign1559(0, chainId: 1)), -32000, "signed for chain id 1; this sequencer accepts chain id 31337"),
            "duplicate hash" => (await Send(Sign1559(0)), -32000, "already known"),
            "fee over 64 bits" => (await Send(Sign1559(0, priorityFee: TwoTo64, maxFee: TwoTo64)), -32000, "maxPriorityFeePerGas 2^64 does not fit 64 bits"),
            "nonce over 64 bits" => (await Send(Sign1559(TwoTo64)), -32000, "nonce 2^64 does not fit 64 bits"),
            "legacy without chain id" => (await Send(LegacyWithoutChainId()), -32000, "signed without a chain id"),
            "missing parameter" => (await _rpc.CallAsync("eth_sendRawTransaction"), -32602, "missing value for required argument 0"),
            "params not an array" => (await _rpc.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":{"a":1}}"""), -32602, "params must be an array"),
            "oversized body" => (await _rpc.PostAsync(Oversized()), -32600, $"request body exceeds {MaxRequestBytes} bytes"),
            "oversized chunked body" => (await _rpc.PostAsync(Oversized(), chunked: true), -32600, $"request body exceeds {MaxRequestBytes} bytes"),
            "unknown method" => (await _rpc.CallAsync("eth_getBalance", To, "latest"), -32601, "the method eth_getBalance does not exist"),
            "malformed JSON" => (await _rpc.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"""), -32700, "parse error"),
            "wrong jsonrpc version" => (await _rpc.PostAsync("""{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}"""), -32600, "jsonrpc must be \"2.0\""),
            "request not an object" => (await _rpc.PostAsync("42"), -32600, "a request must be a JSON object"),
            "method not a string" => (await _rpc.PostAsync("""{"jsonrpc":"2.0","id":1,"method":7}"""), -32600, "method must be a string"),
            "id an object" => (await _rpc.PostAsync("""{"jsonrpc":"2.0","id":{},"method":"eth_chainId"}"""), -32600, "id must be a string, a number or null"),
            "empty batch" => (await _rpc.PostAsync("[]"), -32600, "empty batch"),
            // JSON lets a string escape half a UTF-16 surrogate pair, which is no text at all.
            "method not text" => (await _rpc.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"\ud800"}"""), -32600, "method is not valid text"),
            "id not text" => (await _rpc.PostAsync($$"""{"jsonrpc":"2.0","id":"\udfff","method":"eth_sendRawTransaction","params":["{{Sign1559(0)}}"]}"""), -32600, "id is not valid text"),
            "transaction not text" => (await _rpc.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x02\ud800"]}"""), -32602, "argument 0 (signed transaction) is not valid text"),
            "receipt hash not text" => (await _rpc.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"prover_getReceipt","params":["\ud800"]}"""), -32602, "argument 0 (transaction hash) is not valid text"),
            "batch index not text" => (await _rpc.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"prover_getBatch","params":["0x\ud800"]}"""), -32602, "argument 0 (batch index) is not valid text"),
            "batch too large" => (await _rpc.PostAsync("[" + string.Join(",", Enumerable.Repeat("1", 1_001)) + "]"), -32600, "batch of 1001 requests exceeds the limit of 1000"),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
        };

        RpcClient.AssertError(response, code, fragment);
        Assert.Equal(before, await _rpc.NextSeqAsync());
        Assert.Equal("0x7a69", (await _rpc.ResultAsync("eth_chainId")).GetString());

        // And a good transaction still goes through.
        var good = Sign1559(100);
        Assert.Equal(HexOfHash(good), (await _rpc.ResultAsync("eth_sendRawTransaction", good)).GetString());
        Assert.Equal(before + 1, await _rpc.NextSeqAsync());
    }

    [Fact]
    public async Task A_batch_request_answers_each_member_in_order_and_logs_only_the_good_transactions()
    {
        var good = Sign1559(0);
        var notified = Sign1559(1);
        var body = "[" + string.Join(",",
            RpcClient.Request("eth_sendRawTransaction", [good], id: 1),
            RpcClient.Request("eth_sendRawTransaction", [Sign1559(2, chainId: 1)], id: "two"),
            RpcClient.Request("eth_chainId", [], id: 3),
            RpcClient.Request("eth_getBalance", [To, "latest"], id: 4),
            "17",
            """{"jsonrpc":"2.0","method":"eth_sendRawTransaction","params":["NOTIFIED"]}""".Replace("NOTIFIED", notified, StringComparison.Ordinal)) + "]";

        var responses = (await _rpc.PostAsync(body)).EnumerateArray().ToList();

        Assert.Equal(5, responses.Count); // the notification gets no answer
        Assert.Equal(1, responses[0].GetProperty("id").GetInt32());
        Assert.Equal(HexOfHash(good), responses[0].GetProperty("result").GetString());
        Assert.Equal("two", responses[1].GetProperty("id").GetString());
        RpcClient.AssertError(responses[1], -32000, "signed for chain id 1");
        Assert.Equal("0x7a69", responses[2].GetProperty("result").GetString());
        RpcClient.AssertError(responses[3], -32601, "does not exist");
        RpcClient.AssertError(responses[4], -32600, "a request must be a JSON object");
        Assert.Equal(JsonValueKind.Null, responses[4].GetProperty("id").ValueKind);

        Assert.Equal(2UL, await _rpc.NextSeqAsync());
        Assert.True(_host.Node.TryGetReceipt(Core.Ethereum.Hash32.Parse(HexOfHash(notified)), out _));
    }

    [Fact]
    public async Task Notifications_get_no_answer_at_all_even_when_they_fail()
    {
        // A notification that logs a transaction: 204, no body, and the transaction is logged.
        var tx = Sign1559(0);
        var (status, contentType, body) = await _rpc.PostRawAsync($$"""{"jsonrpc":"2.0","method":"eth_sendRawTransaction","params":["{{tx}}"]}""");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, status);
        Assert.Null(contentType);
        Assert.Empty(body);
        Assert.Equal(1UL, await _rpc.NextSeqAsync());

        // One that fails, and a batch of notifications only: still nothing, and nothing logged.
        (status, _, body) = await _rpc.PostRawAsync("""{"jsonrpc":"2.0","method":"eth_sendRawTransaction","params":["0xzz"]}""");
        Assert.Equal((System.Net.HttpStatusCode.NoContent, ""), (status, body));
        (status, _, body) = await _rpc.PostRawAsync("""[{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","method":"no_such_method"}]""");
        Assert.Equal((System.Net.HttpStatusCode.NoContent, ""), (status, body));
        Assert.Equal(1UL, await _rpc.NextSeqAsync());

        // A request without an id that is not a valid request is still answered, with a null id.
        var invalid = await _rpc.PostAsync("""{"jsonrpc":"2.0","method":7}""");
        RpcClient.AssertError(invalid, -32600, "method must be a string");
        Assert.Equal(JsonValueKind.Null, invalid.GetProperty("id").ValueKind);
    }

    [Fact]
    public async Task A_batch_stops_running_its_members_once_its_response_reaches_the_limit()
    {
        foreach (var n in new ulong[] { 0, 1, 2 })
        {
            await _rpc.ResultAsync("eth_sendRawTransaction", Sign1559(n));
        }

        await Eventually.Until(() => _host.Node.GetBatch(0) is not null, "batch 0");
        var witness = (await _rpc.ResultAsync("prover_getBatch", 0)).GetRawText();
        Assert.True(witness.Length > MaxResponseBytes, $"the witness ({witness.Length} bytes) must exceed the response limit for this test");

        var body = "[" + string.Join(",", Enumerable.Range(1, 4).Select(i => RpcClient.Request("prover_getBatch", [0], id: i))) + "]";
        var responses = (await _rpc.PostAsync(body)).EnumerateArray().ToList();
        Assert.Equal(4, responses.Count);
        Assert.Equal(0UL, ulong.Parse(responses[0].GetProperty("result").GetProperty("batchIndex").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (response, id) in responses.Skip(1).Select((r, k) => (r, k + 2)))
        {
            RpcClient.AssertError(response, -32005, $"reached the limit of {MaxResponseBytes} bytes");
            Assert.Equal(id, response.GetProperty("id").GetInt32());
        }
    }

    [Fact]
    public async Task Block_number_counts_the_stored_batches_so_clients_that_ask_for_it_work()
    {
        Assert.Equal("0x0", (await _rpc.ResultAsync("eth_blockNumber")).GetString());
        foreach (var n in new ulong[] { 0, 1, 2 })
        {
            await _rpc.ResultAsync("eth_sendRawTransaction", Sign1559(n));
        }

        await Eventually.Until(() => _host.Node.LastBatchIndex == 0, "batch 0");
        Assert.Equal("0x1", (await _rpc.ResultAsync("eth_blockNumber")).GetString());
        var web3 = new Web3(_host.Url.ToString());
        Assert.Equal(1, (int)(await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value);
    }

    [Fact]
    public async Task A_storage_failure_is_answered_without_the_servers_paths_and_nothing_is_logged()
    {
        // The write fails; the log then cuts the file back, and that works, so the log goes on.
        _host.Node.LogStorageFault = step =>
        {
            if (step == "write")
            {
                throw new IOException($"No space left on device: {_dir.Path}");
            }
        };
        var response = await Send(Sign1559(0));
        _host.Node.LogStorageFault = null;

        RpcClient.AssertError(response, -32603, "could not write its receipt log, so the transaction was not logged");
        Assert.DoesNotContain(_dir.Path, response.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("storage-unavailable", response.GetProperty("error").GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal(0UL, await _rpc.NextSeqAsync());
        Assert.Equal(HexOfHash(Sign1559(0)), (await _rpc.ResultAsync("eth_sendRawTransaction", Sign1559(0))).GetString());
    }

    private Task<JsonElement> Send(string raw) => _rpc.CallAsync("eth_sendRawTransaction", raw);

    private static string HexOfHash(string raw) => "0x" + Sha3Keccack.Current.CalculateHashFromHex(raw);

    /// <summary>A well-formed request just over the size limit.</summary>
    private static string Oversized() =>
        RpcClient.Request("eth_sendRawTransaction", ["0x" + new string('0', MaxRequestBytes)]);

    /// <summary>A legacy transaction signed the pre-EIP-155 way (v = 27/28), replayable on any chain.</summary>
    private static string LegacyWithoutChainId()
    {
        var signed = new Nethereum.Signer.LegacyTransactionSigner().SignTransaction(
            Nethereum.Hex.HexConvertors.Extensions.HexByteConvertorExtensions.HexToByteArray(SenderKey), To, 1, 0);
        return signed.StartsWith("0x", StringComparison.Ordinal) ? signed : "0x" + signed;
    }
}
