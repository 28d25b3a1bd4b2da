// Submissions, format v1 (docs/formats/submissions.md), sender side,
// WebCrypto only. Twin of generator/formats/submissions.py
// (tests/vectors/submissions-v1.json). No DOM here.

import { AES_256_GCM, sealBase } from "./hpke.js";
import { aesSeal, b64, concat, frame, hkdf, random, sha256, unb64, utf8 } from "./primitives.js";

export const VERSION = 1;
export const MAGIC = utf8("qbs1");
export const HPKE_INFO = utf8("quietboard submission v1");
const KEY_ID_INFO = utf8("quietboard moderator key v1");
const PAYLOAD_INFO = utf8("quietboard submission v1 payload");
const COMMIT_INFO = utf8("quietboard submission v1 commit");
const POW_PREFIX = utf8("quietboard submission v1 pow");
const WITHDRAWAL_PREFIX = utf8("quietboard withdrawal v1");
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

// The limits. Each is pinned to its one home in generator/formats/submissions.py
// by tests/unit/test_formats_limits.py, and the share page's form takes its own
// (maxlength, the messages) from these.
export const MAX_RECIPIENTS = 8;
export const MIN_PADDED = 1024;
export const MAX_ENVELOPE = 65536;
export const MAX_PAYLOAD = 32768;
export const MAX_POW_BITS = 22;
export const MAX_TITLE = 120;
export const MAX_BODY = 20000;
export const MAX_WITHDRAW_BODY = 2000;
export const MAX_PSEUDONYM = 40;
export const MAX_WARNINGS = 8;
export const MAX_WARNING = 40;
export const WITHDRAWAL_CODE_CHARS = 20;

export const keyId = async (pk) => (await sha256(concat(KEY_ID_INFO, pk))).slice(0, 8);

// Steps 2 to 4 of "Sealing", from given parts: the body (envelope without stamp).
export async function sealFromParts({ payload, keys, ikmEs, seed, nonce }) {
  if (keys.length < 1 || keys.length > MAX_RECIPIENTS) {
    throw new Error(`need 1 to ${MAX_RECIPIENTS} moderator keys`);
  }
  const payloadKey = await hkdf(seed, PAYLOAD_INFO, 32);
  const commit = await hkdf(seed, COMMIT_INFO, 32);
  const blocks = [];
  const none = new Uint8Array(0);
  for (const [i, pk] of keys.entries()) {
    const { enc, ct } = await sealBase(pk, HPKE_INFO, none, seed, AES_256_GCM, ikmEs?.[i]);
    blocks.push(await keyId(pk), enc, ct);
  }
  const header = concat(MAGIC, Uint8Array.of(keys.length), ...blocks, commit);
  const ciphertext = await aesSeal(payloadKey, nonce, frame(payload, MIN_PADDED), header);
  const body = concat(header, nonce, ciphertext);
  if (body.length + 8 > MAX_ENVELOPE) throw new Error("too long to send");
  return body;
}

// The payload rules: every key of the kind is required, no other key allowed.
const KINDS = {
  post: ["section", "title", "body", "cw", "pseudonym", "verifier"],
  reply: ["section", "post", "body", "cw", "pseudonym", "verifier"],
  report: ["section", "post", "body"],
  feedback: ["body"],
  withdraw: ["code", "body"],
};

// Lengths in code points; lone surrogates are refused (JSON would escape them).
const sized = (value, min, max) => {
  if (typeof value !== "string" || !value.isWellFormed()) return false;
  const length = [...value].length;
  return length >= min && length <= max;
};
const matches = (pattern) => (value) => typeof value === "string" && pattern.test(value);
const RULES = {
  section: matches(/^[a-z][a-z0-9-]{0,30}$/),
  post: matches(/^[a-z0-9-]{1,64}$/),
  title: (v) => sized(v, 1, MAX_TITLE),
  body: (v, kind) => (kind === "withdraw" ? sized(v, 0, MAX_WITHDRAW_BODY) : sized(v, 1, MAX_BODY)),
  pseudonym: (v) => sized(v, 0, MAX_PSEUDONYM),
  cw: (v) => Array.isArray(v) && v.length <= MAX_WARNINGS && v.every((c) => sized(c, 1, MAX_WARNING)),
  verifier: matches(/^[A-Za-z0-9_-]{43}$/),
  code: matches(new RegExp(`^[a-z2-7]{${WITHDRAWAL_CODE_CHARS}}$`)),
};

export function checkPayload(payload) {
  const allowed = payload && Object.hasOwn(KINDS, payload.kind) && KINDS[payload.kind];
  if (!allowed || payload.v !== VERSION) throw new Error("unknown kind of submission");
  const keys = Object.keys(payload).filter((k) => k !== "v" && k !== "kind");
  const extra = keys.find((k) => !allowed.includes(k));
  if (extra) throw new Error(`unexpected field: ${extra}`);
  for (const name of allowed) {
    if (!Object.hasOwn(payload, name)) throw new Error(`missing field: ${name}`);
    if (!RULES[name](payload[name], payload.kind)) throw new Error(`${name} is not valid`);
  }
}

// Steps 1 to 4 with fresh randomness: the body, ready for proofOfWork.
export async function seal(payloadObject, keysB64) {
  checkPayload(payloadObject);
  const payload = utf8(JSON.stringify(payloadObject));
  if (payload.length > MAX_PAYLOAD) throw new Error("too long to send");
  if (!Array.isArray(keysB64)) throw new Error(`need 1 to ${MAX_RECIPIENTS} moderator keys`);
  let keys;
  try {
    keys = keysB64.map((k) => unb64(k, 32));
  } catch {
    throw new Error("a moderator key is not valid");
  }
  return sealFromParts({ payload, keys, seed: random(32), nonce: random(12) });
}

const leadingZeros = (hash, bits) => {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (hash[i] !== 0) return false;
  return bits % 8 === 0 || hash[whole] >> (8 - (bits % 8)) === 0;
};

// Step 5: the first stamp 0, 1, 2, ... whose hash starts with `bits` zero bits.
export async function proofOfWork(body, bits, onProgress = () => {}, batch = 256) {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_POW_BITS) {
    throw new Error(`proof-of-work bits must be 0 to ${MAX_POW_BITS}`);
  }
  const prefix = concat(POW_PREFIX, await sha256(body));
  const input = (stamp) => {
    const data = new Uint8Array(prefix.length + 8);
    data.set(prefix);
    const view = new DataView(data.buffer);
    view.setUint32(prefix.length, Math.floor(stamp / 2 ** 32));
    view.setUint32(prefix.length + 4, stamp >>> 0);
    return data;
  };
  let stamp = 0;
  if (bits > 0) {
    for (let start = 0; ; start += batch) {
      const stamps = Array.from({ length: batch }, (_, i) => start + i);
      const hashes = await Promise.all(stamps.map((s) => sha256(input(s))));
      const found = hashes.findIndex((hash) => leadingZeros(hash, bits));
      if (found >= 0) {
        stamp = start + found;
        break;
      }
      onProgress(start + batch, 2 ** bits);
    }
  }
  return { envelope: concat(body, input(stamp).subarray(prefix.length)), stamp };
}

// 100 random bits as 20 base32 characters: each byte's low 5 bits (256 = 8 × 32, unbiased).
export function withdrawalCode() {
  const chars = Array.from(random(WITHDRAWAL_CODE_CHARS), (byte) => BASE32[byte & 31]).join("");
  return chars.match(/.{5}/g).join("-");
}

export const canonicalWithdrawal = (typed) => typed.toLowerCase().replace(/[^a-z2-7]/g, "");

export const verifier = async (code) =>
  b64(await sha256(concat(WITHDRAWAL_PREFIX, utf8(canonicalWithdrawal(code)))));
