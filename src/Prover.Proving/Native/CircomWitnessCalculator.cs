using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Prover.Crypto.Field;
using Wasmtime;

namespace Prover.Proving.Native;

/// <summary>
/// Runs the witness calculator circom compiles to WebAssembly (<c>&lt;circuit&gt;_js/&lt;circuit&gt;.wasm</c>) in
/// process with Wasmtime, in place of a Node process per witness. It speaks the same protocol as circom's
/// own <c>witness_calculator.js</c>: each input signal is addressed by the 64-bit FNV-1a hash of its
/// qualified name, values pass through the module's shared memory as little-endian 32-bit words, and a
/// failed assertion reaches the host through the imported <c>runtime.exceptionHandler</c>.
/// </summary>
/// <remarks>
/// Compiling a module with Cranelift takes most of the first use (about a second for an N = 64
/// circuit), so the compiled code is cached on disk by the WebAssembly's SHA-256 and loaded from there
/// afterwards. One instance is reused for every witness: <c>init</c> resets it. An instance is not
/// thread-safe; calls are serialized here.
/// </remarks>
public sealed class CircomWitnessCalculator : IDisposable
{
    private const string CacheFormat = "wasmtime-50.0.1";

    // Wasmtime's engine is thread-safe and its JIT state is worth sharing between circuits.
    private static readonly Lazy<Engine> SharedEngine = new(() => new Engine(new Config()));

    private readonly object _gate = new();
    private readonly Store _store;
    private readonly Instance _instance;
    private readonly Memory _memory;
    private readonly Action<int> _init;
    private readonly Func<int, int, int> _inputSignalSize;
    private readonly Action<int, int, int> _setInputSignal;
    private readonly Action<int> _getWitness;
    private readonly Func<int> _messageChar;
    private readonly Func<int> _sharedMemoryStart;
    private readonly StringBuilder _errors = new();
    private int? _exception;

    private CircomWitnessCalculator(Module module, string name)
    {
        Name = name;
        _store = new Store(SharedEngine.Value);
        using var linker = new Linker(SharedEngine.Value);
        linker.DefineFunction("runtime", "exceptionHandler", (int code) =>
        {
            _exception = code;
            // Unwinds the module: the call that started the calculation fails with a trap, read below.
            throw new InvalidOperationException(ExceptionText(code));
        });
        linker.DefineFunction("runtime", "printErrorMessage", () => { _errors.AppendLine(ReadMessage()); });
        linker.DefineFunction("runtime", "writeBufferMessage", () => { _ = ReadMessage(); });
        linker.DefineFunction("runtime", "showSharedRWMemory", () => { });
        _instance = linker.Instantiate(_store, module);
        _memory = _instance.GetMemory("memory") ?? throw Malformed("it exports no memory");
        _init = _instance.GetAction<int>("init") ?? throw Malformed("it exports no init");
        _inputSignalSize = _instance.GetFunction<int, int, int>("getInputSignalSize") ?? throw Malformed("it exports no getInputSignalSize");
        _setInputSignal = _instance.GetAction<int, int, int>("setInputSignal") ?? throw Malformed("it exports no setInputSignal");
        _getWitness = _instance.GetAction<int>("getWitness") ?? throw Malformed("it exports no getWitness");
        _messageChar = _instance.GetFunction<int>("getMessageChar") ?? throw Malformed("it exports no getMessageChar");
        _sharedMemoryStart = _instance.GetFunction<int>("getSharedRWMemoryStart") ?? throw Malformed("it exports no getSharedRWMemoryStart");
        var fieldWords = (_instance.GetFunction<int>("getFieldNumLen32") ?? throw Malformed("it exports no getFieldNumLen32"))();
        if (fieldWords != Fr.ByteLength / 4)
        {
            throw Malformed($"its field elements are {fieldWords} words, not the BN254 scalar field's 8");
        }

        (_instance.GetAction("getRawPrime") ?? throw Malformed("it exports no getRawPrime"))();
        if (new BigInteger(SharedWords(), isUnsigned: true, isBigEndian: false) != Fr.Modulus)
        {
            throw Malformed("its prime is not the BN254 scalar field's r");
        }

        WitnessSize = (_instance.GetFunction<int>("getWitnessSize") ?? throw Malformed("it exports no getWitnessSize"))();
        InputSize = (_instance.GetFunction<int>("getInputSize") ?? throw Malformed("it exports no getInputSize"))();
    }

    /// <summary>The circuit's name (the module's file name without extension).</summary>
    public string Name { get; }

    /// <summary>Values per witness: every wire, the constant 1 first.</summary>
    public int WitnessSize { get; }

    /// <summary>Input values the circuit takes, all signals together.</summary>
    public int InputSize { get; }

    /// <summary>
    /// Loads a circom witness calculator, compiling it with Cranelift unless <paramref name="cacheDirectory"/>
    /// already holds its compiled code (then it is loaded from there).
    /// </summary>
    /// <exception cref="ProvingToolException">The file is not a circom witness calculator Wasmtime can run.</exception>
    public static CircomWitnessCalculator Load(string wasmFile, string? cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(wasmFile);
        var name = Path.GetFileNameWithoutExtension(wasmFile);
        Module module;
        try
        {
            module = LoadModule(wasmFile, name, cacheDirectory);
        }
        catch (WasmtimeException e)
        {
            throw new ProvingToolException($"Wasmtime could not compile the witness calculator {wasmFile}: {e.Message}", "recompile the circuit (circom --wasm).", $"wasmtime compile {wasmFile}", null, "", e);
        }

        using (module)
        {
            try
            {
                return new CircomWitnessCalculator(module, name);
            }
            catch (WasmtimeException e)
            {
                throw new ProvingToolException($"Wasmtime could not start the witness calculator {wasmFile}: {e.Message}", "recompile the circuit (circom --wasm).", $"wasmtime instantiate {wasmFile}", null, "", e);
            }
        }
    }

    /// <summary>Computes the witness for a circuit input (signal name to decimal string, number or nested array of them).</summary>
    /// <param name="source">Names the input in errors (its file).</param>
    /// <exception cref="InvalidCircuitInputException">A signal is unknown, has the wrong number of values, a value is not an integer, or a signal is missing.</exception>
    /// <exception cref="UnsatisfiedConstraintsException">The input fails one of the circuit's assertions.</exception>
    public Fr[] Calculate(JsonObject input, string source)
    {
        ArgumentNullException.ThrowIfNull(input);
        var signals = new List<(string Name, List<JsonNode?> Values)>();
        Qualify("", input, signals, source);
        lock (_gate)
        {
            _errors.Clear();
            _exception = null;
            try
            {
                Run(() => _init(0), source);
                var set = 0;
                Span<byte> words = stackalloc byte[Fr.ByteLength];
                foreach (var (signal, values) in signals)
                {
                    var hash = Fnv1a(signal);
                    var msb = unchecked((int)(hash >> 32));
                    var lsb = unchecked((int)hash);
                    // circom answers 0, not −1 as its JavaScript expects, for a name it does not know.
                    var size = _inputSignalSize(msb, lsb);
                    if (size <= 0)
                    {
                        throw new InvalidCircuitInputException(source, $"the circuit has no input signal '{signal}'.");
                    }

                    if (values.Count != size)
                    {
                        throw new InvalidCircuitInputException(source, $"input signal '{signal}' takes {size} values, not {values.Count}.");
                    }

                    for (var i = 0; i < values.Count; i++)
                    {
                        Value(values[i], signal, i, source).WriteLittleEndian(words);
                        words.CopyTo(_memory.GetSpan(_sharedMemoryStart(), Fr.ByteLength));
                        var index = i;
                        Run(() => _setInputSignal(msb, lsb, index), source);
                        set++;
                    }
                }

                if (set < InputSize)
                {
                    throw new InvalidCircuitInputException(source, $"only {set} of the circuit's {InputSize} input values are set.");
                }

                var witness = new Fr[WitnessSize];
                for (var i = 0; i < witness.Length; i++)
                {
                    var index = i;
                    Run(() => _getWitness(index), source);
                    witness[i] = Fr.FromBytesLittleEndian(SharedWords(), "witness value");
                }

                return witness;
            }
            finally
            {
                _errors.Clear();
            }
        }
    }

    public void Dispose()
    {
        _store.Dispose();
    }

    /// <summary>The 64-bit FNV-1a hash circom addresses input signals by (over UTF-16 code units, as JavaScript's charCodeAt).</summary>
    internal static ulong Fnv1a(string name)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in name)
        {
            hash ^= c;
            hash = unchecked(hash * 0x100000001B3UL);
        }

        return hash;
    }

    private static Module LoadModule(string wasmFile, string name, string? cacheDirectory)
    {
        var engine = SharedEngine.Value;
        if (cacheDirectory is null)
        {
            return Module.FromFile(engine, wasmFile);
        }

        var bytes = File.ReadAllBytes(wasmFile);
        var folder = Directory.CreateDirectory(Path.Combine(cacheDirectory, "wasm")).FullName;
        var cached = Path.Combine(folder, $"{Convert.ToHexStringLower(SHA256.HashData(bytes))}.{CacheFormat}.cwasm");
        if (File.Exists(cached))
        {
            try
            {
                return Module.DeserializeFile(engine, name, cached);
            }
            catch (WasmtimeException)
            {
                // Written by another Wasmtime or damaged: compiled again below and replaced.
            }
        }

        var module = Module.FromBytes(engine, name, bytes);
        var scratch = $"{cached}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(scratch, module.Serialize());
        File.Move(scratch, cached, overwrite: true);
        return module;
    }

    /// <summary>Runs a call into the module; a trap becomes the error the module reported before it.</summary>
    private void Run(Action call, string source)
    {
        try
        {
            call();
        }
        catch (WasmtimeException e)
        {
            var detail = _errors.ToString().Trim();
            var what = _exception is { } code ? ExceptionText(code) : $"the witness calculator trapped ({e.Message})";
            var text = detail.Length == 0 ? what : $"{what} {detail.ReplaceLineEndings("; ")}";
            throw _exception is 4
                ? new UnsatisfiedConstraintsException(source, text)
                : new InvalidCircuitInputException(source, text);
        }
    }

    private static string ExceptionText(int code) => code switch
    {
        1 => "Signal not found.",
        2 => "Too many signals set.",
        3 => "Signal already set.",
        4 => "Assert Failed.",
        5 => "Not enough memory.",
        6 => "Input signal array access exceeds the size.",
        7 => "Out of bounds array access.",
        _ => $"Unknown error {code}.",
    };

    private string ReadMessage()
    {
        var message = new StringBuilder();
        for (var c = _messageChar(); c != 0; c = _messageChar())
        {
            message.Append((char)c);
        }

        return message.ToString();
    }

    private ReadOnlySpan<byte> SharedWords() => _memory.GetSpan(_sharedMemoryStart(), Fr.ByteLength);

    private ProvingToolException Malformed(string problem) =>
        new($"{Name}.wasm is not a circom witness calculator of the BN254 scalar field: {problem}.", "recompile the circuit (circom --wasm).", $"wasmtime instantiate {Name}.wasm", null, "");

    /// <summary>Flattens the input as circom's calculator does: nested objects by <c>.</c>, arrays of objects by <c>[i]</c>, arrays of values into one signal.</summary>
    private static void Qualify(string prefix, JsonNode? node, List<(string, List<JsonNode?>)> signals, string source)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    Qualify(prefix.Length == 0 ? key : $"{prefix}.{key}", value, signals, source);
                }

                break;
            case JsonArray array when array.Count > 0 && Flatten(array).FirstOrDefault() is JsonObject:
                for (var i = 0; i < array.Count; i++)
                {
                    Qualify($"{prefix}[{i.ToString(CultureInfo.InvariantCulture)}]", array[i], signals, source);
                }

                break;
            case JsonArray array:
                signals.Add((prefix, Flatten(array).ToList()));
                break;
            default:
                signals.Add((prefix, [node]));
                break;
        }
    }

    private static IEnumerable<JsonNode?> Flatten(JsonArray array)
    {
        foreach (var item in array)
        {
            if (item is JsonArray inner)
            {
                foreach (var value in Flatten(inner))
                {
                    yield return value;
                }
            }
            else
            {
                yield return item;
            }
        }
    }

    /// <summary>An input value as the calculator normalizes it: an integer (decimal or 0x hex, or a JSON number) reduced modulo r.</summary>
    private static Fr Value(JsonNode? node, string signal, int index, string source)
    {
        var text = node switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => v.ToJsonString(),
            _ => null,
        };
        var negative = text?.StartsWith('-') == true;
        var digits = negative ? text![1..] : text;
        var value = BigInteger.Zero;
        var parsed = digits is { Length: > 0 } && (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? digits.Length > 2 && BigInteger.TryParse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value));
        if (!parsed)
        {
            throw new InvalidCircuitInputException(source, $"value {index} of input signal '{signal}' is not an integer ({node?.ToJsonString() ?? "null"}).");
        }

        return Fr.Reduce(negative ? -value : value);
    }
}
