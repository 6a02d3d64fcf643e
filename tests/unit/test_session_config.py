"""``[eidgate.session]`` in real TOML files: the defaults, every spelling of the Redis URL,
and one ConfigError per mistake, naming the file, the key and the fix (never the URL: it
may hold a password)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eidgate import ConfigError, load_config
from eidgate._config_session import SessionConfig, sentinel_url

BASE = """[eidgate]
base_url = "https://app.example.test"
secret_key = "session-config-test-secret-0123"
session_max_age = 28800

[providers.op]
issuer = "https://op.example.test"
client_id = "client"
client_secret = "client-secret"
"""
PASSWORD = "s3cret-pa55word"


def load(tmp_path: Path, session: str | None) -> SessionConfig:
    path = tmp_path / "eidgate.toml"
    text = BASE if session is None else BASE + "\n[eidgate.session]\n" + session + "\n"
    path.write_text(text, encoding="utf-8")
    return load_config(path).session


def test_the_default_is_the_cookie_store(tmp_path: Path) -> None:
    assert load(tmp_path, None) == SessionConfig()
    assert load(tmp_path, 'store = "cookie"') == SessionConfig(store="cookie")
    assert SessionConfig().store == "cookie" and SessionConfig().url is None


@pytest.mark.parametrize("url", [
    "redis://localhost:6379/0", "redis://localhost", f"redis://:{PASSWORD}@10.0.0.5:6380/2",
    f"rediss://app:{PASSWORD}@redis.example.test:6380/0", "unix:///run/redis/redis.sock",
    "unix:///run/redis/redis.sock?db=1", "redis+sentinel://s1:26379,s2:26379,s3:26379/mymaster",
    f"rediss+sentinel://:{PASSWORD}@s1:26379/mymaster/3", "redis+sentinel://[::1]:26379/m",
])
def test_redis_urls(tmp_path: Path, url: str) -> None:
    session = load(tmp_path, f'store = "redis"\nurl = "{url}"')
    assert session == SessionConfig(store="redis", url=url)
    assert PASSWORD not in repr(session)  # a config in a log line keeps the password


def test_url_env_idle_timeout_and_key_prefix(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EIDGATE_TEST_REDIS_URL", "rediss://redis.example.test:6380/1")
    session = load(tmp_path, 'store = "redis"\nurl_env = "EIDGATE_TEST_REDIS_URL"\n'
                             'idle_timeout = 1800\nkey_prefix = "shop:{eid}:"')
    assert session == SessionConfig(store="redis", url="rediss://redis.example.test:6380/1",
                                    idle_timeout=1800, key_prefix="shop:{eid}:")


def test_sentinel_url_splits_for_redis_py() -> None:
    assert sentinel_url(f"rediss+sentinel://app:{PASSWORD}@s1:26379,[::1]:26380/my%20m/2") == (
        [("s1", 26379), ("::1", 26380)], "my m", 2, True, "app", PASSWORD)
    assert sentinel_url("redis+sentinel://s1:26379/mymaster") == (
        [("s1", 26379)], "mymaster", 0, False, None, None)


MISTAKES = [
    # (the [eidgate.session] table, the key the error names, words of the fix)
    ('store = "memcached"', "eidgate.session.store", 'store = "redis"'),
    ("store = 1", "eidgate.session.store", "must be a str"),
    ('stor = "redis"', "eidgate.session.stor", "did you mean 'store'"),
    ('store = "redis"\nurl = "redis://x"\nidle_timout = 600', "eidgate.session.idle_timout",
     "did you mean 'idle_timeout'"),
    ('idle_timeout = 600', "eidgate.session.idle_timeout", 'needs store = "redis"'),
    ('url = "redis://x"', "eidgate.session.url", 'needs store = "redis"'),
    ('key_prefix = "a:"', "eidgate.session.key_prefix", 'needs store = "redis"'),
    ('store = "redis"', "eidgate.session.url_env", 'url_env = "REDIS_URL"'),
    ('store = "redis"\nurl = "redis://x"\nurl_env = "EIDGATE_TEST_REDIS_URL"',
     "eidgate.session.url", "url OR url_env"),
    ('store = "redis"\nurl_env = "EIDGATE_TEST_UNSET_VARIABLE"', "eidgate.session.url_env",
     "export EIDGATE_TEST_UNSET_VARIABLE"),
    ('store = "redis"\nurl_env = ["EIDGATE_TEST_REDIS_URL", "EIDGATE_TEST_REDIS_URL"]',
     "eidgate.session.url_env", "one environment variable"),
    ('store = "redis"\nurl = "http://redis:6379"', "eidgate.session.url", "redis://host"),
    ('store = "redis"\nurl = "redis-host:6379"', "eidgate.session.url", "not a Redis URL"),
    ('store = "redis"\nurl = "redis://"', "eidgate.session.url", "no host"),
    ('store = "redis"\nurl = "redis://h:port/0"', "eidgate.session.url", "rediss://"),
    ('store = "redis"\nurl = "redis://h:6379/zero"', "eidgate.session.url", "database number"),
    ('store = "redis"\nurl = "unix://"', "eidgate.session.url", "socket path"),
    ('store = "redis"\nurl = "redis+sentinel://s1/mymaster"', "eidgate.session.url",
     "host:port"),
    ('store = "redis"\nurl = "redis+sentinel://s1:26379"', "eidgate.session.url",
     "/service_name"),
    ('store = "redis"\nurl = "redis+sentinel://s1:26379/m/x"', "eidgate.session.url",
     "/service_name/db"),
    ('store = "redis"\nurl = "redis+sentinel://s1:99999/m"', "eidgate.session.url",
     "host:port"),
    ('store = "redis"\nurl = "redis://x"\nidle_timeout = 30', "eidgate.session.idle_timeout",
     "60 seconds or more"),
    ('store = "redis"\nurl = "redis://x"\nidle_timeout = 28800',
     "eidgate.session.idle_timeout", "less than session_max_age (28800)"),
    ('store = "redis"\nurl = "redis://x"\nidle_timeout = 600.5',
     "eidgate.session.idle_timeout", "must be a int"),
    ('store = "redis"\nurl = "redis://x"\nidle_timeout = true',
     "eidgate.session.idle_timeout", "must be a int"),
    ('store = "redis"\nurl = "redis://x"\nkey_prefix = ""', "eidgate.session.key_prefix",
     'key_prefix = "myapp:"'),
    ('store = "redis"\nurl = "redis://x"\nkey_prefix = "my app"',
     "eidgate.session.key_prefix", "letters, digits"),
    ('store = "redis"\nurl = "redis://x"\nkey_prefix = "' + "p" * 65 + '"',
     "eidgate.session.key_prefix", "1 to 64"),
]


@pytest.mark.parametrize(("session", "key", "fix"), MISTAKES)
def test_each_mistake_names_file_key_and_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             session: str, key: str, fix: str) -> None:
    monkeypatch.setenv("EIDGATE_TEST_REDIS_URL", "redis://localhost:6379/0")
    monkeypatch.delenv("EIDGATE_TEST_UNSET_VARIABLE", raising=False)
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, session)
    message = str(caught.value)
    assert str(tmp_path / "eidgate.toml") in message
    assert caught.value.key == key and key in message
    assert fix in message, message


def test_session_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "eidgate.toml"
    path.write_text(BASE.replace('session_max_age = 28800',
                                 'session_max_age = 28800\nsession = "redis"'),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"eidgate\.session.*must be a table"):
        load_config(path)


@pytest.mark.parametrize("url", [
    f"redis://:{PASSWORD}@h:port/0", f"http://:{PASSWORD}@h/0",
    f"redis+sentinel://:{PASSWORD}@s1/m", f"redis://:{PASSWORD}@h:6379/x",
])
def test_errors_never_show_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        url: str) -> None:
    monkeypatch.setenv("EIDGATE_TEST_REDIS_URL", url)
    for session in (f'store = "redis"\nurl = "{url}"',
                    'store = "redis"\nurl_env = "EIDGATE_TEST_REDIS_URL"'):
        with pytest.raises(ConfigError) as caught:
            load(tmp_path, session)
        assert PASSWORD not in str(caught.value)
        assert caught.value.key in ("eidgate.session.url", "eidgate.session.url_env")
