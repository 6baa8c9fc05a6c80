// Compiles Solidity contracts with the solc pinned in the repository's package.json (solc-js, the
// WebAssembly build, so no native compiler is needed) and writes their ABI and bytecode as JSON:
//   node compile.mjs SOLC_PACKAGE_DIR OUT.json SOURCE.sol:Contract [SOURCE.sol:Contract …]
// The build runs it for the inbox; Prover.Chain runs it at deployment for the verifier that the
// trusted setup generated. One script, so both are compiled with the same settings.
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, resolve } from "node:path";

const [solcDir, outFile, ...targets] = process.argv.slice(2);
if (!solcDir || !outFile || targets.length === 0) {
  console.error("usage: node compile.mjs SOLC_PACKAGE_DIR OUT.json SOURCE.sol:Contract [...]");
  process.exit(2);
}

const solc = createRequire(resolve(solcDir, "package.json"))(resolve(solcDir));
const sources = {};
const wanted = targets.map((target) => {
  const colon = target.lastIndexOf(":");
  const file = resolve(target.slice(0, colon));
  const name = basename(file);
  sources[name] = { content: readFileSync(file, "utf8") };
  return { source: name, contract: target.slice(colon + 1) };
});

const input = {
  language: "Solidity",
  sources,
  settings: {
    // Cancun: the newest fork every major L2 runs; nothing here needs a later one.
    evmVersion: "cancun",
    // Runtime gas matters (every batch pays it), deployment size barely does.
    optimizer: { enabled: true, runs: 1000000 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors ?? []).filter((e) => e.severity === "error");
for (const e of output.errors ?? []) {
  console.error(e.formattedMessage ?? e.message);
}
if (errors.length > 0) {
  process.exit(1);
}

const result = { compiler: solc.version(), settings: input.settings, contracts: {} };
for (const { source, contract } of wanted) {
  const compiled = output.contracts?.[source]?.[contract];
  if (!compiled) {
    console.error(`${source} has no contract ${contract}`);
    process.exit(1);
  }
  result.contracts[contract] = {
    abi: compiled.abi,
    bytecode: "0x" + compiled.evm.bytecode.object,
    deployedBytecode: "0x" + compiled.evm.deployedBytecode.object,
  };
}

// Written beside under a name of this process and renamed: an interrupted run never leaves a truncated
// file that looks current, and two runs compiling the same source never interleave their writes.
const scratch = `${outFile}.${process.pid}.tmp`;
writeFileSync(scratch, JSON.stringify(result, null, 2) + "\n");
renameSync(scratch, outFile);
