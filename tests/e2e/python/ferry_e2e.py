"""Shared harness for Ferry's end-to-end tests.

Starts a real `ferry serve` on a free port with a fresh data directory (or
targets FERRY_ENDPOINT), builds boto3 clients for it, and holds the helpers
the test modules share: unique queue names, AWS's MD5 digests, error checks.

FERRY_ENGINE=postgres runs every server on PostgreSQL instead of the local
engine: one throwaway PostgreSQL per test process (pg_server.shared()), a
fresh database for each FerryServer, and a keys directory of its own.
Tests about the local engine's data directory skip there
(local_engine_only).

Runs unchanged under Debian's /usr/bin/python3 (botocore 1.29, SQS over the
Query protocol) and the image's python3 (botocore 1.43, SQS over AWS JSON 1.0).
Only the standard library and boto3/botocore are used.
"""

import atexit
import hashlib
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

# Every client runs with throwaway credentials and a fixed region; nothing
# from the user's ~/.aws may leak into a run.
CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
os.environ.update(CLIENT_ENV)
for _var in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS"):
    os.environ.pop(_var, None)

REGION = "us-east-1"
FERRY_ACCOUNT_ID = "000000000000"
# "listening on http://h:p (", "listening on http://h:p, https://h:tp (" or,
# with --tls-only, "listening on https://h:tp (".
LISTENING_RE = re.compile(r"listening on (https?://[^\s/,]+(?:, https?://[^\s/,]+)*) \(")
RUN_ID = uuid.uuid4().hex[:8]
# The engine every server of this run uses: "local" or "postgres".
ENGINE = os.environ.get("FERRY_ENGINE", "local")


def local_engine_only(reason):
    """Skips a test (or class) on another engine than the local one: it is
    about the local engine's data directory (`reason` says what)."""
    return unittest.skipIf(ENGINE != "local", "local engine only: " + reason)


def _die_with_parent():
    """In the child: get SIGTERM if the test process dies (e.g. a ctest
    timeout kills it), so no server outlives its run. Linux only; best effort."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass


class FerryServer:
    """One `ferry serve` process on an ephemeral port with a temp data dir.

    The same object can be started again after kill() (crash tests): the data
    directory (on postgres: the database and the keys directory) is kept, the
    log file is appended to, and the new port is read from the new
    "listening on" line (self.endpoint).

    On postgres (FERRY_ENGINE=postgres, or engine="postgres"), the server runs
    with --engine postgres on a database of its own: `postgres_url` when
    given (several nodes share one), else a new one on pg_server.shared();
    and --keys-dir `keys_dir` (given, or a temporary one). Start it from a thread
    that outlives the server: the child gets SIGTERM when that thread exits
    (PR_SET_PDEATHSIG follows the thread that forked it).
    """

    def __init__(self, binary, data_dir=None, extra_args=(), engine=None, postgres_url=None,
                 keys_dir=None):
        self.binary = binary
        self.extra_args = list(extra_args)  # more `ferry serve` flags
        self.engine = engine or ENGINE
        self.postgres_url = postgres_url
        # The keys directory (SNS signing key, STS session key): the data
        # directory on the local engine.
        self._keys_dir = keys_dir
        self._owns_keys_dir = False
        self.proc = None
        self.endpoint = None      # the plain listener (the HTTPS one with --tls-only)
        self.tls_endpoint = None  # the HTTPS listener, when there is one
        # A data_dir given by the caller is the caller's: stop() leaves it.
        self.data_dir = data_dir
        self._owns_data_dir = data_dir is None
        self.log_path = None
        self._log = None
        self._pump = None
        self.starts = 0              # how many times start() got a listening server
        self.startup_seconds = None  # spawn → "listening on" of the last start()

    def start(self, timeout=30.0):
        if not os.path.isfile(self.binary) or not os.access(self.binary, os.X_OK):
            raise RuntimeError("ferry binary not found or not executable: %s" % self.binary)
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("ferry is already running (pid %d)" % self.proc.pid)
        if self.engine == "postgres":
            engine_args = self._postgres_args()
        else:
            if self.data_dir is None:
                self.data_dir = tempfile.mkdtemp(prefix="ferry-e2e-data-")
                self._owns_data_dir = True
            engine_args = ["--data-dir", self.data_dir]
        if self.log_path is None:
            fd, self.log_path = tempfile.mkstemp(prefix="ferry-e2e-", suffix=".log")
            self._log = os.fdopen(fd, "w", buffering=1)
        else:  # a restart: keep one log for the whole run
            if self._log is not None:
                self._log.close()
            self._log = open(self.log_path, "a", buffering=1)
            self._log.write("---- ferry restarted on the same data dir ----\n")
        self.endpoint = None
        self.tls_endpoint = None
        began = time.monotonic()
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--listen", "127.0.0.1", "--port", "0"] + engine_args +
            self.extra_args,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log,
            text=True, errors="replace", preexec_fn=_die_with_parent)
        found = threading.Event()

        def pump():
            # Read stdout until the listening line, then keep draining it into
            # the log so the server never blocks on a full pipe.
            for line in self.proc.stdout:
                self._log.write(line)
                if not found.is_set():
                    m = LISTENING_RE.search(line)
                    if m:
                        urls = m.group(1).split(", ")
                        self.tls_endpoint = next(
                            (u for u in urls if u.startswith("https://")), None)
                        self.endpoint = next(
                            (u for u in urls if u.startswith("http://")), self.tls_endpoint)
                        found.set()

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        deadline = time.monotonic() + timeout
        while not found.wait(0.05):
            if self.proc.poll() is not None:
                raise RuntimeError("ferry exited with %s before listening:\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("ferry did not print 'listening on' within %ss:\n%s"
                                   % (timeout, self.log_tail()))
        self.startup_seconds = time.monotonic() - began
        self.starts += 1
        return self.endpoint

    @property
    def keys_dir(self):
        """Where the server keeps sns-signing-cert.pem and its other keys."""
        return self._keys_dir if self.engine == "postgres" else self.data_dir

    def _postgres_args(self):
        if self.postgres_url is None:
            import pg_server
            self.postgres_url = pg_server.shared().create_database()
        if self._keys_dir is None:
            self._keys_dir = tempfile.mkdtemp(prefix="ferry-e2e-keys-")
            self._owns_keys_dir = True
        # A small pool: a suite starts servers of its own beside the shared one.
        return ["--engine", "postgres", "--postgres-url", self.postgres_url,
                "--postgres-pool", os.environ.get("FERRY_POSTGRES_POOL", "8"),
                "--keys-dir", self._keys_dir]

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL the server (a crash) and reap it; the data dir and log stay
        for a restart with start(). Returns the exit status (-9 after a kill,
        or whatever the server had already exited with)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        status = self.proc.returncode
        if self._pump is not None:
            self._pump.join(timeout=5)
            self._pump = None
        self.proc = None
        self.endpoint = None
        return status

    def stop(self):
        """SIGTERM the server; returns a problem description or None."""
        problem = None
        if self.proc is None:
            pass
        elif self.proc.poll() is not None:
            problem = "ferry died during the run (exit status %s)" % self.proc.returncode
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problem = "ferry did not stop within 15 s of SIGTERM"
            if problem is None and self.proc.returncode not in (0, -signal.SIGTERM):
                problem = "ferry exited with status %s after SIGTERM" % self.proc.returncode
        if self._pump is not None:
            self._pump.join(timeout=5)
        self.proc = None
        if self.data_dir and self._owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None
        if self._keys_dir and self._owns_keys_dir:
            shutil.rmtree(self._keys_dir, ignore_errors=True)
            self._keys_dir = None
        return problem

    def log_tail(self, lines=60):
        if not self.log_path:
            return ""
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


_server = None
_endpoint = None


def endpoint():
    """The endpoint under test: FERRY_ENDPOINT, or a ferry started on first use."""
    global _server, _endpoint
    if _endpoint is None:
        if os.environ.get("FERRY_ENDPOINT"):
            _endpoint = os.environ["FERRY_ENDPOINT"].rstrip("/")
        else:
            binary = os.environ.get("FERRY_BIN")
            if not binary:
                raise RuntimeError("set FERRY_BIN (path to ferry) or FERRY_ENDPOINT")
            server = FerryServer(binary)
            try:
                _endpoint = server.start()
            except Exception:
                server.stop()
                raise
            _server = server
            atexit.register(stop_server)
    return _endpoint


def managed_server():
    """The FerryServer this process started, or None when targeting a peer."""
    return _server


def stop_server():
    global _server
    if _server is None:
        return None
    server, _server = _server, None
    return server.stop()


def expected_account_id():
    """Ferry's account id, or FERRY_ACCOUNT_ID / None (unknown) for a peer."""
    if os.environ.get("FERRY_ACCOUNT_ID"):
        return os.environ["FERRY_ACCOUNT_ID"]
    if not os.environ.get("FERRY_ENDPOINT"):
        return FERRY_ACCOUNT_ID
    return None


def sqs_client(validate=True, endpoint_url=None, connect_timeout=10, read_timeout=60,
               session=None, region=REGION):
    """A boto3 SQS client, retries off. endpoint_url defaults to endpoint();
    pass a boto3.session.Session per thread when clients are built concurrently
    (the default session is not thread-safe). region: the region it signs for."""
    import boto3
    from botocore.config import Config
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"},
                 parameter_validation=validate, connect_timeout=connect_timeout,
                 read_timeout=read_timeout)
    factory = session.client if session is not None else boto3.client
    return factory("sqs", endpoint_url=endpoint_url or endpoint(), region_name=region,
                   aws_access_key_id="test", aws_secret_access_key="test",
                   config=cfg)


def client_protocol():
    import boto3
    return boto3.client("sqs", region_name=REGION, endpoint_url="http://127.0.0.1:1",
                        aws_access_key_id="test",
                        aws_secret_access_key="test").meta.service_model.protocol


# ---------------------------------------------------------------- digests

def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def md5_of_body(body):
    return md5_hex(body.encode("utf-8"))


def _length_prefixed(data):
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes):
    """AWS's MD5OfMessageAttributes (also used for MessageSystemAttributes).

    Attributes sorted by name; each contributes length-prefixed name, data type,
    one transport byte (1 String/Number, 2 Binary) and length-prefixed value.
    """
    buf = b""
    for name in sorted(attributes):
        attr = attributes[name]
        data_type = attr["DataType"]
        buf += _length_prefixed(name.encode("utf-8"))
        buf += _length_prefixed(data_type.encode("utf-8"))
        if data_type.startswith("Binary"):
            value = attr["BinaryValue"]
            if isinstance(value, str):
                value = value.encode("utf-8")
            buf += b"\x02" + _length_prefixed(bytes(value))
        else:
            buf += b"\x01" + _length_prefixed(attr["StringValue"].encode("utf-8"))
    return md5_hex(buf)


# ---------------------------------------------------------------- test base

def sns_client(validate=True, endpoint_url=None, connect_timeout=10, read_timeout=60):
    """A boto3 SNS client (Query protocol: SNS has no other), retries off.
    endpoint_url defaults to endpoint(). Build clients from one thread at a
    time (boto3's default setup is not thread-safe); using one from another
    thread is fine."""
    import boto3
    from botocore.config import Config
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"},
                 parameter_validation=validate, connect_timeout=connect_timeout,
                 read_timeout=read_timeout)
    return boto3.client("sns", endpoint_url=endpoint_url or endpoint(), region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test", config=cfg)


def unique_name(tag=""):
    name = "e2e-%s-%s%s" % (RUN_ID, uuid.uuid4().hex[:10], ("-" + tag) if tag else "")
    return name[:80]


class SqsTestCase(unittest.TestCase):
    """Base class: a validating client, a non-validating one, queue helpers."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.sqs = sqs_client()
        # For sending values the service must reject itself.
        cls.raw = sqs_client(validate=False)
        cls.protocol = cls.sqs.meta.service_model.protocol

    def setUp(self):
        expected = os.environ.get("FERRY_EXPECT_PROTOCOL")
        if expected:
            self.assertEqual(self.protocol, expected,
                             "botocore speaks %r but this run expects %r"
                             % (self.protocol, expected))

    def new_queue(self, tag="", attributes=None, tags=None, name=None):
        name = name or unique_name(tag)
        kwargs = {"QueueName": name}
        if attributes:
            kwargs["Attributes"] = attributes
        if tags:
            kwargs["tags"] = tags
        url = self.sqs.create_queue(**kwargs)["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        return url

    def _delete_quietly(self, url):
        try:
            self.sqs.delete_queue(QueueUrl=url)
        except Exception:
            pass

    def attrs(self, url, *names):
        names = list(names) or ["All"]
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]

    def counts(self, url):
        a = self.attrs(url, "ApproximateNumberOfMessages",
                       "ApproximateNumberOfMessagesNotVisible",
                       "ApproximateNumberOfMessagesDelayed")
        return (int(a["ApproximateNumberOfMessages"]),
                int(a["ApproximateNumberOfMessagesNotVisible"]),
                int(a["ApproximateNumberOfMessagesDelayed"]))

    def receive(self, url, **kwargs):
        kwargs.setdefault("WaitTimeSeconds", 0)
        return self.sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])

    def receive_n(self, url, n, timeout=10.0, **kwargs):
        """Receive until n messages arrived (AWS may return fewer per call)."""
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < deadline:
            kwargs.setdefault("MaxNumberOfMessages", 10)
            got += self.receive(url, WaitTimeSeconds=1, **kwargs)
        return got

    def system_attribute_kwargs(self, names):
        """Ask for message system attributes the way this botocore can."""
        members = self.sqs.meta.service_model.operation_model(
            "ReceiveMessage").input_shape.members
        if "MessageSystemAttributeNames" in members:
            return {"MessageSystemAttributeNames": list(names)}
        return {"AttributeNames": list(names)}

    def assertSqsError(self, code, fn, *args, status=400, shape=None,
                       sender=True, json_type=None, **kwargs):
        """Call fn, expect a ClientError with this code and HTTP status.

        shape: the modelled exception class that botocore must map it to (if
        this botocore's model has it) — in JSON that needs the right __type.
        json_type: over JSON, the __type AWS sends (botocore reports it as
        Error.QueryErrorCode, since the code comes from x-amzn-query-error);
        defaults to `shape`.
        """
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        err = cm.exception.response.get("Error", {})
        meta = cm.exception.response.get("ResponseMetadata", {})
        self.assertEqual(err.get("Code"), code, "error document: %r" % (cm.exception.response,))
        self.assertEqual(meta.get("HTTPStatusCode"), status,
                         "error %s came with HTTP %s" % (code, meta.get("HTTPStatusCode")))
        if sender:
            self.assertEqual(err.get("Type"), "Sender", "error %s: %r" % (code, err))
        self.assertTrue(err.get("Message"), "error %s has no message" % code)
        json_type = json_type or shape
        if json_type and self.protocol == "json":
            self.assertEqual(err.get("QueryErrorCode"), json_type,
                             "error %s: __type %r" % (code, err))
        client = getattr(fn, "__self__", self.sqs)
        if shape and hasattr(client.exceptions, shape):
            self.assertIsInstance(cm.exception, getattr(client.exceptions, shape),
                                  "error %s did not map to the modelled %s" % (code, shape))
        return cm.exception


# A message-attribute set covering every transport type and custom types.
SAMPLE_ATTRIBUTES = {
    "greeting": {"DataType": "String", "StringValue": "héllo wörld 🚀"},
    "count": {"DataType": "Number", "StringValue": "-12.50"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x7f\x80\xfe\xff"},
    "kind": {"DataType": "String.custom", "StringValue": "custom-typed"},
    "ratio": {"DataType": "Number.float", "StringValue": "3.14159"},
    "image": {"DataType": "Binary.gif", "BinaryValue": b"GIF89a\x01\x00"},
}


def normalise_attributes(attributes):
    """Keep DataType and the value of each attribute (drop empty list members)."""
    out = {}
    for name, attr in (attributes or {}).items():
        value = {"DataType": attr["DataType"]}
        if "StringValue" in attr:
            value["StringValue"] = attr["StringValue"]
        if "BinaryValue" in attr:
            value["BinaryValue"] = bytes(attr["BinaryValue"])
        out[name] = value
    return out
