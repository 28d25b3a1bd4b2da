// Member sections, format v1 (docs/format.md), WebCrypto only. Twin of
// generator/memberformat.py (tests/vectors/members-v1.json). Every failure
// is the same opaque Unopenable.

export const VERSION = 1;
const KEYRING_KIND = "quietboard-members-keyring";
const MIN_ITERATIONS = 600000;
const MAX_ITERATIONS = 10000000;
const NONCE = 12;
const TAG = 16;
const SLOT = 16;
const KEY = 32;
const ENTRY_BOX = NONCE + SLOT + KEY + 4 + TAG;
const MIN_PADDED = 4096;
const MAX_ITEM = 64 * 1024 * 1024;
const text = new TextEncoder();
const INFO_LOOKUP = text.encode("quietboard members v1 lookup");
const INFO_WRAP = text.encode("quietboard members v1 wrap");
const AAD_ENTRY = text.encode("quietboard members v1 entry:");
const AAD_ITEM = text.encode("quietboard members v1 item:");

export class Unopenable extends Error {
  constructor() {
    super("could not open this");
  }
}

const subtle = () => {
  if (!globalThis.crypto || !crypto.subtle) throw new Unopenable();
  return crypto.subtle;
};

export function b64(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function unb64(value, length) {
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]*$/.test(value)) throw new Unopenable();
  let binary;
  try {
    binary = atob(value.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    throw new Unopenable();
  }
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  if (b64(bytes) !== value || (length !== undefined && bytes.length !== length)) {
    throw new Unopenable();
  }
  return bytes;
}

export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

// Only the letters count: case, spaces, hyphens and autocorrect's capitals do not.
export function canonicalCode(typed) {
  return typed.normalize("NFKC").toLowerCase().replace(/[^a-z]/g, "");
}

export async function hkdf(master, info, length) {
  const key = await subtle().importKey("raw", master, "HKDF", false, ["deriveBits"]);
  const params = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info };
  return new Uint8Array(await subtle().deriveBits(params, key, length * 8));
}

// One PBKDF2 run, then HKDF: the keyring lookup key and the entry's wrap key.
export async function deriveCodeKeys(code, salt, iterations) {
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new Unopenable();
  }
  const password = text.encode(canonicalCode(code));
  const base = await subtle().importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const params = { name: "PBKDF2", hash: "SHA-256", salt, iterations };
  const master = new Uint8Array(await subtle().deriveBits(params, base, 256));
  return { lookup: await hkdf(master, INFO_LOOKUP, 16), wrap: await hkdf(master, INFO_WRAP, KEY) };
}

async function aesOpen(rawKey, nonce, sealed, aad) {
  try {
    const key = await subtle().importKey("raw", rawKey, "AES-GCM", false, ["decrypt"]);
    const params = { name: "AES-GCM", iv: nonce, additionalData: aad }; // 128-bit tag
    return new Uint8Array(await subtle().decrypt(params, key, sealed));
  } catch {
    throw new Unopenable();
  }
}

// Days since 1970-01-01 of the reader's own calendar day.
export function dayNumber(date = new Date()) {
  return Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) / 86400000;
}

// A code's entry id in this build's keyring: HMAC-SHA256(lookup, epoch), 16 bytes.
async function entryId(lookup, epoch) {
  const key = await subtle().importKey("raw", lookup, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle().sign("HMAC", key, epoch)).slice(0, 16);
}

export async function openKeyringWith(keyring, keys, today) {
  const wanted = b64(await entryId(keys.lookup, unb64(keyring.epoch, 16)));
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

export function checkKeyring(keyring) {
  const ok =
    keyring &&
    keyring.v === VERSION &&
    keyring.kind === KEYRING_KIND &&
    keyring.kdf === "pbkdf2-sha256" &&
    Array.isArray(keyring.entries);
  if (!ok) throw new Unopenable();
  return unb64(keyring.salt, 16);
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
  const aad = concat(AAD_ITEM, slot, text.encode(itemId));
  const framed = await aesOpen(contentKey, envelope.subarray(1, 1 + NONCE), envelope.subarray(1 + NONCE), aad);
  const length = new DataView(framed.buffer).getUint32(0);
  if (length > framed.length - 4 || framed.subarray(4 + length).some((b) => b !== 0)) {
    throw new Unopenable();
  }
  return framed.slice(4, 4 + length);
}
