"""Pure text: scrub, sanitise, identifying details, crisis language."""
