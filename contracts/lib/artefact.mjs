// Turning a standard-JSON compiler output into the artefacts the chain client reads.
import { createHash } from 'node:crypto';
import jsSha3 from 'js-sha3';

const PUSH0 = 0x5f;
const PUSH1 = 0x60;
const PUSH32 = 0x7f;

/** Keccak-256 (the original Keccak padding that Ethereum and FISCO's non-guomi chains use). */
export function keccakHex(text) {
  return jsSha3.keccak256(text);
}

/** SM3 (GB/T 32905-2016), from the OpenSSL that node is linked with. */
export function sm3Hex(text) {
  return createHash('sm3').update(text, 'utf8').digest('hex');
}

export const HASHES = { keccak: keccakHex, sm3: sm3Hex };

/** The canonical ABI type of one parameter (tuples spelt out as "(t1,t2)"). */
function canonicalType(param) {
  if (param.type.startsWith('tuple')) {
    const inner = param.components.map(canonicalType).join(',');
    return `(${inner})${param.type.slice('tuple'.length)}`;
  }
  return param.type;
}

export function signatureOf(item) {
  return `${item.name}(${item.inputs.map(canonicalType).join(',')})`;
}

/** Event signature -> 0x topic0, hashed with the chain's hash as the compiler does. */
export function eventTopics(abi, hashHex) {
  const topics = {};
  for (const item of abi) {
    if (item.type === 'event' && !item.anonymous) {
      topics[signatureOf(item)] = `0x${hashHex(signatureOf(item))}`;
    }
  }
  return topics;
}

/**
 * Function signatures whose selector in the compiler's methodIdentifiers is not the first
 * four bytes of hashHex(signature): a guard against mixing a guomi (SM3) build with a
 * Keccak one.
 */
export function selectorMismatches(abi, methodIdentifiers, hashHex) {
  const wrong = [];
  for (const item of abi) {
    if (item.type === 'function') {
      const signature = signatureOf(item);
      if (methodIdentifiers[signature] !== hashHex(signature).slice(0, 8)) {
        wrong.push(signature);
      }
    }
  }
  return wrong;
}

/**
 * Byte offsets of PUSH0 (0x5f, EIP-3855, Shanghai) at opcode positions, walking the code and
 * skipping PUSH1..PUSH32 immediates. FISCO BCOS's EVMs predate Shanghai and reject it. The
 * trailing CBOR metadata (its length is the last two bytes) is not code and is skipped.
 */
export function push0Offsets(hexCode) {
  const code = Buffer.from(hexCode.replace(/^0x/, ''), 'hex');
  let end = code.length;
  if (end >= 2) {
    const metadataLength = code.readUInt16BE(end - 2);
    if (metadataLength + 2 <= end) {
      end -= metadataLength + 2;
    }
  }
  const offsets = [];
  for (let pc = 0; pc < end; pc += 1) {
    const opcode = code[pc];
    if (opcode === PUSH0) {
      offsets.push(pc);
    } else if (opcode >= PUSH1 && opcode <= PUSH32) {
      pc += opcode - PUSH1 + 1;
    }
  }
  return offsets;
}

/** SHA-256 over the contract's source files: for each, in name order, name NUL content NUL. */
export function sourceHash(sourceNames, sources) {
  const hash = createHash('sha256');
  for (const name of [...sourceNames].sort()) {
    hash.update(name, 'utf8');
    hash.update('\0');
    hash.update(sources[name].content, 'utf8');
    hash.update('\0');
  }
  return `0x${hash.digest('hex')}`;
}

/** JSON with object keys sorted at every depth, two-space indent and a final newline. */
export function canonicalJson(value) {
  const sortKeys = (item) => {
    if (Array.isArray(item)) {
      return item.map(sortKeys);
    }
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(
        Object.keys(item)
          .sort()
          .map((key) => [key, sortKeys(item[key])]),
      );
    }
    return item;
  };
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/**
 * The artefacts of every deployable contract whose name is its file's name (interfaces and
 * abstract bases have no bytecode and are left out).
 */
export function artefactsFrom({ input, output, compilerVersion, hashName }) {
  const hashHex = HASHES[hashName];
  const { outputSelection, ...settings } = input.settings;
  const artefacts = {};
  const problems = [];
  for (const [unit, contracts] of Object.entries(output.contracts ?? {})) {
    for (const [name, compiled] of Object.entries(contracts)) {
      const bytecode = compiled.evm.bytecode.object;
      if (unit !== `${name}.sol` || bytecode.length === 0) {
        continue;
      }
      const metadata = JSON.parse(compiled.metadata);
      const sourceNames = Object.keys(metadata.sources);
      const deployed = compiled.evm.deployedBytecode.object;
      for (const [kind, code] of [['creation', bytecode], ['runtime', deployed]]) {
        for (const offset of push0Offsets(code)) {
          problems.push(`${name}: PUSH0 at ${kind} offset ${offset}`);
        }
      }
      for (const signature of selectorMismatches(compiled.abi, compiled.evm.methodIdentifiers, hashHex)) {
        problems.push(`${name}: selector of ${signature} is not ${hashName}`);
      }
      artefacts[name] = {
        contractName: name,
        abi: compiled.abi,
        bytecode: `0x${bytecode}`,
        deployedBytecode: `0x${deployed}`,
        methodIdentifiers: compiled.evm.methodIdentifiers,
        eventTopics: eventTopics(compiled.abi, hashHex),
        compiler: { version: compilerVersion, hash: hashName, settings },
        sourceHash: sourceHash(sourceNames, input.sources),
        sources: Object.fromEntries(sourceNames.sort().map((unitName) => [unitName, sourceHash([unitName], input.sources)])),
      };
    }
  }
  return { artefacts, problems };
}
