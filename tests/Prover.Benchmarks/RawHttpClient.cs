using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Prover.Benchmarks;

/// <summary>
/// A minimal HTTP/1.1 client for the load generator, in the spirit of wrk: persistent loopback
/// connections, one request in flight on each, requests pre-encoded, responses framed by
/// Content-Length. HttpClient costs tens of microseconds of CPU per request, and the generator shares
/// the machine's two cores with the sequencer it measures: whatever the client spends inflates the
/// server's latency. This client does only what a request needs; it refuses anything it does not
/// understand (no Content-Length, a status line it cannot read) rather than guess.
/// </summary>
internal sealed class RawHttpClient : IDisposable
{
    private readonly IPEndPoint _server;
    private readonly byte[] _headerPrefix;
    private readonly Channel<Connection> _idle = Channel.CreateUnbounded<Connection>();
    private readonly ConcurrentBag<Connection> _all = [];
    private readonly int _maxConnections;
    private int _opened;

    /// <param name="maxConnections">
    /// The cap on connections: past it a request waits for one to come free, and that wait is part of
    /// its latency. Without a cap an overloaded server would make the client open a connection per
    /// due request until it ran out of file descriptors.
    /// </param>
    public RawHttpClient(Uri server, int maxConnections)
    {
        _maxConnections = maxConnections;
        _server = new IPEndPoint(IPAddress.Parse(server.Host), server.Port);
        _headerPrefix = Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nContent-Length: ");
    }

    /// <summary>Connections opened so far (one per request that found none idle).</summary>
    public int Connections => _all.Count;

    /// <summary>The full request bytes for a JSON body, built ahead of the measured run.</summary>
    public byte[] EncodePost(byte[] body)
    {
        var length = Encoding.ASCII.GetBytes($"{body.Length}\r\n\r\n");
        return [.. _headerPrefix, .. length, .. body];
    }

    /// <summary>Opens <paramref name="count"/> connections ahead of the run, so the run measures requests, not handshakes.</summary>
    public async Task OpenAsync(int count, CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            Interlocked.Increment(ref _opened);
            _idle.Writer.TryWrite(await ConnectAsync(ct).ConfigureAwait(false));
        }
    }

    /// <summary>Sends one request on an idle connection (a new one below the cap, else the next to come free) and returns the status code and body.</summary>
    public async Task<(int Status, string Body)> SendAsync(byte[] request, CancellationToken ct)
    {
        if (!_idle.Reader.TryRead(out var connection))
        {
            if (Interlocked.Increment(ref _opened) <= _maxConnections)
            {
                connection = await ConnectAsync(ct).ConfigureAwait(false);
            }
            else
            {
                Interlocked.Decrement(ref _opened);
                connection = await _idle.Reader.ReadAsync(ct).ConfigureAwait(false);
            }
        }

        var response = await connection.ExchangeAsync(request, ct).ConfigureAwait(false);
        _idle.Writer.TryWrite(connection);
        return response;
    }

    public void Dispose()
    {
        foreach (var connection in _all)
        {
            connection.Dispose();
        }
    }

    private async Task<Connection> ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_server, ct).ConfigureAwait(false);
        var connection = new Connection(socket);
        _all.Add(connection);
        return connection;
    }

    private sealed class Connection(Socket socket) : IDisposable
    {
        private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
        private static readonly byte[] ContentLength = "\r\ncontent-length:"u8.ToArray();
        private byte[] _buffer = new byte[4096];

        public async Task<(int Status, string Body)> ExchangeAsync(byte[] request, CancellationToken ct)
        {
            await socket.SendAsync(request, SocketFlags.None, ct).ConfigureAwait(false);
            var filled = 0;
            int headerLength;
            while ((headerLength = _buffer.AsSpan(0, filled).IndexOf(HeaderEnd)) < 0)
            {
                filled += await ReceiveAsync(filled, ct).ConfigureAwait(false);
            }

            headerLength += HeaderEnd.Length;
            var (status, bodyLength) = ParseHeader(_buffer.AsSpan(0, headerLength));
            var total = headerLength + bodyLength;
            if (_buffer.Length < total)
            {
                Array.Resize(ref _buffer, total);
            }

            while (filled < total)
            {
                filled += await ReceiveAsync(filled, ct).ConfigureAwait(false);
            }

            if (filled != total)
            {
                throw new InvalidOperationException("the server sent more than one response to one request");
            }

            return (status, Encoding.UTF8.GetString(_buffer, headerLength, bodyLength));
        }

        public void Dispose() => socket.Dispose();

        private async Task<int> ReceiveAsync(int filled, CancellationToken ct)
        {
            if (filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None, ct).ConfigureAwait(false);
            return read > 0 ? read : throw new InvalidOperationException("the server closed the connection mid-response");
        }

        private static (int Status, int BodyLength) ParseHeader(ReadOnlySpan<byte> header)
        {
            // "HTTP/1.1 200 OK\r\n…": the status is the three digits after the first space.
            var space = header.IndexOf((byte)' ');
            if (space < 0 || header.Length < space + 4 || !int.TryParse(header.Slice(space + 1, 3), out var status))
            {
                throw new InvalidOperationException($"unreadable status line: {Encoding.ASCII.GetString(header[..Math.Min(header.Length, 40)])}");
            }

            Span<byte> lower = stackalloc byte[header.Length];
            Ascii.ToLower(header, lower, out _);
            var at = lower.IndexOf(ContentLength);
            if (at < 0)
            {
                throw new InvalidOperationException("the response has no Content-Length; this client reads only length-framed responses");
            }

            var value = lower[(at + ContentLength.Length)..];
            value = value[..value.IndexOf((byte)'\r')].Trim((byte)' ');
            return int.TryParse(value, out var length) ? (status, length) : throw new InvalidOperationException("unreadable Content-Length");
        }
    }
}
