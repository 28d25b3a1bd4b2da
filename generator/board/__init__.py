"""A moderator's data and every action that changes it.

board.toml and its edits, posts and threads, the vault (queue, access codes,
keys, decisions), and the actions that must survive a crash.
"""
