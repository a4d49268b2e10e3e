"""The services of one process, typed, and how routes, jobs and event handlers are given them.

The composition root builds one `Services` per app or worker; parts add their runtimes to
it when they start. Routes ask for a service by naming it as a parameter (`settings`,
`vault`, `keys`, `jobs`, `enablement`, `storage`, `service_desk`, `cashier`, `limiter`, or
a runtime under the name its part `provides`); jobs and event handlers find them on their
`JobContext`.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from litestar.datastructures import State
from litestar.di import Provide
from piccolo.engine.base import Engine

from backend.kernel.cashier import Cashier
from backend.kernel.enablement.service import Enablement
from backend.kernel.jobs import JobQueue, RequestGauge
from backend.kernel.ratelimit import RateLimiter, limiter_for
from backend.kernel.service_desk import ServiceDesk
from backend.kernel.settings import Settings
from backend.kernel.sms import SmsProvider
from backend.kernel.storage import LocalDiskStorage, Storage
from backend.kernel.vault import Vault, vault_for

if TYPE_CHECKING:
    from litestar import Litestar

    from backend.kernel.contract import TileSource
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


class PlatformKeys(abc.ABC):
    """The platform's signing keys: the one that signs now, and every key the JWKS publishes.
    An abstract class, not a Protocol: a route given it checks the type on every request,
    and a runtime Protocol's check walks every member."""

    @property
    @abc.abstractmethod
    def signer(self) -> SigningKey: ...

    @property
    @abc.abstractmethod
    def jwks(self) -> bytes: ...

    @abc.abstractmethod
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
        self.requests = RequestGauge()  # counted at the API's entry; in-process jobs give way
        self._keys: PlatformKeys | None = None
        self._sms: SmsProvider | None = None
        self._enablement: Enablement | None = None
        self._service_desk: ServiceDesk | None = None
        self._cashier: Cashier | None = None
        self._limiter: RateLimiter | None = None
        self._runtimes: dict[type, object] = {}
        self.tile_sources: dict[str, TileSource] = {}  # by app id
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
    def sms(self) -> SmsProvider:
        """Where text messages to phones go: the configured vendor, or the console in dev."""
        return _started(self._sms, "SMS provider")

    @sms.setter
    def sms(self, provider: SmsProvider) -> None:
        self._sms = provider

    @property
    def enablement(self) -> Enablement:
        return _started(self._enablement, "district switches")

    @enablement.setter
    def enablement(self, enablement: Enablement) -> None:
        self._enablement = enablement

    @property
    def has_enablement(self) -> bool:
        """Whether this process serves the API, whose routes and launcher read the switches:
        a worker or a command reads none."""
        return self._enablement is not None

    @property
    def service_desk(self) -> ServiceDesk:
        """The service engine's desk, once the engine has started in this process."""
        return _started(self._service_desk, "service engine")

    @service_desk.setter
    def service_desk(self, desk: ServiceDesk | None) -> None:
        self._service_desk = desk

    @property
    def cashier(self) -> Cashier:
        """The payment mini-app's cashier, once it has started in this process."""
        return _started(self._cashier, "cashier")

    @cashier.setter
    def cashier(self, cashier: Cashier | None) -> None:
        self._cashier = cashier

    @property
    def has_cashier(self) -> bool:
        """Whether the payment mini-app is installed and started in this process."""
        return self._cashier is not None

    @property
    def limiter(self) -> RateLimiter:
        """The rate limiter of this process, made on first use: a worker never needs one."""
        if self._limiter is None:
            self._limiter = limiter_for(self.settings.redis_url)
        return self._limiter

    @limiter.setter
    def limiter(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def close_limiter(self) -> None:
        if self._limiter is not None:
            await self._limiter.close()
            self._limiter = None

    def add_runtime(self, runtime: object) -> None:
        """A part's runtime, found again by its type."""
        self._runtimes[type(runtime)] = runtime

    def add_tile_source(self, app_id: str, source: TileSource) -> None:
        """The app's tiles decided per caller, for the launcher (see `TileSource`)."""
        self.tile_sources[app_id] = source

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


def _provide(read: Callable[[], object]) -> Provide:
    # No parameters: Litestar then calls the provider without parsing a signature, which
    # on the launcher cost more than the rest of the route.
    return Provide(read, sync_to_thread=False)


def dependencies(services: Services) -> dict[str, Provide]:
    """The services any route of the app may name as a parameter, read when asked (the
    queue and the keys exist only once the app has started)."""
    return {
        "services": _provide(lambda: services),
        "settings": _provide(lambda: services.settings),
        "vault": _provide(lambda: services.vault),
        "keys": _provide(lambda: services.keys),
        "jobs": _provide(lambda: services.jobs),
        "enablement": _provide(lambda: services.enablement),
        "storage": _provide(lambda: services.storage),
        "service_desk": _provide(lambda: services.service_desk),
        "cashier": _provide(lambda: services.cashier),
        "limiter": _provide(lambda: services.limiter),
    }


def runtime_dependencies(services: Services, provides: Mapping[str, type]) -> dict[str, Provide]:
    """A part's runtime under each name it `provides`, for that part's routes only."""
    return {name: _provide(_runtime_reader(services, kind)) for name, kind in provides.items()}


def _runtime_reader(services: Services, kind: type) -> Callable[[], object]:
    # A closure, not a functools.partial: Litestar deep-copies the providers of a router it
    # registers, and a partial would carry the Services (and its engine) into the copy.
    return lambda: services.runtime(kind)
