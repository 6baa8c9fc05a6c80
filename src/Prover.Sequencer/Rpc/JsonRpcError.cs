namespace Prover.Sequencer.Rpc;

/// <summary>JSON-RPC 2.0 error codes, with the Ethereum conventions (EIP-1474) where they exist.</summary>
internal static class JsonRpcError
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int Internal = -32603;

    /// <summary>The transaction was refused (geth answers its "already known", "invalid sender" … with this code).</summary>
    public const int TransactionRejected = -32000;

    /// <summary>EIP-1474 "limit exceeded": the intake queue is full, retry later.</summary>
    public const int LimitExceeded = -32005;
}

/// <summary>An error to answer a request with: code, message, and an optional machine-readable reason.</summary>
internal sealed class JsonRpcFault : Exception
{
    public JsonRpcFault(int code, string message, string? reason = null) : base(message)
    {
        Code = code;
        Reason = reason;
    }

    public int Code { get; }

    public string? Reason { get; }
}
