using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace Prover.Chain;

// Typed messages for Contracts/BatchInbox.sol and the snarkjs verifier. Names and parameter types
// must match the Solidity declarations: the ABI encoder works from these attributes, and a test
// compares them with the compiled ABI.

internal sealed class BatchInboxDeployment : ContractDeploymentMessage
{
    public BatchInboxDeployment() : base(CompiledContract.BatchInbox.Bytecode) { }

    [Parameter("address", "verifier_", 1)]
    public string Verifier { get; set; } = "";

    [Parameter("address", "sequencer_", 2)]
    public string Sequencer { get; set; } = "";

    [Parameter("uint256", "chainId_", 3)]
    public BigInteger ChainId { get; set; }

    [Parameter("uint256", "policyId_", 4)]
    public BigInteger PolicyId { get; set; }

    [Parameter("uint256[]", "policyParameters_", 5)]
    public List<BigInteger> PolicyParameters { get; set; } = [];

    [Parameter("uint256", "paramsCommitment_", 6)]
    public BigInteger ParamsCommitment { get; set; }

    [Parameter("uint64", "capacity_", 7)]
    public ulong Capacity { get; set; }

    [Parameter("uint256", "domain_", 8)]
    public BigInteger Domain { get; set; }

    [Parameter("uint256", "genesisHead_", 9)]
    public BigInteger GenesisHead { get; set; }
}

/// <summary>Deploys any contract from bytecode alone (the generated verifier has no constructor arguments).</summary>
internal sealed class BytecodeDeployment : ContractDeploymentMessage
{
    public BytecodeDeployment() : base("") { }
}

[Function("submitBatch")]
internal sealed class SubmitBatchFunction : FunctionMessage
{
    [Parameter("uint64", "index", 1)]
    public ulong Index { get; set; }

    [Parameter("uint256", "domain_", 2)]
    public BigInteger Domain { get; set; }

    [Parameter("uint256", "prevHead", 3)]
    public BigInteger PrevHead { get; set; }

    [Parameter("uint256", "newHead", 4)]
    public BigInteger NewHead { get; set; }

    [Parameter("uint256", "outputCommitment", 5)]
    public BigInteger OutputCommitment { get; set; }

    [Parameter("uint64", "count", 6)]
    public ulong Count { get; set; }

    [Parameter("uint64", "lastArrival_", 7)]
    public ulong LastArrival { get; set; }

    [Parameter("bytes32[]", "orderedTxHashes", 8)]
    public List<byte[]> OrderedTxHashes { get; set; } = [];

    [Parameter("uint256[3]", "listClaim", 9)]
    public List<BigInteger> ListClaim { get; set; } = [];

    [Parameter("uint256[8]", "proof", 10)]
    public List<BigInteger> Proof { get; set; } = [];
}

[Function("commitBatch")]
internal sealed class CommitBatchFunction : FunctionMessage
{
    [Parameter("uint64", "index", 1)]
    public ulong Index { get; set; }

    [Parameter("uint256", "prevHead", 2)]
    public BigInteger PrevHead { get; set; }

    [Parameter("uint256", "newHead", 3)]
    public BigInteger NewHead { get; set; }
}

[Function("redrawBeacon")]
internal sealed class RedrawBeaconFunction : FunctionMessage
{
    [Parameter("uint64", "index", 1)]
    public ulong Index { get; set; }
}

[Function("commitment", typeof(CommitmentOutput))]
internal sealed class CommitmentFunction : FunctionMessage
{
    [Parameter("uint64", "index", 1)]
    public ulong Index { get; set; }
}

[FunctionOutput]
internal sealed class CommitmentOutput : IFunctionOutputDTO
{
    [Parameter("uint256", "newHead", 1)]
    public BigInteger NewHead { get; set; }

    [Parameter("uint64", "beaconBlock", 2)]
    public ulong BeaconBlock { get; set; }

    [Parameter("uint32", "draws", 3)]
    public uint Draws { get; set; }

    [Parameter("uint256", "beacon", 4)]
    public BigInteger Beacon { get; set; }
}

[Function("verifyProof", "bool")]
internal sealed class VerifyProofFunction : FunctionMessage
{
    [Parameter("uint256[2]", "_pA", 1)]
    public List<BigInteger> A { get; set; } = [];

    [Parameter("uint256[2][2]", "_pB", 2)]
    public List<List<BigInteger>> B { get; set; } = [];

    [Parameter("uint256[2]", "_pC", 3)]
    public List<BigInteger> C { get; set; } = [];

    [Parameter("uint256[8]", "_pubSignals", 4)]
    public List<BigInteger> PublicSignals { get; set; } = [];
}

[Function("head", "uint256")]
internal sealed class HeadFunction : FunctionMessage;

[Function("nextBatchIndex", "uint64")]
internal sealed class NextBatchIndexFunction : FunctionMessage;

[Function("nextSeq", "uint64")]
internal sealed class NextSeqFunction : FunctionMessage;

[Function("lastFinalizedBlock", "uint64")]
internal sealed class LastFinalizedBlockFunction : FunctionMessage;

[Function("lastArrival", "uint64")]
internal sealed class LastArrivalFunction : FunctionMessage;

[Function("committedHead", "uint256")]
internal sealed class CommittedHeadFunction : FunctionMessage;

[Function("nextCommitIndex", "uint64")]
internal sealed class NextCommitIndexFunction : FunctionMessage;

[Function("domain", "uint256")]
internal sealed class DomainFunction : FunctionMessage;

[Function("genesisHead", "uint256")]
internal sealed class GenesisHeadFunction : FunctionMessage;

[Function("chainId", "uint256")]
internal sealed class ChainIdFunction : FunctionMessage;

[Function("policyId", "uint256")]
internal sealed class PolicyIdFunction : FunctionMessage;

[Function("paramsCommitment", "uint256")]
internal sealed class ParamsCommitmentFunction : FunctionMessage;

[Function("capacity", "uint64")]
internal sealed class CapacityFunction : FunctionMessage;

[Function("sequencer", "address")]
internal sealed class SequencerFunction : FunctionMessage;

[Function("verifier", "address")]
internal sealed class VerifierFunction : FunctionMessage;

[Function("policyParameters", "uint256[]")]
internal sealed class PolicyParametersFunction : FunctionMessage;

/// <summary>The inbox's <c>BatchFinalized</c> event.</summary>
[Event("BatchFinalized")]
public sealed class BatchFinalizedEvent : IEventDTO
{
    [Parameter("uint64", "index", 1, true)]
    public ulong Index { get; set; }

    [Parameter("uint256", "prevHead", 2, false)]
    public BigInteger PrevHead { get; set; }

    [Parameter("uint256", "newHead", 3, false)]
    public BigInteger NewHead { get; set; }

    [Parameter("uint256", "outputCommitment", 4, false)]
    public BigInteger OutputCommitment { get; set; }

    [Parameter("uint64", "count", 5, false)]
    public ulong Count { get; set; }

    [Parameter("uint64", "firstSeq", 6, false)]
    public ulong FirstSeq { get; set; }

    [Parameter("uint64", "lastArrival", 7, false)]
    public ulong LastArrival { get; set; }

    [Parameter("uint256", "beacon", 8, false)]
    public BigInteger Beacon { get; set; }

    [Parameter("bytes32", "orderedTxHashesHash", 9, false)]
    public byte[] OrderedTxHashesHash { get; set; } = [];
}

/// <summary>The inbox's <c>BatchCommitted</c> event (shuffle inboxes): a commitment or a redraw of its beacon.</summary>
[Event("BatchCommitted")]
public sealed class BatchCommittedEvent : IEventDTO
{
    [Parameter("uint64", "index", 1, true)]
    public ulong Index { get; set; }

    [Parameter("uint256", "newHead", 2, false)]
    public BigInteger NewHead { get; set; }

    [Parameter("uint64", "beaconBlock", 3, false)]
    public ulong BeaconBlock { get; set; }

    [Parameter("uint32", "draw", 4, false)]
    public uint Draw { get; set; }
}
