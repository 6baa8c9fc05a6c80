using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prover.Sequencer.Rpc;

namespace Prover.Sequencer;

/// <summary>
/// The sequencer's JSON-RPC server on loopback: <c>POST /</c> takes Ethereum JSON-RPC
/// (<c>eth_sendRawTransaction</c>, <c>eth_chainId</c>, <c>prover_getReceipt</c>, <c>prover_getBatch</c>, …).
/// </summary>
public sealed class SequencerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SequencerHost(WebApplication app, SequencerNode node, Uri url)
    {
        _app = app;
        Node = node;
        Url = url;
    }

    public SequencerNode Node { get; }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:8547/</c>.</summary>
    public Uri Url { get; }

    /// <summary>
    /// Starts the node and its server on 127.0.0.1:<paramref name="port"/> (0 picks a free port).
    /// </summary>
    public static async Task<SequencerHost> StartAsync(SequencerOptions options, int port, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (port is < 0 or > 65535)
        {
            throw new SequencerConfigurationException($"Port must be in 0..65535, got {port}.");
        }

        var node = SequencerNode.Start(options, time, loggerFactory?.CreateLogger<SequencerNode>());
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            if (loggerFactory is not null)
            {
                builder.Services.AddSingleton(loggerFactory);
            }

            builder.WebHost.UseKestrel(kestrel =>
            {
                kestrel.Listen(IPAddress.Loopback, port);
                kestrel.AddServerHeader = false;
                // The endpoint enforces the JSON-RPC size limit itself so it can answer with a JSON-RPC error.
                kestrel.Limits.MaxRequestBodySize = null;
            });
            var app = builder.Build();
            var endpoint = new JsonRpcEndpoint(node, loggerFactory?.CreateLogger<JsonRpcEndpoint>());
            app.MapPost("/", endpoint.HandleAsync);
            app.MapGet("/health", (HttpContext _) => Results.Text("ok"));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new SequencerHost(app, node, new Uri(address.EndsWith('/') ? address : address + "/"));
        }
        catch (IOException e)
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw new SequencerConfigurationException($"Cannot listen on 127.0.0.1:{port}: {e.Message}. Choose another --port.", e);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops taking requests, then lets the node log what it already accepted.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Node.DisposeAsync().ConfigureAwait(false);
    }
}
