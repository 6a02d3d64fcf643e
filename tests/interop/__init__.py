"""Interop tests: eidgate against panva's oidc-provider on 127.0.0.1 (see conftest.py)."""
