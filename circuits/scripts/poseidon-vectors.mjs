// Writes fixtures/poseidon/vectors.json: reference Poseidon hashes from circomlibjs for 1..16 inputs,
// from the zero initial state (Poseidon(n)) and from others (PoseidonEx), which Prover.Core's tests
// require its Poseidon to match exactly.
//
// Every vector is hashed three ways, and the script stops unless all agree: circomlibjs'
// buildPoseidon() (the WebAssembly build, what circomlibjs users call), buildPoseidonOpt() (the
// JavaScript form of circomlib 2.0.5's circuits/poseidon.circom, with the optimized C/S/M/P
// constants) and buildPoseidonReference() (the textbook rounds with the unoptimized constants).
//
// Regenerate (from the repository root):
//     cd circuits && npm ci && npm run vectors
// The inputs come from a seeded generator, so the output is the same on every run.

import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPoseidon, buildPoseidonOpt, buildPoseidonReference } from "circomlibjs";

const here = dirname(fileURLToPath(import.meta.url));
const outPath = join(here, "..", "..", "fixtures", "poseidon", "vectors.json");

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const MAX_INPUTS = 16;
const RANDOM_PER_ARITY = 30;
const SEED = 0x5eed_f1e1_d000_0001n;

// splitmix64: small, well known, and the same in every language should a test want to re-derive inputs.
let state = SEED;
function next64() {
    const mask = (1n << 64n) - 1n;
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return z ^ (z >> 31n);
}

// Mostly uniform field elements, with some short values (a 64-bit limb, a 128-bit value) and some
// just below r so carries and the top limb get exercised.
function randomElement(i) {
    const wide = (next64() << 192n) | (next64() << 128n) | (next64() << 64n) | next64();
    switch (i % 6) {
        case 0: return next64();
        case 1: return (next64() << 64n) | next64();
        case 2: return R - 1n - (next64() & 0xffffn);
        default: return wide % R;
    }
}

function edgeCases(n) {
    const cases = [];
    const fill = (v) => Array.from({ length: n }, () => v);
    cases.push(fill(0n), fill(1n), fill(R - 1n));
    for (let pos = 0; pos < n; pos++) {
        for (const v of [1n, R - 1n]) {
            const a = fill(0n);
            a[pos] = v;
            cases.push(a);
        }
        const b = fill(R - 1n);
        b[pos] = 0n;
        cases.push(b);
    }
    // Ascending small integers, the shape circomlib's own tests use.
    cases.push(Array.from({ length: n }, (_, i) => BigInt(i + 1)));
    // Deduplicate (for n = 1 some of the above coincide).
    const seen = new Set();
    return cases.filter((c) => {
        const key = c.join(",");
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

const wasm = await buildPoseidon();
const opt = await buildPoseidonOpt();
const reference = await buildPoseidonReference();
const str = (F, v) => F.toString(v, 10);

const vectors = [];
let counter = 0;
for (let n = 1; n <= MAX_INPUTS; n++) {
    const inputs = [...edgeCases(n)];
    for (let k = 0; k < RANDOM_PER_ARITY; k++) {
        inputs.push(Array.from({ length: n }, () => randomElement(counter++)));
    }
    for (const input of inputs) {
        const viaWasm = str(wasm.F, wasm(input));
        const viaOpt = str(opt.F, opt(input));
        const viaReference = str(reference.F, reference(input));
        if (viaWasm !== viaOpt || viaWasm !== viaReference) {
            throw new Error(`circomlibjs disagrees with itself on [${input}]: wasm ${viaWasm}, opt ${viaOpt}, reference ${viaReference}`);
        }
        vectors.push({ inputs: input.map((v) => v.toString()), output: viaWasm });
    }
}

// circomlib's PoseidonEx with a nonzero initial (capacity) state, as the output commitment's sponge
// chains its calls: a few per arity, drawn after the vectors above so those stay as they were.
const INITIAL_STATE_PER_ARITY = 4;
for (let n = 1; n <= MAX_INPUTS; n++) {
    for (let k = 0; k < INITIAL_STATE_PER_ARITY; k++) {
        const initialState = k === 0 ? R - 1n : randomElement(counter++);
        const input = Array.from({ length: n }, () => randomElement(counter++));
        const viaWasm = str(wasm.F, wasm(input, initialState));
        const viaOpt = str(opt.F, opt(input, initialState));
        const viaReference = str(reference.F, reference(input, initialState));
        if (viaWasm !== viaOpt || viaWasm !== viaReference) {
            throw new Error(`circomlibjs disagrees with itself on [${input}] from ${initialState}: wasm ${viaWasm}, opt ${viaOpt}, reference ${viaReference}`);
        }
        vectors.push({ initialState: initialState.toString(), inputs: input.map((v) => v.toString()), output: viaWasm });
    }
}

const document = {
    description: "circomlibjs 0.1.7 Poseidon (= circomlib 2.0.5 Poseidon(n), and PoseidonEx(n, 1) where initialState is given) for 1..16 inputs; written by circuits/scripts/poseidon-vectors.mjs",
    modulus: R.toString(),
    vectors,
};
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify(document, null, 2) + "\n");
console.log(`wrote ${vectors.length} vectors to ${outPath}`);
process.exit(0);
