"""The build: settle, plan, render with Pelican, seal, harden, audit, serve."""
