// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The verifier `snarkjs zkey export solidityverifier` generates for an ordering circuit
/// (five public inputs). It returns false, and never reverts, on a proof that does not verify.
interface IOrderingVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[5] calldata pubSignals
    ) external view returns (bool);
}

/// @title BatchInbox
/// @notice Finalizes a rollup's batches in log order: each batch comes with a Groth16 proof that its
/// order is the declared policy applied to the next segment of the sequencer's receipt log
/// (docs/circuits.md). The inbox builds the proof's public inputs itself, from its stored head and
/// domain, so a proof for anything but the next batch of this rollup cannot pass (docs/chain.md).
contract BatchInbox {
    /// @notice The caller is not the sequencer.
    error NotSequencer(address sender);
    /// @notice The proof was made for another domain (chain, inbox, policy or parameters), or the
    /// chain id has changed since deployment (a fork).
    error WrongDomain(uint256 expected, uint256 domain, uint256 chainId);
    /// @notice The batch is not the next one: already finalized (a replay), or built on another head.
    error WrongHead(uint64 expectedIndex, uint256 expectedPrevHead, uint64 index, uint256 prevHead);
    /// @notice count is 0 or exceeds the circuit's capacity.
    error CountOutOfRange(uint64 count, uint64 capacity);
    /// @notice The ordered transaction list does not have count entries.
    error TxListLengthMismatch(uint64 count, uint256 length);
    /// @notice The verifier rejected the proof for the statement this inbox built.
    error BadProof();
    /// @notice A constructor argument is unusable (the message names it).
    error InvalidDeployment(string reason);

    /// @notice A batch is final. `orderedTxHashesHash` is keccak256 of the `orderedTxHashes` calldata
    /// (the packed 32-byte hashes in policy order), so a light client can fetch the transaction and
    /// check the list it carries.
    event BatchFinalized(
        uint64 indexed index,
        uint256 prevHead,
        uint256 newHead,
        uint256 outputCommitment,
        uint64 count,
        uint64 firstSeq,
        bytes32 orderedTxHashesHash
    );

    uint256 private constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    // Immutables live in the code, so the checks on every submission read no storage.
    IOrderingVerifier public immutable verifier;
    address public immutable sequencer;
    uint256 public immutable chainId;
    /// @notice Poseidon(chainId, address(this), policyId, paramsCommitment), computed by the deployer
    /// (docs/chain.md, "Domain binding").
    uint256 public immutable domain;
    uint256 public immutable policyId;
    uint256 public immutable paramsCommitment;
    uint64 public immutable capacity;
    /// @notice The log head before the first batch: Poseidon(chainId, address(this)).
    uint256 public immutable genesisHead;

    /// @notice The log head after the last finalized batch.
    uint256 public head;
    /// @notice The index of the next batch.
    uint64 public nextBatchIndex;
    /// @notice The sequence number of the next batch's first entry.
    uint64 public nextSeq;
    /// @notice The block of the last finalization (of the deployment before the first): where a
    /// reader finds the latest event. Set at deployment, so the slot is never zero and a
    /// submission pays for a change, not a creation, of it.
    uint64 public lastFinalizedBlock;

    uint256[] private _policyParameters;

    constructor(
        IOrderingVerifier verifier_,
        address sequencer_,
        uint256 chainId_,
        uint256 policyId_,
        uint256[] memory policyParameters_,
        uint256 paramsCommitment_,
        uint64 capacity_,
        uint256 domain_,
        uint256 genesisHead_
    ) {
        if (address(verifier_).code.length == 0) revert InvalidDeployment("verifier has no code");
        if (sequencer_ == address(0)) revert InvalidDeployment("sequencer is the zero address");
        if (chainId_ != block.chainid) revert InvalidDeployment("chainId is not this chain's");
        if (capacity_ == 0) revert InvalidDeployment("capacity is 0");
        if (domain_ >= FIELD_MODULUS || genesisHead_ >= FIELD_MODULUS || paramsCommitment_ >= FIELD_MODULUS) {
            revert InvalidDeployment("domain, genesis head and parameter commitment must be field elements");
        }
        verifier = verifier_;
        sequencer = sequencer_;
        chainId = chainId_;
        policyId = policyId_;
        paramsCommitment = paramsCommitment_;
        capacity = capacity_;
        domain = domain_;
        genesisHead = genesisHead_;
        _policyParameters = policyParameters_;
        head = genesisHead_;
        lastFinalizedBlock = uint64(block.number);
    }

    /// @notice The policy's parameters as field elements, in the policy's order (docs/policies.md).
    function policyParameters() external view returns (uint256[] memory) {
        return _policyParameters;
    }

    /// @notice Finalizes batch `index`. `domain_`, `index` and `prevHead` are what the proof was made
    /// for; they are checked against this inbox before the proof, so that a proof for another rollup
    /// or an already-finalized batch fails with a specific error rather than BadProof. The proof's
    /// public inputs are then built from this inbox's own domain and head.
    /// @param proof a, b and c of the Groth16 proof as the verifier takes them:
    /// [a0, a1, b00, b01, b10, b11, c0, c1].
    function submitBatch(
        uint64 index,
        uint256 domain_,
        uint256 prevHead,
        uint256 newHead,
        uint256 outputCommitment,
        uint64 count,
        bytes32[] calldata orderedTxHashes,
        uint256[8] calldata proof
    ) external {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        if (domain_ != domain || block.chainid != chainId) revert WrongDomain(domain, domain_, block.chainid);
        uint256 currentHead = head;
        uint64 currentIndex = nextBatchIndex;
        if (index != currentIndex || prevHead != currentHead) {
            revert WrongHead(currentIndex, currentHead, index, prevHead);
        }
        if (count == 0 || count > capacity) revert CountOutOfRange(count, capacity);
        if (orderedTxHashes.length != count) revert TxListLengthMismatch(count, orderedTxHashes.length);

        bool valid = verifier.verifyProof(
            [proof[0], proof[1]],
            [[proof[2], proof[3]], [proof[4], proof[5]]],
            [proof[6], proof[7]],
            [domain, currentHead, newHead, outputCommitment, uint256(count)]
        );
        if (!valid) revert BadProof();

        uint64 firstSeq = nextSeq;
        head = newHead;
        nextBatchIndex = currentIndex + 1;
        nextSeq = firstSeq + count;
        lastFinalizedBlock = uint64(block.number);
        emit BatchFinalized(
            currentIndex, currentHead, newHead, outputCommitment, count, firstSeq, _hash(orderedTxHashes)
        );
    }

    /// @dev keccak256 of the packed list, straight from calldata into scratch memory.
    function _hash(bytes32[] calldata list) private pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            let size := shl(5, list.length)
            let ptr := mload(0x40)
            calldatacopy(ptr, list.offset, size)
            digest := keccak256(ptr, size)
        }
    }
}
