"""Shared machinery of the crash test (tests/e2e/python/test_crash.py).

The state every scenario's threads share (Run: the server's current
incarnation, the stop events, the calls that failed; one lock), the clients
rebuilt after each restart, the Checker that collects failures, and the
main thread's steps around a crash: SIGKILL and restart on the same data
dir, wait while load runs, verify a queue came back, stop at the end.

Check made here:
  (5) each restart came up (startup time printed), each kill found the
      server still running, and the final SIGTERM stopped it cleanly.
"""

import collections
import threading
import time
from urllib.parse import urlparse

LEAVE_IN_FLIGHT = 0.08              # share of received messages not deleted during load
CONNECT_TIMEOUT_S = 1
READ_TIMEOUT_S = 6                  # > WaitTimeSeconds + fsync latency
DRAIN_LIMIT_S = 40
RUN_LIMIT_S = 150                   # every loop gives up after this (ctest TIMEOUT is 240)


def log(msg):
    print("[%7.2f] %s" % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


# ------------------------------------------------------------ shared state

class Run:
    """What every scenario's threads share; one lock. A scenario that records
    more (standard.StandardRun) adds its fields under the same lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.generation = 0           # server incarnation (1 = first start)
        self.endpoint = None          # None while the server is down
        self.queue_url = None
        self.up = threading.Event()
        self.stop_producers = threading.Event()
        self.stop_consumers = threading.Event()
        self.draining = threading.Event()
        self.deadline = time.monotonic() + RUN_LIMIT_S

        self.kill_times = []          # monotonic time of each SIGKILL
        self.failed_calls = collections.Counter()   # connection-level, by kind
        self.error_responses = collections.Counter()  # "Action: Code" from a live server
        self.error_examples = []
        self.warnings = []

    def current(self):
        with self.lock:
            return self.generation, self.endpoint, self.queue_url

    def set_up(self, endpoint, queue_url):
        with self.lock:
            self.generation += 1
            self.endpoint = endpoint
            self.queue_url = queue_url
        self.up.set()

    def set_down(self):
        with self.lock:
            self.endpoint = None
        self.up.clear()

    def progress(self):
        """What the load achieved so far, for the log line of a crash."""
        return ""

    def failed(self, action, exc, t0):
        """Record a call that got no usable answer (or an error answer)."""
        from botocore.exceptions import ClientError
        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code", "?")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            with self.lock:
                self.error_responses["%s: %s (HTTP %s)" % (action, code, status)] += 1
                if len(self.error_examples) < 5:
                    self.error_examples.append("%s: %s" % (action, exc))
        else:
            with self.lock:
                self.failed_calls[type(exc).__name__] += 1


class ClientCache:
    """A thread's SQS client, rebuilt when the server restarted."""

    def __init__(self, run):
        import boto3
        self.run = run
        self.session = boto3.session.Session()
        self.generation = None
        self.client = None

    def get(self, wait=0.5):
        """(client, queue_url, generation), or None while the server is down."""
        gen, endpoint, url = self.run.current()
        if endpoint is None:
            self.run.up.wait(wait)
            return None
        if gen != self.generation:
            import ferry_e2e
            self.client = ferry_e2e.sqs_client(
                endpoint_url=endpoint, connect_timeout=CONNECT_TIMEOUT_S,
                read_timeout=READ_TIMEOUT_S, session=self.session)
            self.generation = gen
        return self.client, url, gen


def receive_kwargs(client, names=("ApproximateReceiveCount",)):
    members = client.meta.service_model.operation_model("ReceiveMessage").input_shape.members
    if "MessageSystemAttributeNames" in members:
        return {"MessageSystemAttributeNames": list(names)}
    return {"AttributeNames": list(names)}


# ------------------------------------------------------------ main thread

class Checker:
    def __init__(self):
        self.failures = []

    def fail(self, check, msg):
        self.failures.append("(%s) %s" % (check, msg))
        log("FAIL (%s) %s" % (check, msg))


def queue_state(client, url):
    attrs = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    tags = client.list_queue_tags(QueueUrl=url).get("Tags", {})
    return attrs, tags


def stable(attrs):
    return {k: v for k, v in attrs.items() if not k.startswith("Approximate")}


def verify_queue(checker, client, queue_name, old_url, expected_attrs, expected_tags, when):
    """Check (3) after a restart: the queue, its attributes and tags are back.
    Returns the queue URL to use from now on."""
    endpoint = client.meta.endpoint_url
    url = endpoint + urlparse(old_url).path  # same queue, the new port
    try:
        got_url = client.get_queue_url(QueueName=queue_name)["QueueUrl"]
        if urlparse(got_url).path != urlparse(old_url).path:
            checker.fail(3, "%s: GetQueueUrl says %s (was %s)" % (when, got_url, old_url))
        url = got_url
        attrs, tags = queue_state(client, url)
    except Exception as e:  # noqa: BLE001
        checker.fail(3, "%s: the queue is gone or unreadable: %s" % (when, e))
        return url
    if stable(attrs) != stable(expected_attrs):
        diff = {k: (expected_attrs.get(k), attrs.get(k))
                for k in set(stable(attrs)) | set(stable(expected_attrs))
                if attrs.get(k) != expected_attrs.get(k)}
        checker.fail(3, "%s: queue attributes changed (expected, got): %r" % (when, diff))
    if tags != expected_tags:
        checker.fail(3, "%s: tags %r, expected %r" % (when, tags, expected_tags))
    return url


def checkpoint_restarts(server):
    """How many starts recovered from a checkpoint (plus the log after it)."""
    try:
        with open(server.log_path, errors="replace") as f:
            return sum(1 for line in f if "from a checkpoint" in line)
    except OSError:
        return 0


def sleep_watching(server, checker, seconds):
    """Sleep while load runs; a server that dies by itself is a failure."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not server.alive():
            checker.fail(5, "ferry exited by itself (status %s) under load"
                         % (server.proc.returncode if server.proc else "?"))
            return False
        time.sleep(0.05)
    return True


def crash_and_restart(run, server, checker, number):
    """SIGKILL, restart on the same data dir; returns the new endpoint or None.
    `run` is None for the phases without producers and consumers."""
    was_alive = server.alive()
    if run is not None:
        run.kill_times.append(time.monotonic())
    status = server.kill()
    if run is not None:
        run.set_down()
    if not was_alive:
        checker.fail(5, "crash %s: ferry was already dead (status %s)" % (number, status))
    log("crash %s: SIGKILL (exit status %s)%s" % (
        number, status, run.progress() if run else ""))
    try:
        endpoint = server.start()
    except Exception as e:  # noqa: BLE001
        checker.fail(5, "crash %s: ferry did not restart: %s" % (number, e))
        return None
    log("crash %s: restarted in %.3f s, listening on %s"
        % (number, server.startup_seconds, endpoint))
    return endpoint


def main_client_for(run):
    """The main thread's client: returns a function giving (client, queue URL)
    for the current server, with the client rebuilt after each restart."""
    import ferry_e2e
    main_client = {"gen": None, "client": None}

    def client_for():
        gen, endpoint, url = run.current()
        if main_client["gen"] != gen:
            main_client["client"] = ferry_e2e.sqs_client(
                endpoint_url=endpoint, connect_timeout=CONNECT_TIMEOUT_S,
                read_timeout=READ_TIMEOUT_S)
            main_client["gen"] = gen
        return main_client["client"], url

    return client_for


def final_sigterm(server, checker):
    """Check (5) at the end: SIGTERM stops the running server cleanly."""
    if server.alive():
        problem = server.stop()
        if problem:
            checker.fail(5, "final SIGTERM: %s" % problem)
    elif server.proc is not None:
        checker.fail(5, "ferry was not running at the end (status %s)"
                     % server.proc.returncode)
