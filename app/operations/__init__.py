"""Typed operations over an application document (SPEC §3): one change = one operation = one commit."""
