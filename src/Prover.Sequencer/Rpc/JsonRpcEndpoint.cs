using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prover.Core;
using Prover.Core.Ethereum;
using Prover.Core.Receipts;
using Prover.Sequencer.Log;

namespace Prover.Sequencer.Rpc;

/// <summary>
/// Ethereum-style JSON-RPC 2.0 over HTTP POST: single requests and batches. Every failure, from an
/// oversized body to a bad signature, is answered as a JSON-RPC error with a specific message; none
/// of them reaches the log. Notifications (requests without an id) get no answer, as the
/// specification requires; a request with nothing to answer gets 204.
/// </summary>
internal sealed class JsonRpcEndpoint
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = false };
    private readonly SequencerNode _node;
    private readonly ILogger _logger;
    private readonly int _maxRequestBytes;
    private readonly string _chainIdHex;

    public JsonRpcEndpoint(SequencerNode node, ILogger? logger = null)
    {
        _node = node;
        _logger = logger ?? NullLogger.Instance;
        _maxRequestBytes = node.Options.MaxRequestBytes;
        _chainIdHex = "0x" + node.ChainId.ToString("x", CultureInfo.InvariantCulture);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        context.Response.ContentType = "application/json";
        var body = await ReadBodyAsync(context.Request, ct).ConfigureAwait(false);
        var output = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            if (body is null)
            {
                WriteError(writer, null, new JsonRpcFault(JsonRpcError.InvalidRequest, $"request body exceeds {_maxRequestBytes} bytes", "request-too-large"));
            }
            else
            {
                await DispatchAsync(body.Value, writer, ct).ConfigureAwait(false);
            }
        }

        if (output.WrittenCount == 0)
        {
            // Only notifications: nothing may be answered (JSON-RPC 2.0, not even an empty array).
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            context.Response.ContentType = null;
            return;
        }

        // A known length spares the response chunked framing and lets the client read it in one go.
        context.Response.ContentLength = output.WrittenCount;
        await context.Response.Body.WriteAsync(output.WrittenMemory, ct).ConfigureAwait(false);
    }

    private async Task DispatchAsync(ReadOnlyMemory<byte> body, Utf8JsonWriter writer, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            WriteError(writer, null, new JsonRpcFault(JsonRpcError.ParseError, $"parse error: {e.Message}", "malformed-json"));
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                await HandleOneAsync(root, writer, ct).ConfigureAwait(false);
                return;
            }

            if (root.GetArrayLength() == 0)
            {
                WriteError(writer, null, new JsonRpcFault(JsonRpcError.InvalidRequest, "empty batch", "invalid-request"));
                return;
            }

            var length = root.GetArrayLength();
            if (length > _node.Options.MaxBatchRequests)
            {
                WriteError(writer, null, new JsonRpcFault(JsonRpcError.InvalidRequest, $"batch of {length} requests exceeds the limit of {_node.Options.MaxBatchRequests}", "batch-too-large"));
                return;
            }

            // Batch members run concurrently so a batch of transactions shares group commits. Members
            // that answer at once (all but transactions) finish in order as they are started, so the
            // response budget is checked before each runs: a batch of prover_getBatch calls stops at
            // the limit instead of building gigabytes first.
            var members = root.EnumerateArray().ToArray();
            var buffers = new ArrayBufferWriter<byte>[members.Length];
            long answered = 0;
            await Task.WhenAll(members.Select(async (member, i) =>
            {
                buffers[i] = new ArrayBufferWriter<byte>(256);
                await using var w = new Utf8JsonWriter(buffers[i], WriterOptions);
                if (Interlocked.Read(ref answered) >= _node.Options.MaxResponseBytes)
                {
                    WriteError(w, IdOf(member), new JsonRpcFault(JsonRpcError.LimitExceeded, $"the batch's response reached the limit of {_node.Options.MaxResponseBytes} bytes before this request; send it again on its own or in a smaller batch", "response-too-large"));
                }
                else
                {
                    await HandleOneAsync(member, w, ct).ConfigureAwait(false);
                }

                await w.FlushAsync(ct).ConfigureAwait(false);
                Interlocked.Add(ref answered, buffers[i].WrittenCount);
            })).ConfigureAwait(false);

            if (buffers.All(b => b.WrittenCount == 0))
            {
                return; // only notifications
            }

            writer.WriteStartArray();
            foreach (var buffer in buffers)
            {
                if (buffer.WrittenCount > 0)
                {
                    writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
                }
            }

            writer.WriteEndArray();
        }
    }

    /// <summary>A batch member's id when it is one that can be echoed, else null (for errors about it).</summary>
    private static JsonElement? IdOf(JsonElement request) =>
        request.ValueKind == JsonValueKind.Object
        && request.TryGetProperty("id", out var id)
        && (id.ValueKind is JsonValueKind.Number or JsonValueKind.Null || (id.ValueKind == JsonValueKind.String && IsText(id)))
            ? id
            : null;

    /// <summary>
    /// Whether a JSON string holds text: the parser accepts escapes of unpaired UTF-16 surrogates
    /// (<c>"\ud800"</c>), which no string can hold, and reading or echoing one throws.
    /// </summary>
    private static bool IsText(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A string argument's text, or the JSON-RPC error saying it is not text.</summary>
    private static string TextOf(JsonElement element, int code, string what, string reason) =>
        IsText(element)
            ? element.GetString()!
            : throw new JsonRpcFault(code, $"{what} is not valid text: it escapes an unpaired UTF-16 surrogate", reason);

    private async Task HandleOneAsync(JsonElement request, Utf8JsonWriter writer, CancellationToken ct)
    {
        JsonElement? id = null;
        var notification = false; // a well-formed request without an id: never answered, even with an error
        try
        {
            if (request.ValueKind != JsonValueKind.Object)
            {
                throw new JsonRpcFault(JsonRpcError.InvalidRequest, "a request must be a JSON object", "invalid-request");
            }

            if (request.TryGetProperty("id", out var idElement))
            {
                if (idElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
                {
                    throw new JsonRpcFault(JsonRpcError.InvalidRequest, "id must be a string, a number or null", "invalid-request");
                }

                if (idElement.ValueKind == JsonValueKind.String && !IsText(idElement))
                {
                    throw new JsonRpcFault(JsonRpcError.InvalidRequest, "id is not valid text: it escapes an unpaired UTF-16 surrogate", "invalid-request");
                }

                // No clone: the request's document outlives this call, response included.
                id = idElement;
            }

            if (!request.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"))
            {
                throw new JsonRpcFault(JsonRpcError.InvalidRequest, "jsonrpc must be \"2.0\"", "invalid-request");
            }

            if (!request.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
            {
                throw new JsonRpcFault(JsonRpcError.InvalidRequest, "method must be a string", "invalid-request");
            }

            var parameters = request.TryGetProperty("params", out var p) ? p : default;
            if (parameters.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Array or JsonValueKind.Null))
            {
                throw new JsonRpcFault(JsonRpcError.InvalidParams, "params must be an array", "invalid-params");
            }

            var method = TextOf(methodElement, JsonRpcError.InvalidRequest, "method", "invalid-request");
            notification = id is null;
            var result = await InvokeAsync(method, parameters, ct).ConfigureAwait(false);
            if (id is null)
            {
                return; // a notification gets no response
            }

            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WritePropertyName("id");
            id.Value.WriteTo(writer);
            writer.WritePropertyName("result");
            result.WriteTo(writer);
            writer.WriteEndObject();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!notification)
            {
                WriteError(writer, id, FaultFor(e));
            }
        }
    }

    /// <summary>
    /// The JSON-RPC error for an exception. Refusals carry their own message; storage and internal
    /// failures get a fixed one (their details, paths included, go to the operator's log, not to
    /// clients), and anything unexpected is logged and answered rather than failing the whole request.
    /// </summary>
    private JsonRpcFault FaultFor(Exception e)
    {
        switch (e)
        {
            case JsonRpcFault fault:
                return fault;
            case InvalidTransactionException invalid:
                return new JsonRpcFault(JsonRpcError.TransactionRejected, invalid.Message, Kebab(invalid.Reason.ToString()));
            case TransactionRejectedException rejected:
                return new JsonRpcFault(JsonRpcError.TransactionRejected, rejected.Message, rejected.Reason);
            case SequencerBusyException busy:
                return new JsonRpcFault(JsonRpcError.LimitExceeded, busy.Message, "busy");
            case SequencerStoppedException stopped:
                return new JsonRpcFault(JsonRpcError.LimitExceeded, stopped.Message, "stopping");
            case SequencerStorageException:
                // The node has logged the failure with its path; the transaction was not logged.
                return new JsonRpcFault(JsonRpcError.Internal, "the sequencer could not write its receipt log, so the transaction was not logged; send it again later", "storage-unavailable");
            case CorruptStateException corrupt:
                _logger.LogError(corrupt, "A JSON-RPC request met damaged stored state.");
                return new JsonRpcFault(JsonRpcError.Internal, "the sequencer's stored data for this request is damaged; its operator must restore it", "corrupt-state");
            default:
                _logger.LogError(e, "A JSON-RPC request failed unexpectedly.");
                return new JsonRpcFault(JsonRpcError.Internal, "internal error; the sequencer's operator has the details in its log", "internal");
        }
    }

    private async Task<RpcResult> InvokeAsync(string method, JsonElement parameters, CancellationToken ct)
    {
        switch (method)
        {
            case "eth_chainId":
                return RpcResult.String(_chainIdHex);
            case "net_version":
                return RpcResult.String(_node.ChainId.ToString(CultureInfo.InvariantCulture));
            case "web3_clientVersion":
                return RpcResult.String("prover-sequencer/1");
            case "eth_blockNumber":
                // Not a chain, but clients ask (ethers' broadcastTransaction does, beside the send): the
                // number of batches stored, which only grows.
                return RpcResult.String("0x" + ((ulong)(_node.LastBatchIndex + 1)).ToString("x", CultureInfo.InvariantCulture));
            case "eth_sendRawTransaction":
            {
                var tx = DecodeTransactionParam(parameters);
                if (_node.IsLogged(tx.Hash))
                {
                    throw new TransactionRejectedException("already-known", $"transaction {tx.Hash} is already in the receipt log (already known)");
                }

                var receipt = await _node.SubmitAsync(tx, ct).ConfigureAwait(false);
                return RpcResult.String(receipt.TxHash.ToString());
            }

            case "prover_getReceipt":
            {
                var text = StringParam(parameters, 0, "transaction hash");
                if (!Hash32.TryParse(text, out var hash))
                {
                    throw new JsonRpcFault(JsonRpcError.InvalidParams, $"'{text}' is not a transaction hash (0x followed by 64 hex digits)", "invalid-params");
                }

                return _node.TryGetReceipt(hash, out var receipt) ? RpcResult.Raw(ReceiptJson.Serialize(receipt!)) : RpcResult.Null;
            }

            case "prover_getBatch":
            {
                var index = QuantityParam(parameters, 0, "batch index");
                var witness = _node.GetBatch(index);
                return witness is null ? RpcResult.Null : RpcResult.Raw(witness.ToJson());
            }

            case "prover_status":
            {
                var (nextSeq, head) = _node.Position;
                return RpcResult.Raw(JsonSerializer.Serialize(new
                {
                    chainId = _node.ChainId.ToString(CultureInfo.InvariantCulture),
                    inbox = _node.Inbox.ToString(),
                    sequencer = _node.SequencerAddress.ToString(),
                    nextSeq = nextSeq.ToString(CultureInfo.InvariantCulture),
                    head = head.ToString(),
                    lastBatch = _node.LastBatchIndex,
                    policy = _node.Options.Policy.ToString(),
                }));
            }

            default:
                throw new JsonRpcFault(JsonRpcError.MethodNotFound, $"the method {method} does not exist/is not available", "method-not-found");
        }
    }

    private static string StringParam(JsonElement parameters, int position, string what) =>
        TextOf(StringElement(parameters, position, what), JsonRpcError.InvalidParams, $"argument {position} ({what})", "invalid-params");

    private static JsonElement StringElement(JsonElement parameters, int position, string what)
    {
        if (parameters.ValueKind != JsonValueKind.Array || parameters.GetArrayLength() <= position)
        {
            throw new JsonRpcFault(JsonRpcError.InvalidParams, $"missing value for required argument {position} ({what})", "invalid-params");
        }

        var element = parameters[position];
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new JsonRpcFault(JsonRpcError.InvalidParams, $"argument {position} ({what}) must be a string", "invalid-params");
        }

        return element;
    }

    /// <summary>
    /// eth_sendRawTransaction's argument decoded from the request's own UTF-8 bytes. Its hex is the
    /// largest string a request carries (twice the transaction's size), and on the hot path no string
    /// of it is made; an argument with JSON escapes in it takes the string route, with the same result.
    /// </summary>
    private SignedTransaction DecodeTransactionParam(JsonElement parameters)
    {
        var element = StringElement(parameters, 0, "signed transaction");
        var quoted = JsonMarshal.GetRawUtf8Value(element);
        var utf8 = quoted[1..^1];
        return utf8.Contains((byte)'\\')
            ? TransactionDecoder.DecodeHex(TextOf(element, JsonRpcError.InvalidParams, "argument 0 (signed transaction)", "invalid-params"), _node.ChainId)
            : TransactionDecoder.DecodeHex(utf8, _node.ChainId);
    }

    private static ulong QuantityParam(JsonElement parameters, int position, string what)
    {
        if (parameters.ValueKind != JsonValueKind.Array || parameters.GetArrayLength() <= position)
        {
            throw new JsonRpcFault(JsonRpcError.InvalidParams, $"missing value for required argument {position} ({what})", "invalid-params");
        }

        var element = parameters[position];
        if (element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out var n))
        {
            return n;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            var s = TextOf(element, JsonRpcError.InvalidParams, $"argument {position} ({what})", "invalid-params");
            if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                && s.Length is > 2 and <= 18
                && ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out n))
            {
                return n;
            }
        }

        throw new JsonRpcFault(JsonRpcError.InvalidParams, $"argument {position} ({what}) must be a non-negative integer or a 0x hex quantity below 2^64", "invalid-params");
    }

    private async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > _maxRequestBytes)
        {
            return null;
        }

        var buffer = new byte[Math.Min(request.ContentLength ?? 4096, _maxRequestBytes) + 1];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > _maxRequestBytes)
                {
                    return null;
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _maxRequestBytes + 1));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.AsMemory(0, length);
            }

            length += read;
        }
    }

    private static void WriteError(Utf8JsonWriter writer, JsonElement? id, JsonRpcFault fault)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WritePropertyName("id");
        if (id is { } value)
        {
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteStartObject("error");
        writer.WriteNumber("code", fault.Code);
        writer.WriteString("message", fault.Message);
        if (fault.Reason is not null)
        {
            writer.WriteStartObject("data");
            writer.WriteString("reason", fault.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>A method's result: a JSON string, null, or a JSON document written as is.</summary>
    private readonly record struct RpcResult(string? Text, string? Json)
    {
        public static RpcResult Null => default;
        public static RpcResult String(string s) => new(s, null);
        public static RpcResult Raw(string json) => new(null, json);

        public void WriteTo(Utf8JsonWriter writer)
        {
            if (Json is not null)
            {
                writer.WriteRawValue(Json, skipInputValidation: true);
            }
            else if (Text is not null)
            {
                writer.WriteStringValue(Text);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
