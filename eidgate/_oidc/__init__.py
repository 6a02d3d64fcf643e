"""The OpenID Connect protocol, sans-IO: authorization request, callback, token exchange,
JOSE checks, provider metadata and keys, evidence of a login.

Stands on ``eidgate._identity`` (what a verified login says about the person) and on the
leaves (config, keys, errors, JSON). Private: the public names are re-exported by
``eidgate``.
"""
