"""The stall screens' stream process in a test: uvicorn on market40.asgi in a
thread of the test run (so it reads the test database), and a TCP proxy in
front of it whose cable a test can pull."""

import datetime as dt
import json
import socket
import threading
import time
import uuid

import pytest
import requests
import uvicorn

from core.clock import BUSINESS_TZ
from tests.payments.kit import PATH, vnpt, vnpt_body


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StreamServer:
    def __init__(self) -> None:
        from market40.asgi import application

        self.port = _free_port()
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="stall-stream", daemon=True)

    def start(self) -> "StreamServer":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the stream server did not start"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class Cable:
    """A TCP proxy: `cut()` drops every connection and refuses new ones, as a
    phone losing its network does; `restore()` lets them through again."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = _free_port()
        self.connected = threading.Event()
        self.connected.set()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if not self.connected.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        for end in (source, target):
            try:
                end.close()
            except OSError:
                pass

    def cut(self) -> None:
        self.connected.clear()
        with self.lock:
            for end in self.sockets:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()
            self.sockets.clear()

    def restore(self) -> None:
        self.connected.set()


@pytest.fixture(scope="session")
def stream_server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        server = StreamServer().start()
        yield server
        server.stop()


@pytest.fixture
def cable(stream_server, settings):
    line = Cable(stream_server.port)
    settings.STALL_STREAM_URL = f"http://127.0.0.1:{line.port}"
    return line


def pay(base_url: str, *, amount: int, txn_id: str | None = None, kind: str = "payment.succeeded", **extra) -> str:
    """One signed VNPT delivery to the contract's example account, sent over
    HTTP as the partner sends it; returns its transaction id."""
    txn_id = txn_id or "VNPT" + uuid.uuid4().hex[:14].upper()
    now = dt.datetime.now(BUSINESS_TZ).replace(microsecond=0).isoformat()
    headers, body = vnpt(vnpt_body(txn_id, amount=amount, type=kind, completed_at=now, **extra), msg_id=f"msg_{txn_id}")
    response = requests.post(base_url + PATH["vnpt"], data=body, headers={**headers, "content-type": "application/json"}, timeout=10)
    assert response.status_code == 200, response.text
    assert json.loads(response.text)["received"] is True
    return txn_id
