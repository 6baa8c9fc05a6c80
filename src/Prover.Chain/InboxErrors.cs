using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;

namespace Prover.Chain;

/// <summary>Turns the inbox's revert data into an <see cref="InboxRejectedException"/> named after its custom error.</summary>
internal static class InboxErrors
{
    private static readonly Lazy<ErrorABI[]> Errors = new(() =>
        new ABIJsonDeserialiser().DeserialiseContract(CompiledContract.BatchInbox.Abi).Errors);

    /// <summary>The selectors of the inbox's custom errors by name, from the compiled ABI.</summary>
    public static IReadOnlyDictionary<string, string> Selectors =>
        Errors.Value.ToDictionary(e => e.Name, e => "0x" + e.Sha3Signature.ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>The revert data a failed call or estimate carries, or null when the exception has none.</summary>
    public static string? RevertData(Exception e) => e switch
    {
        SmartContractCustomErrorRevertException custom => custom.ExceptionEncodedData,
        Nethereum.ABI.FunctionEncoding.SmartContractRevertException revert => revert.EncodedData,
        RpcResponseException rpc when rpc.RpcError?.Data is { } data => data.ToString()?.Trim('"'),
        _ => null,
    };

    public static InboxRejectedException Decode(string revertData)
    {
        var data = revertData.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? revertData : "0x" + revertData;
        var selector = data.Length >= 10 ? data[..10].ToLowerInvariant() : data;
        var error = Errors.Value.FirstOrDefault(e => "0x" + e.Sha3Signature.ToLowerInvariant() == selector);
        if (error is null)
        {
            return new InboxRejectedException("unknown", selector, new Dictionary<string, string> { ["data"] = data }, "The revert data matches none of the inbox's errors: is the address an inbox of this version?");
        }

        var arguments = new SmartContractCustomErrorRevertException(data).DecodeErrorToDefault(error)
            .ToDictionary(p => p.Parameter.Name, p => Format(p.Result), StringComparer.Ordinal);
        return new InboxRejectedException(error.Name, selector, arguments, Advice(error.Name, arguments));
    }

    private static string Format(object? value) => value switch
    {
        byte[] bytes => bytes.ToHex(prefix: true),
        null => "null",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static string Advice(string error, IReadOnlyDictionary<string, string> a) => error switch
    {
        "NotSequencer" => "Only the inbox's sequencer may submit: send from its account (`prover chain status` shows it).",
        "WrongDomain" => $"The proof was made for another chain, inbox or policy (the inbox's domain is {a.GetValueOrDefault("expected")} on chain {a.GetValueOrDefault("chainId")}): cut and prove the batch for this inbox.",
        "WrongHead" => $"The batch is not the inbox's next one: already finalized (a replay) or built on another log head. The inbox expects batch {a.GetValueOrDefault("expectedIndex")} starting at head {a.GetValueOrDefault("expectedPrevHead")}.",
        "CountOutOfRange" => $"A batch holds 1 to {a.GetValueOrDefault("capacity")} transactions (the verifier's circuit capacity).",
        "TxListLengthMismatch" => "The ordered transaction hash list must have exactly count entries.",
        "BadProof" => "The verifier rejected the proof, for the statement the inbox built and for the one the call claims: prove the batch again with the keys of the deployed verifier.",
        "DuplicateTx" => $"The posted list names transaction {a.GetValueOrDefault("txHash")} twice (positions {a.GetValueOrDefault("first")} and {a.GetValueOrDefault("second")}) and is not the list the proof proves: post the proven order, as the batch's witness lists it.",
        "TxListReordered" => "The posted list holds the proven batch's transactions in another order: the inbox finalizes only the order the proof proves (the witness's orderedTxHashes).",
        "TxListNotProven" => "The posted list holds a transaction the proven batch does not: post the witness's orderedTxHashes, the list the proof was made for.",
        "NotFieldElement" => "A head must be a BN254 scalar field element (below r).",
        "NothingToCommit" => "Only a shuffle inbox takes commitments; submit this policy's batches directly.",
        "WrongCommit" => $"The commitment is not the next one: the inbox expects batch {a.GetValueOrDefault("expectedIndex")} continuing head {a.GetValueOrDefault("expectedPrevHead")}.",
        "NotCommitted" => "A shuffle batch is committed (its new head recorded, its beacon drawn) before it is proven and submitted.",
        "CommitmentMismatch" => $"The batch's new head is not the one committed for it ({a.GetValueOrDefault("committedHead")}): a shuffle batch cannot change once committed.",
        "BeaconNotReady" => $"The beacon is the hash of block {a.GetValueOrDefault("beaconBlock")}, which is still the current block: submit in a later one.",
        "BeaconExpired" => $"The beacon block {a.GetValueOrDefault("beaconBlock")} is more than 256 blocks old and its hash is gone: redraw the beacon (redrawBeacon), then order and prove the batch again.",
        "BeaconNotExpired" => $"The beacon of block {a.GetValueOrDefault("beaconBlock")} can still be read: it cannot be drawn again.",
        _ => "See docs/chain.md.",
    };
}
