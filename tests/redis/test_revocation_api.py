"""The revocation API (issue 11, "Ending sessions"): RedisSessions.sessions_of lists a
subject's sessions by opaque handles, end_session ends one on every instance; the cookie
store refuses both with one clear error."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import pytest
from redis_helpers import ISSUER, NATIONAL_ID, SECRET, Clock, person

from eidgate.web import (
    CookieSessions,
    RedisSessions,
    RevocableStore,
    SessionError,
    SessionInfo,
    SessionStore,
)

Make = Callable[..., RedisSessions]


def test_sessions_of_lists_only_that_subjects_sessions(make_store: Make,
                                                       clock: Clock) -> None:
    store = make_store(idle_timeout=600)
    start = clock.t
    store.save(person("alice"), sid="sid-a1")
    clock.t += 5
    store.save(person("alice"))  # a provider without sid
    store.save(person("bob"), sid="sid-b1")
    store.save(person("alice", issuer="https://other.example.test"), sid="sid-x")
    listed = store.sessions_of(ISSUER, "alice")
    assert len(listed) == 2  # two logins of alice here; not bob's, not the other issuer's
    first, second = listed  # oldest first
    assert (first.created_at, first.sid) == (start, "sid-a1")
    assert (second.created_at, second.sid) == (start + 5, None)
    for info in listed:
        assert isinstance(info, SessionInfo)
        assert info.provider == "op"
        assert info.last_seen == info.created_at  # no request since the login
        assert info.expires_at == info.last_seen + 600  # idle timeout before max_age
        # nothing personal beyond what the caller asked with
        text = repr(dataclasses.astuple(info))
        for personal in (NATIONAL_ID, "Tunnistus", "V\u00e4in\u00f6", "alice", ISSUER):
            assert personal not in text
        with pytest.raises(dataclasses.FrozenInstanceError):
            info.sid = "changed"  # type: ignore[misc]
    assert first.handle != second.handle
    assert len(store.sessions_of(ISSUER, "bob")) == 1
    assert store.sessions_of(ISSUER, "nobody") == []
    assert store.sessions_of("https://other.example.test", "bob") == []


def test_a_handle_is_not_a_cookie(make_store: Make) -> None:
    store = make_store()
    value = store.save(person("alice"))
    (info,) = store.sessions_of(ISSUER, "alice")
    assert info.handle not in value and value not in info.handle
    # a handle as a cookie value logs nobody in, on this instance or another
    assert store.load(info.handle) is None
    assert make_store().load(info.handle) is None
    assert store.load(value) is not None  # the real cookie still works
    store.delete(info.handle)  # "logout" with a handle as the cookie ends nothing
    assert store.load(value) is not None
    assert store.end_session(value) is False  # and a cookie is not a handle
    assert store.load(value) is not None


def test_end_session_ends_only_that_one_on_every_instance(make_store: Make) -> None:
    one, two = make_store(), make_store()
    laptop = one.save(person("alice"), sid="sid-laptop")
    phone = one.save(person("alice"), sid="sid-phone")
    # the other instance serves both from its memory cache (its listener is live)
    deadline = time.monotonic() + 5
    while laptop not in two._cache or phone not in two._cache:
        assert two.load(laptop) is not None and two.load(phone) is not None
        assert time.monotonic() < deadline, "the invalidation listener never came up"
        time.sleep(0.01)
    handle = next(i.handle for i in one.sessions_of(ISSUER, "alice") if i.sid == "sid-laptop")
    assert one.end_session(handle) is True
    assert one.load(laptop) is None  # at once on the instance that ended it
    started = time.monotonic()
    while two.load(laptop) is not None:  # the other one hears it through pub/sub
        assert time.monotonic() - started < 1.0, "still logged in on the other instance"
        time.sleep(0.002)
    assert two.load(phone) is not None and one.load(phone) is not None  # only that one
    assert [i.sid for i in two.sessions_of(ISSUER, "alice")] == ["sid-phone"]
    assert one.end_session(handle) is False  # ended already
    for bad in ("", "x", handle[:-1], handle + "A", handle.replace(handle[0], "+", 1)):
        assert one.end_session(bad) is False
    assert one.load(phone) is not None


def test_expired_sessions_are_not_listed_and_their_entries_are_dropped(
        make_store: Make, clock: Clock) -> None:
    store = make_store(max_age=3600, idle_timeout=600)
    old = store.save(person("alice"))
    clock.t += 500
    fresh = store.save(person("alice"))
    clock.t += 101  # old: 601 s idle; fresh: 101 s
    (info,) = store.sessions_of(ISSUER, "alice")
    assert info.created_at == clock.t - 101
    assert store.load(old) is None and store.load(fresh) is not None
    index = store._index(store._secrets[0], "sub", ISSUER, "alice")
    assert store.redis.scard(index) == 1  # the idle one's entry was cleaned
    # a session Redis already dropped (its key expired) leaves an entry that is cleaned too
    store.redis.delete(store.prefix + "s:" + info.handle)
    assert store.sessions_of(ISSUER, "alice") == []
    assert store.redis.scard(index) == 0
    # absolute expiry, past max_age by the store's clock
    store.save(person("bob"))
    clock.t += 3600
    assert store.sessions_of(ISSUER, "bob") == []


def test_the_protocols() -> None:
    class Minimal:  # a custom store with only what SessionStore asks
        def save(self, identity: object, **fields: object) -> str:
            return ""

        def load(self, value: str | None) -> None:
            return None

        def delete(self, value: str | None) -> None:
            return None

        def end(self, issuer: str, *, sid: str | None = None,
                sub: str | None = None) -> int:
            return 0

    assert not isinstance(Minimal(), RevocableStore)  # SessionStore alone stays enough
    assert issubclass(RedisSessions, RevocableStore)
    store: SessionStore = CookieSessions([SECRET], 3600)
    assert store is not None


def test_the_cookie_store_says_what_it_cannot_do() -> None:
    cookies = CookieSessions([SECRET], 3600)
    value = cookies.save(person("alice"))
    calls: list[Callable[[], object]] = [
        lambda: cookies.sessions_of(ISSUER, "alice"),
        lambda: cookies.end_session(value),
        lambda: cookies.end(ISSUER, sub="alice"),
    ]
    for call in calls:
        with pytest.raises(SessionError) as caught:
            call()
        assert caught.value.error == "sessions_not_revocable"
        message = str(caught.value)
        assert "cannot list or end sessions" in message
        assert "Redis store" in message and 'store = "redis"' in message
    assert cookies.load(value) is not None  # nothing was ended
