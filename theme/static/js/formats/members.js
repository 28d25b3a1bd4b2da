// Member sections, format v2 (docs/formats/members.md), reader's side,
// WebCrypto only. Twin of generator/formats/members.py
// (tests/vectors/members-v2.json). Every failure is the same opaque Unopenable.

import { canonicalCode } from "./codes.js";
import {
  KEY,
  NONCE,
  TAG,
  Unopenable,
  aesOpen,
  b64,
  concat,
  hkdf,
  hmacSha256,
  subtle,
  unb64,
  unframe,
  utf8,
} from "./primitives.js";

export const VERSION = 1;
const KEYRING_KIND = "quietboard-members-keyring";
const KDF_NAME = "pbkdf2-sha256";
// Pinned to generator/formats/members.py by tests/unit/test_formats_limits.py.
export const MIN_ITERATIONS = 600000;
export const MAX_ITERATIONS = 10000000;
const SALT = 16;
const LOOKUP = 16;
const EPOCH = 16;
const SLOT = 16;
const ENTRY_BOX = NONCE + SLOT + KEY + 4 + TAG;
export const MIN_PADDED = 4096;
export const MAX_ITEM = 64 * 1024 * 1024;
const INFO_LOOKUP = utf8("quietboard members v1 lookup");
const INFO_WRAP = utf8("quietboard members v1 wrap");
const AAD_ENTRY = utf8("quietboard members v1 entry:");
const AAD_ITEM = utf8("quietboard members v1 item:");

// One PBKDF2 run, then HKDF: the keyring lookup key and the entry's wrap key.
export async function deriveCodeKeys(code, salt, iterations) {
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new Unopenable();
  }
  const password = utf8(canonicalCode(code));
  const base = await subtle().importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const params = { name: "PBKDF2", hash: "SHA-256", salt, iterations };
  const master = new Uint8Array(await subtle().deriveBits(params, base, 256));
  return { lookup: await hkdf(master, INFO_LOOKUP, LOOKUP), wrap: await hkdf(master, INFO_WRAP, KEY) };
}

// Days since 1970-01-01 of the reader's own calendar day.
export function dayNumber(date = new Date()) {
  return Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) / 86400000;
}

// A code's entry id in this build's keyring: HMAC-SHA256(lookup, epoch), 16 bytes.
const entryId = async (lookup, epoch) => (await hmacSha256(lookup, epoch)).slice(0, LOOKUP);

export async function openKeyringWith(keyring, keys, today) {
  const wanted = b64(await entryId(keys.lookup, unb64(keyring.epoch, EPOCH)));
  const found = (Array.isArray(keyring.entries) ? keyring.entries : []).filter(
    (entry) => entry && entry.id === wanted,
  );
  if (found.length !== 1) throw new Unopenable();
  const box = unb64(found[0].box, ENTRY_BOX);
  const plain = await aesOpen(
    keys.wrap,
    box.subarray(0, NONCE),
    box.subarray(NONCE),
    concat(AAD_ENTRY, keys.lookup),
  );
  const expires = new DataView(plain.buffer).getUint32(SLOT + KEY);
  if (expires !== 0 && expires <= today) throw new Unopenable();
  return { slot: plain.slice(0, SLOT), contentKey: plain.slice(SLOT, SLOT + KEY), expires };
}

// Verify step 1: reject unknown versions (and kinds, and KDFs).
export function checkKeyring(keyring) {
  const ok =
    keyring &&
    keyring.v === VERSION &&
    keyring.kind === KEYRING_KIND &&
    keyring.kdf === KDF_NAME &&
    Array.isArray(keyring.entries);
  if (!ok) throw new Unopenable();
  return unb64(keyring.salt, SALT);
}

export async function openKeyring(keyring, code, today) {
  const salt = checkKeyring(keyring);
  const keys = await deriveCodeKeys(code, salt, keyring.iterations);
  return openKeyringWith(keyring, keys, today);
}

export async function openItem(contentKey, slot, itemId, envelope) {
  if (envelope.length < 1 + NONCE + TAG + MIN_PADDED || envelope.length > MAX_ITEM) {
    throw new Unopenable();
  }
  if (envelope[0] !== VERSION) throw new Unopenable();
  const aad = concat(AAD_ITEM, slot, utf8(itemId));
  return unframe(await aesOpen(contentKey, envelope.subarray(1, 1 + NONCE), envelope.subarray(1 + NONCE), aad));
}

// Format v2: a section is a padded stream (its list, then its posts) cut into
// chunks sealed as items "section-0", "section-1", ...
export const SECTION_VERSION = 2;
const EDITION = 16;
const CHUNK_HEAD = 1 + EDITION + 4;
export const CHUNK_PIECE = 64 * 1024 - 4 - CHUNK_HEAD;
const MAX_CHUNKS = Math.ceil(MAX_ITEM / CHUNK_PIECE);

// One chunk: { edition (b64u), count, piece }; Unopenable on any failure.
export async function openChunk(contentKey, slot, number, envelope) {
  const plain = await openItem(contentKey, slot, `section-${number}`, envelope);
  if (plain.length <= CHUNK_HEAD || plain[0] !== SECTION_VERSION) throw new Unopenable();
  const count = new DataView(plain.buffer, plain.byteOffset).getUint32(1 + EDITION);
  if (!(number < count && count <= MAX_CHUNKS)) throw new Unopenable();
  return { edition: b64(plain.subarray(1, 1 + EDITION)), count, piece: plain.subarray(CHUNK_HEAD) };
}
