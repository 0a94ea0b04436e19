"""A throwaway PostgreSQL 15 for the tests of Ferry's PostgreSQL engine.

    server = pg_server.PostgresServer()
    server.start()                      # initdb + pg_ctl start on a free loopback port
    url = server.create_database()      # postgresql://postgres@127.0.0.1:PORT/ferry_1_...
    server.restart(down_seconds=3)      # pg_ctl stop -m immediate, wait, start again
    server.stop()                       # pg_ctl stop -m immediate, the directory deleted

Debian's server binaries (postgresql-15: /usr/lib/postgresql/15/bin, or
FERRY_PG_BINDIR) run on a cluster made with `initdb -A trust --no-sync` in a
temporary directory, listening on 127.0.0.1 and a unix socket inside that
directory; nothing of the machine's own clusters is touched. initdb refuses
to run as root, so as root the directory is given to the `postgres` user and
initdb and pg_ctl run through `runuser -u postgres --`.

The server is tuned for tests: fsync is off (a process crash, which is what
`pg_ctl stop -m immediate` is, loses nothing the kernel has; a machine crash
is no test's business) while synchronous_commit stays on, so a commit
PostgreSQL acknowledged survives restart().

shared() is the one server of a test process (a suite run), started on first
use and stopped at exit. available() says why there can be none here.
`pg_server.py run CMD...` runs another harness (the JavaScript one) with it.
Standard library only, as the rest of the harness.
"""

import atexit
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BINDIR_CANDIDATES = ("/usr/lib/postgresql/15/bin",)
_counter = itertools.count(1)


def bindir():
    """The directory of initdb, pg_ctl and psql, or None."""
    for d in ([os.environ["FERRY_PG_BINDIR"]] if os.environ.get("FERRY_PG_BINDIR") else []) + \
            list(BINDIR_CANDIDATES):
        if all(os.access(os.path.join(d, b), os.X_OK) for b in ("initdb", "pg_ctl", "psql")):
            return d
    return None


def available():
    """None when a throwaway PostgreSQL can be started here, else why not."""
    if bindir() is None:
        return "no PostgreSQL 15 server binaries (apt-get install postgresql-15)"
    if os.geteuid() == 0:
        try:
            import pwd
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root without runuser"
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One throwaway cluster. Not thread-safe: drive it from one thread."""

    def __init__(self, extra_settings=None, fast=True):
        self.bindir = bindir()
        self.dir = None
        self.port = None
        self.user = "postgres"
        # fast: fsync off (see the module's docstring); the benchmark keeps it on.
        self.settings = {"listen_addresses": "127.0.0.1", "max_connections": "300",
                         "log_min_messages": "warning"}
        if fast:
            self.settings.update({"fsync": "off", "full_page_writes": "off"})
        self.settings.update(extra_settings or {})
        self._as_postgres = os.geteuid() == 0

    # ------------------------------------------------------------ paths

    @property
    def data_dir(self):
        return os.path.join(self.dir, "data")

    @property
    def socket_dir(self):
        return os.path.join(self.dir, "sock")

    @property
    def log_path(self):
        return os.path.join(self.dir, "postgres.log")

    def _cmd(self, binary, *args):
        cmd = [os.path.join(self.bindir, binary)] + list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return cmd

    def _run(self, binary, *args, timeout=60):
        proc = subprocess.run(self._cmd(binary, *args), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError("%s failed (%s):\n%s%s\n%s" % (
                binary, proc.returncode, proc.stdout, proc.stderr, self.log_tail()))
        return proc.stdout

    # ------------------------------------------------------------ life

    def start(self):
        """initdb (first time) and start on a free port; returns self."""
        why = available()
        if why:
            raise RuntimeError("cannot start PostgreSQL: " + why)
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="ferry-pg-")
            os.makedirs(self.socket_dir)
            if self._as_postgres:
                import pwd
                pw = pwd.getpwnam("postgres")
                for path in (self.dir, self.socket_dir):
                    os.chown(path, pw.pw_uid, pw.pw_gid)
            self._run("initdb", "-D", self.data_dir, "-A", "trust", "-U", self.user,
                      "--no-sync", "-E", "UTF8", "--locale", "C", timeout=120)
        last = None
        for _ in range(5):  # a port taken between free_port() and the bind: another
            self.port = self.port or free_port()
            try:
                self._pg_ctl_start()
                return self
            except RuntimeError as e:
                last = e
                if "could not bind" not in str(e) and "already in use" not in str(e):
                    raise
                self.port = None
        raise last

    def _pg_ctl_start(self):
        options = " ".join("-c %s=%s" % kv for kv in self.settings.items())
        options += " -p %d -k %s" % (self.port, self.socket_dir)
        self._run("pg_ctl", "start", "-D", self.data_dir, "-w", "-t", "60", "-l", self.log_path,
                  "-o", options, timeout=90)

    def stop_now(self):
        """pg_ctl stop -m immediate: the server dies as in a crash (the
        directory stays, for start_again())."""
        if self.dir and os.path.exists(os.path.join(self.data_dir, "postmaster.pid")):
            self._run("pg_ctl", "stop", "-D", self.data_dir, "-m", "immediate", "-w", "-t", "30")

    def start_again(self):
        """Start a stopped server on the same port and directory."""
        self._pg_ctl_start()

    def restart(self, down_seconds=0.0):
        """An immediate stop, `down_seconds` down, then a start on the same
        port: every connection breaks; committed data survives."""
        self.stop_now()
        if down_seconds:
            time.sleep(down_seconds)
        self.start_again()

    def stop(self):
        """Stop the server and delete its directory (safe to call twice)."""
        if self.dir is None:
            return
        try:
            self.stop_now()
        except Exception:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    # ------------------------------------------------------------ databases

    def url(self, dbname="postgres"):
        return "postgresql://%s@127.0.0.1:%d/%s" % (self.user, self.port, dbname)

    def psql(self, sql, dbname="postgres"):
        """Run SQL through psql (as the superuser); returns its unaligned output."""
        cmd = [os.path.join(self.bindir, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
               "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", dbname, "-c", sql]
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60)
        if proc.returncode != 0:
            raise RuntimeError("psql %r failed: %s" % (sql, proc.stderr))
        return proc.stdout.strip()

    def create_database(self, prefix="ferry"):
        """A new, empty database; returns its URL."""
        name = "%s_%d_%d" % (prefix, os.getpid(), next(_counter))
        self.psql('CREATE DATABASE "%s"' % name)
        return self.url(name)

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except (OSError, TypeError):
            return ""


_shared = None


def _stop_shared():
    global _shared
    if _shared is not None:
        server, _shared = _shared, None
        server.stop()


def _exit_on_signal(signo, _frame):
    raise SystemExit(128 + signo)


def shared():
    """The test process's server, started on first use, stopped at exit (also
    on SIGTERM/SIGINT, which become SystemExit so atexit runs)."""
    global _shared
    if _shared is None:
        server = PostgresServer()
        try:
            server.start()
        except Exception:
            server.stop()
            raise
        _shared = server
        atexit.register(_stop_shared)
        for signo in (signal.SIGTERM, signal.SIGINT):
            try:
                if signal.getsignal(signo) in (signal.SIG_DFL, signal.default_int_handler):
                    signal.signal(signo, _exit_on_signal)
            except ValueError:  # not the main thread: atexit alone
                pass
    return _shared


def run(argv):
    """`pg_server.py run CMD ARG...`: CMD with FERRY_ENGINE=postgres and the
    shared server's FERRY_PG_PORT and FERRY_PG_BINDIR in its environment (for
    harnesses in other languages, which make their databases with psql);
    the server is stopped when CMD ends. Exit status: CMD's, or 77 (skipped)
    where PostgreSQL is not installed."""
    why = available()
    if why:
        print("SKIP: " + why)
        return 77
    server = shared()
    env = dict(os.environ, FERRY_ENGINE="postgres", FERRY_PG_PORT=str(server.port),
               FERRY_PG_BINDIR=server.bindir)
    return subprocess.call(argv, env=env)


if __name__ == "__main__":
    import sys
    if sys.argv[1:2] == ["run"] and len(sys.argv) > 2:
        sys.exit(run(sys.argv[2:]))
    # By hand: start one, print its URL, stop it on Enter (or Ctrl-C).
    s = shared()
    print(s.url(), flush=True)
    try:
        input()
    except (EOFError, KeyboardInterrupt):
        pass
