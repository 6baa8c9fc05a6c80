// Extracts circomlib's optimized Poseidon constants into the binary file Prover.Core embeds.
//
// Source of truth: circomlib 2.0.5's circuits/poseidon_constants.circom, the functions POSEIDON_C,
// POSEIDON_S, POSEIDON_M and POSEIDON_P that circuits/poseidon.circom's Poseidon(n) template uses
// (the optimized form: full rounds with M, the last first-half round with P, partial rounds with the
// sparse matrices S). The same constants ship in circomlibjs as src/poseidon_constants_opt.js, which
// its buildPoseidon() uses; this script reads both and refuses to write anything unless they agree
// element for element.
//
// Regenerate (from the repository root):
//     cd circuits && npm ci && node scripts/poseidon-constants.mjs
// and commit src/Prover.Crypto/Field/poseidon-constants.bin. The output is deterministic, so running it
// again on the same packages leaves the file byte-for-byte unchanged.
//
// Binary layout (all integers big-endian):
//     magic      4 bytes  ASCII "PSDN"
//     version    1 byte   1
//     sections   1 byte   number of widths that follow
//     reserved   2 bytes  zero
//   then, for each width t (t = inputs + 1, ascending from 2):
//     t          1 byte
//     roundsF    1 byte   full rounds (8)
//     roundsP    2 bytes  partial rounds
//     C          (t·roundsF + roundsP) elements   round constants, circomlib's POSEIDON_C(t) order
//     S          (roundsP·(2t − 1)) elements      sparse matrices, POSEIDON_S(t) order
//     M          t·t elements                     MDS matrix, row-major M[j][i] as circomlib indexes it
//     P          t·t elements                     pre-sparse matrix, row-major P[j][i]
//   every element is 32 bytes, big-endian, below the BN254 scalar modulus r.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");

const MAX_INPUTS = 16; // Poseidon.MaxInputs in Prover.Core: widths t = 2..17, all of circomlib's Poseidon(n).
const ROUNDS_F = 8;
// circomlib's N_ROUNDS_P, indexed by t − 2.
const ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

const outPath = process.argv[2] ?? join(repoRoot, "src", "Prover.Crypto", "Field", "poseidon-constants.bin");

// The packages circuits/package.json pins (circomlibjs' "exports" hides its package.json and src/
// from require.resolve, so they are found by path).
function packageDir(name) {
    return join(here, "..", "node_modules", name);
}

function checkVersion(name, expected) {
    const pkg = JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8"));
    if (pkg.version !== expected) {
        throw new Error(`${name} is ${pkg.version}, expected ${expected}; run npm ci in circuits/.`);
    }
}

// Returns the numbers in POSEIDON_<fn>(t)'s array literal, flattened in source order.
function circomConstants(source, fn, t) {
    const start = source.indexOf(`function POSEIDON_${fn}(t)`);
    if (start < 0) throw new Error(`POSEIDON_${fn} not found in poseidon_constants.circom`);
    const branch = new RegExp(`if\\s*\\(\\s*t\\s*==\\s*${t}\\s*\\)\\s*\\{\\s*return\\s*\\[`, "g");
    branch.lastIndex = start;
    const m = branch.exec(source);
    if (!m) throw new Error(`POSEIDON_${fn}(${t}) not found`);
    // Walk the brackets to the end of the returned array literal.
    let depth = 0;
    let i = m.index + m[0].length - 1;
    const open = i;
    for (; i < source.length; i++) {
        if (source[i] === "[") depth++;
        else if (source[i] === "]" && --depth === 0) break;
    }
    const literal = source.slice(open, i + 1);
    return (literal.match(/0x[0-9a-fA-F]+|[0-9]+/g) ?? []).map((s) => BigInt(s));
}

function flatten(value) {
    return Array.isArray(value) ? value.flatMap(flatten) : [BigInt(value)];
}

function sameList(a, b, what) {
    if (a.length !== b.length) throw new Error(`${what}: circomlib has ${a.length} elements, circomlibjs ${b.length}`);
    for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) throw new Error(`${what}[${i}]: circomlib ${a[i]} != circomlibjs ${b[i]}`);
    }
}

function element(v) {
    if (v < 0n || v >= R) throw new Error(`constant ${v} is not below r`);
    return Buffer.from(v.toString(16).padStart(64, "0"), "hex");
}

checkVersion("circomlib", "2.0.5");
checkVersion("circomlibjs", "0.1.7");

const circom = readFileSync(join(packageDir("circomlib"), "circuits", "poseidon_constants.circom"), "utf8");
const js = (await import(pathToFileURL(join(packageDir("circomlibjs"), "src", "poseidon_constants_opt.js")).href)).default;

const chunks = [Buffer.from("PSDN", "ascii"), Buffer.from([1, MAX_INPUTS, 0, 0])];
for (let t = 2; t <= MAX_INPUTS + 1; t++) {
    const roundsP = ROUNDS_P[t - 2];
    const sizes = { C: t * ROUNDS_F + roundsP, S: roundsP * (2 * t - 1), M: t * t, P: t * t };
    const header = Buffer.alloc(4);
    header.writeUInt8(t, 0);
    header.writeUInt8(ROUNDS_F, 1);
    header.writeUInt16BE(roundsP, 2);
    chunks.push(header);
    for (const name of ["C", "S", "M", "P"]) {
        const fromCircom = circomConstants(circom, name, t);
        const fromJs = flatten(js[name][t - 2]);
        sameList(fromCircom, fromJs, `${name}(t=${t})`);
        if (fromCircom.length !== sizes[name]) {
            throw new Error(`${name}(t=${t}) has ${fromCircom.length} elements, expected ${sizes[name]}`);
        }
        chunks.push(...fromCircom.map(element));
    }
}

const out = Buffer.concat(chunks);
writeFileSync(outPath, out);
console.log(`wrote ${out.length} bytes (t = 2..${MAX_INPUTS + 1}) to ${outPath}`);
