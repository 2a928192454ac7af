"""Security: nothing runs a shell; the HTTP view listens on loopback unless told otherwise, answers hostile requests
with its fixed routes only, reads no file a request names, and nothing a viewer sends changes anything.
(Path traversal, methods other than GET and stalled viewers are in test_display_http.py.)"""
from __future__ import annotations

import ast
import http.client
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from edge.config import Config
from edge.displays import open_display
from edge.displays.web import HttpDisplay

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ["edge", "convert", "train"]
pytestmark = pytest.mark.timeout(60)

LATEST = {"text": "7", "digits": [{"digit": 7, "confidence": 0.9, "box": [1, 2, 3, 4]}], "time": 1.0, "fps": 30.0}


def product_files() -> list[Path]:
    return sorted(p for folder in PRODUCT for p in (ROOT / folder).rglob("*.py"))


def calls(tree: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    """Every call with its dotted name as written (`subprocess.run`, `os.system`, `eval`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            parts, func = [], node.func
            while isinstance(func, ast.Attribute):
                parts.append(func.attr)
                func = func.value
            if isinstance(func, ast.Name):
                parts.append(func.id)
            yield ".".join(reversed(parts)), node


SHELLS = {"os.system", "os.popen", "os.execl", "os.execlp", "os.execle", "os.execv", "os.execvp", "os.execvpe",
          "os.spawnl", "os.spawnlp", "os.spawnv", "os.spawnvp", "pty.spawn", "eval", "exec", "compile",
          "subprocess.getoutput", "subprocess.getstatusoutput"}


def test_no_product_code_runs_a_shell_or_evaluates_text() -> None:
    files = product_files()
    assert len(files) > 40  # the scan really saw the packages
    found, processes = [], []
    for path in files:
        for name, call in calls(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if name in SHELLS:
                found.append(f"{where} {name}")
            if name.startswith("subprocess.") or name in {"Popen", "run", "call", "check_call", "check_output"}:
                if any(k.arg == "shell" for k in call.keywords):
                    found.append(f"{where} {name} with shell=")
                if name.startswith("subprocess.") and name != "subprocess.PIPE":
                    processes.append((where, call))
    assert not found, found
    for where, call in processes:  # a program and its arguments as a list, never one string for a shell
        assert call.args and isinstance(call.args[0], ast.List), f"{where}: the command is not a list"


def test_the_scan_would_see_a_shell() -> None:
    tree = ast.parse("import os, subprocess\nos.system(cmd)\nsubprocess.run(cmd, shell=True)\n")
    assert [name for name, _ in calls(tree)] == ["os.system", "subprocess.run"]
    assert [k.arg for _, c in calls(tree) for k in c.keywords] == ["shell"]


def test_the_view_listens_on_loopback_unless_told_otherwise() -> None:
    assert Config().http.startswith("127.0.0.1:")
    display = open_display("http", http=Config().http.rsplit(":", 1)[0] + ":0")
    display.start()
    try:
        assert display.address[0] == "127.0.0.1"  # type: ignore[attr-defined]
    finally:
        display.stop()


@pytest.fixture(scope="module")
def served() -> Iterator[HttpDisplay]:
    display = HttpDisplay("127.0.0.1", 0)
    display.start()
    display.show(np.full((48, 64, 3), 128, np.uint8), LATEST)
    yield display
    display.stop()


def raw(display: HttpDisplay, data: bytes) -> bytes:
    """Send bytes as they are, read the whole answer (the server closes after an error or HTTP/1.0)."""
    with socket.create_connection(display.address, timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    """The status of an answer; a request without an HTTP version is answered the HTTP/0.9 way, body only."""
    if answer.startswith(b"HTTP/"):
        return int(answer.split(b" ", 2)[1])
    found = re.search(rb"Error code: (\d+)", answer)
    assert found, answer[:200]
    return int(found.group(1))


def still_serving(display: HttpDisplay) -> None:
    conn = http.client.HTTPConnection(*display.address, timeout=10)
    conn.request("GET", "/api/latest")
    response = conn.getresponse()
    assert response.status == 200 and json.loads(response.read()) == LATEST
    conn.close()
    assert display.keys() == []  # nothing a viewer sent reaches the loop


@pytest.mark.parametrize(("request_line", "status"), [
    (b"GET /?file=/etc/passwd HTTP/1.0", 200),  # the page, whatever the query says
    (b"GET /api/latest?text=99&path=../../etc/passwd HTTP/1.0", 200),
    (b"GET http://127.0.0.1/etc/passwd HTTP/1.0", 404),  # absolute form: no such route
    (b"GET /..%5c..%5cetc%5cpasswd HTTP/1.0", 404),
    (b"GET /\\..\\..\\etc\\passwd HTTP/1.0", 404),
    (b"GET /etc/passwd%00.png HTTP/1.0", 404),
    (b"GET " + b"/a" * 40000 + b" HTTP/1.0", 414),  # over http.server's 64 KB line
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400),  # a TLS hello
    (b"GARBAGE", 400),
])
def test_hostile_requests_get_fixed_answers_and_read_no_file(served: HttpDisplay, request_line: bytes,
                                                             status: int) -> None:
    answer = raw(served, request_line + b"\r\n\r\n")
    assert status_of(answer) == status
    assert b"root:" not in answer and b"passwd" not in answer.split(b"\r\n\r\n", 1)[-1]
    still_serving(served)


def test_a_query_changes_nothing(served: HttpDisplay) -> None:
    answer = raw(served, b"GET /api/latest?text=99 HTTP/1.0\r\n\r\n")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1]) == LATEST
    still_serving(served)


def test_a_header_flood_is_refused(served: HttpDisplay) -> None:
    headers = b"".join(b"X-%d: y\r\n" % i for i in range(200))
    answer = raw(served, b"GET / HTTP/1.0\r\n" + headers + b"\r\n")
    assert status_of(answer) == 431
    still_serving(served)


def test_idle_connections_do_not_lock_viewers_out(served: HttpDisplay) -> None:
    """Forty connections that never send a request (each holds a thread until its timeout) and the view
    still answers at once."""
    idle = [socket.create_connection(served.address, timeout=10) for _ in range(40)]
    try:
        answered = threading.Event()
        threading.Thread(target=lambda: (still_serving(served), answered.set()), daemon=True).start()
        assert answered.wait(5)
    finally:
        for sock in idle:
            sock.close()
