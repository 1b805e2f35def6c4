"""Bounded, polite HTTP: the only place in tracker that talks to the network.

Every request gets connect/read timeouts and one overall deadline, follows at
most a few http/https redirects by hand (so each hop is checked), refuses
content types it was not asked for, and reads the body as a stream with two
caps: one on the bytes that cross the wire and one on the bytes they inflate
to. We decompress ourselves, in bounded steps, so a gzip bomb stops at the cap
instead of filling memory first. Connect errors are retried a few times;
everything else fails once, as a :class:`Fetcher.Error` naming the URL and why.

Only public addresses are fetched unless the analyst allows private ones
(:mod:`tracker.ingest.addresses`): an IP literal is refused on the URL and on
every redirect hop before any transport sees it, and a name is resolved by
tracker itself, each address checked, and the connection made to the checked
address (:class:`_PublicBackend`).
"""

from __future__ import annotations

import asyncio
import socket
import zlib
from collections.abc import AsyncIterator, Callable, Collection, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import httpcore
import httpx

from .. import __version__
from ..errors import FetchError
from ..model import sanitise
from . import addresses

USER_AGENT = f"tracker/{__version__} (negotiation tracker; feed and article reader)"

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "application/json",
    }
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Only what we can inflate with a bound: brotli/zstd decoders here have no output limit.
_ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True, slots=True)
class Limits:
    """How long and how much one request may take; tests shrink these."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    """Longest silence between two reads."""
    deadline: float = 60.0
    """Longest a whole request may take, redirects and retries included."""
    max_bytes: int = 5_000_000
    """Cap on the body as sent (compressed)."""
    max_decoded: int = 20_000_000
    """Cap on the body once decompressed."""
    max_redirects: int = 5
    retries: int = 2
    """Extra attempts after a connect error (DNS, refused, connect timeout)."""
    retry_backoff: float = 0.5
    """Seconds before the first retry; doubled for each further one."""
    concurrency: int = 8
    """Requests in flight at once, over every host."""
    per_host: int = 2
    """Requests in flight at once to one host: a pull must not hammer one site with its articles."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful response, or a 304 that says our copy is current."""

    url: str
    """Where the body finally came from (after redirects)."""
    status: int
    body: bytes = b""
    content_type: str = ""
    """Media type without parameters, lower-case."""
    charset: str = ""
    etag: str = ""
    last_modified: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _is_http(url: httpx.URL) -> bool:
    return url.scheme in ("http", "https") and bool(url.host)


def check_url(url: str) -> httpx.URL:
    """``url`` parsed, if it is an absolute http(s) URL; otherwise a :class:`Fetcher.Error`."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise Fetcher.Error(url, f"not a valid URL ({error})") from None
    if not _is_http(parsed):
        raise Fetcher.Error(url, "only absolute http:// and https:// URLs are fetched")
    return parsed


class _Refused(Exception):
    """A host that is, or resolves to, an address the analyst did not allow; raised before any byte is sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _PublicBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving each name itself and connecting only to public addresses.

    Against DNS rebinding the address is pinned, not re-checked: the name is
    resolved once, here, every address it gives is checked, and the socket is
    opened to one of those very addresses (httpcore hands us the host and port
    and gets back a connected stream). Checking a name and then letting the
    library resolve it again would leave a window in which a hostile DNS server
    answers a public address to the check and ``127.0.0.1`` to the connect.
    TLS is unaffected: httpcore still verifies the certificate against, and
    sends SNI and Host for, the name in the URL. A name with any non-public
    address among its answers is refused as a whole, so a mixed answer cannot
    be used to reach the private one on a retry.
    """

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in await self._resolve(host, port, timeout):
            try:
                return await self._inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None  # _resolve returns at least one address
        raise failure

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[addresses.IPAddress]:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                # socket.getaddrinfo, in a thread: the same answers the C resolver gives any program.
                found = await loop.run_in_executor(None, socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"could not resolve {host} within {timeout:g} s") from None
        except OSError as error:
            raise httpcore.ConnectError(f"could not resolve {host} ({error.strerror or error})") from None
        resolved: list[addresses.IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in found:
            address = addresses.literal(str(sockaddr[0]))
            if address is None:
                raise httpcore.ConnectError(f"{host} resolved to {sockaddr[0]!r}, not an address")
            if reason := addresses.resolved_refusal(host, address):
                raise _Refused(reason)
            if address not in resolved:
                resolved.append(address)
        if not resolved:
            raise httpcore.ConnectError(f"{host} has no address")
        return resolved

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("tracker fetches over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PublicTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport over :class:`_PublicBackend`.

    httpx takes no network backend, so the connection pool it builds is
    replaced by one with the same settings and ours (``_pool`` is the one
    attribute its request handling uses; ``test_hostile_network`` proves the
    refusal through a real socket, so a change in httpx is noticed).
    """

    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PublicBackend(),
        )


class _Inflater:
    """Decompresses a Content-Encoding stream without ever producing more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.encoding = encoding
        self._zlib: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif encoding not in ("", "identity"):
            raise ValueError(f"unsupported content encoding {encoding!r}")
        self._first = True

    def feed(self, chunk: bytes) -> bytes:
        if self._zlib is None:
            return self._count(chunk)
        out = bytearray()
        data = chunk
        while data:
            # One byte more than we may keep, so going over is seen without inflating further.
            room = self.limit - self.size - len(out) + 1
            try:
                piece = self._zlib.decompress(data, room)
            except zlib.error:
                if self._first and self.encoding == "deflate":
                    # Some servers send raw deflate without the zlib header.
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._first = False
                    continue
                raise
            self._first = False
            out += piece
            if self.size + len(out) > self.limit:
                break
            data = self._zlib.unconsumed_tail
        return self._count(bytes(out))

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise OverflowError
        return data


class Fetcher:
    """One ``httpx.AsyncClient`` with tracker's limits; use as ``async with Fetcher() as f``."""

    class Error(FetchError):
        """A :class:`~tracker.errors.FetchError` (the server's or the network's fault, not the user's), with
        its URL and reason cleaned: reasons quote the server (status phrases, Location headers), and
        must never reach a terminal raw."""

        def __init__(self, url: str, reason: str, *, transient: bool = False, timed_out: bool = False) -> None:
            super().__init__(sanitise(url), " ".join(sanitise(reason).split()), transient=transient)
            self.timed_out = timed_out
            """The server was too slow (a timeout or the deadline), not merely failing: a pull backs it off."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_private: bool | None = None,
    ) -> None:
        """``allow_private``: fetch from private addresses too (None: as ``TRACKER_ALLOW_PRIVATE`` says).

        A ``transport`` given (a test's mock) is used as it is: IP literals are
        still checked here, names only by the real transport's resolver.
        """
        self.limits = limits or Limits()
        self.allow_private = addresses.allowed_by_environment() if allow_private is None else allow_private
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(self.limits.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Self:
        limits = self.limits
        pool = httpx.Limits(max_connections=limits.concurrency)
        transport = self._transport
        if transport is None and not self.allow_private:
            transport = _PublicTransport(pool)
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                connect=limits.connect_timeout,
                read=limits.read_timeout,
                write=limits.read_timeout,
                pool=limits.deadline,
            ),
            limits=pool,
            follow_redirects=False,  # followed by hand, so every hop is checked
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": _ACCEPT_ENCODING},
            trust_env=False,
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(
        self,
        url: str,
        *,
        accept: Collection[str],
        etag: str = "",
        last_modified: str = "",
        on_request: Callable[[], None] | None = None,
    ) -> Fetched:
        """GET ``url`` expecting one of the ``accept`` media types (empty: any).

        With ``etag`` / ``last_modified`` the request is conditional, and a 304
        comes back as a :class:`Fetched` with ``not_modified`` set.
        ``on_request`` is called once the request has its turn (past the
        concurrency limits), so a caller can tell a slow request from a queued one.
        """
        start = check_url(url)
        headers = {"Accept": ", ".join(sorted(accept)) + ", */*;q=0.1" if accept else "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = self._hosts.setdefault(start.host, asyncio.Semaphore(self.limits.per_host))
        async with host, self._slots:
            if on_request is not None:
                on_request()
            try:
                async with asyncio.timeout(self.limits.deadline):
                    return await self._follow(url, start, headers, accept)
            except _Refused as refused:
                raise self.Error(url, f"{refused.reason}, {addresses.HINT}") from None
            except TimeoutError:
                raise self.Error(
                    url, f"gave up after {self.limits.deadline:g} s (deadline)", transient=True, timed_out=True
                ) from None
            except httpx.ConnectTimeout:
                raise self.Error(
                    url, f"could not connect within {self.limits.connect_timeout:g} s", transient=True, timed_out=True
                ) from None
            except httpx.ReadTimeout:
                raise self.Error(
                    url, f"server sent nothing for {self.limits.read_timeout:g} s", transient=True, timed_out=True
                ) from None
            except httpx.TimeoutException as error:
                raise self.Error(url, f"timed out ({type(error).__name__})", transient=True, timed_out=True) from None
            except httpx.ConnectError as error:
                raise self.Error(url, f"could not connect ({_reason(error)})", transient=True) from None
            except httpx.HTTPError as error:
                raise self.Error(url, f"{type(error).__name__}: {_reason(error)}", transient=True) from None

    async def _follow(self, url: str, target: httpx.URL, headers: dict[str, str], accept: Collection[str]) -> Fetched:
        for hop in range(self.limits.max_redirects + 1):
            async with self._open(target, headers, hop) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("Location", "")
                    if not location:
                        raise self.Error(url, f"HTTP {response.status_code} redirect without a Location")
                    try:
                        target = response.url.join(location)
                    except httpx.InvalidURL:
                        raise self.Error(url, f"redirect to an invalid URL {location!r}") from None
                    if not _is_http(target):
                        raise self.Error(url, f"redirect to {location} refused (http/https only)")
                    continue
                return await self._finish(url, response, accept)
        raise self.Error(url, f"more than {self.limits.max_redirects} redirects")

    @asynccontextmanager
    async def _open(self, target: httpx.URL, headers: dict[str, str], hop: int) -> AsyncIterator[httpx.Response]:
        """A streamed response, retrying only failures to connect (nothing was sent yet).

        A private address is refused first: an IP literal here, whatever the
        transport (a test's mock too), and a name by :class:`_PublicBackend`
        as it connects. Hop 1 and on are redirects, and their refusal says so.
        """
        assert self._client is not None, "use Fetcher inside `async with`"
        attempt = 0
        while True:
            request = self._client.build_request("GET", target, headers=headers)
            try:
                if not self.allow_private and (reason := addresses.refusal(target.host)):
                    raise _Refused(reason)
                response = await self._client.send(request, stream=True)
                break
            except _Refused as refused:
                raise _Refused(f"redirect to {target}: {refused.reason}" if hop else refused.reason) from None
            except (httpx.ConnectError, httpx.ConnectTimeout):
                if attempt >= self.limits.retries:
                    raise
                await asyncio.sleep(self.limits.retry_backoff * 2**attempt)
                attempt += 1
        try:
            yield response
        finally:
            await response.aclose()

    async def _finish(self, url: str, response: httpx.Response, accept: Collection[str]) -> Fetched:
        status = response.status_code
        etag = response.headers.get("ETag", "")
        modified = response.headers.get("Last-Modified", "")
        final = str(response.url)
        if status == 304:
            return Fetched(final, status, etag=etag, last_modified=modified)
        if not 200 <= status < 300:
            # Server trouble and throttling pass; a 404 or 410 will still be there next time.
            again = status >= 500 or status in (408, 429)
            raise self.Error(url, f"HTTP {status} {response.reason_phrase}".rstrip(), transient=again)
        media, charset = _media_type(response.headers.get("Content-Type", ""))
        if accept and media and media not in accept:
            raise self.Error(url, f"content type {media!r} is not one of {', '.join(sorted(accept))}")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise self.Error(url, f"body of {int(declared):,} bytes is over the {self.limits.max_bytes:,}-byte cap")
        body = await self._read(url, response)
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Fetched(final, status, body, media, charset, etag, modified, headers)

    async def _read(self, url: str, response: httpx.Response) -> bytes:
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        try:
            inflater = _Inflater(encoding, self.limits.max_decoded)
        except ValueError as error:
            raise self.Error(url, str(error)) from None
        parts: list[bytes] = []
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > self.limits.max_bytes:
                raise self.Error(url, f"body over the {self.limits.max_bytes:,}-byte cap")
            try:
                parts.append(inflater.feed(chunk))
            except OverflowError:
                raise self.Error(
                    url, f"body inflates past the {self.limits.max_decoded:,}-byte cap (compression bomb?)"
                ) from None
            except zlib.error as error:
                raise self.Error(url, f"corrupt {encoding} body ({error})") from None
        return b"".join(parts)


def _media_type(header: str) -> tuple[str, str]:
    """(media type, charset) from a Content-Type header."""
    media, _, params = header.partition(";")
    charset = ""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    return media.strip().lower(), charset


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return text or type(error).__name__
