"""A throwaway PostgreSQL server for the tests, from Debian's `postgresql` package (`make system-deps`).

The server lives in a temporary folder: its own cluster (`initdb`), a free port on 127.0.0.1, its unix socket
in that folder, trust authentication, and no fsync (its data is thrown away). `initdb` refuses to run as
root, so as root the cluster belongs to the `postgres` user the package creates, and the commands run through
`runuser`.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

__all__ = ["PostgresUnavailable", "PostgresServer", "find_bin_dir"]

_SUPERUSER = "planner"
_SERVICE_USER = "postgres"
_DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin"
_START_TIMEOUT_SEC = 30


class PostgresUnavailable(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """The newest installed server's bin folder (Debian keeps it off PATH), else the one of `initdb` on PATH."""
    installed = sorted(
        (path.parent for path in Path("/").glob(_DEBIAN_BIN_DIRS.lstrip("/") + "/initdb")),
        key=lambda bin_dir: _version_key(bin_dir.parent.name),
    )
    if installed:
        return installed[-1]
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(
        f"PostgreSQL server programs (initdb, pg_ctl) not found in {_DEBIAN_BIN_DIRS} or on PATH. "
        "The storage tests need a real PostgreSQL server: install Debian's `postgresql` package "
        "(`make system-deps` does it)."
    )


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


class PostgresServer:
    def __init__(self, port: int):
        self.port = port
        self._databases = itertools.count(1)

    def url(self, database: str = "postgres") -> URL:
        return URL.create("postgresql+psycopg", username=_SUPERUSER, host="127.0.0.1", port=self.port,
                          database=database)

    def create_database(self) -> URL:
        """A new empty database on the server."""
        name = f"test_{next(self._databases)}"
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[PostgresServer]:
        bin_dir = find_bin_dir()
        run_as = _run_as()
        base = Path(tempfile.mkdtemp(prefix="planner-pg-"))
        try:
            if run_as:
                account = pwd.getpwnam(_SERVICE_USER)
                os.chown(base, account.pw_uid, account.pw_gid)
            data = base / "data"
            _run(run_as + [str(bin_dir / "initdb"), "-D", str(data), "-U", _SUPERUSER, "--auth=trust",
                           "--encoding=UTF8", "--no-locale", "--no-sync"])
            port = _free_port()
            options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off")
            pg_ctl = run_as + [str(bin_dir / "pg_ctl"), "-D", str(data)]
            _run(pg_ctl + ["-o", options, "-l", str(base / "server.log"), "-w", "-t", str(_START_TIMEOUT_SEC),
                           "start"], log=base / "server.log")
            try:
                yield cls(port)
            finally:
                _run(pg_ctl + ["-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(base, ignore_errors=True)


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(_SERVICE_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, initdb needs an unprivileged owner, but there is no {_SERVICE_USER!r} user "
            "(the `postgresql` package creates it): reinstall the package or run the tests as another user"
        ) from None
    return ["runuser", "-u", _SERVICE_USER, "--"]


def _run(command: list[str], log: Path | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        server_log = log.read_text(errors="replace") if log is not None and log.exists() else ""
        raise PostgresUnavailable(
            f"{' '.join(command)} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}{server_log}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
