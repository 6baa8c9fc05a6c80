using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Prover.Cli.Tests;

/// <summary>Minimal JSON-RPC over HTTP to a sequencer process.</summary>
internal sealed class RpcClient(Uri url) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    public async Task<JsonElement> ResultAsync(string method, params object[] parameters)
    {
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        using var response = await _http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        Assert.False(document.RootElement.TryGetProperty("error", out var error), $"{method} failed: {error}");
        return document.RootElement.GetProperty("result").Clone();
    }

    /// <summary>One JSON-RPC batch request calling <paramref name="method"/> once per parameter; the results in request order.</summary>
    public async Task<IReadOnlyList<JsonElement>> BatchResultsAsync(string method, IReadOnlyList<object> parameters)
    {
        var body = JsonSerializer.Serialize(parameters.Select((p, i) => new { jsonrpc = "2.0", id = i, method, @params = new[] { p } }));
        using var response = await _http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var byId = document.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("id").GetInt32());
        return Enumerable.Range(0, parameters.Count).Select(i =>
        {
            Assert.False(byId[i].TryGetProperty("error", out var error), $"{method} #{i} failed: {error}");
            return byId[i].GetProperty("result").Clone();
        }).ToList();
    }

    public async Task<(string Head, ulong NextSeq)> StatusAsync()
    {
        var status = await ResultAsync("prover_status");
        return (status.GetProperty("head").GetString()!, ulong.Parse(status.GetProperty("nextSeq").GetString()!, CultureInfo.InvariantCulture));
    }

    public void Dispose() => _http.Dispose();
}
