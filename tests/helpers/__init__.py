"""Fixtures and harnesses shared by the test suites (imported by tests/conftest.py)."""
