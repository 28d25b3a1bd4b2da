// HPKE (RFC 9180), base mode, sender side only: DHKEM(X25519, HKDF-SHA256),
// HKDF-SHA256, AES-128-GCM or AES-256-GCM (docs/formats/hpke.md). WebCrypto
// only. Twin of generator/formats/hpke.py; both pass ../shared/testvectors
// (RFC 9180 A.1.1).

import { concat, hkdfExpand, hkdfExtract, subtle, unb64, utf8 } from "./primitives.js";

export const AES_128_GCM = 0x0001;
export const AES_256_GCM = 0x0002;
const KEM_ID = 0x0020;
const KDF_ID = 0x0001;
const NK = { [AES_128_GCM]: 16, [AES_256_GCM]: 32 };
const NN = 12;
const NH = 32;

const i2osp = (value, width) => {
  const out = new Uint8Array(width);
  for (let i = width - 1; i >= 0 && value > 0; i--, value = Math.floor(value / 256)) {
    out[i] = value % 256;
  }
  return out;
};

const KEM_SUITE = concat(utf8("KEM"), i2osp(KEM_ID, 2));
const suiteId = (aeadId) =>
  concat(utf8("HPKE"), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(aeadId, 2));

// 4. LabeledExtract / LabeledExpand.
const labeledExtract = (suite, salt, label, ikm) =>
  hkdfExtract(salt, concat(utf8("HPKE-v1"), suite, utf8(label), ikm));

const labeledExpand = (suite, prk, label, info, length) =>
  hkdfExpand(prk, concat(i2osp(length, 2), utf8("HPKE-v1"), suite, utf8(label), info), length);

// 7.1.3 DeriveKeyPair for X25519: the private key is used as is (clamped by X25519).
const PKCS8_X25519 = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

export async function deriveKeyPair(ikm) {
  const prk = await labeledExtract(KEM_SUITE, new Uint8Array(0), "dkp_prk", ikm);
  const sk = await labeledExpand(KEM_SUITE, prk, "sk", new Uint8Array(0), 32);
  const pkcs8 = concat(PKCS8_X25519, sk);
  const privateKey = await subtle().importKey("pkcs8", pkcs8, "X25519", true, ["deriveBits"]);
  const pk = unb64((await subtle().exportKey("jwk", privateKey)).x, 32);
  return { privateKey, sk, pk };
}

async function generateKeyPair() {
  const pair = await subtle().generateKey("X25519", false, ["deriveBits"]);
  const pk = new Uint8Array(await subtle().exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, pk };
}

// 4.1 DHKEM Encap: a fresh ephemeral key (or one from ikmE, for test vectors).
async function encap(pkR, ikmE) {
  const { privateKey, pk: enc } = ikmE ? await deriveKeyPair(ikmE) : await generateKeyPair();
  const publicKey = await subtle().importKey("raw", pkR, "X25519", false, []);
  let dh;
  try {
    const params = { name: "X25519", public: publicKey };
    dh = new Uint8Array(await subtle().deriveBits(params, privateKey, 256));
  } catch {
    throw new Error("invalid public key");
  }
  if (dh.every((b) => b === 0)) throw new Error("invalid public key"); // 7.1.4
  const prk = await labeledExtract(KEM_SUITE, new Uint8Array(0), "eae_prk", dh);
  const sharedSecret = await labeledExpand(KEM_SUITE, prk, "shared_secret", concat(enc, pkR), 32);
  return { enc, sharedSecret };
}

// 5.1 KeySchedule, mode_base (no PSK), and 5.2/5.3 the sender's context.
export async function setupBaseS(pkR, info, aeadId = AES_256_GCM, ikmE = undefined) {
  const nk = NK[aeadId];
  if (!nk) throw new Error("unsupported AEAD");
  const suite = suiteId(aeadId);
  const empty = new Uint8Array(0);
  const { enc, sharedSecret } = await encap(pkR, ikmE);
  const pskIdHash = await labeledExtract(suite, empty, "psk_id_hash", empty);
  const infoHash = await labeledExtract(suite, empty, "info_hash", info);
  const keyScheduleContext = concat(Uint8Array.of(0), pskIdHash, infoHash);
  const secret = await labeledExtract(suite, sharedSecret, "secret", empty);
  const key = await labeledExpand(suite, secret, "key", keyScheduleContext, nk);
  const baseNonce = await labeledExpand(suite, secret, "base_nonce", keyScheduleContext, NN);
  const exporterSecret = await labeledExpand(suite, secret, "exp", keyScheduleContext, NH);
  const aesKey = await subtle().importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  let seq = 0;
  return {
    enc, sharedSecret, keyScheduleContext, secret, key, baseNonce, exporterSecret,
    // 5.2 ComputeNonce: base_nonce XOR I2OSP(seq, Nn); the counter moves before any await.
    async seal(aad, pt) {
      if (seq >= Number.MAX_SAFE_INTEGER) throw new Error("message limit reached");
      const nonce = i2osp(seq++, NN).map((b, i) => b ^ baseNonce[i]);
      const params = { name: "AES-GCM", iv: nonce, additionalData: aad };
      return new Uint8Array(await subtle().encrypt(params, aesKey, pt));
    },
    // 5.3 Secret export.
    export: (context, length) => labeledExpand(suite, exporterSecret, "sec", context, length),
  };
}

// 6.1 Single-shot SealBase (sequence 0).
export async function sealBase(pkR, info, aad, pt, aeadId = AES_256_GCM, ikmE = undefined) {
  const context = await setupBaseS(pkR, info, aeadId, ikmE);
  return { enc: context.enc, ct: await context.seal(aad, pt) };
}
