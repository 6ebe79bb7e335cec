"""Shared test helpers: the cloud stand-in server, SSE scripts, the bad-input corpus.

Plain functions and context managers (no pytest fixtures), so any test folder
can reuse them without inheriting another folder's conftest.
"""
