"""Write tests/vectors/team-v1.json: team file format v1 test vectors.

Run from the repository root: python -m tests.vectors.make_team_vectors

quietboard seals team files with pyrage, which draws a fresh file key,
fresh ephemeral keys and a fresh payload nonce for every file (and adds a
"grease" stanza of random type and size). So that the vectors can be made
again byte for byte, this script writes age v1 files itself from fixed parts,
following https://age-encryption.org/v1 alone (`age_from_parts` below): the
test opens every one with quietboard's `open_file` (pyrage) and, where it is
installed, with the standard `age` tool. One case is a file quietboard's own
`seal()` wrote; it cannot be made again, so it was made once and is carried
over from the committed file (delete it from the JSON to make a new one).

The settle cases are written by hand: the records two or three moderators'
computers might hold after a merge, and what `generator.board.team.settle`
must make of them. The script checks settle agrees before writing anything.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from nacl import bindings

from generator.board import team as board
from generator.formats import team as fmt
from generator.formats.primitives import hkdf_sha256, hmac_sha256

OUT = Path(__file__).with_name("team-v1.json")


def fixed(label: str, length: int = 32) -> bytes:
    return hashlib.sha256(label.encode()).digest()[:length]


# --- identities: three moderators, the build key, and someone outside the team ------------------

ROLES = ("moderator Robin", "moderator Sam", "moderator Kim", "build key", "outsider")
SECRETS = [fixed(f"team identity {role}") for role in ROLES]
IDENTITIES = [fmt.identity_string(secret) for secret in SECRETS]
RECIPIENTS = [fmt.recipient_of_secret(secret) for secret in SECRETS]
PUBLICS = [fmt.recipient_public(r) for r in RECIPIENTS]
ROBIN, SAM, KIM, BUILD, OUTSIDER = range(5)

# Moderator ids as in team/recipients.toml (8 characters of base32). They sort
# before the build key's id: see test_team_format.py on ids that sort after it.
IDS = {ROBIN: "arobinqq", SAM: "asamqqqq", KIM: "akimqqqq"}
BUILD_ID = f"{board.BUILD_ID}:{RECIPIENTS[BUILD]}"


# --- bech32 as BIP 173 writes it, apart from generator/formats/team.py --------------------------

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    generators = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generators[i] if ((top >> i) & 1) else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def bech32_words(hrp: str, words: list[int]) -> str:
    """HRP, "1", WORDS and their checksum: any 5-bit words, even ones no encoder writes."""
    polymod = _polymod(_hrp_expand(hrp) + words + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in words + checksum)


def to_words(data: bytes) -> list[int]:
    bits = "".join(f"{byte:08b}" for byte in data)
    bits += "0" * (-len(bits) % 5)
    return [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]


def identity_cases() -> tuple[list, list, list]:
    valid = [
        {
            "role": role,
            "secret": secret.hex(),
            "identity": identity,
            "recipient": recipient,
            "fingerprint": fmt.fingerprint(recipient),
        }
        for role, secret, identity, recipient in zip(
            ROLES, SECRETS, IDENTITIES, RECIPIENTS, strict=True
        )
    ]
    robin, sam = IDENTITIES[ROBIN], RECIPIENTS[SAM]
    # Spellings that decode to the same key: one case throughout, white space around.
    variants = [
        {"desc": "an identity in lower case", "kind": "identity", "text": robin.lower(),
         "hex": SECRETS[ROBIN].hex()},
        {"desc": "a recipient in upper case", "kind": "recipient", "text": sam.upper(),
         "hex": PUBLICS[SAM].hex()},
        {"desc": "white space around an identity (a line of a file)", "kind": "identity",
         "text": f"  {robin}\n", "hex": SECRETS[ROBIN].hex()},
    ]  # fmt: skip
    last = robin[-1]
    other = next(c for c in CHARSET.upper() if c != last)
    words = to_words(SECRETS[ROBIN])
    i = next(i for i in range(20, len(robin)) if robin[i].isalpha())
    j = next(j for j in range(10, len(sam)) if sam[j].isalpha())
    invalid = [
        ("a bad checksum (the last character changed)", "identity", robin[:-1] + other),
        ("mixed case (one character of an identity in lower case)", "identity",
         robin[:i] + robin[i].lower() + robin[i + 1 :]),
        ("mixed case (one character of a recipient in upper case)", "recipient",
         sam[:j] + sam[j].upper() + sam[j + 1 :]),
        ("a recipient where an identity belongs (the wrong human-readable part)", "identity",
         RECIPIENTS[ROBIN]),
        ("an identity where a recipient belongs", "recipient", robin),
        ("31 bytes", "identity", bech32_words("age-secret-key-", to_words(SECRETS[ROBIN][:31]))
         .upper()),
        ("33 bytes", "recipient", bech32_words("age", to_words(PUBLICS[SAM] + b"\x00"))),
        ("padding bits that are not zero", "identity",
         bech32_words("age-secret-key-", [*words[:-1], words[-1] | 1]).upper()),
        ("a character outside the bech32 set ('b')", "recipient", sam[:10] + "b" + sam[11:]),
        ("no separator", "recipient", sam.replace("1", "", 1)),
        ("a character outside ASCII", "recipient", sam[:10] + "\u0440" + sam[11:]),
        ("a space inside", "recipient", sam[:10] + " " + sam[10:]),
        ("empty", "recipient", ""),
    ]  # fmt: skip
    return valid, variants, [{"desc": d, "kind": k, "text": t} for d, k, t in invalid]


# --- records -------------------------------------------------------------------------------

NOW = int(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC).timestamp()) * 10**9
MINUTE = 60 * 10**9
DAY = 86_400 * 10**9


def at(minutes: int) -> int:
    """A time MINUTES after NOW (negative: before)."""
    return NOW + minutes * MINUTE


def rec(key: list[str], value: Any, when: int, by: int, *, view: str = "full",
        replaces: tuple[str, ...] = (), to: tuple[int, ...] = (ROBIN, SAM)) -> dict:  # fmt: skip
    """A record as its JSON object (see `fmt.Record.to_json`)."""
    ids = sorted(IDS[i] for i in to if i != BUILD) + ([BUILD_ID] if BUILD in to else [])
    return {"k": key, "v": value, "at": when, "by": IDS.get(by, "build"), "view": view,
            "replaces": sorted(replaces), "to": ids}  # fmt: skip


def record_of(document: dict) -> fmt.Record:
    return fmt.Record(
        key=tuple(document["k"]),
        value=document["v"],
        at=document["at"],
        by=document["by"],
        view=document["view"],
        replaces=list(document["replaces"]),
        to=list(document["to"]),
    )


ITEM = {
    "kind": "post", "section": "share", "title": "A better week",
    "body": "I slept through the night *twice*.\n\nSmall things. Ça compte 💛",
    "cw": [], "pseudonym": "Wren", "verifier": "Ab3-_" * 8 + "Ab3", "imported": "2026-11-18",
    "post_id": "3f9a0c1b2d",
}  # fmt: skip
POST_TEXT = (
    "Title: A better week\nDate: 2026-11-20\nExpires: 2027-02-18\nPseudonym: Wren\n\n"
    "I slept through the night *twice*.\n\nSmall things. Ça compte 💛\n"
)


def body_of(document: dict) -> bytes:
    return fmt.MAGIC + json.dumps(document, ensure_ascii=False, sort_keys=True).encode() + b"\n"


def filled(document: dict, body_length: int) -> dict:
    """DOCUMENT with its value's "fill" string grown so the body is BODY_LENGTH bytes."""
    document = {**document, "v": {**document["v"], "fill": ""}}
    short = body_length - len(body_of(document))
    document["v"]["fill"] = "x" * short
    assert len(body_of(document)) == body_length
    return document


def encode_cases() -> list[dict]:
    watch = rec(["watch"], ["jo", "sam's brother"], at(-90), ROBIN)
    item = rec(["item", "q7m2xk4p"], ITEM, at(-60), SAM)
    escapes = rec(["data", 'a "quoted"\\ name\n\t\u2028 \u007f'], {"é": 1, "e": [True, None, -2]},
                  at(0), KIM, to=(ROBIN, SAM, KIM))  # fmt: skip
    view = rec(["section", "circle"], {"key": "k" * 43, "slot": "s" * 22}, at(5), ROBIN,
               view="build", to=(ROBIN, SAM, BUILD))  # fmt: skip
    base = rec(["data", "fill"], {}, at(0), ROBIN)
    post = rec(["post", "share", "3f9a0c1b2d"],
               {"text": POST_TEXT + "More. " * 3300, "item": "q7m2xk4p", "approved_by": "arobinqq"},
               at(30), ROBIN, replaces=("a" * 26 + ".age",), to=(ROBIN, SAM, BUILD))  # fmt: skip
    cases = [
        ("a watch list: the smallest records pad to 512 bytes", watch),
        ("a queue item with non-ASCII text (written as it is, not escaped)", item),
        ("escapes in a key part and the value; keys sorted, nested too", escapes),
        ('a build view (view "build", sealed also to the build key)', view),
        ("a body of exactly 512 bytes: no padding", filled(base, 512)),
        ("a body of 513 bytes: padded to 544 (Padmé)", filled(base, 513)),
        ("a post that replaces an older version: padded to a Padmé size", post),
    ]
    out = []
    for desc, document in cases:
        plaintext = fmt.encode_record(record_of(document))
        case = {
            "desc": desc,
            "record": document,
            "body_length": len(body_of(document)),
            "length": len(plaintext),
            "sha256": hashlib.sha256(plaintext).hexdigest(),
        }
        if len(plaintext) <= 1024:
            case["plaintext"] = plaintext.hex()
        out.append(case)
    return out


# --- age v1 files from fixed parts -----------------------------------------------------------

X25519_INFO = b"age-encryption.org/v1/X25519"
CHUNK = 64 * 1024


def b64(data: bytes) -> str:
    """Base64 as age writes it: the standard alphabet, no padding."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def stanza(args: str, body: bytes) -> bytes:
    text = b64(body)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    if len(text) % 64 == 0:
        lines.append("")  # a body line is never a full 64 characters last
    return ("-> " + args + "\n" + "\n".join(lines) + "\n").encode("ascii")


def age_from_parts(plaintext: bytes, parts: dict) -> bytes:
    """An age v1 file of PLAINTEXT to the recipients PARTS names, from PARTS' fixed values."""
    file_key = bytes.fromhex(parts["file_key"])
    stanzas = []
    for who, ephemeral in zip(parts["recipients"], parts["ephemeral"], strict=True):
        public, secret = PUBLICS[who], bytes.fromhex(ephemeral)
        share = bindings.crypto_scalarmult_base(secret)
        wrap_key = hkdf_sha256(
            bindings.crypto_scalarmult(secret, public), X25519_INFO, 32, salt=share + public
        )
        body = bindings.crypto_aead_chacha20poly1305_ietf_encrypt(
            file_key, b"", bytes(12), wrap_key
        )
        stanzas.append(stanza("X25519 " + b64(share), body))
    if "grease" in parts:
        grease = stanza(parts["grease"]["args"], bytes.fromhex(parts["grease"]["body"]))
        stanzas.insert(0 if parts["grease"]["first"] else len(stanzas), grease)
    header = fmt.AGE_MAGIC + b"".join(stanzas) + b"---"
    mac = hmac_sha256(hkdf_sha256(file_key, b"header", 32), header)
    nonce = bytes.fromhex(parts["nonce"])
    payload_key = hkdf_sha256(file_key, b"payload", 32, salt=nonce)
    pieces = [plaintext[i : i + CHUNK] for i in range(0, len(plaintext), CHUNK)] or [b""]
    out = header + b" " + b64(mac).encode("ascii") + b"\n" + nonce
    for counter, piece in enumerate(pieces):
        last = b"\x01" if counter == len(pieces) - 1 else b"\x00"
        chunk_nonce = counter.to_bytes(11, "big") + last
        out += bindings.crypto_aead_chacha20poly1305_ietf_encrypt(
            piece, b"", chunk_nonce, payload_key
        )
    return out


def parts_for(label: str, recipients: list[int], grease: dict | None = None) -> dict:
    parts = {
        "recipients": recipients,
        "file_key": fixed(f"{label} file key", 16).hex(),
        "ephemeral": [fixed(f"{label} ephemeral {i}").hex() for i in range(len(recipients))],
        "nonce": fixed(f"{label} nonce", 16).hex(),
    }
    if grease is not None:
        parts["grease"] = grease
    return parts


def open_cases(previous: dict | None) -> list[dict]:
    item = rec(["item", "q7m2xk4p"], ITEM, at(-60), SAM, to=(ROBIN,))
    section = rec(["section", "circle"], {"key": "k" * 43, "slot": "s" * 22, "title": "Circle"},
                  at(-30), KIM, to=(ROBIN, SAM, KIM))  # fmt: skip
    code = {"expires": None, "lookup": "l" * 22, "wrap": "w" * 43}
    view = rec(["code", "circle", "l" * 22], code, at(-20), ROBIN, view="build",
               to=(ROBIN, SAM, BUILD))  # fmt: skip
    greased = rec(["watch"], ["jo"], at(-10), SAM)
    base = rec(["post", "share", "7c1e5d2a90"], {"item": None, "approved_by": "arobinqq",
               "text": ""}, at(0), ROBIN, to=(ROBIN, SAM, BUILD))  # fmt: skip
    full_chunk = {**base, "v": {**base["v"], "text": "y" * (65_536 - 1 - len(body_of(base)))}}
    two_chunks = {**base, "v": {**base["v"], "text": "z" * 66_000}}
    grease = {"args": "v1-grease ,:( x", "body": fixed("grease body", 50).hex(), "first": True}
    cases = [
        ("a queue item sealed to one moderator", item, ROBIN, parts_for("one", [ROBIN])),
        ("a section record sealed to three moderators, opened by the third", section, KIM,
         parts_for("three", [ROBIN, SAM, KIM])),
        ("a code's build view, opened by the build key", view, BUILD,
         parts_for("view", [ROBIN, SAM, BUILD])),
        ("an unknown stanza (a two-line body) before the X25519 ones is skipped", greased, SAM,
         parts_for("grease", [ROBIN, SAM], grease)),
        ("a record padded to exactly 65,536 bytes: one full chunk, marked last", full_chunk, SAM,
         parts_for("full chunk", [ROBIN, SAM, BUILD])),
        ("a record padded past 64 KiB: two chunks", two_chunks, BUILD,
         parts_for("two chunks", [ROBIN, SAM, BUILD])),
    ]  # fmt: skip
    out = []
    for desc, document, opener, parts in cases:
        plaintext = fmt.encode_record(record_of(document))
        data = age_from_parts(plaintext, parts)
        out.append({"desc": desc, "identity": opener, **shortened(document),
                    "plaintext_length": len(plaintext), "parts": parts,
                    "file": base64.b64encode(data).decode("ascii")})  # fmt: skip
    out.append(made_by_seal(previous))
    return out


def shortened(document: dict) -> dict:
    """{"record": DOCUMENT}, or, for a post of one character repeated, the record with
    an empty text and "fill": that character and how many (to keep the file small)."""
    text = document["v"].get("text", "") if isinstance(document["v"], dict) else ""
    if len(text) < 1000 or len(set(text)) != 1:
        return {"record": document}
    empty = {**document, "v": {**document["v"], "text": ""}}
    return {"record": empty, "fill": {"char": text[0], "count": len(text)}}


def record_in(case: dict) -> dict:
    """The record of an open case, its post text filled in again if it was shortened."""
    document = case["record"]
    if "fill" in case:
        text = case["fill"]["char"] * case["fill"]["count"]
        document = {**document, "v": {**document["v"], "text": text}}
    return document


SEALED_DESC = "written by quietboard's seal() (pyrage, with rage's grease stanza); made once"


def made_by_seal(previous: dict | None) -> dict:
    """The one case this script cannot make again: it comes from the committed file."""
    document = rec(["taken_down", "5b8d0e1f3a"], "2026-11-19", at(-5), SAM,
                   to=(ROBIN, SAM, KIM))  # fmt: skip
    for case in (previous or {}).get("open", []):
        if case["desc"] == SEALED_DESC and case["record"] == document:
            return case
    data = fmt.seal(record_of(document), [RECIPIENTS[i] for i in (ROBIN, SAM, KIM)])
    return {"desc": SEALED_DESC, "identity": SAM, "record": document,
            "plaintext_length": len(fmt.encode_record(record_of(document))),
            "file": base64.b64encode(data).decode("ascii")}  # fmt: skip


def padded(body: bytes) -> bytes:
    return body + b" " * (fmt.padded_size(len(body), fmt.PAD_MINIMUM) - len(body))


def raw(line: str | bytes, *, magic: bytes = fmt.MAGIC, tail: bytes | None = None) -> bytes:
    """A plaintext from its JSON line, as a writer would pad it unless TAIL is given."""
    line = line.encode("utf-8") if isinstance(line, str) else line
    body = magic + line + b"\n"
    return body + (tail if tail is not None else padded(body)[len(body) :])


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def invalid_cases(valid: list[dict]) -> list[dict]:
    one = base64.b64decode(valid[0]["file"])  # to Robin alone
    two = base64.b64decode(valid[5]["file"])  # two chunks
    header_end = one.index(b"\n---") + 1
    mac_at = header_end + 4
    payload_at = one.index(b"\n", header_end) + 1  # the payload nonce
    share_at = len(fmt.AGE_MAGIC) + len(b"-> X25519 ")
    stanza_body_at = one.index(b"\n", len(fmt.AGE_MAGIC)) + 1
    first_chunk_end = two.index(b"\n", two.index(b"\n---") + 1) + 1 + 16 + CHUNK + 16
    good = json.loads(json.dumps(rec(["watch"], ["jo"], at(0), ROBIN)))

    def line(**changes: Any) -> str:
        document = {**good, **changes}
        for name in [name for name, value in changes.items() if value is Ellipsis]:
            del document[name]
        return json.dumps(document, ensure_ascii=False, sort_keys=True)

    age_cases = [
        ("opened with an identity it was not sealed to", one, OUTSIDER),
        ("opened with another moderator's identity", one, SAM),
        ("a byte of the ephemeral share in the X25519 stanza flipped", flip(one, share_at + 5),
         ROBIN),
        ("a byte of the wrapped file key flipped", flip(one, stanza_body_at + 10), ROBIN),
        ("a byte of the header MAC flipped", flip(one, mac_at + 5), ROBIN),
        ("a byte of the payload nonce flipped", flip(one, payload_at + 3), ROBIN),
        ("a payload byte flipped", flip(one, payload_at + 100), ROBIN),
        ("the last chunk's tag cut off", one[:-16], ROBIN),
        ("a byte after the last chunk", one + b"\x00", ROBIN),
    ]  # fmt: skip
    armored = (
        b"-----BEGIN AGE ENCRYPTED FILE-----\n"
        + b"\n".join(
            base64.b64encode(one)[i : i + 64] for i in range(0, len(base64.b64encode(one)), 64)
        )
        + b"\n-----END AGE ENCRYPTED FILE-----\n"
    )
    format_cases = [
        ("an armored (PEM-style) age file: team files are binary", armored, ROBIN),
        ("not an age file (a JSON document)", b'{"kind": "quietboard-vault", "v": 1}\n', ROBIN),
        ("an age file of another version", b"age-encryption.org/v2\n" + one[22:], ROBIN),
    ]
    record_cases = [
        ("the record magic of version 2", raw(line(), magic=b"quietboard-team-record/2\n")),
        ("no record magic (an age file of other text)", b"hello\n" + b" " * 506),
        ("the magic without its newline", raw(line(), magic=fmt.MAGIC[:-1] + b" ")),
        ("an unknown view (\"preview\")", raw(line(view="preview"))),
        ("a key part that is a number", raw(line(k=["item", 7]))),
        ("a key part that is null", raw(line(k=["watch", None]))),
        ("an empty key", raw(line(k=[]))),
        ("the key as a string, not an array", raw(line(k="watch"))),
        ("replaces as a string, not an array", raw(line(replaces="a" * 26 + ".age"))),
        ("to as an object, not an array", raw(line(to={"arobinqq": True}))),
        ("a name in replaces that is a number", raw(line(replaces=[1]))),
        ("at as a float", raw(line(at=1.7e18))),
        ("at as a string", raw(line(at=str(NOW)))),
        ("at as true", raw(line(at=True))),
        ("by as null", raw(line(by=None))),
        ("no \"to\"", raw(line(to=...))),
        ("no \"v\"", raw(line(v=...))),
        ("a lone surrogate escaped in the value", raw(line(v=["\\ud800"]).replace("\\\\", "\\"))),
        ("NaN in the value", raw(line().replace('["jo"]', "[NaN]"))),
        ("not UTF-8", raw(line().encode().replace(b"jo", b"j\xff"))),
        ("not JSON", raw("{k: watch}")),
        ("a JSON array, not an object", raw(json.dumps([good]))),
        ("padding with a NUL byte", raw(line(), tail=b" " * 100 + b"\x00" + b" " * 300)),
        ("padding with a tab", raw(line(), tail=b"\t" + b" " * 400)),
        ("no newline after the JSON", fmt.MAGIC + line().encode()),
        ("two JSON lines", raw(line() + "\n" + line())),
    ]  # fmt: skip
    out = [{"desc": d, "identity": who, "refused_by": "age", "file": base64.b64encode(f).decode()}
           for d, f, who in age_cases]  # fmt: skip
    # The two-chunk file cut after its first chunk (given as a length, to keep the file small).
    out.append({"desc": "the second chunk removed: the first is not marked last",
                "identity": BUILD, "refused_by": "age",
                "cut": {"open": 5, "length": first_chunk_end},
                "sha256": hashlib.sha256(two[:first_chunk_end]).hexdigest()})  # fmt: skip
    out += [{"desc": d, "identity": who, "refused_by": "format",
             "file": base64.b64encode(f).decode()} for d, f, who in format_cases]  # fmt: skip
    for index, (desc, plaintext) in enumerate(record_cases):
        parts = parts_for(f"bad record {index}", [ROBIN, SAM])
        data = age_from_parts(plaintext, parts)
        out.append({"desc": desc, "identity": ROBIN, "refused_by": "record",
                    "plaintext": plaintext.hex(),
                    "file": base64.b64encode(data).decode()})  # fmt: skip
    out.append(oversized_case())
    return out


OVERSIZED = {"text": "o" * fmt.MAX_FILE_BYTES, "item": None, "approved_by": "arobinqq"}


def oversized_file() -> bytes:
    """A well-formed age file, sealed to Robin and Sam, just over the 4 MiB limit."""
    document = rec(["post", "share", "0d0d0d0d0d"], OVERSIZED, at(0), ROBIN)
    plaintext = fmt.encode_record(record_of(document))
    return age_from_parts(plaintext, parts_for("oversized", [ROBIN, SAM]))


def oversized_case() -> dict:
    data = oversized_file()
    assert len(data) > fmt.MAX_FILE_BYTES
    return {
        "desc": "a well-formed file over 4 MiB, refused before it is decrypted",
        "identity": ROBIN,
        "refused_by": "size",
        "made_by": "oversized_file() in this script: a post of 4 MiB of 'o', to Robin and Sam",
        "length": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


# --- settle: the records after a merge, and what every computer makes of them ------------------


def name(label: str) -> str:
    """A file name that passes is_team_file_name but says what the vector needs it to."""
    return (label + "a" * 26)[:26] + fmt.SUFFIX


def roster(build: bool = True) -> dict:
    names = {ROBIN: "Robin", SAM: "Sam", KIM: "Kim"}
    return {
        "moderators": {
            IDS[i]: {"name": names[i], "recipient": RECIPIENTS[i]} for i in (ROBIN, SAM, KIM)
        },
        "build": RECIPIENTS[BUILD] if build else None,
    }


TEAM = (ROBIN, SAM, KIM)
TEAM_BUILD = (ROBIN, SAM, KIM, BUILD)
ITEM_ID, POST_ID = "q7m2xk4p", "3f9a0c1b2d"
ITEM_POST = ["post", "share", POST_ID]


def post_value(by: int) -> dict:
    return {"text": POST_TEXT, "item": ITEM_ID, "approved_by": IDS[by]}


def settle_cases() -> list[dict]:
    """Each case: records, roster, me, now, and what settle must give (written by hand)."""
    section_v1 = {"slot": "s1", "key": "k1", "title": "Circle"}
    section_v2 = {"slot": "s2", "key": "k2", "title": "Circle"}
    cases = []
    old_item = {**ITEM, "title": "Old"}

    cases.append({
        "desc": "replaces: a replaced file is stale whatever its time; a chain of versions; "
                "a build view goes with its record",
        "me": IDS[ROBIN],
        "records": {
            name("secold"): rec(["section", "circle"], section_v1, at(-10), SAM, to=TEAM),
            name("secoldview"): rec(["section", "circle"], {"slot": "s1", "key": "k1"}, at(-10),
                                    SAM, view="build", to=TEAM_BUILD),
            # Written on a computer whose clock is behind: it still replaces the older version.
            name("secnew"): rec(["section", "circle"], section_v2, at(-60), ROBIN, to=TEAM,
                                replaces=(name("secold"), name("secoldview"))),
            name("secnewview"): rec(["section", "circle"], {"slot": "s2", "key": "k2"}, at(-60),
                                    ROBIN, view="build", to=TEAM_BUILD),
            name("withdrawna"): rec(["withdrawn", "v1"], "2026-11-01", at(-300), ROBIN, to=TEAM),
            name("withdrawnb"): rec(["withdrawn", "v1"], "2026-11-02", at(-200), ROBIN, to=TEAM,
                                    replaces=(name("withdrawna"),)),
            name("withdrawnc"): rec(["withdrawn", "v1"], "2026-11-03", at(-100), ROBIN, to=TEAM,
                                    replaces=(name("withdrawnb"),)),
        },
        "expected": {
            "values": [[["section", "circle"], section_v2], [["withdrawn", "v1"], "2026-11-03"]],
            "files": [[["section", "circle"], [name("secnew"), name("secnewview")]],
                      [["withdrawn", "v1"], [name("withdrawnc")]]],
            "stale": sorted([name("secold"), name("secoldview"), name("withdrawna"),
                             name("withdrawnb")]),
            "dirty": [],
        },
    })  # fmt: skip

    cases.append({
        "desc": "decisions: the earliest stands; the item goes; the post the later approval "
                "published is dropped; the later moderator (me) is told",
        "me": IDS[ROBIN],
        "records": {
            name("item"): rec(["item", ITEM_ID], ITEM, at(-600), KIM, to=TEAM),
            name("decisionsam"): rec(["decision", ITEM_ID], {"action": "removed", "post": POST_ID},
                                     at(-20), SAM, to=TEAM),
            name("decisionrobin"): rec(["decision", ITEM_ID], {"action": "approved",
                                       "post": POST_ID}, at(-10), ROBIN, to=TEAM),
            name("postrobin"): rec(ITEM_POST, post_value(ROBIN), at(-10), ROBIN, to=TEAM),
        },
        "expected": {
            "values": [],
            "files": [],
            "stale": sorted([name("item"), name("postrobin")]),
            "dirty": [],
            "decisions": {ITEM_ID: name("decisionsam")},
            "overruled": [[name("decisionrobin"), {"item": ITEM_ID, "mine": "approved",
                                                   "standing": "removed", "by": "Sam"}]],
        },
    })  # fmt: skip

    same = cases[-1]["records"]
    cases.append(
        {
            "desc": "decisions, the same files on the computer of the moderator whose decision "
            "stands: nothing to tell, and the other's decision file is left for them",
            "me": IDS[SAM],
            "records": same,
            "expected": {**cases[-1]["expected"], "overruled": []},
        }
    )

    cases.append({
        "desc": "two approvals of one item: the earlier moderator's post stands, the later "
                "one's (the same post id) is dropped",
        "me": IDS[SAM],
        "records": {
            name("decisionrobin"): rec(["decision", ITEM_ID], {"action": "approved",
                                       "post": POST_ID}, at(-30), ROBIN, to=TEAM),
            name("postrobin"): rec(ITEM_POST, post_value(ROBIN), at(-30), ROBIN, to=TEAM),
            name("decisionsam"): rec(["decision", ITEM_ID], {"action": "approved",
                                     "post": POST_ID}, at(-5), SAM, to=TEAM),
            name("postsam"): rec(ITEM_POST, post_value(SAM), at(-5), SAM, to=TEAM),
        },
        "expected": {
            "values": [[ITEM_POST, POST_TEXT]],
            "files": [[ITEM_POST, [name("postrobin")]]],
            "stale": [name("postsam")],
            "dirty": [ITEM_POST],  # a post without its build view is written again
            "decisions": {ITEM_ID: name("decisionrobin")},
            "overruled": [[name("decisionsam"), {"item": ITEM_ID, "mine": "approved",
                                                 "standing": "approved", "by": "Robin"}]],
            "origins": [[ITEM_POST, {"item": ITEM_ID, "approved_by": IDS[ROBIN]}]],
        },
    })  # fmt: skip

    cases.append({
        "desc": "two decisions at the same nanosecond: the smaller file name stands; a "
                "decision of a moderator no longer on the team is 'a former moderator'",
        "me": IDS[KIM],
        "records": {
            name("decisionb"): rec(["decision", "x"], {"action": "approved", "post": None},
                                   at(-5), KIM, to=TEAM),
            name("decisiona"): rec(["decision", "x"], {"action": "removed", "post": None},
                                   at(-5), SAM, to=TEAM),
            name("decisionc"): rec(["decision", "y"], {"action": "removed", "post": None},
                                   at(-9), SAM, to=TEAM) | {"by": "gonegone"},
            name("decisiond"): rec(["decision", "y"], {"action": "removed", "post": None},
                                   at(-1), KIM, to=TEAM),
        },
        "expected": {
            "values": [], "files": [], "stale": [], "dirty": [],
            "decisions": {"x": name("decisiona"), "y": name("decisionc")},
            "overruled": [
                [name("decisionb"), {"item": "x", "mine": "approved", "standing": "removed",
                                     "by": "Sam"}],
                [name("decisiond"), {"item": "y", "mine": "removed", "standing": "removed",
                                     "by": "a former moderator"}],
            ],
        },
    })  # fmt: skip

    cases.append({
        "desc": "a decision older than 400 days is forgotten (its files are stale) and no "
                "longer keeps an old copy of its item out of the queue",
        "me": IDS[ROBIN],
        "records": {
            name("olddecision"): rec(["decision", "old"], {"action": "removed", "post": None},
                                     NOW - 401 * DAY, SAM, to=TEAM),
            name("olddecisionlater"): rec(["decision", "old"], {"action": "removed",
                                          "post": None}, NOW - 2 * DAY, ROBIN, to=TEAM),
            name("olditem"): rec(["item", "old"], old_item, NOW - 500 * DAY, SAM, to=TEAM),
            name("recentdecision"): rec(["decision", "new"], {"action": "removed",
                                        "post": None}, NOW - 399 * DAY, SAM, to=TEAM),
            name("recentitem"): rec(["item", "new"], {**ITEM, "title": "Recent"},
                                    NOW - 450 * DAY, SAM, to=TEAM),
        },
        "expected": {
            "values": [[["item", "old"], old_item]],
            "files": [[["item", "old"], [name("olditem")]]],
            "stale": sorted([name("olddecision"), name("olddecisionlater"), name("recentitem")]),
            "dirty": [],
            "decisions": {"new": name("recentdecision")},
        },
    })  # fmt: skip

    cases.append({
        "desc": "anything else: the later version stands (a tie: the larger file name); "
                "kinds or shapes this version does not know are left alone (neither read "
                "nor deleted)",
        "me": IDS[ROBIN],
        "records": {
            name("itemrobin"): rec(["item", "e"], {**ITEM, "title": "Robin's edit"}, at(-50),
                                   ROBIN, to=TEAM),
            name("itemsam"): rec(["item", "e"], {**ITEM, "title": "Sam's edit"}, at(-40), SAM,
                                 to=TEAM),
            name("takena"): rec(["taken_down", "p1"], "2026-11-19", at(-5), SAM, to=TEAM),
            name("takenb"): rec(["taken_down", "p1"], "2026-11-20", at(-5), KIM, to=TEAM),
            name("futurea"): rec(["future", "x"], 1, at(-3), SAM, to=TEAM),
            name("futureb"): rec(["future", "x"], 2, at(-4), KIM, to=TEAM),
            name("decisionlong"): rec(["decision", "a", "b"], "not a decision", at(-1), KIM,
                                      to=TEAM),
        },
        "expected": {
            "values": [[["item", "e"], {**ITEM, "title": "Sam's edit"}],
                       [["taken_down", "p1"], "2026-11-20"]],
            "files": [[["item", "e"], [name("itemsam")]],
                      [["taken_down", "p1"], [name("takenb")]]],
            "stale": sorted([name("itemrobin"), name("takena")]),
            "dirty": [],
        },
    })  # fmt: skip

    cases.append({
        "desc": "lists are merged (oldest first, each value once) and marked to be written "
                "again as one file; the decision log is added up, mine kept apart",
        "me": IDS[ROBIN],
        "records": {
            name("watchb"): rec(["watch"], ["jo", "sam's brother"], at(-10), SAM, to=TEAM),
            name("watcha"): rec(["watch"], ["alex", "jo"], at(-20), ROBIN, to=TEAM),
            name("seen"): rec(["seen"], ["AAAA", "BBBB"], at(-20), ROBIN, to=TEAM),
            name("logrobin"): rec(["log", "2026-11-19"], {"approved": 2, "rejected": 1},
                                  at(-30), ROBIN, to=TEAM),
            name("logsam"): rec(["log", "2026-11-19"], {"approved": 1, "lapsed": 4}, at(-25),
                                SAM, to=TEAM),
            name("logrobinagain"): rec(["log", "2026-11-19"], {"approved": 1}, at(-20), ROBIN,
                                       to=TEAM),
        },
        "expected": {
            "values": [[["log", "2026-11-19"], {"approved": 4, "lapsed": 4, "rejected": 1}],
                       [["seen"], ["AAAA", "BBBB"]],
                       [["watch"], ["alex", "jo", "sam's brother"]]],
            "files": [[["log", "2026-11-19"], sorted([name("logrobin"), name("logsam"),
                                                       name("logrobinagain")])],
                      [["seen"], [name("seen")]],
                      [["watch"], [name("watcha"), name("watchb")]]],
            "stale": [],
            "dirty": [["watch"]],
            "log_mine": {"2026-11-19": [{"approved": 3, "rejected": 1},
                                        sorted([name("logrobin"), name("logrobinagain")])]},
        },
    })  # fmt: skip

    cases.append({
        "desc": "sealed to another set of identities than the roster names: sealed again "
                "unchanged (same time and author); build views: one per record, else the "
                "record is written again; a view whose record is gone is stale",
        "me": IDS[ROBIN],
        "records": {
            name("itemold"): rec(["item", "a"], ITEM, at(-10), ROBIN, to=(ROBIN, SAM)),
            name("post"): rec(["post", "share", "own"], {"text": POST_TEXT, "item": None,
                              "approved_by": IDS[SAM]}, at(-10), SAM, to=TEAM),
            name("members"): rec(["members"], {"salt": "x", "iterations": 600000}, at(-10),
                                 ROBIN, to=TEAM),
            name("section"): rec(["section", "circle"], section_v1, at(-10), ROBIN, to=TEAM),
            name("sectionview"): rec(["section", "circle"], {"slot": "s1", "key": "k1"},
                                     at(-10), ROBIN, view="build", to=TEAM_BUILD),
            name("sectionviewtwo"): rec(["section", "circle"], {"slot": "s1", "key": "k1"},
                                        at(-9), SAM, view="build", to=TEAM_BUILD),
            name("code"): rec(["code", "circle", "L"], {"lookup": "L", "wrap": "W",
                              "expires": None, "label": "Ana", "issued": "2026-11-01"},
                              at(-10), ROBIN, to=TEAM),
            name("codeview"): rec(["code", "circle", "L"], {"lookup": "L", "wrap": "W",
                                  "expires": None}, at(-10), ROBIN, view="build", to=TEAM),
            name("orphanview"): rec(["code", "circle", "gone"], {"lookup": "gone", "wrap": "W",
                                    "expires": None}, at(-10), ROBIN, view="build",
                                    to=TEAM_BUILD),
        },
        "expected": {
            "values": [
                [["code", "circle", "L"], {"lookup": "L", "wrap": "W", "expires": None,
                                           "label": "Ana", "issued": "2026-11-01"}],
                [["item", "a"], ITEM],
                [["members"], {"salt": "x", "iterations": 600000}],
                [["post", "share", "own"], POST_TEXT],
                [["section", "circle"], section_v1],
            ],
            "files": [
                [["code", "circle", "L"], [name("code"), name("codeview")]],
                [["item", "a"], [name("itemold")]],
                [["members"], [name("members")]],
                [["post", "share", "own"], [name("post")]],
                [["section", "circle"], [name("section"), name("sectionview"),
                                         name("sectionviewtwo")]],
            ],
            "stale": [name("orphanview")],
            "dirty": [["members"], ["post", "share", "own"], ["section", "circle"]],
            "reseal": sorted([name("itemold"), name("codeview")]),
            "origins": [[["post", "share", "own"], {"item": None, "approved_by": IDS[SAM]}]],
        },
    })  # fmt: skip

    same = board.same_submission(ITEM)
    again = {**ITEM, "imported": "2026-11-19", "post_id": "9e8d7c6b5a"}
    other = {**ITEM, "verifier": "Zz9" * 14 + "Z"}
    cases.append({
        "desc": "one submission imported twice (two moderators): the item with the smaller "
                "id stays; one decided already under another id goes; a decision without "
                "\"same\" (an older quietboard's) removes only its own item",
        "me": IDS[ROBIN],
        "records": {
            name("importb"): rec(["item", "b2"], again, at(-50), SAM, to=TEAM),
            name("importa"): rec(["item", "a1"], ITEM, at(-40), ROBIN, to=TEAM),
            name("othercode"): rec(["item", "a0"], other, at(-40), ROBIN, to=TEAM),
            name("decided"): rec(["decision", "c3"], {"action": "removed", "post": None,
                                 "same": board.same_submission(other)}, at(-30), KIM, to=TEAM),
            name("oldstyle"): rec(["decision", "e5"], {"action": "removed", "post": None},
                                  at(-30), KIM, to=TEAM),
            name("oldstyleitem"): rec(["item", "f6"], {**ITEM, "title": "Another"}, at(-60),
                                      SAM, to=TEAM),
        },
        "expected": {
            "values": [[["item", "a1"], ITEM], [["item", "f6"], {**ITEM, "title": "Another"}]],
            "files": [[["item", "a1"], [name("importa")]], [["item", "f6"],
                                                               [name("oldstyleitem")]]],
            "stale": sorted([name("importb"), name("othercode")]),
            "dirty": [],
            "decisions": {"c3": name("decided"), "e5": name("oldstyle")},
        },
        "same": {"item": ITEM, "digest": same},
    })  # fmt: skip

    defaults = {"decisions": {}, "overruled": [], "origins": [], "log_mine": {}, "reseal": []}
    for case in cases:
        case["now"] = NOW
        case["roster"] = roster()
        case["expected"] = {**defaults, **case["expected"]}
    return cases


def roster_of(document: dict) -> board.Roster:
    moderators = {
        mod_id: board.Moderator(mod_id, entry["name"], entry["recipient"], "2026-11-01")
        for mod_id, entry in document["moderators"].items()
    }
    return board.Roster(moderators, build=document["build"])


def settled(case: dict) -> dict:
    """What settle makes of CASE, in the vectors' JSON form (the clock held at case["now"])."""
    real = board.time
    board.time = _Clock(case["now"])  # settle forgets decisions by the wall clock
    try:
        records = {n: record_of(r) for n, r in case["records"].items()}
        loaded = board.settle(records, roster_of(case["roster"]), case["me"])
    finally:
        board.time = real
    return loaded_json(loaded)


class _Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def time_ns(self) -> int:
        return self.now


def loaded_json(loaded: board.Loaded) -> dict:
    def key_list(pairs: dict) -> list:
        return [[list(key), value] for key, value in sorted(pairs.items())]

    return {
        "values": key_list(loaded.values),
        "files": [[list(key), sorted(names)] for key, names in sorted(loaded.files.items())],
        "stale": sorted(loaded.stale),
        "dirty": [list(key) for key in sorted(loaded.dirty)],
        "reseal": sorted(loaded.reseal),
        "decisions": {item: pair[0] for item, pair in sorted(loaded.decisions.items())},
        "overruled": sorted(
            [name, {"item": o.item, "mine": o.mine, "standing": o.standing, "by": o.by}]
            for name, o in loaded.overruled
        ),
        "origins": key_list(loaded.origins),
        "log_mine": {
            day: [dict(sorted(counts.items())), sorted(files)]
            for day, (counts, files) in sorted(loaded.log_mine.items())
        },
    }


def canonical(value: Any) -> Any:
    """VALUE as it reads back from JSON (tuples become lists), to compare like with like."""
    return json.loads(json.dumps(value, sort_keys=True))


def vectors(previous: dict | None = None) -> dict:
    identities, variants, bech32_invalid = identity_cases()
    opened = open_cases(previous)
    settle = settle_cases()
    for case in settle:
        got, want = canonical(settled(case)), canonical(case["expected"])
        if got != want:
            raise AssertionError(f"settle disagrees with {case['desc']!r}:\n{got}\n!=\n{want}")
    return {
        "format": "quietboard team files v1 (docs/formats/team.md)",
        "made_by": "tests/vectors/make_team_vectors.py",
        "identities": identities,
        "bech32_variants": variants,
        "bech32_invalid": bech32_invalid,
        "encode": encode_cases(),
        "open": opened,
        "invalid": invalid_cases(opened),
        "settle": canonical(settle),
    }


def main() -> None:
    previous = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else None
    OUT.write_text(
        json.dumps(vectors(previous), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
