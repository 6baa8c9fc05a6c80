pragma circom 2.1.6;

// One template per ordering policy, each proving for a batch of capacity n (see docs/circuits.md):
//   1. the domain is Poseidon(chainId, inbox, this circuit's policy id, paramsCommitment);
//   2. the log chain from prevHead over the first `count` slots gives newHead; arrivals never decrease,
//      within the batch and against the previous batch's last (from the header);
//   3. outputCommitment commits to newHead, the ordered composites key·2^B + logIndex, each log slot's
//      output position and the arrivals;
//   4. the (composite, position) pairs of the log are the (ordered composite, index) pairs of the output;
//   5. the ordered composites strictly increase, so the order is exactly the policy's (key, seq) order;
//   6. the posted list's digest at the inbox's challenge is the txIds in that order;
//   7. slots beyond `count` carry the largest key, txId 0 and the last arrival, sort after every real
//      entry, and are not hashed into newHead.
// Public inputs, in this order: domain, prevHead, newHead, outputCommitment, header, listChallenge,
// listDigest, listMultiset.

include "common.circom";
include "circomlib/circuits/comparators.circom";

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

// What the three sorting policies share once the policy has computed each slot's composite
// key·2^B + j (keys of K bits): the log segment, the claimed order and its sort, each slot's position,
// the output commitment with its two challenges, the paired permutation and the posted-list binding.
template SortingCore(n, K, policyId, withBeacon) {
    var B = indexBits(n);
    var W = K + B;
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;
    signal input header;
    signal input listChallenge;
    signal input listDigest;
    signal input listMultiset;
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
    signal input ordered[n];
    signal input position[n];
    signal input composite[n];

    component segment = LogSegment(n, policyId, withBeacon);
    segment.domain <== domain;
    segment.prevHead <== prevHead;
    segment.newHead <== newHead;
    segment.header <== header;
    segment.chainId <== chainId;
    segment.inbox <== inbox;
    segment.paramsCommitment <== paramsCommitment;
    segment.count <== count;
    segment.prevLastArrival <== prevLastArrival;
    segment.beacon <== beacon;
    segment.txId <== txId;
    segment.senderNonce <== senderNonce;
    segment.fee <== fee;
    segment.arrival <== arrival;
    segment.selector <== selector;
    segment.active <== active;

    component steps = SortedSteps(n, W);
    steps.ordered <== ordered;

    component positionBits[n];
    for (var j = 0; j < n; j++) {
        positionBits[j] = Num2Bits(B);
        positionBits[j].in <== position[j];
    }

    // The stream: the order's steps, every slot's position, the first arrival, the gaps.
    var first = FIRST_ARRIVAL_BITS();
    var gapWidth = ARRIVAL_GAP_BITS();
    component commit = BitSponge(n * W + n * B + first + (n - 1) * gapWidth, 2);
    commit.initial <== newHead;
    var s = 0;
    for (var t = 0; t < n; t++) {
        for (var k = 0; k < W; k++) {
            commit.bits[s] <== steps.steps[t][k];
            s++;
        }
    }
    for (var j = 0; j < n; j++) {
        for (var k = 0; k < B; k++) {
            commit.bits[s] <== positionBits[j].out[k];
            s++;
        }
    }
    for (var k = 0; k < first; k++) {
        commit.bits[s] <== segment.firstArrivalBits[k];
        s++;
    }
    for (var j = 0; j < n - 1; j++) {
        for (var k = 0; k < gapWidth; k++) {
            commit.bits[s] <== segment.gapBits[j][k];
            s++;
        }
    }
    commit.out[0] === outputCommitment;

    component sorted = PairedPermutation(n);
    sorted.composite <== composite;
    sorted.position <== position;
    sorted.ordered <== ordered;
    sorted.beta <== commit.out[0];
    sorted.eta <== commit.out[1];

    component list = ListBinding(n, B);
    list.challenge <== listChallenge;
    list.txId <== txId;
    for (var j = 0; j < n; j++) {
        list.position[j] <== positionBits[j].out;
    }
    list.digest <== listDigest;
    list.multiset <== listMultiset;
}

// fcfs (policy id 1): the output is the log order. Active slot j has composite j, padding 2^B + j, so
// the order is the composites themselves and neither a permutation nor positions are checked. Its
// steps are linear in the active flags: the first composite is 0 and each difference minus one is 2^B
// exactly where the batch ends.
template FcfsOrdering(n) {
    var B = indexBits(n);
    var W = 1 + B;
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;
    signal input header;
    signal input listChallenge;
    signal input listDigest;
    signal input listMultiset;
    signal input chainId;
    signal input inbox;
    signal input count;
    signal input prevLastArrival;
    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];

    component fees = FeeRange(n);
    fees.fee <== fee;

    component slots = ActiveSlots(n);
    slots.count <== count;
    slots.selector <== selector;

    component segment = LogSegment(n, 1, 0);
    segment.domain <== domain;
    segment.prevHead <== prevHead;
    segment.newHead <== newHead;
    segment.header <== header;
    segment.chainId <== chainId;
    segment.inbox <== inbox;
    segment.paramsCommitment <== 0;
    segment.count <== count;
    segment.prevLastArrival <== prevLastArrival;
    segment.beacon <== 0;
    segment.txId <== txId;
    segment.senderNonce <== senderNonce;
    segment.fee <== fee;
    segment.arrival <== arrival;
    segment.selector <== selector;
    segment.active <== slots.active;

    var first = FIRST_ARRIVAL_BITS();
    var gapWidth = ARRIVAL_GAP_BITS();
    component commit = BitSponge(n * W + first + (n - 1) * gapWidth, 1);
    commit.initial <== newHead;
    var s = 0;
    for (var t = 0; t < n; t++) {
        for (var k = 0; k < W; k++) {
            if (k < B) {
                commit.bits[s] <== 0;
            } else if (t == 0) {
                commit.bits[s] <== 1 - slots.active[0];
            } else {
                commit.bits[s] <== slots.active[t - 1] - slots.active[t];
            }
            s++;
        }
    }
    for (var k = 0; k < first; k++) {
        commit.bits[s] <== segment.firstArrivalBits[k];
        s++;
    }
    for (var j = 0; j < n - 1; j++) {
        for (var k = 0; k < gapWidth; k++) {
            commit.bits[s] <== segment.gapBits[j][k];
            s++;
        }
    }
    commit.out[0] === outputCommitment;

    component list = ListBindingInLogOrder(n);
    list.challenge <== listChallenge;
    list.txId <== txId;
    list.digest <== listDigest;
    list.multiset <== listMultiset;
}

// priority-fee (policy id 2): key = 2^64 − 1 − fee (highest fee first), ties by log index. Padding
// slots must carry fee 0, the largest key, so they sort after every real entry. Fees need no range
// check of their own: the sort bounds every composite, which bounds every fee (docs/circuits.md, "Why
// the fees are honest").
template PriorityFeeOrdering(n) {
    var B = indexBits(n);
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;
    signal input header;
    signal input listChallenge;
    signal input listDigest;
    signal input listMultiset;
    signal input chainId;
    signal input inbox;
    signal input count;
    signal input prevLastArrival;
    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];
    signal input ordered[n];
    signal input position[n];

    component slots = ActiveSlots(n);
    slots.count <== count;
    slots.selector <== selector;

    component core = SortingCore(n, 64, 2, 0);
    for (var j = 0; j < n; j++) {
        (1 - slots.active[j]) * fee[j] === 0;
        core.composite[j] <== ((1 << 64) - 1 - fee[j]) * (1 << B) + j;
    }
    core.domain <== domain;
    core.prevHead <== prevHead;
    core.newHead <== newHead;
    core.outputCommitment <== outputCommitment;
    core.header <== header;
    core.listChallenge <== listChallenge;
    core.listDigest <== listDigest;
    core.listMultiset <== listMultiset;
    core.chainId <== chainId;
    core.inbox <== inbox;
    core.paramsCommitment <== 0;
    core.count <== count;
    core.prevLastArrival <== prevLastArrival;
    core.beacon <== 0;
    core.txId <== txId;
    core.senderNonce <== senderNonce;
    core.fee <== fee;
    core.arrival <== arrival;
    core.selector <== selector;
    core.active <== slots.active;
    core.ordered <== ordered;
    core.position <== position;
}

// timeboost (policy id 3): key = arrival for the express-lane controller, arrival + delayMs for
// everyone else. The controller and delay are private inputs bound to the public domain through
// paramsCommitment = Poseidon(controller, delayMs). Keys stay below 2^50 (arrival < 2^49,
// delayMs < 2^32); padding takes 2^50 − 1.
template TimeboostOrdering(n) {
    var B = indexBits(n);
    var K = 50;
    var maxKey = (1 << K) - 1;
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;
    signal input header;
    signal input listChallenge;
    signal input listDigest;
    signal input listMultiset;
    signal input chainId;
    signal input inbox;
    signal input count;
    signal input prevLastArrival;
    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];
    signal input ordered[n];
    signal input position[n];
    signal input controller;
    signal input delayMs;

    component params = Poseidon(2);
    params.inputs[0] <== controller;
    params.inputs[1] <== delayMs;
    component delayBits = Num2Bits(32);
    delayBits.in <== delayMs;

    component fees = FeeRange(n);
    fees.fee <== fee;

    component slots = ActiveSlots(n);
    slots.count <== count;
    slots.selector <== selector;

    // senderNonce = sender·2^64 + nonce: 224 bits decompose it uniquely (224 < 254).
    component split[n];
    component express[n];
    signal delayed[n];
    signal key[n];
    component core = SortingCore(n, K, 3, 0);
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
        core.composite[j] <== key[j] * (1 << B) + j;
    }
    core.domain <== domain;
    core.prevHead <== prevHead;
    core.newHead <== newHead;
    core.outputCommitment <== outputCommitment;
    core.header <== header;
    core.listChallenge <== listChallenge;
    core.listDigest <== listDigest;
    core.listMultiset <== listMultiset;
    core.chainId <== chainId;
    core.inbox <== inbox;
    core.paramsCommitment <== params.out;
    core.count <== count;
    core.prevLastArrival <== prevLastArrival;
    core.beacon <== 0;
    core.txId <== txId;
    core.senderNonce <== senderNonce;
    core.fee <== fee;
    core.arrival <== arrival;
    core.selector <== selector;
    core.active <== slots.active;
    core.ordered <== ordered;
    core.position <== position;
}

// shuffle (policy id 4): key = the low 64 bits of Poseidon(seed, txId), seed = Poseidon(newHead, beacon).
// The beacon is part of the public header: the inbox draws it from the hash of the block that recorded
// the batch's newHead (docs/policies.md), so it is fixed only after the batch is. Padding takes key
// 2^64 − 1.
template ShuffleOrdering(n) {
    var B = indexBits(n);
    var maxKey = (1 << 64) - 1;
    signal input domain;
    signal input prevHead;
    signal input newHead;
    signal input outputCommitment;
    signal input header;
    signal input listChallenge;
    signal input listDigest;
    signal input listMultiset;
    signal input chainId;
    signal input inbox;
    signal input count;
    signal input prevLastArrival;
    signal input txId[n];
    signal input senderNonce[n];
    signal input fee[n];
    signal input arrival[n];
    signal input selector[n + 1];
    signal input ordered[n];
    signal input position[n];
    signal input beacon;

    component fees = FeeRange(n);
    fees.fee <== fee;

    component slots = ActiveSlots(n);
    slots.count <== count;
    slots.selector <== selector;

    component seed = Poseidon(2);
    seed.inputs[0] <== newHead;
    seed.inputs[1] <== beacon;

    component draw[n];
    component bits[n];
    signal key[n];
    component core = SortingCore(n, 64, 4, 1);
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
        core.composite[j] <== key[j] * (1 << B) + j;
    }
    core.domain <== domain;
    core.prevHead <== prevHead;
    core.newHead <== newHead;
    core.outputCommitment <== outputCommitment;
    core.header <== header;
    core.listChallenge <== listChallenge;
    core.listDigest <== listDigest;
    core.listMultiset <== listMultiset;
    core.chainId <== chainId;
    core.inbox <== inbox;
    core.paramsCommitment <== 0;
    core.count <== count;
    core.prevLastArrival <== prevLastArrival;
    core.beacon <== beacon;
    core.txId <== txId;
    core.senderNonce <== senderNonce;
    core.fee <== fee;
    core.arrival <== arrival;
    core.selector <== selector;
    core.active <== slots.active;
    core.ordered <== ordered;
    core.position <== position;
}
