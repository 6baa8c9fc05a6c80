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
// modulo p. The bits are returned for the output commitment, which must fix every arrival before the
// permutation challenge (docs/circuits.md, "The challenge comes last").
template ArrivalOrder(n) {
    signal input arrival[n];
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
    }
}

// The commitment to the output order, and the Fiat–Shamir challenge of the permutation check: a
// Poseidon sponge over newHead and a bit stream. The stream is the order's steps (the first ordered
// composite, then each difference ordered[i+1] − ordered[i] − 1, `width` bits each), then the first
// arrival (48 bits) and the arrival gaps (12 bits each): bit decompositions the range checks make
// anyway, concatenated and cut into 253-bit elements (little-endian), so they cost only the sponge.
// The steps fix every ordered value, newHead every logged leaf and the arrivals every fee/arrival
// split, so a challenge taken from the result comes after every value the product check compares.
// The sponge is circomlib's PoseidonEx with the running value as its initial (capacity) state:
// newHead starts it, and each call absorbs up to 16 elements.
template OrderCommitment(n, width) {
    signal input newHead;
    signal input steps[n][width];
    signal input firstArrivalBits[FIRST_ARRIVAL_BITS()];
    signal input gapBits[n - 1][ARRIVAL_GAP_BITS()];
    signal output out;

    var elementBits = SPONGE_ELEMENT_BITS();
    var firstBits = FIRST_ARRIVAL_BITS();
    var gapWidth = ARRIVAL_GAP_BITS();
    var streamBits = n * width + firstBits + (n - 1) * gapWidth;
    var total = (streamBits + elementBits - 1) \ elementBits;

    var acc[total];
    for (var e = 0; e < total; e++) {
        acc[e] = 0;
    }
    var s = 0;
    for (var t = 0; t < n; t++) {
        for (var k = 0; k < width; k++) {
            acc[s \ elementBits] += steps[t][k] * (1 << (s % elementBits));
            s++;
        }
    }
    for (var k = 0; k < firstBits; k++) {
        acc[s \ elementBits] += firstArrivalBits[k] * (1 << (s % elementBits));
        s++;
    }
    for (var j = 0; j < n - 1; j++) {
        for (var k = 0; k < gapWidth; k++) {
            acc[s \ elementBits] += gapBits[j][k] * (1 << (s % elementBits));
            s++;
        }
    }

    var calls = (total + 15) \ 16;
    component hash[calls];
    signal running[calls + 1];
    running[0] <== newHead;
    for (var c = 0; c < calls; c++) {
        var take = total - 16 * c;
        if (take > 16) { take = 16; }
        hash[c] = PoseidonEx(take, 1);
        hash[c].initialState <== running[c];
        for (var i = 0; i < take; i++) {
            hash[c].inputs[i] <== acc[16 * c + i];
        }
        running[c + 1] <== hash[c].out[0];
    }
    out <== running[calls];
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

// `ordered` and `composite` are equal as multisets: a grand-product check at the challenge `beta`,
// which the caller derives from a hash that fixes both sides (Schwartz–Zippel: a false equality
// survives with probability ≤ n/p).
template SamePermutation(n) {
    signal input composite[n];
    signal input ordered[n];
    signal input beta;

    signal logProduct[n];
    signal orderedProduct[n];
    logProduct[0] <== beta - composite[0];
    orderedProduct[0] <== beta - ordered[0];
    for (var i = 1; i < n; i++) {
        logProduct[i] <== logProduct[i - 1] * (beta - composite[i]);
        orderedProduct[i] <== orderedProduct[i - 1] * (beta - ordered[i]);
    }
    logProduct[n - 1] === orderedProduct[n - 1];
}
