// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The verifier `snarkjs zkey export solidityverifier` generates for an ordering circuit
/// (eight public inputs, docs/circuits.md). It returns false, and never reverts, on a proof that does
/// not verify.
interface IOrderingVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[8] calldata pubSignals
    ) external view returns (bool);
}

/// @title BatchInbox
/// @notice Finalizes a rollup's batches in log order: each batch comes with a Groth16 proof that its
/// posted transaction list is exactly the declared policy applied to the next segment of the
/// sequencer's receipt log (docs/circuits.md). The inbox builds the proof's public inputs itself, from
/// its stored head, domain and last arrival and from the posted list, so a proof for anything but the
/// next batch of this rollup, posted with exactly its proven list, cannot pass (docs/chain.md).
/// A shuffle inbox also draws each batch's beacon: the batch's new head is committed first, and the
/// beacon is the hash of the block that recorded it (docs/policies.md).
contract BatchInbox {
    /// @notice The caller is not the sequencer.
    error NotSequencer(address sender);
    /// @notice The proof was made for another domain (chain, inbox, policy, parameters or capacity), or the
    /// chain id has changed since deployment (a fork).
    error WrongDomain(uint256 expected, uint256 domain, uint256 chainId);
    /// @notice The batch is not the next one: already finalized (a replay), or built on another head.
    error WrongHead(uint64 expectedIndex, uint256 expectedPrevHead, uint64 index, uint256 prevHead);
    /// @notice count is 0 or exceeds the circuit's capacity.
    error CountOutOfRange(uint64 count, uint64 capacity);
    /// @notice The ordered transaction list does not have count entries.
    error TxListLengthMismatch(uint64 count, uint256 length);
    /// @notice The verifier rejected the proof, for the statement this inbox built and for the one the
    /// call claims it was made for.
    error BadProof();
    /// @notice The posted list names one transaction twice (positions `first` and `second`), and it is
    /// not the list the proof proves.
    error DuplicateTx(uint64 first, uint64 second, bytes32 txHash);
    /// @notice The posted list holds the proven batch's transactions, in an order the proof does not prove.
    error TxListReordered();
    /// @notice The posted list holds a transaction the proven batch does not.
    error TxListNotProven();
    /// @notice A value that must be a BN254 scalar field element is not.
    error NotFieldElement(uint256 value);
    /// @notice Only a shuffle inbox commits batches before proving them (and redraws their beacons).
    error NothingToCommit(uint256 policyId);
    /// @notice The commitment is not the next one, or does not continue the last committed head.
    error WrongCommit(uint64 expectedIndex, uint256 expectedPrevHead, uint64 index, uint256 prevHead);
    /// @notice A shuffle batch must be committed (`commitBatch`) before it is submitted.
    error NotCommitted(uint64 index);
    /// @notice The batch's new head is not the one committed for it.
    error CommitmentMismatch(uint64 index, uint256 committedHead, uint256 newHead);
    /// @notice The block whose hash is the batch's beacon is the current one: submit in a later block.
    error BeaconNotReady(uint64 index, uint64 beaconBlock);
    /// @notice The beacon block is more than 256 blocks old, so its hash is gone: draw again (`redrawBeacon`).
    error BeaconExpired(uint64 index, uint64 beaconBlock);
    /// @notice A beacon can be drawn again only once its block hash has expired.
    error BeaconNotExpired(uint64 index, uint64 beaconBlock);
    /// @notice A constructor argument is unusable (the message names it).
    error InvalidDeployment(string reason);

    /// @notice A batch is final. `orderedTxHashesHash` is keccak256 of the `orderedTxHashes` calldata
    /// (the packed 32-byte hashes in policy order), the list the proof binds; `lastArrival` and `beacon`
    /// (0 unless shuffle) are the header parts a reader cannot derive from the call alone.
    event BatchFinalized(
        uint64 indexed index,
        uint256 prevHead,
        uint256 newHead,
        uint256 outputCommitment,
        uint64 count,
        uint64 firstSeq,
        uint64 lastArrival,
        uint256 beacon,
        bytes32 orderedTxHashesHash
    );

    /// @notice A shuffle batch's new head is committed (draw 1), or its beacon is drawn again after the
    /// previous draw expired (draw 2, 3, …). Its beacon is the hash of block `beaconBlock`.
    event BatchCommitted(uint64 indexed index, uint256 newHead, uint64 beaconBlock, uint32 draw);

    uint256 private constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev A posted hash's circuit id: the hash with its top three bits cleared (CircuitEncoding.TxId).
    uint256 private constant ID_MASK = (1 << 253) - 1;
    uint256 private constant SHUFFLE = 4;
    /// @dev The beacon is the top 93 bits of a block hash (BatchHeader.BeaconBits).
    uint256 private constant BEACON_SHIFT = 256 - 93;

    // Immutables live in the code, so the checks on every submission read no storage.
    IOrderingVerifier public immutable verifier;
    address public immutable sequencer;
    uint256 public immutable chainId;
    /// @notice Poseidon(chainId, address(this), policyId, paramsCommitment, capacity), computed by the deployer
    /// (docs/chain.md, "Domain binding").
    uint256 public immutable domain;
    uint256 public immutable policyId;
    uint256 public immutable paramsCommitment;
    uint64 public immutable capacity;
    /// @notice The log head before the first batch: Poseidon(chainId, address(this)).
    uint256 public immutable genesisHead;

    /// @notice The log head after the last finalized batch.
    uint256 public head;
    // The next four share one slot, written once per batch.
    /// @notice The index of the next batch.
    uint64 public nextBatchIndex;
    /// @notice The sequence number of the next batch's first entry.
    uint64 public nextSeq;
    /// @notice The block of the last finalization (of the deployment before the first): where a
    /// reader finds the latest event. Set at deployment, so the slot is never zero and a
    /// submission pays for a change, not a creation, of it.
    uint64 public lastFinalizedBlock;
    /// @notice The last arrival (ms) of the last finalized batch: the next batch's first may not be earlier.
    uint64 public lastArrival;

    uint256[] private _policyParameters;

    struct Commitment {
        uint256 newHead;
        uint64 beaconBlock;
        uint32 draws;
    }

    /// @notice Shuffle only: the head after the last committed batch, and the index of the next commitment.
    uint256 public committedHead;
    uint64 public nextCommitIndex;
    mapping(uint64 => Commitment) private _commitments;

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
        if (policyId_ == SHUFFLE) {
            committedHead = genesisHead_;
        }
    }

    /// @notice The policy's parameters as field elements, in the policy's order (docs/policies.md).
    function policyParameters() external view returns (uint256[] memory) {
        return _policyParameters;
    }

    /// @notice A shuffle batch's commitment: its new head, the block whose hash is its beacon, how many
    /// times it was drawn, and the beacon itself (0 while the block is current or once its hash expired).
    function commitment(uint64 index)
        external
        view
        returns (uint256 newHead, uint64 beaconBlock, uint32 draws, uint256 beacon)
    {
        Commitment storage c = _commitments[index];
        newHead = c.newHead;
        beaconBlock = c.beaconBlock;
        draws = c.draws;
        if (beaconBlock != 0 && beaconBlock < block.number) {
            beacon = uint256(blockhash(beaconBlock)) >> BEACON_SHIFT;
        }
    }

    /// @notice Shuffle only: fixes batch `index`'s new head before its order exists. Its beacon will be
    /// the hash of the block this lands in, which no one knows while the head can still change.
    function commitBatch(uint64 index, uint256 prevHead, uint256 newHead) external {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        if (policyId != SHUFFLE) revert NothingToCommit(policyId);
        uint64 expected = nextCommitIndex;
        uint256 tip = committedHead;
        if (index != expected || prevHead != tip) revert WrongCommit(expected, tip, index, prevHead);
        if (newHead >= FIELD_MODULUS) revert NotFieldElement(newHead);
        _commitments[index] = Commitment(newHead, uint64(block.number), 1);
        committedHead = newHead;
        nextCommitIndex = index + 1;
        emit BatchCommitted(index, newHead, uint64(block.number), 1);
    }

    /// @notice Shuffle only: draws batch `index`'s beacon again, from this block, once the previous
    /// beacon block's hash has expired (256 blocks). Every draw is an event a light client reports.
    function redrawBeacon(uint64 index) external {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        if (policyId != SHUFFLE) revert NothingToCommit(policyId);
        Commitment storage c = _commitments[index];
        uint64 beaconBlock = c.beaconBlock;
        if (beaconBlock == 0) revert NotCommitted(index);
        if (block.number <= uint256(beaconBlock) + 256) revert BeaconNotExpired(index, beaconBlock);
        uint32 draw = c.draws + 1;
        c.beaconBlock = uint64(block.number);
        c.draws = draw;
        emit BatchCommitted(index, c.newHead, uint64(block.number), draw);
    }

    /// @notice Finalizes batch `index`. `domain_`, `index` and `prevHead` are what the proof was made
    /// for; they are checked against this inbox before the proof, so that a proof for another rollup
    /// or an already-finalized batch fails with a specific error rather than BadProof. The proof's
    /// public inputs are then built from this inbox's own domain, head and last arrival, and from the
    /// posted list (docs/circuits.md, "The posted list").
    /// @param lastArrival_ the batch's last arrival (ms), which the proof checks and the inbox stores.
    /// @param listClaim the list values the proof was made for: [challenge, digest, multiset]. Only
    /// the multiset is used when the posted list gives the other two; the rest explains a refusal.
    /// @param proof a, b and c of the Groth16 proof as the verifier takes them:
    /// [a0, a1, b00, b01, b10, b11, c0, c1].
    function submitBatch(
        uint64 index,
        uint256 domain_,
        uint256 prevHead,
        uint256 newHead,
        uint256 outputCommitment,
        uint64 count,
        uint64 lastArrival_,
        bytes32[] calldata orderedTxHashes,
        uint256[3] calldata listClaim,
        uint256[8] calldata proof
    ) external {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        if (domain_ != domain || block.chainid != chainId) revert WrongDomain(domain, domain_, block.chainid);
        if (index != nextBatchIndex || prevHead != head) revert WrongHead(nextBatchIndex, head, index, prevHead);
        if (count == 0 || count > capacity) revert CountOutOfRange(count, capacity);
        if (orderedTxHashes.length != count) revert TxListLengthMismatch(count, orderedTxHashes.length);

        uint256 beacon = policyId == SHUFFLE ? _drawnBeacon(index, newHead) : 0;
        bytes32 listHash = _hash(orderedTxHashes);
        uint256[8] memory signals = _signals(newHead, outputCommitment, count, lastArrival_, beacon, listHash);
        signals[6] = _digest(orderedTxHashes, signals[5]);
        signals[7] = listClaim[2];
        if (signals[5] != listClaim[0] || signals[6] != listClaim[1] || !_verify(proof, signals)) {
            _explain(orderedTxHashes, signals, listClaim, proof);
        }
        _finalize(signals, count, lastArrival_, beacon, listHash);
    }

    /// @dev The public inputs but the digest and the multiset: this inbox's domain, head and last
    /// arrival, the call's new head, commitment, count and last arrival, the beacon, and the challenge.
    function _signals(
        uint256 newHead,
        uint256 outputCommitment,
        uint64 count,
        uint64 lastArrival_,
        uint256 beacon,
        bytes32 listHash
    ) private view returns (uint256[8] memory signals) {
        signals[0] = domain;
        signals[1] = head;
        signals[2] = newHead;
        signals[3] = outputCommitment;
        signals[4] = uint256(count) | (uint256(lastArrival) << 32) | (uint256(lastArrival_) << 96) | (beacon << 160);
        signals[5] = uint256(keccak256(abi.encode(signals[0], signals[1], newHead, outputCommitment, signals[4], listHash)))
            % FIELD_MODULUS;
    }

    function _finalize(uint256[8] memory signals, uint64 count, uint64 lastArrival_, uint256 beacon, bytes32 listHash) private {
        uint64 index = nextBatchIndex;
        uint64 firstSeq = nextSeq;
        head = signals[2];
        nextBatchIndex = index + 1;
        nextSeq = firstSeq + count;
        lastFinalizedBlock = uint64(block.number);
        lastArrival = lastArrival_;
        if (policyId == SHUFFLE) {
            delete _commitments[index];
        }
        emit BatchFinalized(index, signals[1], signals[2], signals[3], count, firstSeq, lastArrival_, beacon, listHash);
    }

    /// @dev The shuffle batch's beacon: the top 93 bits of the hash of the block that recorded its commitment.
    function _drawnBeacon(uint64 index, uint256 newHead) private view returns (uint256) {
        Commitment storage c = _commitments[index];
        uint64 beaconBlock = c.beaconBlock;
        if (beaconBlock == 0) revert NotCommitted(index);
        if (c.newHead != newHead) revert CommitmentMismatch(index, c.newHead, newHead);
        if (beaconBlock >= block.number) revert BeaconNotReady(index, beaconBlock);
        bytes32 hash = blockhash(beaconBlock);
        if (hash == 0) revert BeaconExpired(index, beaconBlock);
        return uint256(hash) >> BEACON_SHIFT;
    }

    function _verify(uint256[8] calldata proof, uint256[8] memory signals) private view returns (bool) {
        return verifier.verifyProof(
            [proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], signals
        );
    }

    /// @dev Reverts with why the batch is refused. Reached only when the posted list does not give the
    /// claimed list values or the proof fails for them, so nothing here can let a batch pass; it runs
    /// where gas is cheap to spend (a refused call is simulated before it is ever sent).
    function _explain(
        bytes32[] calldata list,
        uint256[8] memory signals,
        uint256[3] calldata claim,
        uint256[8] calldata proof
    ) private view {
        uint256[8] memory claimed;
        for (uint256 i = 0; i < 5; i++) {
            claimed[i] = signals[i];
        }
        claimed[5] = claim[0];
        claimed[6] = claim[1];
        claimed[7] = claim[2];
        if (claim[0] >= FIELD_MODULUS || claim[1] >= FIELD_MODULUS || claim[2] >= FIELD_MODULUS || !_verify(proof, claimed)) {
            revert BadProof();
        }
        // The proof holds for a list Q with Q(claim[0]) = claim[1] and multiset claim[2]; the posted
        // list is not Q.
        (bool repeated, uint64 first, uint64 second) = _duplicate(list);
        if (repeated) revert DuplicateTx(first, second, list[second]);
        // Q's ids in Q's order (the digest at Q's challenge matches), yet not Q, whose hashes fixed that
        // challenge: a hash differs from Q's only in the bits its id drops. Not a reordering.
        if (_digest(list, claim[0]) == claim[1]) revert TxListNotProven();
        if (_multiset(list, claim[0]) == claim[2]) revert TxListReordered();
        revert TxListNotProven();
    }

    /// @dev Σ id_i·γ^i over the list, by Horner's rule from the last entry. The loop runs once per
    /// posted transaction on every submission, so it walks a calldata pointer down four entries at a time.
    function _digest(bytes32[] calldata list, uint256 gamma) private pure returns (uint256 digest) {
        assembly ("memory-safe") {
            let r := FIELD_MODULUS
            let mask := ID_MASK
            let start := list.offset
            let p := add(start, shl(5, list.length))
            for {} gt(sub(p, start), 96) {} {
                p := sub(p, 128)
                digest := addmod(mulmod(digest, gamma, r), and(calldataload(add(p, 96)), mask), r)
                digest := addmod(mulmod(digest, gamma, r), and(calldataload(add(p, 64)), mask), r)
                digest := addmod(mulmod(digest, gamma, r), and(calldataload(add(p, 32)), mask), r)
                digest := addmod(mulmod(digest, gamma, r), and(calldataload(p), mask), r)
            }
            for {} gt(p, start) {} {
                p := sub(p, 32)
                digest := addmod(mulmod(digest, gamma, r), and(calldataload(p), mask), r)
            }
        }
    }

    /// @dev Π (γ − id_i) over the list, times γ for each padding slot of the circuit (txId 0).
    function _multiset(bytes32[] calldata list, uint256 gamma) private view returns (uint256 product) {
        uint256 r = FIELD_MODULUS;
        product = 1;
        for (uint256 i = 0; i < list.length; i++) {
            uint256 id = uint256(list[i]) & ID_MASK;
            product = mulmod(product, addmod(gamma, r - id, r), r);
        }
        for (uint256 i = list.length; i < capacity; i++) {
            product = mulmod(product, gamma, r);
        }
    }

    /// @dev The first repeated hash in the list, through an open-addressing table in memory.
    function _duplicate(bytes32[] calldata list) private pure returns (bool repeated, uint64 first, uint64 second) {
        uint256 size = 2;
        while (size < 2 * list.length) {
            size <<= 1;
        }
        uint256[] memory table = new uint256[](size); // position + 1, 0 = empty
        for (uint256 i = 0; i < list.length; i++) {
            bytes32 h = list[i];
            uint256 slot = uint256(h) & (size - 1);
            while (table[slot] != 0) {
                uint256 seen = table[slot] - 1;
                if (list[seen] == h) return (true, uint64(seen), uint64(i));
                slot = (slot + 1) & (size - 1);
            }
            table[slot] = i + 1;
        }
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
