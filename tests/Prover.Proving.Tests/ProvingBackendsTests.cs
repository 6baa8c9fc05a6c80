using Prover.Proving.Native;
using Prover.Proving.Snarkjs;

namespace Prover.Proving.Tests;

/// <summary>Choosing a backend by name, and failures that say which circuit and which step.</summary>
[Collection(MultiplierCollection.Name)]
public sealed class ProvingBackendsTests(MultiplierFixture fixture)
{
    [Theory]
    [InlineData("native", BackendKind.Native)]
    [InlineData(" Native ", BackendKind.Native)]
    [InlineData("snarkjs", BackendKind.Snarkjs)]
    [InlineData("SNARKJS", BackendKind.Snarkjs)]
    public void A_backend_is_chosen_by_its_name_in_any_case(string name, BackendKind expected) =>
        Assert.Equal(expected, ProvingBackends.Parse(name));

    [Theory]
    [InlineData("gnark")]
    [InlineData("")]
    [InlineData(null)]
    public void An_unknown_name_is_refused_with_the_names_that_exist(string? name)
    {
        var error = Assert.Throws<UnknownBackendException>(() => ProvingBackends.Parse(name));

        Assert.Equal($"'{name?.Trim() ?? ""}' is not a proving backend: use native or snarkjs.", error.Message);
        Assert.Equal(["native", "snarkjs"], error.ValidNames);
    }

    [Fact]
    public void Native_is_the_default_and_each_kind_makes_its_backend()
    {
        Assert.Equal(BackendKind.Native, ProvingBackends.Default);
        using var native = Assert.IsType<NativeBackend>(ProvingBackends.Create(BackendKind.Native));
        Assert.IsType<SnarkjsBackend>(ProvingBackends.Create(BackendKind.Snarkjs));
        Assert.All(Enum.GetValues<BackendKind>(), kind => Assert.Equal(kind, ProvingBackends.Parse(ProvingBackends.NameOf(kind))));
    }

    [Fact]
    public async Task A_rejected_input_names_the_circuit_and_the_step_and_keeps_the_rejection_inside()
    {
        var work = fixture.Work("step-witness");
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), """{"a": "3", "b": "11", "c": "34"}""");
        var circuit = fixture.Artifacts.Circuit;

        var error = await Assert.ThrowsAsync<ProvingStepException>(() => ProvingSteps.RunAsync(
            circuit.Name, ProvingStep.Witness, () => fixture.Backend.ComputeWitnessAsync(circuit, input, Path.Combine(work, "witness.wtns"), CancellationToken.None)));

        Assert.StartsWith("ranged_multiplier: witness failed: " + input + ": the circuit input does not satisfy", error.Message, StringComparison.Ordinal);
        Assert.Equal(("ranged_multiplier", ProvingStep.Witness), (error.Circuit, error.Step));
        Assert.IsType<UnsatisfiedConstraintsException>(error.InnerException);
        Assert.True(error.IsInputRejected);
    }

    [Fact]
    public async Task A_tool_failure_names_the_circuit_and_the_step_and_is_not_an_input_rejection()
    {
        var work = fixture.Work("step-prove");

        var error = await Assert.ThrowsAsync<ProvingStepException>(() => ProvingSteps.RunAsync(
            "ranged_multiplier", ProvingStep.Prove, () => fixture.Backend.ProveAsync(fixture.Artifacts, Path.Combine(work, "no-such.wtns"), work, CancellationToken.None)));

        Assert.StartsWith("ranged_multiplier: prove failed: snarkjs could not prove", error.Message, StringComparison.Ordinal);
        Assert.IsType<ProvingToolException>(error.InnerException);
        Assert.False(error.IsInputRejected);
    }

    [Fact]
    public async Task A_cancellation_passes_through_unwrapped()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var work = fixture.Work("step-cancel");
        var input = await TestCircuits.WriteInputAsync(Path.Combine(work, "input.json"), """{"a": "3", "b": "11", "c": "33"}""");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ProvingSteps.RunAsync(
            "ranged_multiplier", ProvingStep.Witness, () => fixture.Backend.ComputeWitnessAsync(fixture.Artifacts.Circuit, input, Path.Combine(work, "witness.wtns"), cancelled.Token)));
    }
}
