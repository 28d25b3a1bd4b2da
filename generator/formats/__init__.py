"""Pure byte formats.

Primitives, armor, HPKE, members' sections, submissions, pseudonyms and
access codes: each written down in docs/formats/ with test vectors.
"""
