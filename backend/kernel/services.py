"""The services of one process, typed, and how routes, jobs and event handlers are given them.

The composition root builds one `Services` per app or worker; parts add their runtimes to
it when they start. Routes ask for a service by naming it as a parameter (`settings`,
`vault`, `keys`, `jobs`, `enablement`, `storage`, or a part's runtime through the provider
`provide_runtime` makes); jobs and event handlers find them on their `JobContext`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from piccolo.engine.base import Engine

from backend.kernel.enablement.service import Enablement
from backend.kernel.jobs import JobQueue
from backend.kernel.settings import Settings
from backend.kernel.storage import LocalDiskStorage, Storage
from backend.kernel.vault import Vault, vault_for

if TYPE_CHECKING:
    from litestar import Litestar

    from backend.kernel.events.outbox import EventBus
    from backend.kernel.registry import Registry

T = TypeVar("T")

_STATE_KEY = "yimen_services"


class SigningKey(msgspec.Struct, frozen=True):
    """One of the platform's signing keys: what signs access tokens and health codes."""

    kid: str
    algorithm: str
    private: Any
    public: Any
    jwk: dict[str, Any]


@runtime_checkable
class PlatformKeys(Protocol):
    """The platform's signing keys: the one that signs now, and every key the JWKS publishes."""

    @property
    def signer(self) -> SigningKey: ...

    @property
    def jwks(self) -> bytes: ...

    def get(self, kid: str) -> SigningKey | None: ...


class Services:
    """What one app or worker process holds for its parts."""

    def __init__(self, settings: Settings, registry: Registry, engine: Engine) -> None:
        self.settings = settings
        self.registry = registry
        self.engine = engine
        self.vault: Vault = vault_for(settings.secret)
        self.storage: Storage = LocalDiskStorage(settings.media_dir)
        self._jobs: JobQueue | None = None
        self._keys: PlatformKeys | None = None
        self._enablement: Enablement | None = None
        self._runtimes: dict[type, object] = {}
        self.bus: EventBus | None = None  # set while the host runs

    @property
    def jobs(self) -> JobQueue:
        return _started(self._jobs, "job queue")

    @jobs.setter
    def jobs(self, queue: JobQueue | None) -> None:
        self._jobs = queue

    @property
    def has_jobs(self) -> bool:
        return self._jobs is not None

    @property
    def keys(self) -> PlatformKeys:
        return _started(self._keys, "platform keys")

    @keys.setter
    def keys(self, keys: PlatformKeys) -> None:
        self._keys = keys

    @property
    def enablement(self) -> Enablement:
        return _started(self._enablement, "district switches")

    @enablement.setter
    def enablement(self, enablement: Enablement) -> None:
        self._enablement = enablement

    def add_runtime(self, runtime: object) -> None:
        """A part's runtime, found again by its type."""
        self._runtimes[type(runtime)] = runtime

    def drop_runtime(self, kind: type) -> None:
        self._runtimes.pop(kind, None)

    def runtime(self, kind: type[T]) -> T:
        found = self._runtimes.get(kind)
        if not isinstance(found, kind):
            raise RuntimeError(f"{kind.__name__} has not started in this process")
        return found


def _started(service: T | None, what: str) -> T:
    if service is None:
        raise RuntimeError(f"the {what} of this process has not started")
    return service


def attach(state: State, services: Services) -> None:
    state[_STATE_KEY] = services


def services_of(app: Litestar) -> Services:
    """For middleware, which dependency injection does not reach."""
    services: Services = app.state[_STATE_KEY]
    return services


def _services(state: State) -> Services:
    services: Services = state[_STATE_KEY]
    return services


def _settings(services: NamedDependency[Services]) -> Settings:
    return services.settings


def _vault(services: NamedDependency[Services]) -> Vault:
    return services.vault


def _keys(services: NamedDependency[Services]) -> PlatformKeys:
    return services.keys


def _jobs(services: NamedDependency[Services]) -> JobQueue:
    return services.jobs


def _enablement(services: NamedDependency[Services]) -> Enablement:
    return services.enablement


def _storage(services: NamedDependency[Services]) -> Storage:
    return services.storage


def provide_runtime(kind: type[T]) -> Provide:
    """A provider of a part's runtime, for that part's router's `dependencies`."""

    def runtime(services: NamedDependency[Services]) -> T:
        return services.runtime(kind)

    runtime.__annotations__["return"] = kind
    return Provide(runtime, sync_to_thread=False)


def _provide(function: Callable[..., Any]) -> Provide:
    return Provide(function, sync_to_thread=False)


def dependencies() -> dict[str, Provide]:
    """The services any route may name as a parameter."""
    return {
        "services": _provide(_services),
        "settings": _provide(_settings),
        "vault": _provide(_vault),
        "keys": _provide(_keys),
        "jobs": _provide(_jobs),
        "enablement": _provide(_enablement),
        "storage": _provide(_storage),
    }
