// peer.mjs: one ts-mls client driven over stdin/stdout, one JSON request per line and one JSON
// answer per line. Byte strings travel as lower-case hex of the TLS-encoded MLSMessage (or
// RatchetTree). Used by tests/interop/mls_interop_test.cc to run ts-mls against Candor.
import * as readline from "node:readline";
import { webcrypto } from "node:crypto";

// ts-mls uses the WebCrypto API through the global `crypto`, which Node.js has by default only
// from version 19 on; Debian 12's Node.js 18 exposes it as `node:crypto`'s `webcrypto`. Install
// it before ts-mls is loaded (hence the dynamic import below).
if (globalThis.crypto === undefined) {
  Object.defineProperty(globalThis, "crypto", { value: webcrypto, configurable: true });
}
const {
  createApplicationMessage, createCommit, createGroup, decodeMlsMessage, defaultCapabilities,
  defaultLifetime, emptyPskIndex, encodeMlsMessage, generateKeyPackage, getCiphersuiteFromName,
  getCiphersuiteImpl, joinGroup, mlsExporter, processMessage, acceptAll,
} = await import("ts-mls");

const kSuiteNames = {
  1: "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
  2: "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
  3: "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519",
};

const hex = (b) => Buffer.from(b).toString("hex");
const unhex = (s) => new Uint8Array(Buffer.from(s, "hex"));

function decode(s, wireformat) {
  const decoded = decodeMlsMessage(unhex(s), 0);
  if (decoded === undefined) throw new Error("ts-mls could not decode the message");
  const [message, consumed] = decoded;
  if (consumed !== s.length / 2) throw new Error("trailing bytes after the message");
  if (wireformat !== undefined && message.wireformat !== wireformat) {
    throw new Error(`expected ${wireformat}, got ${message.wireformat}`);
  }
  return message;
}

let impl;
let own;    // { publicPackage, privatePackage }
let state;  // ClientState

async function handle(req) {
  switch (req.op) {
    case "init": {
      impl = await getCiphersuiteImpl(getCiphersuiteFromName(kSuiteNames[req.suite]));
      const credential = { credentialType: "basic", identity: new TextEncoder().encode(req.identity) };
      own = await generateKeyPackage(credential, defaultCapabilities(), defaultLifetime, [], impl);
      const kp = encodeMlsMessage({ keyPackage: own.publicPackage, wireformat: "mls_key_package", version: "mls10" });
      return { key_package: hex(kp) };
    }
    case "create_group":
      state = await createGroup(unhex(req.group_id), own.publicPackage, own.privatePackage, [], impl);
      return {};
    case "add": {
      const kp = decode(req.key_package, "mls_key_package");
      const result = await createCommit(
        { state, cipherSuite: impl },
        { extraProposals: [{ proposalType: "add", add: { keyPackage: kp.keyPackage } }], ratchetTreeExtension: true },
      );
      state = result.newState;
      const welcome = encodeMlsMessage({ welcome: result.welcome, wireformat: "mls_welcome", version: "mls10" });
      return { commit: hex(encodeMlsMessage(result.commit)), welcome: hex(welcome) };
    }
    case "update": {
      const result = await createCommit({ state, cipherSuite: impl }, { ratchetTreeExtension: true });
      state = result.newState;
      return { commit: hex(encodeMlsMessage(result.commit)) };
    }
    case "join": {
      const welcome = decode(req.welcome, "mls_welcome");
      state = await joinGroup(welcome.welcome, own.publicPackage, own.privatePackage, emptyPskIndex, impl);
      return { epoch: Number(state.groupContext.epoch) };
    }
    case "protect": {
      const result = await createApplicationMessage(state, unhex(req.plaintext), impl);
      state = result.newState;
      const message = encodeMlsMessage({ privateMessage: result.privateMessage, wireformat: "mls_private_message", version: "mls10" });
      return { message: hex(message) };
    }
    case "process": {
      const message = decode(req.message);
      const result = await processMessage(message, state, emptyPskIndex, acceptAll, impl);
      state = result.newState;
      if (result.kind === "applicationMessage") return { plaintext: hex(result.message) };
      return { epoch: Number(state.groupContext.epoch) };
    }
    case "export": {
      const secret = await mlsExporter(state.keySchedule.exporterSecret, req.label, unhex(req.context), req.length, impl);
      return { secret: hex(secret) };
    }
    case "epoch_authenticator":
      return { epoch: Number(state.groupContext.epoch), epoch_authenticator: hex(state.keySchedule.epochAuthenticator) };
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  let answer;
  try {
    answer = { ok: true, ...(await handle(JSON.parse(line))) };
  } catch (e) {
    answer = { ok: false, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
