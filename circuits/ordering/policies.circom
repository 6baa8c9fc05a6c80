pragma circom 2.1.6;

// One template per ordering policy, each proving for a batch of capacity n (see docs/circuits.md):
//   1. the log chain from prevHead over the first `count` slots gives newHead, arrivals never decrease;
//   2. outputCommitment commits to newHead and the ordered composites key·2^B + logIndex;
//   3. the ordered composites are a permutation of the logged ones;
//   4. they strictly increase, so the order is exactly the policy's (key, seq) order;
//   5. slots beyond `count` carry the largest key, sort after every real entry, and are not hashed
//      into newHead.
// Public inputs, in this order: domain, prevHead, newHead, outputCommitment, count.

include "common.circom";
include "circomlib/circuits/comparators.circom";

// Everything the four policies share: the log chain, arrival order and fee/arrival split, and the
// output commitment. The policy supplies the step bits of its claimed order (SortedSteps) and checks
// that order against its composites.
template OrderingCore(n, width) {
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;

    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];
    signal input steps[n][width];

    signal output commitment;

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

    component commit = OrderCommitment(n, width);
    commit.newHead <== newHead;
    commit.steps <== steps;
    commit.firstArrivalBits <== arrivals.firstBits;
    commit.gapBits <== arrivals.gapBits;
    commit.out === outputCommitment;
    commitment <== commit.out;
}

// Each fee is range-checked on its own (64 bits) where no sort bounds it, so feeArrival splits in
// exactly one way and the arrivals the chain commits to are the ones checked for order.
template FeeRange(n) {
    signal input fee[n];
    component bits[n];
    for (var j = 0; j < n; j++) {
        bits[j] = Num2Bits(64);
        bits[j].in <== fee[j];
    }
}

// fcfs: the output is the log order. Active slot j has composite j, padding 2^B + j, so the order is
// the composites themselves and no permutation is checked. Its steps are linear in the active flags:
// the first composite is 0 and each difference minus one is 2^B exactly where the batch ends.
template FcfsOrdering(n) {
    var B = indexBits(n);
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;
    signal input count;
    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];

    // The domain is bound by the verifier (the inbox compares it with its own); squaring it makes the
    // proof depend on it even though no policy parameter has to hash into it.
    signal domainSquare <== domain * domain;

    component fees = FeeRange(n);
    fees.fee <== fee;

    component slots = ActiveSlots(n);
    slots.count <== count;
    slots.selector <== selector;

    component core = OrderingCore(n, 1 + B);
    core.prevHead <== prevHead;
    core.newHead <== newHead;
    core.outputCommitment <== outputCommitment;
    core.txId <== txId;
    core.senderNonce <== senderNonce;
    core.fee <== fee;
    core.arrival <== arrival;
    core.selector <== selector;
    for (var t = 0; t < n; t++) {
        for (var k = 0; k <= B; k++) {
            if (k < B) {
                core.steps[t][k] <== 0;
            } else if (t == 0) {
                core.steps[t][k] <== 1 - slots.active[0];
            } else {
                core.steps[t][k] <== slots.active[t - 1] - slots.active[t];
            }
        }
    }
}

// priority-fee: key = 2^64 − 1 − fee (highest fee first), ties by log index. Padding slots must carry
// fee 0, the largest key, so they sort after every real entry. Fees need no range check of their own:
// the sort bounds every composite, which bounds every fee (docs/circuits.md, "Why the fees are honest").
template PriorityFeeOrdering(n) {
    var B = indexBits(n);
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;
    signal input count;
    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];
    signal input ordered[n];

    signal domainSquare <== domain * domain;

    component slots = ActiveSlots(n);
    slots.count <== count;
    slots.selector <== selector;

    component steps = SortedSteps(n, 64 + B);
    steps.ordered <== ordered;

    component core = OrderingCore(n, 64 + B);
    core.prevHead <== prevHead;
    core.newHead <== newHead;
    core.outputCommitment <== outputCommitment;
    core.txId <== txId;
    core.senderNonce <== senderNonce;
    core.fee <== fee;
    core.arrival <== arrival;
    core.selector <== selector;
    core.steps <== steps.steps;

    component sorted = SamePermutation(n);
    for (var j = 0; j < n; j++) {
        (1 - slots.active[j]) * fee[j] === 0;
        sorted.composite[j] <== ((1 << 64) - 1 - fee[j]) * (1 << B) + j;
    }
    sorted.ordered <== ordered;
    sorted.beta <== core.commitment;
}

// timeboost: key = arrival for the express-lane controller, arrival + delayMs for everyone else.
// The controller and delay are private inputs bound to the public domain:
//   domain = Poseidon(chainId, inbox, 3, Poseidon(controller, delayMs)).
// Keys stay below 2^50 (arrival < 2^49, delayMs < 2^32); padding takes 2^50 − 1.
template TimeboostOrdering(n) {
    var B = indexBits(n);
    var K = 50;
    var maxKey = (1 << K) - 1;
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;
    signal input count;
    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];
    signal input ordered[n];
    signal input chainId;
    signal input inbox;
    signal input controller;
    signal input delayMs;

    component params = Poseidon(2);
    params.inputs[0] <== controller;
    params.inputs[1] <== delayMs;
    component domainHash = Poseidon(4);
    domainHash.inputs[0] <== chainId;
    domainHash.inputs[1] <== inbox;
    domainHash.inputs[2] <== 3;
    domainHash.inputs[3] <== params.out;
    domainHash.out === domain;
    component delayBits = Num2Bits(32);
    delayBits.in <== delayMs;

    component fees = FeeRange(n);
    fees.fee <== fee;

    component slots = ActiveSlots(n);
    slots.count <== count;
    slots.selector <== selector;

    component steps = SortedSteps(n, K + B);
    steps.ordered <== ordered;

    component core = OrderingCore(n, K + B);
    core.prevHead <== prevHead;
    core.newHead <== newHead;
    core.outputCommitment <== outputCommitment;
    core.txId <== txId;
    core.senderNonce <== senderNonce;
    core.fee <== fee;
    core.arrival <== arrival;
    core.selector <== selector;
    core.steps <== steps.steps;

    // senderNonce = sender·2^64 + nonce: 224 bits decompose it uniquely (224 < 254).
    component split[n];
    component express[n];
    signal delayed[n];
    signal key[n];
    component sorted = SamePermutation(n);
    for (var j = 0; j < n; j++) {
        split[j] = Num2Bits(224);
        split[j].in <== senderNonce[j];
        var sender = 0;
        for (var b = 0; b < 160; b++) {
            sender += split[j].out[64 + b] * (1 << b);
        }
        express[j] = IsEqual();
        express[j].in[0] <== sender;
        express[j].in[1] <== controller;
        delayed[j] <== delayMs * (1 - express[j].out);
        key[j] <== maxKey + slots.active[j] * (arrival[j] + delayed[j] - maxKey);
        sorted.composite[j] <== key[j] * (1 << B) + j;
    }
    sorted.ordered <== ordered;
    sorted.beta <== core.commitment;
}

// shuffle: key = the low 64 bits of Poseidon(seed, txId), seed = Poseidon(newHead, beacon). The beacon
// is a private input bound to the public domain: domain = Poseidon(chainId, inbox, 4, Poseidon(beacon)).
// Padding takes key 2^64 − 1.
template ShuffleOrdering(n) {
    var B = indexBits(n);
    var maxKey = (1 << 64) - 1;
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;
    signal input count;
    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];
    signal input ordered[n];
    signal input chainId;
    signal input inbox;
    signal input beacon;

    component params = Poseidon(1);
    params.inputs[0] <== beacon;
    component domainHash = Poseidon(4);
    domainHash.inputs[0] <== chainId;
    domainHash.inputs[1] <== inbox;
    domainHash.inputs[2] <== 4;
    domainHash.inputs[3] <== params.out;
    domainHash.out === domain;

    component fees = FeeRange(n);
    fees.fee <== fee;

    component slots = ActiveSlots(n);
    slots.count <== count;
    slots.selector <== selector;

    component steps = SortedSteps(n, 64 + B);
    steps.ordered <== ordered;

    component core = OrderingCore(n, 64 + B);
    core.prevHead <== prevHead;
    core.newHead <== newHead;
    core.outputCommitment <== outputCommitment;
    core.txId <== txId;
    core.senderNonce <== senderNonce;
    core.fee <== fee;
    core.arrival <== arrival;
    core.selector <== selector;
    core.steps <== steps.steps;

    component seed = Poseidon(2);
    seed.inputs[0] <== newHead;
    seed.inputs[1] <== beacon;

    component draw[n];
    component bits[n];
    signal key[n];
    component sorted = SamePermutation(n);
    for (var j = 0; j < n; j++) {
        draw[j] = Poseidon(2);
        draw[j].inputs[0] <== seed.out;
        draw[j].inputs[1] <== txId[j];
        // The strict decomposition: exactly one bit pattern below p, so the low 64 bits are unique.
        bits[j] = Num2Bits_strict();
        bits[j].in <== draw[j].out;
        var low = 0;
        for (var b = 0; b < 64; b++) {
            low += bits[j].out[b] * (1 << b);
        }
        key[j] <== maxKey + slots.active[j] * (low - maxKey);
        sorted.composite[j] <== key[j] * (1 << B) + j;
    }
    sorted.ordered <== ordered;
    sorted.beta <== core.commitment;
}
