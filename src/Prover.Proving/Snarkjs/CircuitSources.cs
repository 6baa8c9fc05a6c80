using System.Security.Cryptography;
using System.Text;

namespace Prover.Proving.Snarkjs;

/// <summary>
/// The files one circom compile may read: the main file and every file it includes, transitively, looked
/// up the way circom 2 looks them up (<c>parser/src/include_logic.rs</c>): in the folder of the file that
/// names the include, then in each <c>-l</c> folder in order. Their contents, in a fixed order, are what
/// the compile cache is keyed by.
/// </summary>
/// <remarks>
/// circom takes the first of those paths that is a file, but circom2 runs under WASI and cannot see some
/// paths native circom would (a folder beside a main file outside its working folder), and then takes a
/// later one. So every candidate that exists is a source here, not only the first: a changed file that
/// either compiler could have read changes the key, at the price of recompiling when a shadowed copy
/// changes.
/// </remarks>
/// <param name="Files">Every source file, the main file first, each once.</param>
/// <param name="Unresolved">Includes found in no folder (circom will fail on them); a compile that has any is not cached.</param>
internal sealed record CircuitSources(IReadOnlyList<string> Files, IReadOnlyList<string> Unresolved)
{
    /// <summary>Walks the includes of <paramref name="mainFile"/>, breadth first, in the order they appear and, for each, its candidates in circom's order.</summary>
    public static CircuitSources Find(string mainFile, IReadOnlyList<string> libraries)
    {
        var main = Path.GetFullPath(mainFile);
        var files = new List<string> { main };
        var seen = new HashSet<string>(StringComparer.Ordinal) { main };
        var unresolved = new List<string>();
        for (var next = 0; next < files.Count; next++)
        {
            var file = files[next];
            var folder = Path.GetDirectoryName(file)!;
            foreach (var name in Includes(File.ReadAllText(file)))
            {
                var found = Candidates(name, folder, libraries);
                if (found.Count == 0)
                {
                    unresolved.Add($"{name} (included by {file})");
                }

                files.AddRange(found.Where(seen.Add));
            }
        }

        return new CircuitSources(files, unresolved);
    }

    /// <summary>
    /// SHA-256 over every source's contents in walk order, each preceded by its name relative to the
    /// folder it was found in (so moving a checkout does not miss the cache, and a rename is a change),
    /// and over <paramref name="compiler"/>: whatever else decides the output (compiler build, flags).
    /// </summary>
    public string Hash(string compiler, IReadOnlyList<string> libraries)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Field(ReadOnlySpan<byte> bytes)
        {
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
            sha.AppendData(length);
            sha.AppendData(bytes);
        }

        Field(Encoding.UTF8.GetBytes(compiler));
        var roots = libraries.Select(l => Path.GetFullPath(l)).Prepend(Path.GetDirectoryName(Files[0])!).ToList();
        foreach (var file in Files)
        {
            Field(Encoding.UTF8.GetBytes(RelativeName(file, roots)));
            Field(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// The files <c>include "<paramref name="name"/>"</c> in a file in <paramref name="folder"/> may mean, in
    /// circom's order of preference: beside the including file, then under each library.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string name, string folder, IReadOnlyList<string> libraries) =>
        [.. libraries.Prepend(folder).Select(root => Path.GetFullPath(Path.Combine(root, name))).Where(File.Exists).Distinct()];

    /// <summary>
    /// The names in a circom source's <c>include "…";</c> statements, skipping comments and string
    /// literals elsewhere, so a commented-out include is not a dependency.
    /// </summary>
    public static IReadOnlyList<string> Includes(string source)
    {
        var names = new List<string>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '/' && At(source, i + 1, '/'))
            {
                i = SkipLine(source, i);
            }
            else if (c == '/' && At(source, i + 1, '*'))
            {
                i = SkipBlock(source, i);
            }
            else if (c == '"')
            {
                i = SkipString(source, i, out _);
            }
            else if (IsWordStart(c))
            {
                var start = i;
                while (i < source.Length && IsWordPart(source[i]))
                {
                    i++;
                }

                if (source.AsSpan(start, i - start).SequenceEqual("include"))
                {
                    i = SkipSpaceAndComments(source, i);
                    if (At(source, i, '"'))
                    {
                        i = SkipString(source, i, out var name);
                        names.Add(name);
                    }
                }
            }
            else
            {
                i++;
            }
        }

        return names;
    }

    private static string RelativeName(string file, List<string> roots)
    {
        foreach (var root in roots)
        {
            var relative = Path.GetRelativePath(root, file);
            if (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative))
            {
                return relative.Replace('\\', '/');
            }
        }

        return Path.GetFileName(file);
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    private static bool IsWordStart(char c) => char.IsAsciiLetter(c) || c is '_' or '$';

    private static bool IsWordPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$';

    private static int SkipLine(string s, int i)
    {
        var end = s.IndexOf('\n', i);
        return end < 0 ? s.Length : end + 1;
    }

    private static int SkipBlock(string s, int i)
    {
        var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
        return end < 0 ? s.Length : end + 2;
    }

    private static int SkipString(string s, int i, out string value)
    {
        var start = i + 1;
        var end = start;
        while (end < s.Length && s[end] != '"')
        {
            end += s[end] == '\\' ? 2 : 1;
        }

        end = Math.Min(end, s.Length);
        value = s[start..end];
        return Math.Min(end + 1, s.Length);
    }

    private static int SkipSpaceAndComments(string s, int i)
    {
        while (i < s.Length)
        {
            if (char.IsWhiteSpace(s[i]))
            {
                i++;
            }
            else if (s[i] == '/' && At(s, i + 1, '/'))
            {
                i = SkipLine(s, i);
            }
            else if (s[i] == '/' && At(s, i + 1, '*'))
            {
                i = SkipBlock(s, i);
            }
            else
            {
                break;
            }
        }

        return i;
    }
}
