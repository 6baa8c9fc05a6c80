pragma circom 2.1.6;

// The backend tests' circuit: c = a * b with a and b below 2^16. Small enough that its development
// ceremony (power 6) takes seconds; it has a public input, private inputs and assertions that fail.
include "circomlib/circuits/bitify.circom";

template RangedMultiplier(bits) {
    signal input a;
    signal input b;
    signal input c;

    component aBits = Num2Bits(bits);
    aBits.in <== a;
    component bBits = Num2Bits(bits);
    bBits.in <== b;

    c === a * b;
}

component main {public [c]} = RangedMultiplier(16);
