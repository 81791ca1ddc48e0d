"""Serve dist/ on localhost (gzip, an optional throttle for the slow-link tests)."""

from __future__ import annotations

import functools
import http.server
import io
import os
import sys
import threading
import time
from pathlib import Path

from build_jobs.common import DIST
from build_jobs.site import build

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
}


# Compressed on the fly as GitHub Pages does (it gzips by content type; zip archives and wheels are compressed
# already), so what the benchmark counts as transferred is what a visitor downloads.
GZIP_SUFFIXES = {".wasm", ".js", ".mjs", ".json", ".html", ".css", ".svg"}


class Throttle:
    """One link's bandwidth, shared by every connection of a server: a slow link for tests and the benchmark."""

    def __init__(self, bytes_per_second: float):
        self.bytes_per_second = bytes_per_second
        self.lock = threading.Lock()
        self.free_at = time.monotonic()

    def take(self, count: int) -> None:
        with self.lock:
            now = time.monotonic()
            self.free_at = max(now, self.free_at) + count / self.bytes_per_second
            wait = self.free_at - now
        time.sleep(wait)


@functools.lru_cache(maxsize=256)  # every file of dist/ (about 80), so none is compressed twice
def _gzipped(path: str, mtime_ns: int, size: int) -> tuple[bytes, str]:
    """The file's gzip body and its strong ETag (a hash of that body)."""
    import gzip
    import hashlib

    body = gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def precompress(root: Path) -> None:
    """Compress now every file under ``root`` that is served gzipped, as a host's cache holds them: a test of a slow
    link then measures the link, not the first compression of the 10 MB wasm (no byte leaves while it runs)."""
    for path in root.rglob("*"):
        if path.suffix in GZIP_SUFFIXES and path.is_file():
            stat = path.stat()
            _gzipped(str(path), stat.st_mtime_ns, stat.st_size)


class DistHandler(http.server.SimpleHTTPRequestHandler):
    """Serves dist/ (optionally under a sub-path, as GitHub Pages does) with the right MIME types and caching,
    gzip where Pages uses it, and optionally through a throttled link."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    base_path = "/"
    throttle: Throttle | None = None
    protocol_version = "HTTP/1.1"  # keep-alive, as a real host

    def log_message(self, format, *args):  # quiet: tests and bench read their own output
        if os.environ.get("RLPLAY_SERVE_LOG"):
            super().log_message(format, *args)

    def translate_path(self, path):
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(self.base_path):
            return str(Path(self.directory) / "__outside_base__")
        return super().translate_path("/" + clean[len(self.base_path) :])

    def send_head(self):
        self.fault_sent = False  # one handler may serve several requests (keep-alive)
        if self._faulted():
            return None
        path = Path(self.translate_path(self.path))
        if (
            path.suffix not in GZIP_SUFFIXES
            or not path.is_file()
            or "gzip" not in self.headers.get("Accept-Encoding", "")
        ):
            return super().send_head()
        stat = path.stat()
        body, etag = _gzipped(str(path), stat.st_mtime_ns, stat.st_size)
        # A revalidation (the browser's HTTP cache, the service worker's no-cache fetch) is answered as GitHub Pages
        # answers it: 304 and no body when the ETag still matches.
        if etag in (tag.strip() for tag in self.headers.get("If-None-Match", "").split(",")):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def _faulted(self) -> bool:
        """The tests' faults (``server.faults``: a path's ending -> an HTTP status, "hold" to answer only once the
        fault is removed, or "pass" to serve it as usual); every path asked for is added to ``server.fault_hits``.
        On the server, not in the browser: the shared Python worker's requests are its own, and no page's route
        sees them. Returns True once an error was sent."""
        faults = getattr(self.server, "faults", None)
        if not faults:
            return False
        path = self.path.split("?", 1)[0]
        suffix = next((ending for ending in list(faults) if path.endswith(ending)), None)
        if suffix is None:
            return False
        self.server.fault_hits.add(suffix)
        held_until = time.monotonic() + 600
        while faults.get(suffix) == "hold" and time.monotonic() < held_until:
            time.sleep(0.05)
        status = faults.get(suffix)
        if isinstance(status, int):
            self.fault_sent = True  # never cached: the file is back once the fault is removed (end_headers)
            self.send_error(status)
            return True
        return False

    def copyfile(self, source, outputfile):
        while block := source.read(16384):
            if self.throttle is not None:
                self.throttle.take(len(block))
            outputfile.write(block)
            self.server.sent_bytes += len(block)  # the benchmark's "bytes transferred" (bodies, as sent)

    def end_headers(self):
        path = self.path.split("?", 1)[0]
        if getattr(self, "fault_sent", False):
            self.send_header("Cache-Control", "no-store")
        elif "/pyodide/" in path or "/wheels/" in path:
            # Versioned or content-addressed paths: they never change.
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    sent_bytes = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.faults: dict[str, int | str] = {}  # the tests' (DistHandler._faulted)
        self.fault_hits: set[str] = set()  # which of them were asked for

    def handle_error(self, request, client_address):
        # A browser that closes a connection mid-download (tests do, on exit) is not an error worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def start_server(
    directory: Path,
    port: int = 0,
    base_path: str = "/",
    host: str = "127.0.0.1",
    bytes_per_second: float | None = None,
):
    """Start a threaded static server in the background; returns (server, url). ``bytes_per_second`` makes every
    response share one link of that bandwidth."""
    attributes = {"base_path": base_path, "throttle": Throttle(bytes_per_second) if bytes_per_second else None}
    handler = functools.partial(type("Handler", (DistHandler,), attributes), directory=str(directory))
    server = QuietServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}{base_path}"


def serve(port: int) -> None:
    build()
    server, url = start_server(DIST, port)
    print(f"Serving RL Playground at {url}  (Ctrl+C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


# ---------------------------------------------------------------------------------------------------------------
# test and bench: a pinned .venv and a Chromium
# ---------------------------------------------------------------------------------------------------------------
