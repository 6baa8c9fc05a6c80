pragma circom 2.1.6;

// Building blocks shared by every ordering circuit. The statement they add up to is written down in
// docs/circuits.md; the comments here say why each piece is shaped the way it is.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

// Width of one packed ordered composite in the output commitment: every policy's composite
// key·2^B + index is below 2^80 (keys ≤ 64 bits, B ≤ 16 index bits).
function COMPOSITE_SLOT_BITS() { return 80; }
// Consecutive arrival times in one batch differ by less than 2^ARRIVAL_GAP_BITS ms (65.5 s); the
// sequencer closes a batch at its maximum age (≤ 60 s) so an honest batch always fits.
function ARRIVAL_GAP_BITS() { return 16; }
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
// first arrival. Telescoping then bounds every arrival below 2^48 + n·2^16, so no arrival aliases
// modulo p. The gaps are returned because the output commitment absorbs them (see OrderCommitment).
template ArrivalOrder(n) {
    signal input arrival[n];
    signal output gap[n - 1];

    component first = Num2Bits(FIRST_ARRIVAL_BITS());
    first.in <== arrival[0];
    component gapBits[n - 1];
    for (var j = 0; j < n - 1; j++) {
        gap[j] <== arrival[j + 1] - arrival[j];
        gapBits[j] = Num2Bits(ARRIVAL_GAP_BITS());
        gapBits[j].in <== gap[j];
    }
}

// The commitment to the output order, and the Fiat–Shamir challenge of the permutation check.
// It absorbs newHead (which fixes every logged leaf), the first arrival, the ordered composites packed three to a field
// element, and the arrival gaps packed fifteen to an element, into a Poseidon sponge of width 17
// (circomlib Poseidon(16): 15 new elements per call after the first). Everything the log-side
// composites depend on is fixed by these inputs (the gaps pin each fee/arrival split), so a
// challenge taken from the result comes after every value the product check compares.
template OrderCommitment(n) {
    signal input newHead;
    signal input firstArrival;
    signal input ordered[n];
    signal input gap[n - 1];
    signal output out;

    var slotBits = COMPOSITE_SLOT_BITS();
    var gapBits = ARRIVAL_GAP_BITS();
    var perGapWord = 15;
    var orderedWords = (n + 2) \ 3;
    var gapWords = (n - 1 + perGapWord - 1) \ perGapWord;
    var total = 2 + orderedWords + gapWords;

    signal element[total];
    element[0] <== newHead;
    element[1] <== firstArrival;
    for (var w = 0; w < orderedWords; w++) {
        var acc = 0;
        for (var m = 0; m < 3; m++) {
            if (3 * w + m < n) {
                acc += ordered[3 * w + m] * (1 << (slotBits * m));
            }
        }
        element[2 + w] <== acc;
    }
    for (var w = 0; w < gapWords; w++) {
        var acc = 0;
        for (var m = 0; m < perGapWord; m++) {
            if (perGapWord * w + m < n - 1) {
                acc += gap[perGapWord * w + m] * (1 << (gapBits * m));
            }
        }
        element[2 + orderedWords + w] <== acc;
    }

    // Sponge: the first call takes up to 16 elements, each later call the running value and up to 15 more.
    var calls = total <= 16 ? 1 : 1 + (total - 16 + 14) \ 15;
    component hash[calls];
    signal running[calls];
    var next = 0;
    for (var c = 0; c < calls; c++) {
        var carry = c == 0 ? 0 : 1;
        var take = total - next;
        if (take > 16 - carry) { take = 16 - carry; }
        hash[c] = Poseidon(carry + take);
        if (carry == 1) {
            hash[c].inputs[0] <== running[c - 1];
        }
        for (var i = 0; i < take; i++) {
            hash[c].inputs[carry + i] <== element[next + i];
        }
        next += take;
        running[c] <== hash[c].out;
    }
    out <== running[calls - 1];
}

// `ordered` is `composite` sorted strictly ascending. Strictness and range come from one bit
// decomposition per consecutive difference, plus the two ends: together they put every ordered value
// in [0, 2^width). Equality as multisets is a grand-product check at the challenge `beta`, which the
// caller derives from a hash of both sides (Schwartz–Zippel: a false equality survives with
// probability ≤ n/p).
template SortedPermutation(n, width) {
    signal input composite[n];
    signal input ordered[n];
    signal input beta;

    component low = Num2Bits(width);
    low.in <== ordered[0];
    component high = Num2Bits(width);
    high.in <== ordered[n - 1];
    component step[n - 1];
    for (var i = 0; i < n - 1; i++) {
        step[i] = Num2Bits(width);
        step[i].in <== ordered[i + 1] - ordered[i] - 1;
    }

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
