"""Pelican glue: write _headers, robots.txt and (when indexing is allowed) sitemap.xml.

Their text comes from generator.board.hosting through the QUIETBOARD setting.
"""

from pathlib import Path

from pelican import signals

from generator.site.sitemap import sitemap_xml


def write_host_files(pelican):
    quietboard = pelican.settings["QUIETBOARD"]
    board = quietboard["board"]
    output = Path(pelican.output_path)
    (output / "_headers").write_text(quietboard["headers_file"], encoding="utf-8")
    (output / "robots.txt").write_text(quietboard["robots_txt"], encoding="utf-8")
    if board.indexing.search_engines and board.base_url:
        (output / "sitemap.xml").write_text(sitemap_xml(output, board.base_url), encoding="utf-8")


def register():
    signals.finalized.connect(write_host_files)
