"""Member access: section keys and access codes, kept in the vault.

A code is generated, shown once and forgotten: the vault keeps only what the
code derives to (its keyring lookup id and wrapping key), a label the
moderators chose and its dates. Revoking a code deletes that record and
gives the section a new content key (and a new file name), which the next
build wraps for every remaining code, so nobody else needs a new code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from dataclasses import dataclass
from typing import Any

from generator.board.config import Board
from generator.errors import AccessError
from generator.formats import members as fmt
from generator.formats.codes import generate_code

MAX_LABEL = 40


@dataclass(frozen=True)
class CodeRecord:
    label: str
    issued: dt.date
    expires: dt.date | None

    def status(self, today: dt.date) -> str:
        return "expired" if self.expires is not None and self.expires <= today else "live"


@dataclass(frozen=True)
class SectionGrants:
    """A section's current slot and key and the code keys that may open it."""

    name: str
    slot: bytes
    content_key: bytes
    code_keys: list[tuple[fmt.CodeKeys, dt.date | None]]


def _members(data: dict[str, Any]) -> dict[str, Any]:
    return data.setdefault("members", {"sections": {}})


def _member_section(board: Board, name: str, data: dict[str, Any]) -> None:
    section = board.sections.get(name)
    if section is None:
        known = ", ".join(s.name for s in board.member_sections) or "none yet"
        codes = held_codes(data, name)
        if codes is not None:
            raise AccessError(
                f'there is no section "{name}" in board.toml (members-only sections: {known}); '
                f"the vault keeps its keys and {codes} access code(s): put [sections.{name}] back "
                f'in board.toml to use them, or delete them with "quietboard section forget {name}"'
            )
        close = difflib.get_close_matches(name, [s.name for s in board.member_sections], n=1)
        if close:
            raise AccessError(
                f'there is no section "{name}" in board.toml (members-only sections: {known}); '
                f'did you mean "{close[0]}"?'
            )
        raise AccessError(
            f'there is no section "{name}" in board.toml (members-only sections: {known}); '
            f'add one with "quietboard section add {name} --members-only"'
        )
    check_returning(data, board, [name])
    if not section.members_only:
        raise AccessError(
            f'section "{name}" is public, so it needs no access codes; codes are for '
            "members-only sections"
        )


def _new_keys() -> dict[str, str]:
    return {"slot": fmt.b64(os.urandom(fmt.SLOT_BYTES)), "key": fmt.b64(os.urandom(fmt.KEY_BYTES))}


def _section_state(members: dict[str, Any], name: str) -> dict[str, Any]:
    sections = members.setdefault("sections", {})
    if name not in sections:
        sections[name] = {**_new_keys(), "codes": []}
    return sections[name]


def _keyring_settings(members: dict[str, Any], board: Board) -> tuple[bytes, int]:
    """The keyring's salt and PBKDF2 count, fixed when the first code is issued.

    Every code's keys were derived with them, so a changed count in
    board.toml cannot apply to codes already handed out.
    """
    if "salt" not in members:
        members["salt"] = fmt.b64(os.urandom(fmt.SALT_BYTES))
        members["iterations"] = board.kdf_iterations
    has_codes = any(s.get("codes") for s in members.get("sections", {}).values())
    if members["iterations"] != board.kdf_iterations and has_codes:
        raise AccessError(
            f"board.toml sets members.kdf_iterations = {board.kdf_iterations}, but this board's "
            f"access codes were made with {members['iterations']}; set it back, or revoke every "
            "code and issue new ones"
        )
    members["iterations"] = board.kdf_iterations
    return fmt.unb64(members["salt"], fmt.SALT_BYTES), board.kdf_iterations


def check_label(label: str) -> str:
    label = " ".join(label.split())
    if not label or len(label) > MAX_LABEL or not label.isprintable():
        raise AccessError(
            f"a label must be 1 to {MAX_LABEL} printable characters, such as initials or "
            '"Tuesday group"; it is only for moderators and is never published'
        )
    return label


def issue_code(
    data: dict[str, Any],
    board: Board,
    section: str,
    label: str,
    *,
    expires: dt.date | None,
    today: dt.date,
) -> str:
    """Add a new code for SECTION to the vault contents DATA; return the code."""
    _member_section(board, section, data)
    label = check_label(label)
    if expires is not None and expires <= today:
        raise AccessError(
            f"--expires {expires.isoformat()} is not after today ({today.isoformat()}); "
            "give a later day, or leave it out for a code that lasts until revoked"
        )
    members = _members(data)
    salt, iterations = _keyring_settings(members, board)
    state = _section_state(members, section)
    if any(code["label"].casefold() == label.casefold() for code in state["codes"]):
        raise AccessError(
            f'section "{section}" already has a code labelled "{label}"; choose another label '
            f'(or revoke the old code first: "quietboard access revoke {section} {label!r}")'
        )
    code = generate_code()
    keys = fmt.derive_code_keys(code, salt, iterations)
    state["codes"].append(
        {
            "label": label,
            "issued": today.isoformat(),
            "expires": expires.isoformat() if expires else None,
            "lookup": fmt.b64(keys.lookup),
            "wrap": fmt.b64(keys.wrap),
        }
    )
    return code


def list_codes(data: dict[str, Any], board: Board, section: str) -> list[CodeRecord]:
    _member_section(board, section, data)
    state = _members(data).get("sections", {}).get(section, {"codes": []})
    return [
        CodeRecord(
            label=code["label"],
            issued=dt.date.fromisoformat(code["issued"]),
            expires=dt.date.fromisoformat(code["expires"]) if code["expires"] else None,
        )
        for code in state["codes"]
    ]


def rotate_key(data: dict[str, Any], board: Board, section: str) -> None:
    """Give SECTION a new content key and file name (old copies stop opening)."""
    _member_section(board, section, data)
    _section_state(_members(data), section).update(_new_keys())


def revoke_code(data: dict[str, Any], board: Board, section: str, label: str) -> int:
    """Delete the code labelled LABEL and rotate the key; return how many codes remain."""
    _member_section(board, section, data)
    state = _members(data).get("sections", {}).get(section, {"codes": []})
    wanted = " ".join(label.split()).casefold()
    kept = [code for code in state["codes"] if code["label"].casefold() != wanted]
    if len(kept) == len(state["codes"]):
        labels = ", ".join(f'"{code["label"]}"' for code in state["codes"]) or "none"
        raise AccessError(
            f'section "{section}" has no code labelled "{label}" (its labels: {labels}); '
            f'see "quietboard access list {section}"'
        )
    state["codes"] = kept
    rotate_key(data, board, section)
    return len(kept)


def drop_expired(data: dict[str, Any], today: dt.date) -> list[tuple[str, str]]:
    """Delete codes past their expiry, rotating the keys of their sections."""
    dropped = []
    for name, state in _members(data).get("sections", {}).items():
        live = []
        for code in state["codes"]:
            if code["expires"] and dt.date.fromisoformat(code["expires"]) <= today:
                dropped.append((name, code["label"]))
            else:
                live.append(code)
        if len(live) != len(state["codes"]):
            state["codes"] = live
            state.update(_new_keys())
    return dropped


def held_sections(data: dict[str, Any]) -> dict[str, Any]:
    """Every members-only section the vault holds keys for, retired or not."""
    return data.get("members", {}).get("sections", {})


def _codes(state: dict[str, Any]) -> int:
    return len(state.get("codes", []))


def retire_gone_sections(data: dict[str, Any], board: Board) -> list[str]:
    """Mark as retired every section the vault holds that left board.toml.

    Its keys and codes are kept (board.toml may have lost it to a typo or an
    old checkout), but nothing is published for it, and if a section of that
    name comes back the build refuses until a moderator restores or forgets
    it. Returns one sentence per newly retired section; the caller saves.
    """
    said = []
    # A team board defines its members-only sections in its sealed state: one
    # there has not left, whatever a stale copy of board.toml says.
    defined = set(board.sections) | set(data.get("private_sections", {}))
    for name, state in sorted(held_sections(data).items()):
        if name in defined or state.get("retired"):
            continue
        state["retired"] = True
        said.append(
            f'members-only section "{name}" is no longer in board.toml: the vault keeps its keys '
            f"and {_codes(state)} access code(s), retired, and nothing is published for it. To "
            f"bring it back, put [sections.{name}] back in board.toml and run "
            f'"quietboard section restore {name}"; to delete its keys and codes, run '
            f'"quietboard section forget {name}"'
        )
    return said


def check_returning(data: dict[str, Any], board: Board, names: list[str] | None = None) -> None:
    """`AccessError` if a section of board.toml (of NAMES) clashes with what the vault holds.

    A retired section in board.toml again must be restored or forgotten by
    a moderator, never silently opened with its old codes or given new keys;
    a section the vault holds as members-only that board.toml calls public
    would publish posts written for members.
    """
    held = held_sections(data)
    for name in board.sections if names is None else names:
        state = held.get(name)
        if state is None or name not in board.sections:
            continue
        codes = _codes(state)
        if not board.sections[name].members_only:
            restore = (
                f' and run "quietboard section restore {name}"' if state.get("retired") else ""
            )
            raise AccessError(
                f'section "{name}" is public in board.toml, but the vault holds it as a '
                f"members-only section with {codes} access code(s), so its posts were written "
                f"for members: set members_only = true in [sections.{name}] again{restore}, or "
                f"move its posts out of content/posts/{name}/ and run "
                f'"quietboard section forget {name}"'
            )
        if state.get("retired"):
            raise AccessError(
                f'section "{name}" is in board.toml again, but the vault keeps the keys and '
                f'{codes} access code(s) of the earlier "{name}", retired: run "quietboard '
                f'section restore {name}" to let those codes open it again, or "quietboard '
                f'section forget {name}" to give it new keys and no codes'
            )


def restore_section(data: dict[str, Any], board: Board, name: str) -> int:
    """Let a retired section's codes open it again; returns how many codes it has."""
    state = held_sections(data).get(name)
    if state is None:
        raise AccessError(f'the vault holds no keys for a section "{name}"; nothing was restored')
    section = board.sections.get(name)
    if section is None or not section.members_only:
        raise AccessError(
            f"put [sections.{name}] back in board.toml (with members_only = true) first, then "
            "run this again"
        )
    if not state.get("retired"):
        raise AccessError(f'"{name}" is not retired: its codes already open it')
    del state["retired"]
    return _codes(state)


def held_codes(data: dict[str, Any], name: str) -> int | None:
    """How many codes the vault holds for NAME, or None if it holds no keys for it."""
    state = held_sections(data).get(name)
    return None if state is None else _codes(state)


def forget_section(data: dict[str, Any], name: str) -> str:
    """Forget what the vault still holds of an earlier section NAME, before it is added."""
    state = data.get("members", {}).get("sections", {}).pop(name, None)
    if state is None:
        return ""
    return (
        f"The vault still held the keys and {len(state.get('codes', []))} access code(s) of an "
        f'earlier section "{name}"; they were forgotten, so no old code opens the new section.'
    )


def keyring_settings(data: dict[str, Any], board: Board) -> tuple[bytes, int]:
    """The keyring's salt and PBKDF2 count."""
    return _keyring_settings(_members(data), board)


def section_grants(data: dict[str, Any], board: Board) -> list[SectionGrants]:
    """The slot, key and code keys of every members-only section that has codes."""
    grants = []
    sections = _members(data).get("sections", {})
    for section in board.member_sections:
        state = sections.get(section.name)
        if not state or not state["codes"] or state.get("retired"):
            continue
        code_keys = [
            (
                fmt.CodeKeys(
                    lookup=fmt.unb64(code["lookup"], fmt.LOOKUP_BYTES),
                    wrap=fmt.unb64(code["wrap"], fmt.KEY_BYTES),
                ),
                dt.date.fromisoformat(code["expires"]) if code["expires"] else None,
            )
            for code in state["codes"]
        ]
        grants.append(
            SectionGrants(
                name=section.name,
                slot=fmt.unb64(state["slot"], fmt.SLOT_BYTES),
                content_key=fmt.unb64(state["key"], fmt.KEY_BYTES),
                code_keys=code_keys,
            )
        )
    return grants
