"""HPKE (RFC 9180) and submission format v1 in Chromium: formats/hpke.js, formats/submissions.js."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

RFC_VECTOR = Path(__file__).resolve().parents[1] / "vectors" / "hpke-x25519-sha256-base.json"
SUBMISSION_VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "submissions-v1.json"
POW_PREFIX = b"quietboard submission v1 pow"
KEY_ID_INFO = b"quietboard moderator key v1"


def load(path: Path) -> dict:
    if not path.is_file():
        pytest.fail(f"{path} is missing", pytrace=False)
    return json.loads(path.read_text(encoding="utf-8"))


def unb64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


RUN_RFC_VECTOR = """async (v) => {
  const hpke = await import("/theme/js/formats/hpke.js");
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const unhex = (s) => Uint8Array.from(s.match(/../g) || [], (h) => parseInt(h, 16));
  const sender = await hpke.deriveKeyPair(unhex(v.ikmE));
  const recipient = await hpke.deriveKeyPair(unhex(v.ikmR));
  const ctx = await hpke.setupBaseS(unhex(v.pkRm), unhex(v.info), v.aead_id, unhex(v.ikmE));
  const encryptions = [];
  for (const e of v.encryptions) encryptions.push(hex(await ctx.seal(unhex(e.aad), unhex(e.pt))));
  const exports = [];
  for (const e of v.exports) exports.push(hex(await ctx.export(unhex(e.exporter_context), e.L)));
  const first = v.encryptions[0];
  const single = await hpke.sealBase(
    unhex(v.pkRm), unhex(v.info), unhex(first.aad), unhex(first.pt), v.aead_id, unhex(v.ikmE));
  return {
    skEm: hex(sender.sk), pkEm: hex(sender.pk), skRm: hex(recipient.sk), pkRm: hex(recipient.pk),
    enc: hex(ctx.enc), shared_secret: hex(ctx.sharedSecret),
    key_schedule_context: hex(ctx.keyScheduleContext), secret: hex(ctx.secret),
    key: hex(ctx.key), base_nonce: hex(ctx.baseNonce), exporter_secret: hex(ctx.exporterSecret),
    encryptions, exports, single: {enc: hex(single.enc), ct: hex(single.ct)},
  };
}"""


def test_hpke_matches_rfc_9180_a_1_1(page):
    vector = load(RFC_VECTOR)
    assert (vector["mode"], vector["kem_id"], vector["kdf_id"]) == (0, 0x20, 1)
    got = page.evaluate(RUN_RFC_VECTOR, vector)
    names = ["skEm", "pkEm", "skRm", "pkRm", "enc", "shared_secret", "key_schedule_context"]
    names += ["secret", "key", "base_nonce", "exporter_secret"]
    for name in names:
        assert got[name] == vector[name], name
    assert [e["seq"] for e in vector["encryptions"]] == [0, 1, 2]
    assert got["encryptions"] == [e["ct"] for e in vector["encryptions"]]
    assert got["exports"] == [e["exported_value"] for e in vector["exports"]]
    assert got["single"] == {"enc": vector["enc"], "ct": vector["encryptions"][0]["ct"]}


def test_hpke_refuses_a_low_order_public_key(page):
    error = page.evaluate("""async () => {
      const hpke = await import("/theme/js/formats/hpke.js");
      const none = new Uint8Array(0);
      try {
        await hpke.sealBase(new Uint8Array(32), none, none, none);
        return "sealed";
      } catch (error) {
        return error.message;
      }
    }""")
    assert error == "invalid public key"


RUN_SUBMISSION_VECTORS = """async ({cases, withdrawal}) => {
  const fmt = await import("/theme/js/formats/submissions.js");
  const { armor } = await import("/theme/js/formats/armor.js");
  const { unb64 } = await import("/theme/js/formats/primitives.js");
  const envelopes = [];
  for (const c of cases) {
    const body = await fmt.sealFromParts({
      payload: new TextEncoder().encode(c.payload),
      keys: c.keys.map((k) => unb64(k, 32)),
      ikmEs: c.ikmE.map((k) => unb64(k)),
      seed: unb64(c.seed, 32),
      nonce: unb64(c.nonce, 12),
    });
    const { envelope, stamp } = await fmt.proofOfWork(body, c.bits);
    envelopes.push({ stamp, envelope: armor(envelope) });
  }
  const verifiers = [];
  for (const w of withdrawal) {
    const canonical = fmt.canonicalWithdrawal(w.code);
    verifiers.push({ canonical, verifier: await fmt.verifier(w.code) });
  }
  return { envelopes, verifiers };
}"""


def test_the_browser_seals_the_python_vectors_byte_for_byte(page):
    vectors = load(SUBMISSION_VECTORS)
    assert vectors["generate"], "no generate cases"
    assert vectors["withdrawal"], "no withdrawal cases"
    got = page.evaluate(
        RUN_SUBMISSION_VECTORS,
        {"cases": vectors["generate"], "withdrawal": vectors["withdrawal"]},
    )
    for case, made in zip(vectors["generate"], got["envelopes"], strict=True):
        assert made == {"stamp": case["stamp"], "envelope": case["envelope"]}, case["desc"]
    for case, made in zip(vectors["withdrawal"], got["verifiers"], strict=True):
        assert made == {"canonical": case["canonical"], "verifier": case["verifier"]}, case["code"]


REFUSALS = """async (payloads) => {
  const fmt = await import("/theme/js/formats/submissions.js");
  const { deriveKeyPair } = await import("/theme/js/formats/hpke.js");
  const { b64 } = await import("/theme/js/formats/primitives.js");
  const key = b64((await deriveKeyPair(new Uint8Array(32))).pk);
  const out = [];
  for (const [payload, keys] of payloads) {
    try {
      await fmt.seal(payload, keys ?? [key]);
      out.push("sealed");
    } catch (error) {
      out.push(error.message);
    }
  }
  return out;
}"""

VERIFIER = "A" * 43
POST = {
    "v": 1, "kind": "post", "section": "share", "title": "A walk", "body": "It helped.",
    "cw": [], "pseudonym": "", "verifier": VERIFIER,
}  # fmt: skip
WITHDRAW = {"v": 1, "kind": "withdraw", "code": "abcde" * 4, "body": ""}
REFUSED = [
    (POST, None, "sealed"),
    (WITHDRAW, None, "sealed"),
    ({**POST, "lang": "en"}, None, "unexpected field: lang"),
    ({k: v for k, v in POST.items() if k != "cw"}, None, "missing field: cw"),
    ({**POST, "v": 2}, None, "unknown kind of submission"),
    ({**POST, "kind": "constructor"}, None, "unknown kind of submission"),
    ({**POST, "section": "Share"}, None, "section is not valid"),
    ({**POST, "title": ""}, None, "title is not valid"),
    ({**POST, "title": "é" * 121}, None, "title is not valid"),
    ({**POST, "title": "😀" * 120}, None, "sealed"),
    ({**POST, "body": ""}, None, "body is not valid"),
    ({**POST, "cw": ["x"] * 9}, None, "cw is not valid"),
    ({**POST, "verifier": 7}, None, "verifier is not valid"),
    ({**WITHDRAW, "code": "abcde-abcde-abcde-abcde"}, None, "code is not valid"),
    ({**WITHDRAW, "body": "x" * 2001}, None, "body is not valid"),
    ({"v": 1, "kind": "feedback", "body": "ü" * 17_000}, None, "too long to send"),
    (POST, [], "need 1 to 8 moderator keys"),
    (POST, ["not a key"], "a moderator key is not valid"),
]  # fmt: skip


def test_seal_refuses_a_payload_that_breaks_a_rule(page):
    got = page.evaluate(REFUSALS, [[payload, keys] for payload, keys, _ in REFUSED])
    assert got == [expected for _, _, expected in REFUSED]


SEAL_AND_STAMP = """async () => {
  const fmt = await import("/theme/js/formats/submissions.js");
  const { deriveKeyPair } = await import("/theme/js/formats/hpke.js");
  const { armor } = await import("/theme/js/formats/armor.js");
  const { b64 } = await import("/theme/js/formats/primitives.js");
  const keys = [];
  for (const byte of [1, 2]) {
    keys.push(b64((await deriveKeyPair(new Uint8Array(32).fill(byte))).pk));
  }
  const payload = { v: 1, kind: "feedback", body: "Thank you." };
  const body = await fmt.seal(payload, keys);
  const again = await fmt.seal(payload, keys);
  const progress = [];
  const { envelope, stamp } = await fmt.proofOfWork(body, 10, (n, of) => progress.push([n, of]));
  return { keys, body: b64(body), again: b64(again), envelope: b64(envelope), stamp, progress,
           text: armor(envelope) };
}"""


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def test_a_sealed_body_has_its_shape_and_the_first_stamp_that_works(page):
    got = page.evaluate(SEAL_AND_STAMP)
    body, envelope = unb64(got["body"]), unb64(got["envelope"])
    n = len(got["keys"])
    assert body[:5] == b"qbs1" + bytes([n])
    assert len(body) == 5 + 88 * n + 32 + 12 + 1024 + 16
    for i, key in enumerate(got["keys"]):
        key_id = hashlib.sha256(KEY_ID_INFO + unb64(key)).digest()[:8]
        assert body[5 + 88 * i : 13 + 88 * i] == key_id
    assert got["again"] != got["body"]
    assert envelope[:-8] == body
    stamp = int.from_bytes(envelope[-8:], "big")
    assert stamp == got["stamp"]
    envelope_id = hashlib.sha256(body).digest()

    def work(s: int) -> int:
        digest = hashlib.sha256(POW_PREFIX + envelope_id + s.to_bytes(8, "big")).digest()
        return leading_zero_bits(digest)

    assert work(stamp) >= 10
    assert all(work(s) < 10 for s in range(stamp))
    assert got["progress"] == [[256 * (i + 1), 1024] for i in range(stamp // 256)]
    lines = got["text"].split("\n")
    assert lines[0] == "-----BEGIN QUIETBOARD SUBMISSION-----"
    assert lines[-2:] == ["-----END QUIETBOARD SUBMISSION-----", ""]
    assert all(len(line) == 64 for line in lines[1:-3]) and 0 < len(lines[-3]) <= 64
    assert unb64("".join(lines[1:-2])) == envelope


def test_withdrawal_codes_are_fresh_base32_in_four_groups(page):
    got = page.evaluate("""async () => {
      const fmt = await import("/theme/js/formats/submissions.js");
      const codes = Array.from({ length: 50 }, () => fmt.withdrawalCode());
      const code = codes[0];
      const typed = fmt.canonicalWithdrawal(` ${code.toUpperCase().replaceAll("-", " ")}\\n`);
      return { codes, typed, verifier: await fmt.verifier(code) };
    }""")
    codes = got["codes"]
    assert all(re.fullmatch(r"[a-z2-7]{5}(-[a-z2-7]{5}){3}", code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert got["typed"] == codes[0].replace("-", "")
    canonical = codes[0].replace("-", "").encode()
    digest = hashlib.sha256(b"quietboard withdrawal v1" + canonical).digest()
    assert got["verifier"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    # Every character of the alphabet turns up (50 codes, 1,000 characters).
    assert set("".join(codes)) - {"-"} == set("abcdefghijklmnopqrstuvwxyz234567")


BROWSER_SEALS = """async ({ payload, keys }) => {
  const fmt = await import("/theme/js/formats/submissions.js");
  const { armor } = await import("/theme/js/formats/armor.js");
  const { envelope } = await fmt.proofOfWork(await fmt.seal(payload, keys), 4);
  return "Sent by hand:\\n\\n  " + armor(envelope).replaceAll("\\n", "\\n  ");
}"""


def test_python_opens_what_the_browser_sealed_for_every_moderator(page):
    from generator.formats import submissions as submitformat
    from generator.formats.armor import find_armored

    recipients = load(SUBMISSION_VECTORS)["recipients"]
    payload = {**POST, "title": "Ça va 💛", "cw": ["loss"], "pseudonym": "Wren"}
    keys = [r["pk"] for r in recipients]
    text = page.evaluate(BROWSER_SEALS, {"payload": payload, "keys": keys})
    [inside] = find_armored(text)
    envelope = submitformat.parse_envelope(submitformat.unarmor(inside))
    assert envelope.count == len(recipients)
    assert envelope.stamp_bits() >= 4
    for recipient in recipients:
        held = {submitformat.key_id(unb64(recipient["pk"])): unb64(recipient["sk"])}
        assert submitformat.open_envelope(envelope, held) == payload
