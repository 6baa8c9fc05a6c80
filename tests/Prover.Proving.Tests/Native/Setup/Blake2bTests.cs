using System.Text;
using Prover.Proving.Native.Setup;
using Prover.Proving.Snarkjs;

namespace Prover.Proving.Tests.Native.Setup;

/// <summary>BLAKE2b against RFC 7693, and its partial state against @noble/hashes itself (run by node).</summary>
public sealed class Blake2bTests
{
    [Fact]
    public void The_digest_matches_the_RFC_7693_vectors()
    {
        Assert.Equal(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            Convert.ToHexStringLower(Blake2b.Hash("abc"u8)));
        Assert.Equal(
            "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce",
            Convert.ToHexStringLower(Blake2b.Hash([])));
    }

    [Fact]
    public void The_digest_does_not_depend_on_how_the_input_is_cut()
    {
        var data = Enumerable.Range(0, 1_000).Select(i => (byte)(i * 7)).ToArray();
        var pieces = new Blake2b();
        foreach (var (start, length) in new[] { (0, 1), (1, 127), (128, 128), (256, 300), (556, 444) })
        {
            pieces.Update(data.AsSpan(start, length));
        }

        Assert.Equal(Blake2b.Hash(data), pieces.Digest());
    }

    [Fact]
    public async Task The_partial_state_is_nobles_own_stale_buffer_bytes_included()
    {
        // Pieces chosen to leave stale bytes behind: whole blocks compressed in place, a full buffer
        // kept back, short tails over longer earlier ones.
        int[] sizes = [64, 1_000, 128, 256, 300, 389, 7, 512];
        var expected = await NoblePartialStateAsync(sizes);

        var hasher = new Blake2b();
        var counter = 0;
        foreach (var size in sizes)
        {
            var piece = new byte[size];
            for (var i = 0; i < size; i++)
            {
                piece[i] = (byte)(counter++ * 13);
            }

            hasher.Update(piece);
        }

        var partial = Convert.ToHexStringLower(hasher.PartialState());
        Assert.Equal(expected.Partial, partial);
        Assert.Equal(expected.Digest, Convert.ToHexStringLower(hasher.Digest()));
    }

    private static async Task<(string Partial, string Digest)> NoblePartialStateAsync(int[] sizes)
    {
        // The same construction as snarkjs' misc.toPartialHash, written out here so the test depends only on noble.
        var script = new StringBuilder()
            .Append("const { blake2b } = require('@noble/hashes/blake2b');")
            .Append("const h = blake2b.create({ dkLen: 64 }); let c = 0;")
            .Append($"for (const n of [{string.Join(",", sizes)}]) {{ const p = new Uint8Array(n); for (let i = 0; i < n; i++) p[i] = (c++ * 13) & 255; h.update(p); }}")
            .Append("const r = new Uint8Array(216); const w = new Uint32Array(r.buffer, 128); r.set(h.buffer);")
            .Append("const v = [h.v0l,h.v0h,h.v1l,h.v1h,h.v2l,h.v2h,h.v3l,h.v3h,h.v4l,h.v4h,h.v5l,h.v5h,h.v6l,h.v6h,h.v7l,h.v7h];")
            .Append("v.forEach((x, i) => w[i] = x); w[18] = h.pos; w[16] = h.length - h.pos;")
            .Append("console.log(Buffer.from(r).toString('hex')); console.log(Buffer.from(h.digest()).toString('hex'));")
            .ToString();
        var toolchain = new Toolchain(new SnarkjsOptions());
        var run = await new ToolRunner(toolchain, TimeSpan.FromMinutes(1)).RunAsync("-e", args => args.Add(script), CancellationToken.None);
        Assert.True(run.ExitCode == 0, run.Output);
        var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (lines[0], lines[1]);
    }
}
