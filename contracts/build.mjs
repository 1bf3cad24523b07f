#!/usr/bin/env node
// Reproducible build of the alliance contracts with the pinned solcjs compilers.
//
//   node build.mjs                      rebuild build/ (both compilers)
//   node build.mjs --check              rebuild into a temporary folder, compare with build/
//   node build.mjs --emit-input DIR     write the standard-JSON inputs (for solc-gm) to DIR
//   node build.mjs --from-output OUT --input IN --out DIR [--hash sm3]
//                                       turn a standard-JSON output of another compiler
//                                       (FISCO's solc-gm) into artefacts in DIR
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { artefactsFrom, canonicalJson, HASHES } from './lib/artefact.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE_DIR = path.join(HERE, 'src');
const BUILD_DIR = path.join(HERE, 'build');
const require = createRequire(import.meta.url);

// FISCO BCOS 2.x ships solc 0.6.10 and runs an Istanbul EVM; FISCO BCOS 3.x ships 0.8.11,
// whose default target is London. Neither target emits PUSH0 (Shanghai).
export const COMPILERS = [
  { version: '0.6.10', packageName: 'solc-0.6.10', evmVersion: 'istanbul' },
  { version: '0.8.11', packageName: 'solc-0.8.11', evmVersion: 'london' },
];

const OUTPUTS = ['abi', 'metadata', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers'];

function readSources() {
  const sources = {};
  for (const file of fs.readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.sol')).sort()) {
    sources[file] = { content: fs.readFileSync(path.join(SOURCE_DIR, file), 'utf8') };
  }
  return sources;
}

/** The standard-JSON input: the same for solcjs and for FISCO's solc / solc-gm binaries. */
export function standardInput(evmVersion) {
  return {
    language: 'Solidity',
    sources: readSources(),
    settings: {
      evmVersion,
      metadata: { bytecodeHash: 'none' },
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': OUTPUTS } },
    },
  };
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function compile(compiler, quiet) {
  const solc = require(compiler.packageName);
  const input = standardInput(compiler.evmVersion);
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const diagnostics = output.errors ?? [];
  const errors = diagnostics.filter((item) => item.severity === 'error');
  if (!quiet) {
    for (const warning of diagnostics.filter((item) => item.severity !== 'error')) {
      process.stderr.write(`solc ${compiler.version}: ${warning.formattedMessage.split('\n')[0]}\n`);
    }
  }
  if (errors.length > 0) {
    fail(errors.map((item) => `solc ${compiler.version}: ${item.formattedMessage}`).join('\n'));
  }
  return { input, output, compilerVersion: solc.version() };
}

/** Replace the artefacts (*.json) in dir; other files there are left alone. */
function writeArtefacts(dir, artefacts) {
  fs.mkdirSync(dir, { recursive: true });
  for (const stale of fs.readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    fs.rmSync(path.join(dir, stale));
  }
  for (const [name, artefact] of Object.entries(artefacts)) {
    fs.writeFileSync(path.join(dir, `${name}.json`), canonicalJson(artefact));
  }
}

function buildAll(outDir, quiet) {
  for (const compiler of COMPILERS) {
    const { artefacts, problems } = artefactsFrom({ ...compile(compiler, quiet), hashName: 'keccak' });
    if (problems.length > 0) {
      fail(problems.map((problem) => `solc ${compiler.version}: ${problem}`).join('\n'));
    }
    writeArtefacts(path.join(outDir, `solc-${compiler.version}`), artefacts);
    if (!quiet) {
      process.stdout.write(`solc ${compiler.version}: ${Object.keys(artefacts).sort().join(', ')}\n`);
    }
  }
}

function listFiles(dir) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((name) => fs.statSync(path.join(dir, name)).isFile())
    .sort();
}

function check() {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-contracts-'));
  try {
    buildAll(fresh, true);
    const dirs = COMPILERS.map((compiler) => `solc-${compiler.version}`);
    const committed = dirs.flatMap((dir) => listFiles(path.join(BUILD_DIR, dir)).map((name) => path.join(dir, name)));
    const rebuilt = dirs.flatMap((dir) => listFiles(path.join(fresh, dir)).map((name) => path.join(dir, name)));
    const differences = [];
    for (const name of [...new Set([...committed, ...rebuilt])].sort()) {
      if (!committed.includes(name)) {
        differences.push(`missing from build/: ${name}`);
      } else if (!rebuilt.includes(name)) {
        differences.push(`stale in build/ (no longer built): ${name}`);
      } else if (!fs.readFileSync(path.join(BUILD_DIR, name)).equals(fs.readFileSync(path.join(fresh, name)))) {
        differences.push(`differs from a fresh build: build/${name}`);
      }
    }
    if (differences.length > 0) {
      fail(`${differences.join('\n')}\nrun \`npm --prefix contracts run build\` and commit contracts/build/`);
    }
    process.stdout.write(`contracts/build matches the sources (${committed.length} artefacts)\n`);
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}

function emitInput(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const compiler of COMPILERS) {
    const file = path.join(dir, `solc-${compiler.version}.input.json`);
    fs.writeFileSync(file, canonicalJson(standardInput(compiler.evmVersion)));
    process.stdout.write(`${file}\n`);
  }
}

function importOutput(options) {
  const input = JSON.parse(fs.readFileSync(options.input, 'utf8'));
  const output = JSON.parse(fs.readFileSync(options['from-output'], 'utf8'));
  const hashName = options.hash ?? 'sm3';
  if (!HASHES[hashName]) {
    fail(`unknown --hash ${hashName} (keccak or sm3)`);
  }
  const errors = (output.errors ?? []).filter((item) => item.severity === 'error');
  if (errors.length > 0) {
    fail(errors.map((item) => item.formattedMessage).join('\n'));
  }
  const firstContract = Object.values(Object.values(output.contracts ?? {})[0] ?? {})[0];
  if (!firstContract) {
    fail('the compiler output holds no contracts');
  }
  const compilerVersion = JSON.parse(firstContract.metadata).compiler.version;
  const { artefacts, problems } = artefactsFrom({ input, output, compilerVersion, hashName });
  if (problems.length > 0) {
    fail(problems.join('\n'));
  }
  const dir = path.resolve(options.out);
  writeArtefacts(dir, artefacts);
  process.stdout.write(`${dir}: ${Object.keys(artefacts).sort().join(', ')}\n`);
}

function parseOptions(argv) {
  const options = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (!arg.startsWith('--')) {
      fail(`unexpected argument ${arg}`);
    }
    const name = arg.slice(2);
    if (name === 'check') {
      options.check = true;
    } else if (['emit-input', 'from-output', 'input', 'out', 'hash'].includes(name) && index + 1 < argv.length) {
      options[name] = argv[index + 1];
      index += 1;
    } else {
      fail(`unknown or incomplete option ${arg}`);
    }
  }
  return options;
}

function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.check) {
    check();
  } else if (options['emit-input']) {
    emitInput(options['emit-input']);
  } else if (options['from-output']) {
    if (!options.input || !options.out) {
      fail('--from-output needs --input IN.json (the compiler input) and --out DIR');
    }
    importOutput(options);
  } else {
    buildAll(BUILD_DIR, false);
  }
}

main();
