"""The facts the privacy page states, taken from board.toml and nowhere else.

The page (theme/templates/privacy.html) is written on every build from
these, so it cannot drift from what the board does: change a public
section's expiry or the host, and the policy changes with it. It says
nothing that depends on the members-only sections.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.board.config import Board
from generator.board.moderation import WITHDRAWN_GRACE_DAYS


@dataclass(frozen=True)
class PrivacyFacts:
    host_name: str
    host_policy_url: str
    form: str  # "netlify" or "none"
    send_by_hand: str
    public_sections: tuple[tuple[str, int], ...]  # (title, days a post stays up)
    max_days: int
    pending_days: int
    withdrawal_days: int
    roles: tuple[str, ...]
    moderator_keys: int
    week_dates: bool
    indexed: bool
    archived: bool
    ai_allowed: bool
    contact: str


def privacy_facts(board: Board) -> PrivacyFacts:
    # Nothing about the members' sections: not their names, and not their
    # expiry, which would change the public page when one is added.
    return PrivacyFacts(
        host_name=board.privacy.host_name,
        host_policy_url=board.privacy.host_policy_url,
        form=board.submissions.form,
        send_by_hand=board.submissions.send_by_hand,
        public_sections=tuple((s.title, s.expires_days) for s in board.public_sections),
        max_days=board.max_expires_days,
        pending_days=board.privacy.pending_days,
        withdrawal_days=board.max_expires_days + WITHDRAWN_GRACE_DAYS,
        roles=tuple(board.roles.values()),
        moderator_keys=len(board.submissions.keys),
        week_dates=board.date_precision == "week",
        indexed=board.indexing.search_engines,
        archived=board.indexing.archives,
        ai_allowed=board.indexing.ai_crawlers,
        contact=board.privacy.contact,
    )
