"""Small named exceptions. Each message says what went wrong and what to do.

Messages are shown to moderators as `Error: <message>`, so they must never
contain a secret, a passphrase, an access code or post text.
"""


def printable(text: str) -> str:
    """TEXT with every control and invisible character written as an escape (`\\n`).

    Names and values from a moderator's files (a key, a file name, a date line)
    reach messages; a newline, escape sequence or bidi control in them would
    split the one-line message, drive the terminal or disguise the text.
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class QuietboardError(Exception):
    """Base class for every error a moderator can act on."""

    def __str__(self) -> str:
        return printable(super().__str__())


class ConfigError(QuietboardError):
    """board.toml is missing, unreadable or holds a bad value."""


class ContentError(QuietboardError):
    """A file under content/ cannot be published as it is."""


class BuildError(QuietboardError):
    """The site could not be built; output/ was left as it was."""


class AuditError(QuietboardError):
    """The built output breaks one of quietboard's guarantees."""

    def __init__(self, findings: list) -> None:
        self.findings = findings
        first = findings[0]
        more = f" (and {len(findings) - 1} more finding(s))" if len(findings) > 1 else ""
        super().__init__(f"{first}{more}")


class BoardExistsError(QuietboardError):
    """`init` was asked to write over an existing board."""


class VaultError(QuietboardError):
    """The moderators' vault cannot be opened, created or changed."""


class AccessError(QuietboardError):
    """An access-code or section request that cannot be carried out."""


class InboxError(QuietboardError):
    """Submissions could not be imported or fetched; the queue is unchanged."""


class ModerationError(QuietboardError):
    """A queue action that cannot be carried out; the queue and content are unchanged."""


class ImageError(ContentError):
    """An image in content/images cannot be published; nothing was written."""


class SyncError(QuietboardError):
    """The board could not be synced with the other moderators through git."""


class SyncConflictError(SyncError):
    """A plain file was changed here and by another moderator in ways that clash.

    Nothing was pushed and nothing in the board folder changed; `path` names
    the file so that a caller can show the other moderator's version.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(message)
