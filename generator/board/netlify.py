"""The few Netlify API calls `inbox fetch` needs: find the form, list, delete.

The token comes from the caller (the CLI reads NETLIFY_AUTH_TOKEN) and goes
only into the Authorization header of requests to the API: never into a
URL, a message or a file. Submissions are listed whole and only their
envelope and honeypot fields are read (generator.inbox).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from generator.errors import InboxError

API = "https://api.netlify.com/api/v1"
PER_PAGE = 100
MAX_PAGES = 1000
TIMEOUT_SECONDS = 30
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could carry the token to another host: refuse every one."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def check_api_url(url: str) -> str:
    """The API address: https, or plain http only to this machine (for tests)."""
    parts = urllib.parse.urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if parts.username is not None or parts.password is not None or not parts.hostname:
        raise InboxError(f"{url} is not a plain API address (no user name or password in it)")
    if parts.scheme != "https" and not local:
        raise InboxError(
            f"{url} is not an https:// address; the Netlify token is only sent over https"
        )
    return url.rstrip("/")


class NetlifyClient:
    def __init__(self, token: str, api: str = API) -> None:
        if not token.strip():
            raise InboxError("NETLIFY_AUTH_TOKEN is empty; set it to a Netlify access token")
        self._token = token.strip()
        self.api = check_api_url(api)

    def _request(self, method: str, path: str, query: dict[str, Any] | None = None) -> Any:
        url = self.api + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            method=method,
            headers={"Authorization": f"Bearer {self._token}", "User-Agent": "quietboard"},
        )
        try:
            with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise InboxError(_http_message(exc.code, path)) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InboxError(
                f"could not reach Netlify ({reason}); check the connection and try again. "
                "Nothing was changed"
            ) from None
        if method == "DELETE" or not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            raise InboxError("Netlify sent an answer that is not JSON; try again later") from None

    def form_id(self, site_id: str, form_name: str) -> str:
        forms = self._request("GET", f"/sites/{urllib.parse.quote(site_id, safe='')}/forms")
        for form in forms if isinstance(forms, list) else []:
            if isinstance(form, dict) and form.get("name") == form_name:
                return str(form["id"])
        raise InboxError(
            f'Netlify has no form named "{form_name}" on site {site_id}; deploy the site that '
            '"quietboard build" made (its share page declares the form), then try again'
        )

    def submissions(self, form_id: str, state: str = "") -> list[dict[str, Any]]:
        """Every submission of the form, page by page (verified, or "spam")."""
        found: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            query: dict[str, Any] = {"page": page, "per_page": PER_PAGE}
            if state:
                query["state"] = state
            batch = self._request("GET", f"/forms/{urllib.parse.quote(form_id)}/submissions", query)
            if not isinstance(batch, list):
                raise InboxError("Netlify sent submissions in a shape quietboard does not know")
            found += batch
            if len(batch) < PER_PAGE:
                break
        return found

    def delete(self, submission_id: str) -> None:
        self._request("DELETE", f"/submissions/{urllib.parse.quote(submission_id, safe='')}")


def _http_message(status: int, path: str) -> str:
    if status in (401, 403):
        return (
            f"Netlify refused the token (HTTP {status}); make a new personal access token "
            "(Netlify: User settings > Applications) and set NETLIFY_AUTH_TOKEN to it"
        )
    if status == 404 and path.startswith("/sites/"):
        return (
            "Netlify has no site with the ID in board.toml (HTTP 404); copy the site ID from "
            'Netlify\'s "Site configuration" page into [submissions] netlify_site_id'
        )
    return f"Netlify answered HTTP {status}; try again later. Nothing was changed"
