// The primitives every quietboard format is built from (docs/formats/primitives.md),
// WebCrypto only. Twin of generator/formats/primitives.py: members' sections,
// submissions, HPKE and pseudonyms import from here and nowhere else.

export const KEY = 32;
export const NONCE = 12;
export const TAG = 16;
const HASH = 32;
const text = new TextEncoder();
export const utf8 = (value) => text.encode(value);

// Every failure to decode or open something is this one opaque error.
export class Unopenable extends Error {
  constructor() {
    super("could not open this");
  }
}

// WebCrypto exists only in a secure context (https, or localhost in a preview).
export const subtle = () => {
  if (!globalThis.crypto || !crypto.subtle) throw new Unopenable();
  return crypto.subtle;
};

export const random = (length) => crypto.getRandomValues(new Uint8Array(length));

export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

// b64u: base64url without padding (RFC 4648 section 5).
export function b64(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

// Only the one canonical spelling is accepted, of `length` bytes if given.
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

export const sha256 = async (data) => new Uint8Array(await subtle().digest("SHA-256", data));

export async function hmacSha256(key, data) {
  const params = { name: "HMAC", hash: "SHA-256" };
  const hmacKey = await subtle().importKey("raw", key, params, false, ["sign"]);
  return new Uint8Array(await subtle().sign("HMAC", hmacKey, data));
}

// RFC 5869 HKDF in its two steps (HPKE labels each one). An empty salt means
// HashLen zero bytes; WebCrypto refuses empty HMAC keys.
export const hkdfExtract = (salt, ikm) => hmacSha256(salt.length ? salt : new Uint8Array(HASH), ikm);

export async function hkdfExpand(prk, info, length) {
  const out = new Uint8Array(length);
  let block = new Uint8Array(0);
  for (let i = 1, at = 0; at < length; i++, at += HASH) {
    block = await hmacSha256(prk, concat(block, info, Uint8Array.of(i)));
    out.set(block.subarray(0, Math.min(HASH, length - at)), at);
  }
  return out;
}

// HKDF-SHA256 with an empty salt, both steps at once (WebCrypto's own HKDF).
export async function hkdf(ikm, info, length) {
  const key = await subtle().importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const params = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info };
  return new Uint8Array(await subtle().deriveBits(params, key, length * 8));
}

// AES-256-GCM (a 128-bit tag after the ciphertext).
export async function aesSeal(rawKey, nonce, plaintext, aad) {
  const key = await subtle().importKey("raw", rawKey, "AES-GCM", false, ["encrypt"]);
  const params = { name: "AES-GCM", iv: nonce, additionalData: aad };
  return new Uint8Array(await subtle().encrypt(params, key, plaintext));
}

export async function aesOpen(rawKey, nonce, sealed, aad) {
  try {
    const key = await subtle().importKey("raw", rawKey, "AES-GCM", false, ["decrypt"]);
    const params = { name: "AES-GCM", iv: nonce, additionalData: aad };
    return new Uint8Array(await subtle().decrypt(params, key, sealed));
  } catch {
    throw new Unopenable();
  }
}

// Padmé (Nikitin et al., PURBs, 2019), never below `minimum`.
export function paddedSize(length, minimum) {
  if (length <= minimum) return minimum;
  const exponent = 31 - Math.clz32(length);
  const significant = 32 - Math.clz32(exponent);
  const mask = 2 ** (exponent - significant) - 1;
  return (length + mask) & ~mask;
}

// The padded frame: uint32 big-endian length, the payload, zero bytes up to paddedSize.
export function frame(payload, minimum) {
  const framed = new Uint8Array(paddedSize(4 + payload.length, minimum));
  new DataView(framed.buffer).setUint32(0, payload.length);
  framed.set(payload, 4);
  return framed;
}

export function unframe(framed) {
  if (framed.length < 4) throw new Unopenable();
  const length = new DataView(framed.buffer, framed.byteOffset).getUint32(0);
  if (length > framed.length - 4 || framed.subarray(4 + length).some((b) => b !== 0)) {
    throw new Unopenable();
  }
  return framed.slice(4, 4 + length);
}
