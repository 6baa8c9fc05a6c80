pragma circom 2.1.6;

// Building blocks shared by every ordering circuit. The statement they add up to is written down in
// docs/circuits.md; the comments here say why each piece is shaped the way it is.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

// Bits of one sponge element: 253 < log2 p, so a packed element never wraps modulo p.
function SPONGE_ELEMENT_BITS() { return 253; }
// Consecutive arrival times in one batch differ by less than 2^ARRIVAL_GAP_BITS ms (4.096 s); the
// sequencer closes a batch at its maximum age (at most 4 s), so an honest batch always fits.
function ARRIVAL_GAP_BITS() { return 12; }
// The first arrival of a batch is below 2^48 ms (the year 10889), which bounds every arrival in the
// batch below 2^49 and keeps feeArrival = fee·2^64 + arrival a unique decomposition.
function FIRST_ARRIVAL_BITS() { return 48; }
// The previous batch's last arrival: its first below 2^48 plus at most 2^16 gaps below 2^12.
function PREV_ARRIVAL_BITS() { return 49; }
// The header word (docs/circuits.md): count | prevLastArrival << 32 | lastArrival << 96 | beacon << 160.
function HEADER_ARRIVAL_SHIFT() { return 32; }
function HEADER_LAST_SHIFT() { return 96; }
function HEADER_BEACON_SHIFT() { return 160; }
// The shuffle's beacon: the top 93 bits of a block hash, so the header stays below 2^253 < p.
function BEACON_BITS() { return 93; }

// Bits needed for an index into n slots (at least 1).
function indexBits(n) {
    var b = 1;
    while ((1 << b) < n) { b++; }
    return b;
}

// count as a one-hot vector: selector[k] = 1 exactly for k = count, 1 ≤ count ≤ n. active[j] = 1 for
// the slots j < count. One booleanity constraint per slot; the rest is linear.
template ActiveSlots(n) {
    signal input count;
    signal input selector[n + 1];
    signal output active[n];

    var total = 0;
    var weighted = 0;
    for (var k = 0; k <= n; k++) {
        selector[k] * (selector[k] - 1) === 0;
        total += selector[k];
        weighted += k * selector[k];
    }
    total === 1;
    weighted === count;
    selector[0] === 0; // an empty batch is not a batch

    // active[j] = Σ_{k > j} selector[k]
    var suffix = 0;
    for (var j = n - 1; j >= 0; j--) {
        suffix += selector[j + 1];
        active[j] <== suffix;
    }
}

// domain = Poseidon(chainId, inbox, policyId, paramsCommitment, capacity) with the policy id and the
// capacity constants of the circuit: a verifier made for one policy's circuit, or for another capacity,
// refuses every batch of an inbox whose domain declares otherwise, because no chainId and inbox make
// the hashes meet.
template PolicyDomain(policyId, capacity) {
    signal input chainId;
    signal input inbox;
    signal input paramsCommitment;
    signal output domain;

    component hash = Poseidon(5);
    hash.inputs[0] <== chainId;
    hash.inputs[1] <== inbox;
    hash.inputs[2] <== policyId;
    hash.inputs[3] <== paramsCommitment;
    hash.inputs[4] <== capacity;
    domain <== hash.out;
}

// The receipt log's hash chain, head' = Poseidon(head, txId, senderNonce, feeArrival) (circomlib
// Poseidon(4), as Prover.Core's ReceiptChain), over every slot; newHead is the head after `count`
// slots, picked by the one-hot selector. Padding slots beyond count are hashed but never selected.
template LogChain(n) {
    signal input prevHead;
    signal input txId[n];
    signal input senderNonce[n];
    signal input feeArrival[n];
    signal input selector[n + 1];
    signal output newHead;

    component step[n];
    signal head[n + 1];
    signal picked[n];
    head[0] <== prevHead;
    var sum = 0;
    for (var j = 0; j < n; j++) {
        step[j] = Poseidon(4);
        step[j].inputs[0] <== head[j];
        step[j].inputs[1] <== txId[j];
        step[j].inputs[2] <== senderNonce[j];
        step[j].inputs[3] <== feeArrival[j];
        head[j + 1] <== step[j].out;
        picked[j] <== selector[j + 1] * head[j + 1];
        sum += picked[j];
    }
    newHead <== sum;
}

// Arrival times never decrease along the log: each consecutive gap is range-checked, and so is the
// first arrival. Telescoping then bounds every arrival below 2^48 + n·2^12, so no arrival aliases
// modulo p. A padding slot repeats the arrival before it (gap 0), so nothing about padding is left for
// a prover to choose. The bits are returned for the output commitment, which must fix every arrival
// before the permutation challenge (docs/circuits.md, "The challenges come last").
template ArrivalOrder(n) {
    signal input arrival[n];
    signal input active[n];
    signal output firstBits[FIRST_ARRIVAL_BITS()];
    signal output gapBits[n - 1][ARRIVAL_GAP_BITS()];

    component first = Num2Bits(FIRST_ARRIVAL_BITS());
    first.in <== arrival[0];
    firstBits <== first.out;
    component gap[n - 1];
    for (var j = 0; j < n - 1; j++) {
        gap[j] = Num2Bits(ARRIVAL_GAP_BITS());
        gap[j].in <== arrival[j + 1] - arrival[j];
        gapBits[j] <== gap[j].out;
        (1 - active[j + 1]) * (arrival[j + 1] - arrival[j]) === 0;
    }
}

// The header word the inbox builds from its own state and the call:
//   header = count + 2^32·prevLastArrival + 2^96·lastArrival + 2^160·beacon.
// prevLastArrival is the previous batch's last arrival, which the inbox stored when it finalized that
// batch; the batch's first arrival may not be earlier, so arrivals never decrease across batches either.
// Every part is bounded (count ≤ n, the arrivals by their range checks, the beacon by its own), so the
// word splits into its parts in exactly one way: a prover cannot trade one part for another.
template BatchHeader(withBeacon) {
    signal input count;
    signal input prevLastArrival;
    signal input firstArrival;
    signal input lastArrival;
    signal input beacon;
    signal output header;

    component prevBits = Num2Bits(PREV_ARRIVAL_BITS());
    prevBits.in <== prevLastArrival;
    component since = Num2Bits(FIRST_ARRIVAL_BITS());
    since.in <== firstArrival - prevLastArrival;
    if (withBeacon == 1) {
        component beaconBits = Num2Bits(BEACON_BITS());
        beaconBits.in <== beacon;
    } else {
        beacon === 0;
    }
    header <== count + (1 << HEADER_ARRIVAL_SHIFT()) * prevLastArrival + (1 << HEADER_LAST_SHIFT()) * lastArrival
        + (1 << HEADER_BEACON_SHIFT()) * beacon;
}

// What every policy proves about its segment apart from the order: the domain, the log chain from
// prevHead to newHead over `count` slots, arrivals in order within and across batches, the header,
// and padding slots that carry txId 0 (so they add nothing to the posted-list digest).
template LogSegment(n, policyId, withBeacon) {
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input header;
    signal input chainId;
    signal input inbox;
    signal input paramsCommitment;
    signal input count;
    signal input prevLastArrival;
    signal input beacon;
    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];
    signal input active[n];
    signal output firstArrivalBits[FIRST_ARRIVAL_BITS()];
    signal output gapBits[n - 1][ARRIVAL_GAP_BITS()];

    component domainHash = PolicyDomain(policyId, n);
    domainHash.chainId <== chainId;
    domainHash.inbox <== inbox;
    domainHash.paramsCommitment <== paramsCommitment;
    domainHash.domain === domain;

    component chain = LogChain(n);
    chain.prevHead <== prevHead;
    chain.txId <== txId;
    chain.senderNonce <== senderNonce;
    for (var j = 0; j < n; j++) {
        chain.feeArrival[j] <== fee[j] * (1 << 64) + arrival[j];
    }
    chain.selector <== selector;
    chain.newHead === newHead;

    component arrivals = ArrivalOrder(n);
    arrivals.arrival <== arrival;
    arrivals.active <== active;
    firstArrivalBits <== arrivals.firstBits;
    gapBits <== arrivals.gapBits;

    component batchHeader = BatchHeader(withBeacon);
    batchHeader.count <== count;
    batchHeader.prevLastArrival <== prevLastArrival;
    batchHeader.firstArrival <== arrival[0];
    batchHeader.lastArrival <== arrival[n - 1];
    batchHeader.beacon <== beacon;
    batchHeader.header === header;

    for (var j = 0; j < n; j++) {
        (1 - active[j]) * txId[j] === 0;
    }
}

// A Poseidon sponge started at `initial` over a bit stream: the bits are concatenated little-endian
// and cut into 253-bit elements, and each call is circomlib's PoseidonEx over up to 16 of them with the
// running value as its initial (capacity) state. The last call squeezes nOuts elements. Callers pass
// bit decompositions their range checks make anyway, so the commitment costs only the permutations.
template BitSponge(nBits, nOuts) {
    signal input initial;
    signal input bits[nBits];
    signal output out[nOuts];

    var elementBits = SPONGE_ELEMENT_BITS();
    var total = (nBits + elementBits - 1) \ elementBits;
    var acc[total];
    for (var e = 0; e < total; e++) {
        acc[e] = 0;
    }
    for (var s = 0; s < nBits; s++) {
        acc[s \ elementBits] += bits[s] * (1 << (s % elementBits));
    }

    var calls = (total + 15) \ 16;
    component hash[calls];
    for (var c = 0; c < calls; c++) {
        var take = total - 16 * c;
        if (take > 16) { take = 16; }
        hash[c] = PoseidonEx(take, c == calls - 1 ? nOuts : 1);
        if (c == 0) {
            hash[c].initialState <== initial;
        } else {
            hash[c].initialState <== hash[c - 1].out[0];
        }
        for (var i = 0; i < take; i++) {
            hash[c].inputs[i] <== acc[16 * c + i];
        }
    }
    out <== hash[calls - 1].out;
}

// `ordered` strictly ascends: one bit decomposition of the first value and of each consecutive
// difference minus one. That makes every ordered value an integer below n·2^width with no wrap modulo
// p; the log side's composites are bounded by construction or, for priority-fee, through the
// permutation (docs/circuits.md), so the last value needs no check of its own. steps[0] is the first
// value's bits and steps[i] the i-th difference's, which the output commitment absorbs.
template SortedSteps(n, width) {
    signal input ordered[n];
    signal output steps[n][width];

    component first = Num2Bits(width);
    first.in <== ordered[0];
    steps[0] <== first.out;
    component step[n - 1];
    for (var i = 0; i < n - 1; i++) {
        step[i] = Num2Bits(width);
        step[i].in <== ordered[i + 1] - ordered[i] - 1;
        steps[i + 1] <== step[i].out;
    }
}

// The pairs (composite_j, position_j) of the log side and (ordered_i, i) of the output are equal as
// multisets: a grand product of composite + eta·position at the challenge beta, both drawn after every
// value here is fixed (Schwartz–Zippel over two variables: a false equality survives with probability
// ≤ n/p). The ordered values are distinct, so each log slot is paired with exactly one output position,
// and `position` is the permutation that the posted-list digest weighs the txIds by.
template PairedPermutation(n) {
    signal input composite[n];
    signal input position[n];
    signal input ordered[n];
    signal input beta;
    signal input eta;

    signal shifted[n];
    signal logProduct[n];
    signal orderedProduct[n];
    for (var i = 0; i < n; i++) {
        shifted[i] <== eta * position[i];
        if (i == 0) {
            logProduct[0] <== beta - composite[0] - shifted[0];
            orderedProduct[0] <== beta - ordered[0];
        } else {
            logProduct[i] <== logProduct[i - 1] * (beta - composite[i] - shifted[i]);
            orderedProduct[i] <== orderedProduct[i - 1] * (beta - ordered[i] - eta * i);
        }
    }
    logProduct[n - 1] === orderedProduct[n - 1];
}

// The posted hash list, bound by the inbox's own challenge gamma = keccak(statement, posted list) mod r:
//   listDigest   = Σ_j txId_j · gamma^(position_j)   (the list in output order: Σ_i id_i·gamma^i)
//   listMultiset = Π_j (gamma − txId_j)              (the list as a multiset, padding counting gamma)
// The inbox computes the digest over the posted ids itself, so a list other than the proven one
// fails the proof except with probability ≤ n/r (docs/circuits.md, "The posted list"). The multiset only
// lets the inbox say how a refused list differs. Padding carries txId 0, so it adds nothing to the digest.
template ListBinding(n, positionBits) {
    signal input challenge;
    signal input txId[n];
    signal input position[n][positionBits];
    signal input digest;
    signal input multiset;

    // g[k] = gamma^(2^k)
    signal g[positionBits];
    g[0] <== challenge;
    for (var k = 1; k < positionBits; k++) {
        g[k] <== g[k - 1] * g[k - 1];
    }

    // power[j][k] = gamma^(the low k+1 bits of position_j)
    signal power[n][positionBits];
    signal raised[n][positionBits];
    signal term[n];
    signal product[n];
    var sum = 0;
    for (var j = 0; j < n; j++) {
        power[j][0] <== 1 + position[j][0] * (challenge - 1);
        for (var k = 1; k < positionBits; k++) {
            raised[j][k] <== power[j][k - 1] * g[k];
            power[j][k] <== power[j][k - 1] + position[j][k] * (raised[j][k] - power[j][k - 1]);
        }
        term[j] <== txId[j] * power[j][positionBits - 1];
        sum += term[j];
        if (j == 0) {
            product[0] <== challenge - txId[0];
        } else {
            product[j] <== product[j - 1] * (challenge - txId[j]);
        }
    }
    digest === sum;
    multiset === product[n - 1];
}

// The same binding for a list in log order (fcfs: position_j = j): the digest by Horner's rule.
template ListBindingInLogOrder(n) {
    signal input challenge;
    signal input txId[n];
    signal input digest;
    signal input multiset;

    signal horner[n];
    signal product[n];
    horner[n - 1] <== txId[n - 1];
    for (var j = n - 2; j >= 0; j--) {
        horner[j] <== horner[j + 1] * challenge + txId[j];
    }
    for (var j = 0; j < n; j++) {
        if (j == 0) {
            product[0] <== challenge - txId[0];
        } else {
            product[j] <== product[j - 1] * (challenge - txId[j]);
        }
    }
    digest === horner[0];
    multiset === product[n - 1];
}
