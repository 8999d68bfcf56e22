"""A real, throw-away PostgreSQL server for the tests (Debian's ``postgresql`` package).

:func:`start_server` runs ``initdb`` on a fresh cluster in a temporary directory and
``pg_ctl start`` on 127.0.0.1 at a free port (no Unix socket outside the temporary
directory, password authentication over TCP); :meth:`PostgresServer.stop` stops it and
removes the directory. As root the binaries run as the ``postgres`` OS user (``initdb``
refuses root), via ``runuser``.

The pytest fixture ``postgres_server`` (session scope; import it into a test module) starts
one server per test session, shared by every module that imports it. Without the
binaries the tests that need it are skipped with a hint to run
``bash scripts/system_deps.sh`` — or fail when the environment variable ``CI`` is set,
since CI must test both backends. :func:`fresh_database` gives each test its own
database.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

INSTALL_HINT = "run `bash scripts/system_deps.sh` to install Debian's postgresql"


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<major>/bin`` holding initdb and pg_ctl, if any."""
    candidates = [
        Path(p).parent
        for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if Path(p).with_name("pg_ctl").exists()
    ]

    def major(path: Path) -> float:
        try:
            return float(path.parent.name)
        except ValueError:
            return 0.0

    return max(candidates, key=major) if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server: superuser ``postgres`` with ``password`` on 127.0.0.1:``port``."""

    bindir: Path
    root: Path
    port: int
    password: str
    _as_user: list[str] = field(default_factory=list)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for ``database`` on this server."""
        return f"postgresql+psycopg://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL binary as the server's OS user; raise with its output on failure."""
        cmd = [*self._as_user, str(self.bindir / args[0]), *args[1:]]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if proc.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{tail}"
            )
        return proc

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        try:
            if (self.datadir / "postmaster.pid").exists():
                self.run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PostgresServer:
    """Create a fresh cluster in a temporary directory and start it on loopback."""
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError(f"no /usr/lib/postgresql/*/bin/initdb; {INSTALL_HINT}")
    as_user: list[str] = []
    # as root the server runs as `postgres`, who must reach the directory: use /tmp, not
    # a $TMPDIR that may sit in root's home
    root = Path(tempfile.mkdtemp(prefix="sop-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")  # created by the Debian package
        os.chown(root, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(bindir, root, _free_port(), secrets.token_hex(12), as_user)
    pwfile = root / "pwfile"
    pwfile.write_text(server.password + "\n")
    if as_user:
        user = pwd.getpwnam("postgres")
        os.chown(pwfile, user.pw_uid, user.pw_gid)
    pwfile.chmod(0o600)
    try:
        server.run(
            "initdb",
            "-D",
            str(server.datadir),
            "-U",
            "postgres",
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {server.port} -k {root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        server.run(
            "pg_ctl",
            "-D",
            str(server.datadir),
            "-l",
            str(root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
    except BaseException:
        server.stop()
        raise
    return server


def fresh_database(server: PostgresServer, name: str) -> str:
    """Create an empty database ``name`` (``[a-z0-9_]``) and return its URL."""
    import psycopg

    assert name.replace("_", "").isalnum() and name.islower(), name
    with psycopg.connect(
        host="127.0.0.1",
        port=server.port,
        user="postgres",
        password=server.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)


_shared: dict[str, PostgresServer] = {}
_users = [0]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole test session (see the module docstring)."""
    if find_bindir() is None:
        message = f"PostgreSQL binaries not found under /usr/lib/postgresql/*/bin; {INSTALL_HINT}"
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the PostgreSQL backend: {message}", pytrace=False)
        pytest.skip(message)
    # each importing module gets its own session fixture: share one server between them
    if "server" not in _shared:
        _shared["server"] = start_server()
    _users[0] += 1
    try:
        yield _shared["server"]
    finally:
        _users[0] -= 1
        if _users[0] == 0:
            _shared.pop("server").stop()


def drop_store_tables(url: str) -> None:
    """Empty a store database completely: its tables and its migration version, so that
    the next store opened on it creates everything again."""
    from sqlalchemy import create_engine, text

    from sop_core.store.schema import Base

    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS sop_audit_append_only() CASCADE"))
    engine.dispose()
