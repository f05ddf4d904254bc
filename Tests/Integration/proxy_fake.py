"""A loopback HTTP forward proxy for the integration tests, written from RFC 9110 and RFC 9112.

- absolute-form (RFC 9112 §3.2.2): ``GET http://host:port/path HTTP/1.1`` is forwarded to ``host:port``
  in origin form, without the ``Proxy-*`` headers, and the answer relayed until the upstream closes;
- CONNECT (RFC 9110 §9.3.6): ``CONNECT host:port`` is answered 200 and bytes are piped both ways
  (or answered ``connect_status`` when set, to play a proxy that cannot reach the destination);
- origin-form (``GET /path``) is what a server gets, not a proxy: 400;
- with ``credentials``, a request without the matching ``Proxy-Authorization: Basic`` gets 407 with
  ``Proxy-Authenticate`` (RFC 9110 §11.7.1); with ``tls``, the proxy itself speaks TLS (an https:// proxy).

Every request line and ``Proxy-Authorization`` value is recorded, in arrival order.
"""
from __future__ import annotations

import base64
import select
import socket
import ssl
import threading
import urllib.parse


class ForwardProxy:
    def __init__(self, credentials: tuple[str, str] | None = None, tls: tuple[str, str] | None = None,
                 connect_status: int | None = None):
        self.credentials = credentials
        self.connect_status = connect_status
        self.requests: list[tuple[str, str]] = []
        self.authorizations: list[str | None] = []
        self._lock = threading.Lock()
        self._context = None
        if tls is not None:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(*tls)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url_with(self, user: str, password: str) -> str:
        """The proxy URL with percent-encoded credentials."""
        quote = lambda text: urllib.parse.quote(text, safe="")  # noqa: E731
        scheme, rest = self.url.split("://", 1)
        return f"{scheme}://{quote(user)}:{quote(password)}@{rest}"

    @property
    def methods(self) -> list[str]:
        return [method for method, _ in self.requests]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(10)
        try:
            if self._context is not None:
                client = self._context.wrap_socket(client, server_side=True)
            with client:
                self._handle(client)
        except (OSError, ssl.SSLError, ValueError):
            return

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk or len(head) > 65536:
                return
            head += chunk
        head, rest = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
        authorization = next((value for name, value in headers if name.lower() == "proxy-authorization"), None)
        with self._lock:
            self.requests.append((method, target))
            self.authorizations.append(authorization)
        if self.credentials is not None:
            expected = "Basic " + base64.b64encode(":".join(self.credentials).encode()).decode()
            if authorization != expected:
                client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                               b"Proxy-Authenticate: Basic realm=\"fake\"\r\nContent-Length: 0\r\n\r\n")
                return
        if method == "CONNECT":
            if self.connect_status is not None:
                client.sendall(f"HTTP/1.1 {self.connect_status} Refused\r\nContent-Length: 0\r\n\r\n".encode())
                return
            host, port = target.rsplit(":", 1)
            upstream = _connect(client, host.strip("[]"), int(port))
            if upstream is None:
                return
            with upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
                _pipe(client, upstream)
            return
        url = urllib.parse.urlsplit(target)
        if url.scheme != "http" or not url.hostname:
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        # The whole body (Content-Length framing; chunked requests are not needed here) before the answer is awaited.
        length = int(next((value for name, value in headers if name.lower() == "content-length"), "0"))
        while len(rest) < length:
            chunk = client.recv(65536)
            if not chunk:
                return
            rest += chunk
        origin = (url.path or "/") + (f"?{url.query}" if url.query else "")
        kept = [f"{name}: {value}" for name, value in headers
                if not name.lower().startswith("proxy-") and name.lower() != "connection"]
        forwarded = "\r\n".join([f"{method} {origin} HTTP/1.1", *kept, "Connection: close", "", ""])
        upstream = _connect(client, url.hostname, url.port or 80)
        if upstream is None:
            return
        with upstream:
            upstream.sendall(forwarded.encode("latin-1") + rest)
            _relay_answer(client, upstream)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _connect(client: socket.socket, host: str, port: int) -> socket.socket | None:
    """A connection to the destination, or None after answering 502 (RFC 9110 §15.6.3) when there is none."""
    try:
        return socket.create_connection((host, port), timeout=10)
    except OSError as error:
        body = f"proxy: cannot reach {host}:{port}: {error}".encode()
        client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        return None


def _relay_answer(client: socket.socket, upstream: socket.socket) -> None:
    """Relays the upstream's answer with ``Connection: close`` in its head (RFC 9112 §9.6): this proxy serves
    one request per connection, and a client keeping the connection alive (urllib3 does) must know it."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = upstream.recv(65536)
        if not chunk:
            client.sendall(answer)
            return
        answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    client.sendall(b"\r\n".join([*lines, b"Connection: close", b"", b""]) + body)
    _pipe(client, upstream)


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copies bytes both ways until either side closes (or 10 s pass without any)."""
    sockets = [a, b]
    while True:
        pending = [s for s in sockets if isinstance(s, ssl.SSLSocket) and s.pending()]
        readable = pending or select.select(sockets, [], [], 10)[0]
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (b if source is a else a).sendall(data)
