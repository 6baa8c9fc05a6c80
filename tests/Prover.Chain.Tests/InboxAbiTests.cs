using System.Reflection;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.ABI.Model;
using Nethereum.Contracts;

namespace Prover.Chain.Tests;

/// <summary>
/// The typed messages of InboxMessages.cs against the ABI of the inbox as compiled into Prover.Chain:
/// Nethereum encodes calls and decodes events from the C# attributes alone, so a parameter added,
/// dropped, reordered or retyped in the contract and not in C# would send calls the inbox cannot decode.
/// </summary>
public sealed class InboxAbiTests
{
    private static readonly ContractABI Abi = new ABIJsonDeserialiser().DeserialiseContract(CompiledContract.BatchInbox.Abi);

    [Fact]
    public void Every_inbox_function_has_a_typed_message_with_its_parameters_and_outputs_and_no_message_names_another()
    {
        // The verifier's verifyProof is the one message for another contract.
        var typed = typeof(BatchInbox).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(FunctionMessage)) && t.GetCustomAttribute<FunctionAttribute>() is not null && t != typeof(VerifyProofFunction))
            .Select(TypedFunction)
            .ToList();

        Assert.Equal(Abi.Functions.Select(Describe).Order(StringComparer.Ordinal), typed.Select(Describe).Order(StringComparer.Ordinal));
        Assert.Equal(Abi.Functions.Select(f => f.Sha3Signature).Order(StringComparer.Ordinal), typed.Select(f => f.Sha3Signature).Order(StringComparer.Ordinal));
        Assert.Contains(typed, f => f.Name == "submitBatch" && f.InputParameters.Length == 10);
    }

    [Fact]
    public void The_deployment_message_has_the_constructor_parameters_in_order()
    {
        var constructor = Abi.Constructor.InputParameters.Select(p => $"{p.Type} {p.Name}");
        var typed = typeof(BatchInboxDeployment).GetProperties()
            .Select(p => p.GetCustomAttribute<ParameterAttribute>())
            .OfType<ParameterAttribute>()
            .OrderBy(a => a.Order)
            .Select(a => $"{a.Type} {a.Name}");
        Assert.Equal(constructor, typed);
    }

    [Fact]
    public void Both_inbox_events_have_typed_messages_with_their_parameters_and_indexing()
    {
        EventABI[] typed = [ABITypedRegistry.GetEvent<BatchFinalizedEvent>(), ABITypedRegistry.GetEvent<BatchCommittedEvent>()];

        Assert.Equal(["BatchCommitted", "BatchFinalized"], Abi.Events.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Abi.Events.Select(Describe).Order(StringComparer.Ordinal), typed.Select(Describe).Order(StringComparer.Ordinal));
        Assert.Equal(Abi.Events.Select(e => e.Sha3Signature).Order(StringComparer.Ordinal), typed.Select(e => e.Sha3Signature).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_inbox_errors_are_exactly_the_signatures_the_tests_assert_by_selector()
    {
        Assert.Equal(
            InboxError.All.Order(StringComparer.Ordinal),
            Abi.Errors.Select(e => $"{e.Name}({string.Join(",", e.InputParameters.Select(p => p.Type))})").Order(StringComparer.Ordinal));
        foreach (var signature in InboxError.All)
        {
            Assert.Equal(InboxTestKit.Selector(signature), InboxErrors.Selectors[InboxError.Name(signature)]);
        }
    }

    [Fact]
    public void Every_error_a_call_can_revert_with_decodes_to_its_name_and_arguments_and_has_its_own_advice()
    {
        // InvalidDeployment is the constructor's: no call reverts with it, and no submitter needs advice for it.
        foreach (var error in Abi.Errors.Where(e => e.Name != InboxError.Name(InboxError.InvalidDeployment)))
        {
            // Every argument of these errors is a static type: one word each.
            var data = "0x" + error.Sha3Signature + string.Concat(Enumerable.Repeat(new string('0', 63) + "1", error.InputParameters.Length));

            var e = InboxErrors.Decode(data);

            Assert.Equal(error.Name, e.Error);
            Assert.Equal(error.InputParameters.Select(p => p.Name).Order(StringComparer.Ordinal), e.Arguments.Keys.Order(StringComparer.Ordinal));
            Assert.DoesNotContain("See docs/chain.md", e.Message, StringComparison.Ordinal);
        }
    }

    private static FunctionABI TypedFunction(Type message) =>
        (FunctionABI)typeof(ABITypedRegistry).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == nameof(ABITypedRegistry.GetFunctionABI) && m.IsGenericMethodDefinition && m.GetParameters().Length == 0)
            .MakeGenericMethod(message)
            .Invoke(null, null)!;

    private static string Describe(FunctionABI f) =>
        $"{f.Name}({string.Join(", ", f.InputParameters.Select(p => $"{p.Type} {p.Name}"))}) returns ({string.Join(", ", (f.OutputParameters ?? []).Select(p => p.Type))})";

    private static string Describe(EventABI e) =>
        $"{e.Name}({string.Join(", ", e.InputParameters.Select(p => $"{p.Type}{(p.Indexed ? " indexed" : "")} {p.Name}"))})";
}
