using System.Text.Json.Nodes;
using Prover.Core.Batches;
using Prover.Crypto.Field;
using Prover.Proving.Native;
using Prover.Proving.Tests.Ordering;
using static Prover.Proving.Tests.Ordering.Inputs;

namespace Prover.Proving.Tests.Native;

/// <summary>
/// The witness computed in process (circom's WebAssembly run by Wasmtime) against circom's own
/// generator run by snarkjs, the differential oracle: the same values for every policy's circuits, the
/// same refusals, and a .wtns file snarkjs reads as its own. The constraint system reader is checked
/// against the same witnesses.
/// </summary>
[Collection(OrderingCircuitsCollection.Name)]
public sealed class NativeWitnessTests
{
    private readonly OrderingCircuitsFixture _fixture;

    public NativeWitnessTests(OrderingCircuitsFixture fixture) => _fixture = fixture;

    [Theory]
    [MemberData(nameof(OrderingCircuitsFixture.Circuits), MemberType = typeof(OrderingCircuitsFixture))]
    public async Task The_native_witness_equals_circoms_for_every_policy_and_satisfies_the_constraint_system(string policy, int capacity)
    {
        var circuit = _fixture.Circuit(policy, capacity);
        using var calculator = CircomWitnessCalculator.Load(circuit.WitnessGeneratorFile, _fixture.Work());
        var r1cs = R1cs.Read(circuit.ConstraintSystemFile);
        Assert.Equal(r1cs.Wires, calculator.WitnessSize);

        // A full batch and one that pads all but one slot.
        foreach (var count in new[] { capacity, 1 })
        {
            var input = CircuitInputs.From(Batches.Witness(policy, count: Math.Min(count, 4), capacity: capacity));
            var circoms = WitnessFile.Read(await _fixture.WitnessAsync(circuit, input));
            var native = calculator.Calculate(input, "input");
            Assert.Equal(circoms, native);
            Assert.Null(r1cs.FirstUnsatisfied(native));
        }
    }

    [Fact]
    public async Task The_native_witness_equals_circoms_for_every_golden_fixture_batch()
    {
        var calculators = new Dictionary<string, CircomWitnessCalculator>();
        try
        {
            var batches = 0;
            foreach (var (name, witness) in Batches.GoldenCapacity8())
            {
                var circuit = _fixture.Circuit(witness.Policy.Id, 8);
                if (!calculators.TryGetValue(witness.Policy.Id, out var calculator))
                {
                    calculators[witness.Policy.Id] = calculator = CircomWitnessCalculator.Load(circuit.WitnessGeneratorFile, null);
                }

                var input = CircuitInputs.From(witness);
                Assert.True(WitnessFile.Read(await _fixture.WitnessAsync(circuit, input)).SequenceEqual(calculator.Calculate(input, name)), name);
                batches++;
            }

            Assert.True(batches >= 12, $"only {batches} golden batches found");
        }
        finally
        {
            foreach (var calculator in calculators.Values)
            {
                calculator.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(OrderingCircuitsFixture.Circuits), MemberType = typeof(OrderingCircuitsFixture))]
    public void Every_wire_but_a_zero_tests_unused_inverse_is_held_by_a_constraint_the_reader_evaluates(string policy, int capacity)
    {
        // Changing any one value (the constant wire aside) must break some constraint, else that wire
        // would be free in a proof, or the reader would be skipping terms. The one exception is
        // circomlib's IsZero hint: `inv` multiplies an input that is 0, so it is free exactly when the
        // test finds nothing (timeboost's express-lane check, for the controller's own transactions).
        var circuit = _fixture.Circuit(policy, capacity);
        using var calculator = CircomWitnessCalculator.Load(circuit.WitnessGeneratorFile, null);
        var r1cs = R1cs.Read(circuit.ConstraintSystemFile);
        var witness = calculator.Calculate(CircuitInputs.From(Batches.Witness(policy, count: 3, capacity: capacity)), "input");
        var free = new List<int>();
        for (var wire = 1; wire < witness.Length; wire++)
        {
            var original = witness[wire];
            witness[wire] = original + Fr.One;
            if (r1cs.FirstUnsatisfied(witness) is null)
            {
                free.Add(wire);
            }

            witness[wire] = original;
        }

        var names = SignalNames(circuit);
        var expected = policy == "timeboost" ? new[] { "main.express[2].isz.inv" } : []; // slot 2 is the controller's
        Assert.Equal(expected, free.Select(w => names[w]));
        Assert.Null(r1cs.FirstUnsatisfied(witness));
    }

    [Theory]
    [InlineData("priority-fee")]
    [InlineData("shuffle")]
    public async Task An_input_the_circuit_refuses_is_refused_natively_as_by_circom(string policy)
    {
        // A swapped order with its own commitment: refused by the sort's range check inside the generator.
        var input = CircuitInputs.From(Batches.Witness(policy));
        Swap(input, "ordered", 0, 1);
        Recommit(input, policy);
        var circuit = _fixture.Circuit(policy, 4);
        using var calculator = CircomWitnessCalculator.Load(circuit.WitnessGeneratorFile, null);

        var native = Assert.Throws<UnsatisfiedConstraintsException>(() => calculator.Calculate(input, "swapped.json"));
        await Assert.ThrowsAsync<UnsatisfiedConstraintsException>(() => _fixture.WitnessAsync(policy, 4, input));
        Assert.Contains("Assert Failed", native.Detail, StringComparison.Ordinal);
        Assert.Equal("swapped.json", native.InputFile);

        // The instance is reused: an honest input after a refused one computes as ever.
        var honest = CircuitInputs.From(Batches.Witness(policy));
        Assert.Equal(WitnessFile.Read(await _fixture.WitnessAsync(circuit, honest)), calculator.Calculate(honest, "honest"));
    }

    [Fact]
    public void Inputs_that_do_not_fit_the_circuit_are_refused_with_the_signal_named()
    {
        var circuit = _fixture.Circuit("fcfs", 4);
        using var calculator = CircomWitnessCalculator.Load(circuit.WitnessGeneratorFile, null);
        var honest = CircuitInputs.From(Batches.Witness("fcfs"));

        var unknown = Copy(honest);
        unknown["nonsense"] = "1";
        Assert.Contains("no input signal 'nonsense'", Assert.Throws<InvalidCircuitInputException>(() => calculator.Calculate(unknown, "in")).Detail, StringComparison.Ordinal);

        var shorter = Copy(honest);
        shorter["fee"]!.AsArray().RemoveAt(0);
        Assert.Contains("input signal 'fee' takes 4 values, not 3", Assert.Throws<InvalidCircuitInputException>(() => calculator.Calculate(shorter, "in")).Detail, StringComparison.Ordinal);

        var missing = Copy(honest);
        missing.Remove("chainId");
        Assert.Contains($"of the circuit's {calculator.InputSize} input values are set", Assert.Throws<InvalidCircuitInputException>(() => calculator.Calculate(missing, "in")).Detail, StringComparison.Ordinal);

        var text = Copy(honest);
        text["count"] = "four";
        Assert.Contains("value 0 of input signal 'count' is not an integer", Assert.Throws<InvalidCircuitInputException>(() => calculator.Calculate(text, "in")).Detail, StringComparison.Ordinal);

        // Values are read as circom's calculator reads them: hex, JSON numbers and negatives modulo r.
        var forms = Copy(honest);
        forms["count"] = JsonValue.Create(4);
        forms["prevLastArrival"] = "0x" + Get(honest, "prevLastArrival").ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(calculator.Calculate(honest, "in"), calculator.Calculate(forms, "in"));
    }

    [Fact]
    public async Task The_native_witness_file_is_one_snarkjs_reads_as_its_own()
    {
        var circuit = _fixture.Circuit("timeboost", 4);
        using var calculator = CircomWitnessCalculator.Load(circuit.WitnessGeneratorFile, null);
        var native = calculator.Calculate(CircuitInputs.From(Batches.Witness("timeboost")), "input");
        var file = Path.Combine(_fixture.Work(), "native.wtns");
        WitnessFile.Write(file, native);

        Assert.Equal(native, await _fixture.Backend.ExportWitnessAsync(file, CancellationToken.None));
        Assert.Equal(native, WitnessFile.Read(file));
    }

    [Fact]
    public void The_compiled_module_is_cached_by_its_hash_and_a_damaged_cache_entry_is_compiled_again()
    {
        var circuit = _fixture.Circuit("priority-fee", 4);
        var cache = _fixture.Work();
        var input = CircuitInputs.From(Batches.Witness("priority-fee"));
        Fr[] first;
        using (var calculator = CircomWitnessCalculator.Load(circuit.WitnessGeneratorFile, cache))
        {
            first = calculator.Calculate(input, "input");
        }

        var entry = Assert.Single(Directory.GetFiles(Path.Combine(cache, "wasm")));
        var written = File.GetLastWriteTimeUtc(entry);
        using (var calculator = CircomWitnessCalculator.Load(circuit.WitnessGeneratorFile, cache))
        {
            Assert.Equal(first, calculator.Calculate(input, "input"));
        }

        Assert.Equal(written, File.GetLastWriteTimeUtc(entry));

        File.WriteAllBytes(entry, [1, 2, 3]);
        using (var calculator = CircomWitnessCalculator.Load(circuit.WitnessGeneratorFile, cache))
        {
            Assert.Equal(first, calculator.Calculate(input, "input"));
        }

        Assert.True(new FileInfo(Assert.Single(Directory.GetFiles(Path.Combine(cache, "wasm")))).Length > 3);
    }

    /// <summary>Each wire's signal name, from the .sym file circom writes beside the constraint system (label, wire, component, name).</summary>
    private static Dictionary<int, string> SignalNames(CompiledCircuit circuit)
    {
        var names = new Dictionary<int, string>();
        foreach (var line in File.ReadLines(Path.ChangeExtension(circuit.ConstraintSystemFile, ".sym")))
        {
            var fields = line.Split(',');
            var wire = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            if (wire >= 0)
            {
                names.TryAdd(wire, fields[3]);
            }
        }

        return names;
    }

    [Theory]
    [InlineData("", 0xCBF29CE484222325UL)]
    [InlineData("a", 0xAF63DC4C8601EC8CUL)]
    [InlineData("foobar", 0x85944171F73967E8UL)]
    public void Input_signals_are_addressed_by_the_64_bit_FNV_1a_hash_of_their_name(string name, ulong hash) =>
        Assert.Equal(hash, CircomWitnessCalculator.Fnv1a(name));
}
