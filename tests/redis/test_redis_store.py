"""RedisSessions against a real redis-server: what the cookie holds, what Redis holds,
expiry, ending sessions, several instances, several apps, secret rotation."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from redis_helpers import ISSUER, NATIONAL_ID, Clock, person
from redis_server import RedisServer, SentinelServer

from eidgate.web import RedisSessions, SessionStore, SessionStoreUnavailable

Make = Callable[..., RedisSessions]


def test_save_load_delete_round_trip(make_store: Make) -> None:
    store = make_store()
    typed: SessionStore = store  # the protocol, for mypy
    assert typed is store
    who = person()
    value = store.save(who, sid="provider-session-1")
    found = store.load(value)
    assert found is not None
    identity, fields = found
    assert identity.to_dict() == who.to_dict()  # every field, claims and warnings too
    assert identity.claims == who.claims
    assert fields == {"sid": "provider-session-1"}
    store.delete(value)
    assert store.load(value) is None
    store.delete(value)  # twice: nothing left to end, no error
    store.delete(None)


def test_the_cookie_is_a_short_signed_opaque_id(make_store: Make) -> None:
    store = make_store()
    who = person()
    values = {store.save(who) for _ in range(20)}
    assert len(values) == 20  # a new random id per session
    for value in values:
        assert len(value) <= 100
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}", value)
        for personal in (who.subject, NATIONAL_ID, "Tunnistus", "V\u00e4in\u00f6"):
            assert personal not in value


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]


def test_tampered_forged_and_unknown_values_read_as_logged_out(make_store: Make) -> None:
    store = make_store()
    value = store.save(person())
    other_app = make_store(secrets=("another-apps-secret-0123456789",))
    bad = [
        _flip(value, 0), _flip(value, 42), _flip(value, 50), _flip(value, 65),  # id, tag
        value[:43] + "." + value[:22],  # a tag that is not the id's
        value + "A", value[:-1], value.replace(".", "-"), value[:43],
        value.replace(value[0], "+", 1), value.replace(value[0], "=", 1),  # other spellings
        other_app.save(person()),  # well formed, signed with another secret
        "", "x" * 66, "x" * 5000, "\u00e9" * 66, None,
    ]
    for candidate in bad:
        assert store.load(candidate) is None, candidate
        store.delete(candidate)  # nothing to end, no error
    assert store.load(value) is not None  # none of them ended the real one
    store.delete(value)
    assert store.load(value) is None  # well signed, but no longer in Redis


def test_redis_holds_no_session_id_and_no_personal_data(make_store: Make) -> None:
    store = make_store()
    who = person()
    values = [store.save(who, sid="sid-personal-looking-42") for _ in range(3)]
    client = store.redis
    keys = [k.decode() for k in client.keys(store.prefix + "*")]
    assert len(keys) == 3 + 2  # the sessions, the sid and sub indexes
    dump = b""
    for key in keys:
        for value in values:
            assert value[:43] not in key and value[44:] not in key  # id and tag
        assert who.subject not in key and "sid-personal" not in key
        kind = client.type(key)
        if kind == b"hash":
            fields = client.hgetall(key)
            assert set(fields) == {b"v", b"seen", b"exp"}
            dump += b"".join(fields.values())
        else:
            assert kind == b"set"
            dump += b"".join(client.smembers(key))
    for personal in (who.subject, NATIONAL_ID, "Tunnistus", "V\u00e4in\u00f6", "hetu",
                     "sid-personal-looking-42", ISSUER, "1970"):
        assert personal.encode() not in dump, personal


def test_a_sealed_value_moved_under_another_key_does_not_open(make_store: Make) -> None:
    # the Redis key is the associated data: someone who can write to Redis cannot hand
    # their cookie the victim's session
    store = make_store()
    victim, mine = store.save(person("victim")), store.save(person("mine"))
    client = store.redis
    sessions = sorted(k for k in client.keys(store.prefix + "s:*"))
    values = [client.hget(k, "v") for k in sessions]
    client.hset(sessions[0], "v", values[1])
    client.hset(sessions[1], "v", values[0])
    assert store.load(victim) is None and store.load(mine) is None


def test_absolute_expiry(make_store: Make, clock: Clock) -> None:
    store = make_store(max_age=3600)
    value = store.save(person())
    assert store.load(value) is not None
    clock.t += 3599
    assert store.load(value) is not None  # cached or read: still valid
    clock.t += 1
    assert store.load(value) is None
    ttl = store.redis.ttl(store.redis.keys(store.prefix + "s:*")[0]) if store.redis.keys(
        store.prefix + "s:*") else -2
    assert ttl <= 3600  # Redis drops it with the session, whatever the clock


def test_a_shorter_max_age_now_bounds_older_sessions(make_store: Make, clock: Clock) -> None:
    value = make_store(max_age=7200).save(person())
    clock.t += 3601
    assert make_store(max_age=3600).load(value) is None


def test_idle_expiry_slides_without_a_write_per_request(make_store: Make,
                                                        clock: Clock) -> None:
    store = make_store(max_age=8 * 3600, idle_timeout=600)
    start = clock.t
    value = store.save(person())
    key = store.redis.keys(store.prefix + "s:*")[0]
    assert 0 < store.redis.ttl(key) <= 600  # Redis ends it after idle_timeout, too

    def seen() -> float:
        return float(store.redis.hget(key, "seen") or 0)

    for step in range(1, 6):  # requests every 10 s: no write (1/10 of idle_timeout is 60)
        clock.t = start + 10 * step
        assert store.load(value) is not None
        assert seen() == start
    clock.t = start + 61
    assert store.load(value) is not None
    assert seen() == start + 61  # slid once
    assert 590 <= store.redis.ttl(key) <= 600
    clock.t = start + 61 + 599
    assert store.load(value) is not None  # 599 s idle: still there (and slid again)
    clock.t += 601
    assert store.load(value) is None  # 601 s without a request
    assert store.redis.exists(key) == 0


def test_idle_expiry_seen_by_an_instance_that_cached_the_session(make_store: Make,
                                                                 clock: Clock) -> None:
    one, two = make_store(idle_timeout=600), make_store(idle_timeout=600)
    value = one.save(person())
    _warm(two, value)
    clock.t += 300
    assert one.load(value) is not None  # a request on the other instance slides it
    clock.t += 500  # 800 s after two last read it, 500 s after the last request
    assert two.load(value) is not None  # two asks Redis, which knows the later request
    clock.t += 601
    assert two.load(value) is None and one.load(value) is None


def _warm(store: RedisSessions, value: str) -> None:
    """Read until the store serves ``value`` from its cache (its listener is live)."""
    deadline = time.monotonic() + 5
    while value not in store._cache:
        assert store.load(value) is not None
        assert time.monotonic() < deadline, "the invalidation listener never came up"
        time.sleep(0.01)


def test_end_by_sid_and_by_subject(make_store: Make) -> None:
    store = make_store()
    a = store.save(person("alice"), sid="sid-a1")
    a2 = store.save(person("alice"), sid="sid-a2")
    b = store.save(person("bob"), sid="sid-b1")
    elsewhere = store.save(person("alice", issuer="https://other.example.test"),
                           sid="sid-a1")
    no_sid = store.save(person("alice"))
    assert store.end(ISSUER, sid="sid-a1") == 1
    assert store.load(a) is None
    assert all(store.load(v) is not None for v in (a2, b, elsewhere, no_sid))
    assert store.end(ISSUER, sid="sid-a2", sub="bob") == 0  # both given: both must match
    assert store.load(a2) is not None
    assert store.end(ISSUER, sid="sid-b1", sub="bob") == 1
    assert store.load(b) is None
    assert store.end(ISSUER, sub="alice") == 2  # log me out everywhere (at this issuer)
    assert store.load(a2) is None and store.load(no_sid) is None
    assert store.load(elsewhere) is not None
    assert store.end(ISSUER, sub="alice") == 0  # nothing left: a success, not an error
    assert store.end("https://other.example.test", sid="sid-a1") == 1
    with pytest.raises(ValueError, match="sid= or sub="):
        store.end(ISSUER)


def _gone_within(store: RedisSessions, value: str, bound: float = 1.0) -> float:
    started = time.monotonic()
    while store.load(value) is not None:
        assert time.monotonic() - started < bound, f"still logged in after {bound} s"
        time.sleep(0.002)
    return time.monotonic() - started


def test_a_logout_on_one_instance_is_seen_by_another_within_a_second(
        make_store: Make) -> None:
    one, two = make_store(), make_store()
    value = one.save(person())
    _warm(two, value)
    # two serves it without Redis now: a key removed behind its back is not noticed...
    key = one.redis.keys(one.prefix + "s:*")[0]
    saved = one.redis.dump(key)
    one.redis.delete(key)
    assert two.load(value) is not None
    one.redis.restore(key, 0, saved)
    # ...but an ending through the store reaches it
    one.delete(value)
    elapsed = _gone_within(two, value)
    print(f"logout propagated to the other instance in {elapsed * 1000:.1f} ms")


def test_end_on_one_instance_is_seen_by_another_within_a_second(make_store: Make) -> None:
    one, two = make_store(), make_store()
    values = [one.save(person("carol"), sid=f"s{i}") for i in range(3)]
    for value in values:
        _warm(two, value)
    assert one.end(ISSUER, sub="carol") == 3
    for value in values:
        _gone_within(two, value)


def test_key_prefix_keeps_two_apps_apart(make_store: Make, clock: Clock) -> None:
    app_a = make_store(key_prefix="app-a:")
    app_b = make_store(key_prefix="app-b:")
    value = app_a.save(person("dave"), sid="sid-d")
    assert app_b.load(value) is None  # same secret, other app: not its session
    assert app_b.end(ISSUER, sub="dave") == 0
    assert app_b.end(ISSUER, sid="sid-d") == 0
    assert app_a.load(value) is not None
    assert all(k.startswith(b"app-a:") for k in app_a.redis.keys("app-a:*"))
    assert app_a.redis.keys("app-b:*") == []
    app_a.end(ISSUER, sub="dave")


def test_secret_rotation(make_store: Make) -> None:
    old_secret, new_secret = "old-secret-0123456789abcdef", "new-secret-0123456789abcdef"
    before = make_store(secrets=(old_secret,))
    value = before.save(person("erin"), sid="sid-e")
    rotated = make_store(secrets=(new_secret, old_secret))  # a new first secret
    found = rotated.load(value)
    assert found is not None and found[0].subject == "erin"
    fresh = rotated.save(person("erin"))
    assert before.load(fresh) is None  # new sessions are the new secret's
    assert rotated.end(ISSUER, sid="sid-e") == 1  # the old index is still found
    again = before.save(person("erin"))
    assert rotated.load(again) is not None
    removed = make_store(secrets=(new_secret,))  # the old secret removed
    assert removed.load(again) is None  # logged out cleanly
    assert removed.load(fresh) is not None


def test_the_cache_forgets_an_ended_session_at_once_on_its_own_instance(
        make_store: Make) -> None:
    store = make_store()
    value = store.save(person())
    _warm(store, value)
    store.delete(value)
    assert store.load(value) is None  # no second's wait on the instance that ended it


def test_from_url_errors_are_never_redis_exceptions(make_store: Make) -> None:
    # a Redis that refuses the command (a wrong database) is a store error, not redis-py's
    store = make_store(url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    from eidgate.web import SessionStoreUnavailable

    with pytest.raises(SessionStoreUnavailable) as caught:
        store.save(person())
    assert caught.value.status == 503
    assert not isinstance(caught.value, redis.RedisError)


def test_through_sentinel(tmp_path: Path, make_store: Make) -> None:
    # redis+sentinel://host:port[,host:port]/service_name/db: the store asks the sentinels
    # for the primary of the service
    primary = RedisServer(tmp_path / "primary").start()
    try:
        with SentinelServer(tmp_path / "sentinel", primary) as sentinel:
            url = f"redis+sentinel://127.0.0.1:{sentinel.port},127.0.0.1:1/mymaster/2"
            store = make_store(url=url)
            value = store.save(person("grace"))
            assert store.load(value) is not None
            direct = redis.Redis.from_url(primary.url.replace("/0", "/2"))
            assert direct.keys(store.prefix + "s:*")  # in the primary's database 2
            direct.close()
    finally:
        primary.stop()


def test_a_value_redis_mangled_reads_as_logged_out(make_store: Make) -> None:
    store = make_store()
    values = [store.save(person()) for _ in range(4)]
    keys = sorted(store.redis.keys(store.prefix + "s:*"))
    nonce = bytes(12)
    well_sealed_junk = b"\x01" + nonce + store._secrets[0].aead.encrypt(
        nonce, b'{"v": 1, "id": "not an identity"}', keys[3])  # opens, but is no session
    for key, junk in zip(keys, (b"junk", b"\x02" + 40 * b"x", b"\x01" + 40 * b"x",
                                well_sealed_junk), strict=True):
        store.redis.hset(key, "v", junk)
    assert [store.load(v) for v in values] == [None] * 4


def test_first_use_of_a_logout_token_on_any_instance(make_store: Make) -> None:
    from eidgate import ReplayCache

    one, two = make_store(), make_store()
    assert isinstance(one, ReplayCache)
    assert one.first_use(ISSUER, "jti-1", 60) is True
    assert two.first_use(ISSUER, "jti-1", 60) is False  # a replay at another instance
    assert one.first_use(ISSUER, "jti-1", 60) is False
    assert two.first_use("https://other.example.test", "jti-1", 60) is True
    assert one.first_use(ISSUER, "jti-2", 0.05) is True
    assert [k for k in one.redis.keys(one.prefix + "jti:*") if b"jti-1" in k] == []
    time.sleep(0.1)
    assert one.first_use(ISSUER, "jti-2", 60) is True  # its ttl ran out


def test_a_sentinel_failover(tmp_path: Path, make_store: Make) -> None:
    # the primary stops, the sentinel promotes the replica: the store answers 503 (bounded)
    # meanwhile, then finds the new primary by itself, with the replicated sessions
    primary = RedisServer(tmp_path / "primary").start()
    replica = RedisServer(tmp_path / "replica", replica_of=primary).start()
    try:
        with SentinelServer(tmp_path / "sentinel", primary) as sentinel:
            store = make_store(url=f"redis+sentinel://127.0.0.1:{sentinel.port}/mymaster")
            value = store.save(person("ivan"))
            on_replica = redis.Redis.from_url(replica.url)
            deadline = time.monotonic() + 10
            while not on_replica.keys(store.prefix + "s:*"):  # replicated before the fault
                assert time.monotonic() < deadline, "the replica never synced"
                time.sleep(0.05)
            on_replica.close()
            primary.stop()
            deadline = time.monotonic() + 30
            outages = 0
            while True:
                started = time.monotonic()
                try:
                    found = store.load(value)
                    break
                except SessionStoreUnavailable:
                    outages += 1
                    assert time.monotonic() - started < 2.5  # each call stays bounded
                assert time.monotonic() < deadline, "no failover within 30 s"
                time.sleep(0.2)
            assert found is not None and found[0].subject == "ivan"
            assert outages > 0  # it was down for a while, and came back without a restart
            assert store.save(person("judy"))  # written to the promoted replica
    finally:
        replica.stop()
        primary.stop()
