"""sitemap.xml, written only when a board asks to be indexed.

It carries no dates at all: a last-modified day adds nothing a search engine
needs and is one more timestamp to keep honest.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape


def sitemap_xml(output_dir: Path, base_url: str) -> str:
    urls = []
    for page in sorted(output_dir.rglob("index.html")):
        rel = page.parent.relative_to(output_dir).as_posix()
        if rel.startswith(("members", "theme")):
            continue
        urls.append(f"{base_url}/" if rel == "." else f"{base_url}/{rel}/")
    entries = "\n".join(f"  <url><loc>{escape(url)}</loc></url>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}\n</urlset>\n"
    )
