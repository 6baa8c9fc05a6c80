namespace Prover.Chain.Tests;

/// <summary>
/// The inbox's custom errors as their Solidity signatures, written out here rather than read from the
/// ABI under test: the tests assert refusals by the selectors these give, and the ABI test checks that
/// they are exactly the compiled contract's errors, so a renamed, retyped, added or dropped error fails.
/// </summary>
internal static class InboxError
{
    public const string NotSequencer = "NotSequencer(address)";
    public const string WrongDomain = "WrongDomain(uint256,uint256,uint256)";
    public const string WrongHead = "WrongHead(uint64,uint256,uint64,uint256)";
    public const string CountOutOfRange = "CountOutOfRange(uint64,uint64)";
    public const string TxListLengthMismatch = "TxListLengthMismatch(uint64,uint256)";
    public const string BadProof = "BadProof()";
    public const string DuplicateTx = "DuplicateTx(uint64,uint64,bytes32)";
    public const string TxListReordered = "TxListReordered()";
    public const string TxListNotProven = "TxListNotProven()";
    public const string NotFieldElement = "NotFieldElement(uint256)";
    public const string NothingToCommit = "NothingToCommit(uint256)";
    public const string WrongCommit = "WrongCommit(uint64,uint256,uint64,uint256)";
    public const string NotCommitted = "NotCommitted(uint64)";
    public const string CommitmentMismatch = "CommitmentMismatch(uint64,uint256,uint256)";
    public const string BeaconNotReady = "BeaconNotReady(uint64,uint64)";
    public const string BeaconExpired = "BeaconExpired(uint64,uint64)";
    public const string BeaconNotExpired = "BeaconNotExpired(uint64,uint64)";
    public const string InvalidDeployment = "InvalidDeployment(string)";

    /// <summary>Every error above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        NotSequencer, WrongDomain, WrongHead, CountOutOfRange, TxListLengthMismatch, BadProof, DuplicateTx, TxListReordered,
        TxListNotProven, NotFieldElement, NothingToCommit, WrongCommit, NotCommitted, CommitmentMismatch, BeaconNotReady,
        BeaconExpired, BeaconNotExpired, InvalidDeployment,
    ];

    /// <summary>The error's name: its signature up to the parenthesis.</summary>
    public static string Name(string signature) => signature[..signature.IndexOf('(', StringComparison.Ordinal)];
}
