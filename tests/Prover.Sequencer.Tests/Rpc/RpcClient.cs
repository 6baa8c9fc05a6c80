using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Prover.Sequencer.Tests.Rpc;

/// <summary>Plain JSON-RPC over HTTP, for requests a typed client would never send (bad JSON, batches, oversized bodies).</summary>
internal sealed class RpcClient(Uri url) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    public Uri Url { get; } = url;

    public async Task<JsonElement> PostAsync(string body, bool chunked = false)
    {
        HttpContent content = chunked
            ? new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(body)))
            : new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync(Url, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"HTTP {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The raw HTTP answer: for requests that may get no JSON back at all.</summary>
    public async Task<(System.Net.HttpStatusCode Status, string? ContentType, string Body)> PostRawAsync(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(Url, content);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    public Task<JsonElement> CallAsync(string method, params object[] parameters) =>
        PostAsync(Request(method, parameters));

    /// <summary>The result of a call that must succeed.</summary>
    public async Task<JsonElement> ResultAsync(string method, params object[] parameters)
    {
        var response = await CallAsync(method, parameters);
        Assert.False(response.TryGetProperty("error", out var error), $"{method} failed: {error}");
        return response.GetProperty("result");
    }

    public async Task<ulong> NextSeqAsync() =>
        ulong.Parse((await ResultAsync("prover_status")).GetProperty("nextSeq").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    public static string Request(string method, object[] parameters, object? id = null) =>
        JsonSerializer.Serialize(new { jsonrpc = "2.0", id = id ?? 1, method, @params = parameters });

    /// <summary>Asserts a JSON-RPC error with this code whose message contains <paramref name="fragment"/>.</summary>
    public static void AssertError(JsonElement response, int code, string fragment)
    {
        Assert.True(response.TryGetProperty("error", out var error), $"expected error {code}, got {response}");
        Assert.False(response.TryGetProperty("result", out _));
        Assert.Equal("2.0", response.GetProperty("jsonrpc").GetString());
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Contains(fragment, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A body of unknown length, so HttpClient sends it chunked, without Content-Length.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
