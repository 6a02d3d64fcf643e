"""The link to ``django.contrib.auth``: an eID login as a Django ``User`` (off by default).

    EIDGATE = {"config": ..., "users": True}       # or {"key": "national_id", "create": False}
    AUTHENTICATION_BACKENDS = ["eidgate_adapters.django.auth.EidGateBackend",
                               "django.contrib.auth.backends.ModelBackend"]
    MIDDLEWARE = [..., "django.contrib.auth.middleware.AuthenticationMiddleware",
                  "eidgate_adapters.django.EidGateMiddleware"]

Each verified identity maps to one user by a stable key: ``"subject"`` (the default: the
issuer and the provider's ``sub``, never reassigned per issuer (OIDC Core 2), and together
the only stable identifier OIDC Core 5.7 lets an RP rely on), ``"national_id"`` (a valid
national number with its country and type: one user across eIDs of one country), or a
function ``(Identity) -> str | None``. Never by name or e-mail alone: neither is unique nor
verified by every eID. The user's ``USERNAME_FIELD`` is
``"eid-"`` and the key's SHA-256 (the key may be long, and the table then holds no national
number in clear; a digest of one is still personal data). ``request.user`` follows the
eidgate session: logging out of eidgate, or a back-channel logout ending the session, logs
the person out of Django at once; ``@permission_required``, groups and the admin work with
the user's flags and permissions (the backend is a ``ModelBackend``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from eidgate import Identity, LoginResult
from eidgate.web import GateOptions

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    UserKey = Callable[[Identity], str | None]

log = logging.getLogger("eidgate.django")
BACKEND = "eidgate_adapters.django.auth.EidGateBackend"
KEYS = ("subject", "national_id")
#: where the session keeps the user's primary key (``get_session_data(request)``)
USER_KEY = "django_user"
_USER = "_eidgate_user"


def _by_subject(identity: Identity) -> str | None:
    # OIDC Core 5.7: "the sub and iss Claims, used together, are the only Claims that an RP
    # can rely upon as a stable identifier for the End-User" (never email or names)
    if not identity.issuer or not identity.subject:
        return None
    return f"subject\n{identity.issuer}\n{identity.subject}"


def _by_national_id(identity: Identity) -> str | None:
    number = identity.national_id
    if number is None or not number.valid:  # an invalid number is kept as sent: no key
        return None
    return f"national_id\n{number.country}\n{number.type}\n{number.value}"


def key_function(users: Any) -> UserKey:
    """The key function ``EIDGATE["users"]`` chooses (``True``: issuer and subject)."""
    how = users.get("key", "subject") if isinstance(users, Mapping) else "subject"
    if callable(how):
        return how  # type: ignore[no-any-return]
    if how == "subject":
        return _by_subject
    if how == "national_id":
        return _by_national_id
    raise ValueError(f"users: key must be one of {', '.join(KEYS)} or a function "
                     f"(Identity) -> str | None, not {how!r} (never a name or e-mail alone)")


def username(key: str) -> str:
    """The ``USERNAME_FIELD`` value of the user a key maps to."""
    return "eid-" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def link_users(options: GateOptions, users: Any) -> GateOptions:
    """The gate's options with the user link in its ``on_login`` hook (after the app's own,
    which may refuse the login or keep data): the user's primary key is kept with the
    session under :data:`USER_KEY`, where ``request.user`` finds it."""
    key_function(users)
    if isinstance(users, Mapping) and set(users) - {"key", "create"}:
        raise ValueError(f"users: unknown key {sorted(set(users) - {'key', 'create'})[0]!r}; "
                         "the keys are: create, key")
    app_hook = options.get("on_login")

    def keep(result: LoginResult, data: Mapping[str, Any] | None) -> dict[str, Any] | None:
        user = user_for(result.identity, users) if result.identity is not None else None
        kept = dict(data or {})
        if user is not None:
            kept[USER_KEY] = str(user.pk)  # the session keeps JSON
        return kept or None

    if app_hook is not None and iscoroutinefunction(app_hook):
        async def on_login(result: LoginResult) -> dict[str, Any] | None:
            data = await cast(Callable[..., Awaitable[Mapping[str, Any] | None]],
                              app_hook)(result)
            return await sync_to_async(keep)(result, data)  # the ORM: in a thread
    else:
        # the drivers run a sync hook in a worker thread under ASGI, where the ORM may run
        def on_login(result: LoginResult) -> dict[str, Any] | None:  # type: ignore[misc]
            data = app_hook(result) if app_hook is not None else None
            return keep(result, cast(Mapping[str, Any] | None, data))
    return cast(GateOptions, {**options, "on_login": on_login})


def user_for(identity: Identity, users: Any) -> AbstractBaseUser | None:
    """The user an identity maps to (created on its first login unless ``create`` is
    False), or None when it has no key or no (active) user."""
    key = key_function(users)(identity)
    if key is None:
        return None
    model = get_user_model()
    # the one field an app's user model makes unique for logins (a custom model's too)
    lookup: dict[str, Any] = {str(model.USERNAME_FIELD): username(key)}
    create = users.get("create", True) if isinstance(users, Mapping) else True
    try:
        user = model._default_manager.get(**lookup)
    except model.DoesNotExist:
        if not create:
            return None
        user, made = model._default_manager.get_or_create(**lookup)
        if made:
            user.set_unusable_password()  # an eID login only: no password to guess
            user.save(update_fields=["password"])
            log.info("eidgate: a new user for a login by provider %s", identity.provider)
    return user if getattr(user, "is_active", True) else None


class EidGateBackend(ModelBackend):
    """An authentication backend for eID logins: ``authenticate(request, identity=...)``
    maps a verified :class:`~eidgate.Identity` to its user (by ``EIDGATE["users"]``);
    permissions and ``get_user`` are ``ModelBackend``'s. Never authenticates a password."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> AbstractBaseUser | None:
        """The user of ``identity=`` (a verified login), else None."""
        identity = kwargs.get("identity")
        if not isinstance(identity, Identity):
            return None
        from ._gates import gates

        return user_for(identity, gates().users or True)


def _user(request: HttpRequest, prior: Any) -> Any:
    found = request.__dict__.get(_USER)
    if found is None:
        from . import get_identity, get_session_data
        from ._gates import gates

        identity = get_identity(request)
        if identity is None:  # not logged in with eidgate: Django's own login, if any
            found = prior if prior is not None else AnonymousUser()
        else:
            # the user on_login found at the login; by the key for a session made before
            # the link was on (ModelBackend.get_user: None for an inactive user)
            pk = get_session_data(request).get(USER_KEY)
            found = (EidGateBackend().get_user(pk) if pk is not None else user_for(
                identity, gates().users)) or AnonymousUser()
            if not isinstance(found, AnonymousUser):
                found.backend = BACKEND  # as django.contrib.auth.login() marks a user
        request.__dict__[_USER] = found
    return found


def attach_user(request: HttpRequest) -> None:
    """``request.user`` and ``request.auser()`` from the eidgate session (lazily: the
    database is asked only when a view looks)."""
    prior = request.__dict__.get("user")  # AuthenticationMiddleware's (a lazy object)

    async def auser() -> Any:
        return await sync_to_async(_user)(request, prior)

    request.user = SimpleLazyObject(lambda: _user(request, prior))  # type: ignore[assignment,unused-ignore]
    request.auser = auser  # type: ignore[attr-defined,unused-ignore]


__all__ = ["BACKEND", "USER_KEY", "EidGateBackend", "key_function", "link_users", "user_for",
           "username"]
