#!/usr/bin/env python3
"""Crash recovery: kill -9 ferry under load, restart it on the same data dir,
and check that nothing acknowledged was lost and nothing deleted came back.

    FERRY_BIN=build/src/app/ferry FERRY_EXPECT_PROTOCOL=json \\
        python3 tests/e2e/python/test_crash.py

A standalone script (not a unittest module: it owns its server, which it
kills). ctest runs it as `e2e_crash`. Exit status 0 pass, 1 fail, 77 skip.

The run:
  1. start ferry (--port 0, a temp --data-dir); create a standard queue with
     non-default attributes and tags;
  2. producers (SendMessage and SendMessageBatch, each message with a unique
     id in its body and message attributes derived from that id) and
     consumers (ReceiveMessage with a short VisibilityTimeout, then
     DeleteMessage / DeleteMessageBatch; a few messages are left in flight on
     purpose) run while the server is SIGKILLed at random moments and
     restarted on the same data dir (new port each time, clients rebuilt);
  3. producers stop; the queue is drained (in-flight messages wait out their
     visibility timeout) and everything is deleted;
  4. one more SIGKILL + restart with the queue empty, then SIGTERM.

Beside it, the same run drives a FIFO queue: a producer sends numbered
messages to a few message groups (each with a MessageDeduplicationId, and
retries a send that got no answer with the same id until it is
acknowledged) and, after every restart, sends its last acknowledged message
of each group again; a consumer receives and deletes, leaving some in
flight. FIFO checks:
  (F1) every acknowledged FIFO send is received, always under the MessageId
       and SequenceNumber its send returned: a retried or repeated send
       within the deduplication window (across kill -9) returns the original
       and never creates a second message;
  (F2) order: a receive returns a group's messages in order, and only once
       every earlier message of the group was deleted (a delete was sent
       before the receive answered) or comes before it in the same receive;
  (F3) the FIFO queue drains to empty, stays so after the last crash, and
       its attributes (FifoQueue, ContentBasedDeduplication) survive.

Only what the server acknowledged counts: a send is acknowledged when the
call returned 200 with a MessageId (per entry for batches), a delete when
the call returned 200 (per entry for batches). Calls that failed because the
server died are counted, never recorded.

Checks:
  (1) every acknowledged send id was received at least once;
  (2) a receive that STARTED after a delete was acknowledged never returns
      that message. Only deletes made with the current receipt handle count
      (AWS: a delete with a stale handle succeeds without deleting): the
      delete was acknowledged within the receive's visibility timeout and no
      other receive of that message overlapped;
  (3) queue attributes and tags (including a change made between crashes)
      are intact after every restart;
  (4) every received message has its exact body, message attributes, MD5s
      and (for acknowledged sends) the MessageId the send returned;
  (5) each restart came up (startup time printed), each kill found the
      server still running, and the final SIGTERM stopped it cleanly;
  (6) in-flight state survives: ApproximateReceiveCount only grows, and a
      message is not received again before its visibility deadline, across
      restarts too (FERRY_CRASH_STRICT_INFLIGHT=0 turns these into warnings);
  (7) a running server answers every request with 200 (no error responses),
      and the queue drains to empty, staying empty after the last crash;
  (8) dead letters and a message move task across a crash: messages moved to
      a DLQ by maxReceiveCount stay there after a SIGKILL, and a move task
      from that DLQ (rate-limited, so it is mid-way when the server is
      SIGKILLed) resumes after the restart, completes, and every message it
      was moving arrives in the destination (at least once).

Environment: FERRY_BIN (required), FERRY_EXPECT_PROTOCOL (query|json; a
mismatching botocore skips), FERRY_CRASH_SEED (reproduce the random kill
times), FERRY_CRASH_KILLS (kills under load, default 3, at least 1),
FERRY_CRASH_STRICT_INFLIGHT (default 1). FERRY_ENDPOINT skips: a peer cannot
be killed. On failure the data dir and the server log are kept and printed.
"""

import collections
import hashlib
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SKIP = 77

PRODUCERS = 3
CONSUMERS = 3
LOAD_MIN_S, LOAD_MAX_S = 1.5, 4.0   # load between two kills
TAIL_MIN_S, TAIL_MAX_S = 1.5, 3.0   # load after the last restart
RECEIVE_VT = 3                      # VisibilityTimeout of the consumers' receives
VT_MARGIN_S = 1.0                   # slack for a server that rounds deadlines to seconds
LEAVE_IN_FLIGHT = 0.08              # share of received messages not deleted during load
MAX_BACKLOG = 1500                  # producers pause above this many undeleted messages
CONNECT_TIMEOUT_S = 1
READ_TIMEOUT_S = 6                  # > WaitTimeSeconds + fsync latency
DRAIN_LIMIT_S = 40
RUN_LIMIT_S = 150                   # every loop gives up after this (ctest TIMEOUT is 240)

QUEUE_ATTRIBUTES = {
    "VisibilityTimeout": "5",
    "DelaySeconds": "0",
    "MessageRetentionPeriod": "3600",
    "MaximumMessageSize": "131072",
    "ReceiveMessageWaitTimeSeconds": "0",
}
QUEUE_TAGS = {"team": "ferry", "purpose": "crash-recovery", "ünïcode": "välue ñ"}
FIFO_GROUPS = 4
FIFO_VT = 3                         # VisibilityTimeout of the FIFO consumer's receives
FIFO_ATTRIBUTES = {"FifoQueue": "true", "ContentBasedDeduplication": "false",
                   "VisibilityTimeout": "5", "MessageRetentionPeriod": "3600"}
# Applied after the first restart: a change of configuration must survive too.
LATER_ATTRIBUTES = {"MaximumMessageSize": "200000"}
LATER_TAGS = {"changed-after": "crash-1"}


def log(msg):
    print("[%7.2f] %s" % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


# ------------------------------------------------------------ the messages

def expected_message(mid):
    """Body and message attributes of the message with unique id `mid`."""
    h = hashlib.sha256(mid.encode()).digest()
    n = int.from_bytes(h[:4], "big")
    body = "crash %s " % mid + "é" * (n % 5) + "x" * (n % 400) + " ✓"
    attributes = {
        "sid": {"DataType": "String", "StringValue": mid},
        "n": {"DataType": "Number", "StringValue": str(n % 100000)},
        "blob": {"DataType": "Binary", "BinaryValue": h[4:4 + 1 + n % 24]},
        "kind": {"DataType": "String.crash", "StringValue": "wal ✓"},
    }
    return body, attributes


def id_of_body(body):
    parts = body.split(" ", 2)
    return parts[1] if len(parts) >= 2 and parts[0] == "crash" else None


# ------------------------------------------------------------ shared state

class Run:
    """Everything the threads share; one lock."""

    def __init__(self, strict_inflight):
        self.lock = threading.Lock()
        self.strict_inflight = strict_inflight
        self.generation = 0           # server incarnation (1 = first start)
        self.endpoint = None          # None while the server is down
        self.queue_url = None
        self.up = threading.Event()
        self.stop_producers = threading.Event()
        self.stop_consumers = threading.Event()
        self.draining = threading.Event()
        self.deadline = time.monotonic() + RUN_LIMIT_S

        self.attempted = set()        # ids ever sent (acknowledged or not)
        self.sent = {}                # id -> (ack time, MessageId, generation)
        self.sent_single = 0
        self.sent_batch = 0
        self.receives = []            # dicts: id, mid, t0, t1, handle, rc, gen
        self.empty_receives = 0
        self.deletes = []             # (receive index, t_ack, generation)
        self.deleted_ids = set()
        self.kill_times = []          # monotonic time of each SIGKILL
        self.failed_calls = collections.Counter()   # connection-level, by kind
        self.error_responses = collections.Counter()  # "Action: Code" from a live server
        self.error_examples = []
        self.problems = []            # malformed messages etc. (check 4)
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

    def backlog(self):
        with self.lock:
            return len(self.sent) - len(self.deleted_ids)

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

    def problem(self, msg):
        with self.lock:
            if len(self.problems) < 10000:
                self.problems.append(msg)


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


# ------------------------------------------------------------ workers

def producer(run, index):
    import ferry_e2e
    rng = random.Random(hash((run.deadline, index)))
    cache = ClientCache(run)
    seq = 0
    while not run.stop_producers.is_set() and time.monotonic() < run.deadline:
        if run.backlog() > MAX_BACKLOG:
            time.sleep(0.02)
            continue
        got = cache.get()
        if got is None:
            continue
        client, url, gen = got
        batch = rng.random() < 0.5
        count = rng.randint(1, 10) if batch else 1
        ids = []
        for _ in range(count):
            seq += 1
            ids.append("%s-p%d-%d" % (ferry_e2e.RUN_ID, index, seq))
        with run.lock:
            run.attempted.update(ids)
        t0 = time.monotonic()
        try:
            if batch:
                entries = []
                for i, mid in enumerate(ids):
                    body, attrs = expected_message(mid)
                    entries.append({"Id": "e%d" % i, "MessageBody": body,
                                    "MessageAttributes": attrs})
                resp = client.send_message_batch(QueueUrl=url, Entries=entries)
            else:
                body, attrs = expected_message(ids[0])
                resp = client.send_message(QueueUrl=url, MessageBody=body,
                                           MessageAttributes=attrs)
        except Exception as e:  # noqa: BLE001 - every failure is just "not acknowledged"
            run.failed("SendMessageBatch" if batch else "SendMessage", e, t0)
            time.sleep(0.05)
            continue
        t_ack = time.monotonic()
        if batch:
            results = [(ids[int(r["Id"][1:])], r) for r in resp.get("Successful", [])]
            for f in resp.get("Failed", []):
                with run.lock:
                    run.error_responses["SendMessageBatch entry: %s" % f.get("Code")] += 1
        else:
            results = [(ids[0], resp)]
        acked = {}
        for mid, r in results:
            body, attrs = expected_message(mid)
            if not r.get("MessageId"):
                run.problem("send of %s: 200 without MessageId: %r" % (mid, r))
                continue
            if r.get("MD5OfMessageBody") != ferry_e2e.md5_of_body(body):
                run.problem("send of %s: MD5OfMessageBody %s" % (mid, r.get("MD5OfMessageBody")))
            if r.get("MD5OfMessageAttributes") != ferry_e2e.md5_of_attributes(attrs):
                run.problem("send of %s: MD5OfMessageAttributes %s"
                            % (mid, r.get("MD5OfMessageAttributes")))
            acked[mid] = (t_ack, r["MessageId"], gen)
        with run.lock:
            run.sent.update(acked)
            if batch:
                run.sent_batch += len(acked)
            else:
                run.sent_single += len(acked)


def check_message(run, m, ferry_e2e):
    """Check (4) for one received message; returns its id or None."""
    body = m.get("Body", "")
    mid = id_of_body(body)
    with run.lock:
        known = mid in run.attempted
        sent = run.sent.get(mid)
    if mid is None or not known:
        run.problem("received a message nobody sent: %r" % body[:120])
        return None
    exp_body, exp_attrs = expected_message(mid)
    if body != exp_body:
        run.problem("%s: body differs (%d chars, expected %d)" % (mid, len(body), len(exp_body)))
    got_attrs = ferry_e2e.normalise_attributes(m.get("MessageAttributes"))
    if got_attrs != ferry_e2e.normalise_attributes(exp_attrs):
        run.problem("%s: message attributes differ: %r" % (mid, got_attrs))
    if m.get("MD5OfBody") != ferry_e2e.md5_of_body(exp_body):
        run.problem("%s: MD5OfBody %s" % (mid, m.get("MD5OfBody")))
    if m.get("MD5OfMessageAttributes") != ferry_e2e.md5_of_attributes(exp_attrs):
        run.problem("%s: MD5OfMessageAttributes %s" % (mid, m.get("MD5OfMessageAttributes")))
    if sent is not None and m.get("MessageId") != sent[1]:
        run.problem("%s: MessageId %s, the send returned %s" % (mid, m.get("MessageId"), sent[1]))
    return mid


def record_receives(run, messages, t0, t1, gen, ferry_e2e):
    """Records a successful receive; returns [(receive index, message)]."""
    out = []
    for m in messages:
        mid = check_message(run, m, ferry_e2e)
        if mid is None:
            continue
        try:
            rc = int(m.get("Attributes", {}).get("ApproximateReceiveCount"))
        except (TypeError, ValueError):
            rc = None
            run.problem("%s: no ApproximateReceiveCount" % mid)
        with run.lock:
            run.receives.append({"id": mid, "mid": m.get("MessageId"), "t0": t0, "t1": t1,
                                 "handle": m.get("ReceiptHandle"), "rc": rc, "gen": gen})
            out.append((len(run.receives) - 1, m))
    return out


def delete_received(run, client, url, gen, received, rng):
    """DeleteMessage or DeleteMessageBatch; records acknowledged deletes."""
    if not received:
        return
    if len(received) > 1 and rng.random() < 0.6:
        entries = [{"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]}
                   for i, (_, m) in enumerate(received)]
        t0 = time.monotonic()
        try:
            resp = client.delete_message_batch(QueueUrl=url, Entries=entries)
        except Exception as e:  # noqa: BLE001
            run.failed("DeleteMessageBatch", e, t0)
            return
        t_ack = time.monotonic()
        with run.lock:
            for r in resp.get("Successful", []):
                idx = received[int(r["Id"][1:])][0]
                run.deletes.append((idx, t_ack, gen))
                run.deleted_ids.add(run.receives[idx]["id"])
            for f in resp.get("Failed", []):
                run.error_responses["DeleteMessageBatch entry: %s" % f.get("Code")] += 1
        return
    for idx, m in received:
        t0 = time.monotonic()
        try:
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        except Exception as e:  # noqa: BLE001
            run.failed("DeleteMessage", e, t0)
            continue
        t_ack = time.monotonic()
        with run.lock:
            run.deletes.append((idx, t_ack, gen))
            run.deleted_ids.add(run.receives[idx]["id"])


def consumer(run, index):
    import ferry_e2e
    rng = random.Random(hash((run.deadline, "c", index)))
    cache = ClientCache(run)
    kwargs = None
    while not run.stop_consumers.is_set() and time.monotonic() < run.deadline:
        got = cache.get()
        if got is None:
            continue
        client, url, gen = got
        kwargs = kwargs or receive_kwargs(client)
        t0 = time.monotonic()
        try:
            resp = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          WaitTimeSeconds=1, VisibilityTimeout=RECEIVE_VT,
                                          MessageAttributeNames=["All"], **kwargs)
        except Exception as e:  # noqa: BLE001
            run.failed("ReceiveMessage", e, t0)
            time.sleep(0.05)
            continue
        t1 = time.monotonic()
        messages = resp.get("Messages", [])
        if not messages:
            with run.lock:
                run.empty_receives += 1
            continue
        received = record_receives(run, messages, t0, t1, gen, ferry_e2e)
        if not run.draining.is_set():
            # Leave a few in flight: they must come back after the visibility
            # timeout, also when a crash happened meanwhile.
            received = [r for r in received if rng.random() >= LEAVE_IN_FLIGHT]
        delete_received(run, client, url, gen, received, rng)


# ------------------------------------------------------------ FIFO queue

class FifoRun:
    """The FIFO side of the run; shares Run's lock, events and server state."""

    def __init__(self, run):
        self.run = run
        self.path = None              # URL path of the FIFO queue (the port changes)
        self.acked = {}               # (group, n) -> (MessageId, SequenceNumber)
        self.receives = []            # (t0, t1, [(group, n, MessageId, SequenceNumber)])
        self.delete_attempts = {}     # (group, n) -> earliest t0 of a delete request
        self.problems = []
        self.sends = 0
        self.repeats = 0              # acknowledged sends sent again after a restart

    def url(self, endpoint):
        return endpoint + self.path

    def problem(self, msg):
        with self.run.lock:
            if len(self.problems) < 1000:
                self.problems.append(msg)


def fifo_body(group, n):
    return "fifo %s %d " % (group, n) + "é" * (n % 7)


def fifo_producer(fifo):
    run = fifo.run
    cache = ClientCache(run)
    nxt = {"g%d" % i: 1 for i in range(FIFO_GROUPS)}
    repeated_gen = 1
    rng = random.Random(hash((run.deadline, "fifo")))
    while not run.stop_producers.is_set() and time.monotonic() < run.deadline:
        got = cache.get()
        if got is None:
            continue
        client, _, gen = got
        url = fifo.url(client.meta.endpoint_url)
        if gen != repeated_gen:
            # The dedup window must survive the restart: a repeat of each
            # group's last acknowledged send returns the original.
            for group, n in nxt.items():
                if n == 1:
                    continue
                key = (group, n - 1)
                try:
                    r = client.send_message(QueueUrl=url, MessageBody=fifo_body(*key),
                                            MessageGroupId=group,
                                            MessageDeduplicationId="%s-%d" % key)
                except Exception as e:  # noqa: BLE001
                    run.failed("SendMessage (FIFO repeat)", e, time.monotonic())
                    break
                with run.lock:
                    want = fifo.acked.get(key)
                    fifo.repeats += 1
                if want and (r["MessageId"], r.get("SequenceNumber")) != want:
                    fifo.problem("repeat of %s after restart #%d returned %s/%s, the original "
                                 "was %s/%s" % (key, gen, r["MessageId"], r.get("SequenceNumber"),
                                                want[0], want[1]))
            else:
                repeated_gen = gen
            continue
        group = "g%d" % rng.randrange(FIFO_GROUPS)
        n = nxt[group]
        try:
            r = client.send_message(QueueUrl=url, MessageBody=fifo_body(group, n),
                                    MessageGroupId=group,
                                    MessageDeduplicationId="%s-%d" % (group, n))
        except Exception as e:  # noqa: BLE001 - retried with the same dedup id
            run.failed("SendMessage (FIFO)", e, time.monotonic())
            time.sleep(0.05)
            continue
        if r.get("MD5OfMessageBody") != hashlib.md5(fifo_body(group, n).encode()).hexdigest():
            fifo.problem("FIFO send %s-%d: MD5OfMessageBody %s" % (group, n,
                                                                   r.get("MD5OfMessageBody")))
        with run.lock:
            fifo.acked[(group, n)] = (r["MessageId"], r.get("SequenceNumber"))
            fifo.sends += 1
        nxt[group] = n + 1
        time.sleep(0.005)


def fifo_consumer(fifo, stop):
    run = fifo.run
    cache = ClientCache(run)
    rng = random.Random(hash((run.deadline, "fifo-c")))
    while not stop.is_set() and time.monotonic() < run.deadline:
        got = cache.get()
        if got is None:
            continue
        client, _, _ = got
        url = fifo.url(client.meta.endpoint_url)
        t0 = time.monotonic()
        try:
            resp = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          WaitTimeSeconds=1, VisibilityTimeout=FIFO_VT,
                                          **receive_kwargs(client, ["All"]))
        except Exception as e:  # noqa: BLE001
            run.failed("ReceiveMessage (FIFO)", e, t0)
            time.sleep(0.05)
            continue
        t1 = time.monotonic()
        items = []
        for m in resp.get("Messages", []):
            parts = m.get("Body", "").split(" ")
            a = m.get("Attributes", {})
            if len(parts) < 3 or parts[0] != "fifo":
                fifo.problem("FIFO queue returned %r" % m.get("Body", "")[:80])
                continue
            group, n = parts[1], int(parts[2])
            if m.get("Body") != fifo_body(group, n):
                fifo.problem("FIFO %s-%d: body differs" % (group, n))
            if a.get("MessageGroupId") != group:
                fifo.problem("FIFO %s-%d: MessageGroupId %r" % (group, n, a.get("MessageGroupId")))
            items.append((group, n, m["MessageId"], a.get("SequenceNumber"), m["ReceiptHandle"]))
        with run.lock:
            fifo.receives.append((t0, t1, [i[:4] for i in items]))
        for group, n, _, _, handle in items:
            if not run.draining.is_set() and rng.random() < LEAVE_IN_FLIGHT:
                break  # leave this one (and so its group's later ones) in flight
            td = time.monotonic()
            with run.lock:
                fifo.delete_attempts.setdefault((group, n), td)
            try:
                client.delete_message(QueueUrl=url, ReceiptHandle=handle)
            except Exception as e:  # noqa: BLE001
                run.failed("DeleteMessage (FIFO)", e, td)


def fifo_counts(client, url):
    a = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return a, sum(int(a.get(k, 0)) for k in ("ApproximateNumberOfMessages",
                                                "ApproximateNumberOfMessagesNotVisible",
                                                "ApproximateNumberOfMessagesDelayed"))


def fifo_drain(fifo, server, checker, main_client_for):
    """After the standard drain: wait until the FIFO queue stays empty."""
    deadline = min(time.monotonic() + DRAIN_LIMIT_S, fifo.run.deadline)
    zero_since = None
    total = None
    while time.monotonic() < deadline and server.alive():
        client, _ = main_client_for()
        try:
            _, total = fifo_counts(client, fifo.url(client.meta.endpoint_url))
        except Exception:  # noqa: BLE001
            time.sleep(0.5)
            continue
        if total == 0:
            zero_since = zero_since or time.monotonic()
            if time.monotonic() - zero_since >= 3.0:
                return True
        else:
            zero_since = None
        time.sleep(0.3)
    checker.fail("F3", "the FIFO queue did not drain within %d s (%r messages left)"
                 % (DRAIN_LIMIT_S, total))
    return False


def fifo_after_last_crash(fifo, client, checker):
    """(F3) the FIFO queue is intact and empty; the window still holds."""
    url = fifo.url(client.meta.endpoint_url)
    try:
        a, total = fifo_counts(client, url)
        if a.get("FifoQueue") != "true" or a.get("ContentBasedDeduplication") != "false":
            checker.fail("F3", "FIFO attributes after the last crash: %r" % a)
        if total:
            checker.fail("F3", "FIFO queue holds %d message(s) after the drain and a crash"
                         % total)
        with fifo.run.lock:
            first = min(fifo.acked) if fifo.acked else None
            want = fifo.acked.get(first)
        if first is not None:
            r = client.send_message(QueueUrl=url, MessageBody=fifo_body(*first),
                                    MessageGroupId=first[0],
                                    MessageDeduplicationId="%s-%d" % first)
            if r["MessageId"] != want[0]:
                checker.fail("F1", "after the last crash a repeat of %s got %s, not %s"
                             % (first, r["MessageId"], want[0]))
        got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", [])
        if got:
            checker.fail("F3", "after the drain and a crash the FIFO queue returned %r"
                         % [m["Body"][:40] for m in got])
    except Exception as e:  # noqa: BLE001
        checker.fail("F3", "FIFO queue after the last crash: %s" % e)


def analyse_fifo(fifo, checker):
    """Checks (F1) and (F2) over the recorded history; returns a summary."""
    received = collections.defaultdict(set)   # (group, n) -> {(MessageId, SequenceNumber)}
    order_violations = []
    for t0, t1, items in fifo.receives:
        for i, (group, n, mid, seqno) in enumerate(items):
            received[(group, n)].add((mid, seqno))
            earlier_here = {k for g, k, _, _ in items[:i] if g == group}
            for j in range(1, n):
                if j in earlier_here:
                    continue
                deleted_at = fifo.delete_attempts.get((group, j))
                if deleted_at is None or deleted_at >= t1:
                    order_violations.append(((group, n), (group, j), "t=%.2f" % t1))
                    break
    if order_violations:
        checker.fail("F2", "%d FIFO message(s) received while an earlier message of the group "
                     "was not deleted (message, earlier one, when): %s"
                     % (len(order_violations), order_violations[:5]))
    missing = [k for k in fifo.acked if k not in received]
    if missing:
        checker.fail("F1", "%d acknowledged FIFO send(s) never received: %s"
                     % (len(missing), sorted(missing)[:5]))
    wrong = [(k, sorted(v), fifo.acked.get(k)) for k, v in received.items()
             if len(v) != 1 or (k in fifo.acked and v != {fifo.acked[k]})]
    if wrong:
        checker.fail("F1", "%d FIFO message(s) received under another MessageId/SequenceNumber "
                     "than their send returned, or twice as different messages: %s"
                     % (len(wrong), wrong[:3]))
    if fifo.problems:
        checker.fail("F1", "%d FIFO problem(s): %s" % (len(fifo.problems), fifo.problems[:5]))
    return "%d sends acknowledged, %d repeated after restarts, %d receives" % (
        fifo.sends, fifo.repeats, len(fifo.receives))


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
        number, status, "; %d sends acknowledged so far" % len(run.sent) if run else ""))
    try:
        endpoint = server.start()
    except Exception as e:  # noqa: BLE001
        checker.fail(5, "crash %s: ferry did not restart: %s" % (number, e))
        return None
    log("crash %s: restarted in %.3f s, listening on %s"
        % (number, server.startup_seconds, endpoint))
    return endpoint


def drain(run, server, checker, main_client_for):
    """Stop producers, let consumers delete everything until the queue stays
    empty. Returns True when it drained."""
    run.stop_producers.set()
    run.draining.set()
    deadline = min(time.monotonic() + DRAIN_LIMIT_S, run.deadline)
    zero_since = None
    gone = 0
    a = None
    while time.monotonic() < deadline:
        if not server.alive():
            checker.fail(5, "ferry exited by itself during the drain")
            return False
        client, url = main_client_for()
        try:
            a = client.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                              "ApproximateNumberOfMessagesNotVisible",
                                              "ApproximateNumberOfMessagesDelayed"])["Attributes"]
            gone = 0
        except Exception as e:  # noqa: BLE001
            gone += 1
            if gone >= 3:
                checker.fail(7, "cannot read the queue's counts during the drain: %s" % e)
                return False
            time.sleep(0.5)
            continue
        total = sum(int(a.get(k, 0)) for k in ("ApproximateNumberOfMessages",
                                                "ApproximateNumberOfMessagesNotVisible",
                                                "ApproximateNumberOfMessagesDelayed"))
        if total == 0:
            zero_since = zero_since or time.monotonic()
            # Consumers long-poll in a loop; 3 s of zero counts = several empty polls.
            if time.monotonic() - zero_since >= 3.0:
                return True
        else:
            zero_since = None
        time.sleep(0.3)
    checker.fail(7, "the queue did not drain within %d s (last counts %r)" % (DRAIN_LIMIT_S, a))
    return False


def final_receives(run, client, url, gen, checker, ferry_e2e):
    """After the last crash: the queue must be empty and stay so."""
    kwargs = receive_kwargs(client)
    for _ in range(3):
        t0 = time.monotonic()
        try:
            resp = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          WaitTimeSeconds=1, VisibilityTimeout=RECEIVE_VT,
                                          MessageAttributeNames=["All"], **kwargs)
        except Exception as e:  # noqa: BLE001
            checker.fail(7, "receive after the last restart failed: %s" % e)
            return
        messages = resp.get("Messages", [])
        if messages:
            record_receives(run, messages, t0, time.monotonic(), gen, ferry_e2e)
            checker.fail(7, "after the drain and a crash, the queue returned %d message(s): %s"
                         % (len(messages), [id_of_body(m.get("Body", "")) for m in messages]))
    try:
        a = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        counts = {k: a.get(k) for k in a if k.startswith("ApproximateNumberOfMessages")}
        if any(int(v) for v in counts.values()):
            checker.fail(7, "after the drain and a crash the counts are %r" % counts)
    except Exception as e:  # noqa: BLE001
        checker.fail(7, "GetQueueAttributes after the last restart failed: %s" % e)


MOVE_MESSAGES = 60          # sent straight to the DLQ
MOVE_DEAD_LETTERED = 5      # moved there by maxReceiveCount
MOVE_RATE = 20              # MaxNumberOfMessagesPerSecond: ~3 s for the whole task


def receive_everything(client, url):
    """Receives and deletes until the queue stays empty; returns the bodies."""
    bodies = []
    empty = 0
    deadline = time.monotonic() + DRAIN_LIMIT_S
    while empty < 2 and time.monotonic() < deadline:
        got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                     VisibilityTimeout=60).get("Messages", [])
        empty = 0 if got else empty + 1
        for m in got:
            bodies.append(m["Body"])
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return bodies


def move_task_across_a_crash(server, checker, client, ferry_e2e):
    """Check (8). Returns a client for the restarted server, or None."""
    if not hasattr(client, "start_message_move_task"):
        log("move task phase skipped: this botocore has no StartMessageMoveTask")
        return client
    dlq = client.create_queue(QueueName=ferry_e2e.unique_name("crash-dlq"))["QueueUrl"]
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    src = client.create_queue(QueueName=ferry_e2e.unique_name("crash-src"), Attributes={
        "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}' % dlq_arn}
    )["QueueUrl"]
    dest = client.create_queue(QueueName=ferry_e2e.unique_name("crash-dest"))["QueueUrl"]
    dest_arn = client.get_queue_attributes(QueueUrl=dest, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    expected = set()
    for i in range(MOVE_DEAD_LETTERED):
        body = "dead-lettered %d" % i
        client.send_message(QueueUrl=src, MessageBody=body)
        expected.add(body)
    for _ in range(MOVE_DEAD_LETTERED):  # first receives; the second ones move them
        client.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=0)
    client.receive_message(QueueUrl=src, MaxNumberOfMessages=10)
    for i in range(0, MOVE_MESSAGES, 10):
        entries = [{"Id": "m%d" % j, "MessageBody": "to move %d" % (i + j)} for j in range(10)]
        client.send_message_batch(QueueUrl=dlq, Entries=entries)
        expected.update(e["MessageBody"] for e in entries)

    endpoint = crash_and_restart(None, server, checker, "dlq")
    if endpoint is None:
        return None
    client = ferry_e2e.sqs_client(endpoint_url=endpoint, connect_timeout=CONNECT_TIMEOUT_S,
                                  read_timeout=READ_TIMEOUT_S)
    in_dlq = int(client.get_queue_attributes(QueueUrl=dlq, AttributeNames=[
        "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])
    if in_dlq != len(expected):
        checker.fail(8, "after a crash the DLQ holds %d messages, expected %d"
                     % (in_dlq, len(expected)))

    client.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dest_arn,
                                   MaxNumberOfMessagesPerSecond=MOVE_RATE)
    time.sleep(1.2)
    before = client.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    log("move task before the crash: %s, %s of %s moved"
        % (before["Status"], before["ApproximateNumberOfMessagesMoved"],
           before["ApproximateNumberOfMessagesToMove"]))
    if before["Status"] != "RUNNING":
        checker.fail(8, "the move task was not running when the server was killed: %r" % before)

    endpoint = crash_and_restart(None, server, checker, "move task")
    if endpoint is None:
        return None
    client = ferry_e2e.sqs_client(endpoint_url=endpoint, connect_timeout=CONNECT_TIMEOUT_S,
                                  read_timeout=READ_TIMEOUT_S)
    deadline = time.monotonic() + 30
    while True:
        task = client.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        if task["Status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    log("move task after the restart: %s, %s of %s moved"
        % (task["Status"], task["ApproximateNumberOfMessagesMoved"],
           task["ApproximateNumberOfMessagesToMove"]))
    if task["Status"] != "COMPLETED":
        checker.fail(8, "the move task did not complete after the restart: %r" % task)
    if task["ApproximateNumberOfMessagesMoved"] < before["ApproximateNumberOfMessagesMoved"]:
        checker.fail(8, "the move task's progress went back across the crash: %r then %r"
                     % (before, task))
    moved = receive_everything(client, dest)
    left = receive_everything(client, dlq)
    lost = expected - set(moved) - set(left)
    if lost:
        checker.fail(8, "%d message(s) lost by the move task across the crash: %s"
                     % (len(lost), sorted(lost)[:5]))
    if set(moved) - expected or set(left) - expected:
        checker.fail(8, "unexpected bodies after the move: %s"
                     % sorted((set(moved) | set(left)) - expected)[:5])
    log("move task: %d delivered to the destination (%d duplicates), %d left in the DLQ"
        % (len(moved), len(moved) - len(set(moved)), len(left)))
    for url in (dlq, src, dest):
        client.delete_queue(QueueUrl=url)
    return client


def analyse(run, checker):
    """Checks (1), (2), (6) over the recorded history."""
    by_id = collections.defaultdict(list)
    for i, r in enumerate(run.receives):
        by_id[r["id"]].append(i)

    # (1) every acknowledged send was received.
    missing = [mid for mid in run.sent if mid not in by_id]
    if missing:
        per_gen = collections.Counter(run.sent[m][2] for m in missing)
        acked_per_gen = collections.Counter(v[2] for v in run.sent.values())
        detail = ", ".join("server #%d: %d of %d" % (g, per_gen[g], acked_per_gen[g])
                           for g in sorted(per_gen))
        checker.fail(1, "%d acknowledged send(s) never received (acknowledged by %s); e.g. %s"
                     % (len(missing), detail, sorted(missing)[:5]))

    # (2) no receive that started after an authoritative delete ack returns it.
    authoritative = {}   # id -> earliest authoritative delete ack
    unchecked = 0
    for idx, t_ack, _gen in run.deletes:
        r = run.receives[idx]
        ok = t_ack < r["t0"] + RECEIVE_VT - VT_MARGIN_S
        if ok:
            for j in by_id[r["id"]]:
                o = run.receives[j]
                if j != idx and o["t1"] > r["t0"] and o["t0"] < t_ack:
                    ok = False  # another receive may have made this handle stale
                    break
        if ok and not run.strict_inflight:
            # If receives were not durable, a crash could make the handle stale.
            ok = not any(r["t0"] < k < t_ack for k in run.kill_times)
        if ok:
            if r["id"] not in authoritative or t_ack < authoritative[r["id"]]:
                authoritative[r["id"]] = t_ack
        else:
            unchecked += 1
    resurrected = []
    for mid, t_ack in authoritative.items():
        for j in by_id[mid]:
            o = run.receives[j]
            if o["t0"] > t_ack:
                resurrected.append((mid, o["t0"] - t_ack, o["gen"]))
                break
    if resurrected:
        checker.fail(2, "%d message(s) received again after their delete was acknowledged "
                     "(id, seconds after the ack, server #): %s"
                     % (len(resurrected), resurrected[:5]))

    # (6) receive counts only grow; visibility deadlines hold (across crashes).
    count_regressions, early = [], []
    for mid, idxs in by_id.items():
        recs = [run.receives[j] for j in idxs]
        for a in recs:
            for b in recs:
                if a is b or not b["t0"] > a["t1"]:
                    continue
                if a["rc"] is not None and b["rc"] is not None and b["rc"] <= a["rc"]:
                    count_regressions.append((mid, a["rc"], a["gen"], b["rc"], b["gen"]))
                if b["t1"] < a["t0"] + RECEIVE_VT - VT_MARGIN_S:
                    early.append((mid, round(b["t1"] - a["t0"], 2), a["gen"], b["gen"]))
    for what, items in (("ApproximateReceiveCount did not grow between two receives "
                         "(id, count, server #, later count, server #)", count_regressions),
                        ("message received again before its visibility timeout passed "
                         "(id, seconds after the first receive started, server #, server #)",
                         early)):
        if items:
            msg = "%d time(s) %s: %s" % (len(items), what, items[:5])
            if run.strict_inflight:
                checker.fail(6, msg)
            else:
                run.warnings.append("(6) " + msg)

    return len(authoritative), unchecked, len(resurrected), by_id


def main():
    if os.environ.get("FERRY_ENDPOINT"):
        print("SKIP: FERRY_ENDPOINT is set; the crash test must start (and kill) its own server")
        return SKIP
    import run_suite
    status = run_suite.check_interpreter(skip_unavailable=True)
    if status is not None:
        return status
    try:
        import boto3  # noqa: F401
    except ImportError as e:
        print("SKIP: %s: cannot import boto3 (%s)" % (sys.executable, e))
        return SKIP
    binary = os.environ.get("FERRY_BIN")
    if not binary:
        print("FAIL: set FERRY_BIN (path to ferry)")
        return 1
    import ferry_e2e

    seed = int(os.environ.get("FERRY_CRASH_SEED") or random.SystemRandom().randrange(1 << 30))
    kills = max(1, int(os.environ.get("FERRY_CRASH_KILLS") or 3))
    strict = os.environ.get("FERRY_CRASH_STRICT_INFLIGHT", "1") != "0"
    rng = random.Random(seed)
    log("python %s, botocore protocol %s, seed %d (FERRY_CRASH_SEED), %d kills under load"
        % (sys.version.split()[0], ferry_e2e.client_protocol(), seed, kills))

    data_dir = tempfile.mkdtemp(prefix="ferry-crash-data-")
    # A checkpoint each second, so that restarts recover from a checkpoint plus
    # the log after it, not only from the log.
    server = ferry_e2e.FerryServer(binary, data_dir=data_dir, extra_args=["--checkpoint-mb", "0"])
    run = Run(strict)
    fifo = FifoRun(run)
    fifo_stop = threading.Event()
    checker = Checker()
    threads = []
    main_client = {"gen": None, "client": None}

    def main_client_for():
        gen, endpoint, url = run.current()
        if main_client["gen"] != gen:
            main_client["client"] = ferry_e2e.sqs_client(
                endpoint_url=endpoint, connect_timeout=CONNECT_TIMEOUT_S,
                read_timeout=READ_TIMEOUT_S)
            main_client["gen"] = gen
        return main_client["client"], url

    summary = {}
    try:
        endpoint = server.start()
        log("ferry start #1: listening on %s after %.3f s (data dir %s)"
            % (endpoint, server.startup_seconds, data_dir))
        queue_name = ferry_e2e.unique_name("crash")
        client = ferry_e2e.sqs_client(endpoint_url=endpoint, read_timeout=READ_TIMEOUT_S)
        url = client.create_queue(QueueName=queue_name, Attributes=QUEUE_ATTRIBUTES,
                                  tags=QUEUE_TAGS)["QueueUrl"]
        expected_attrs, expected_tags = queue_state(client, url)
        for k, v in QUEUE_ATTRIBUTES.items():
            if expected_attrs.get(k) != v:
                checker.fail(3, "CreateQueue did not apply %s=%s (got %r)"
                             % (k, v, expected_attrs.get(k)))
        if expected_tags != QUEUE_TAGS:
            checker.fail(3, "CreateQueue tags %r, expected %r" % (expected_tags, QUEUE_TAGS))
        fifo_url = client.create_queue(QueueName=queue_name[:70] + ".fifo",
                                       Attributes=FIFO_ATTRIBUTES)["QueueUrl"]
        fifo.path = urlparse(fifo_url).path
        run.set_up(endpoint, url)

        threads.append(threading.Thread(target=fifo_producer, args=(fifo,), daemon=True,
                                        name="fifo-producer"))
        threads.append(threading.Thread(target=fifo_consumer, args=(fifo, fifo_stop),
                                        daemon=True, name="fifo-consumer"))
        for i in range(PRODUCERS):
            threads.append(threading.Thread(target=producer, args=(run, i), daemon=True,
                                            name="producer-%d" % i))
        for i in range(CONSUMERS):
            threads.append(threading.Thread(target=consumer, args=(run, i), daemon=True,
                                            name="consumer-%d" % i))
        for t in threads:
            t.start()

        # Clients take a moment to build: time the first crash from real load.
        load_deadline = time.monotonic() + 15
        while time.monotonic() < load_deadline and not (run.sent and run.receives):
            time.sleep(0.05)
        if not (run.sent and run.receives):
            checker.fail(7, "no send or no receive succeeded within 15 s of the start")

        alive = True
        for k in range(1, kills + 1):
            if not sleep_watching(server, checker, rng.uniform(LOAD_MIN_S, LOAD_MAX_S)):
                alive = False
                break
            endpoint = crash_and_restart(run, server, checker, k)
            if endpoint is None:
                alive = False
                break
            client = ferry_e2e.sqs_client(endpoint_url=endpoint, connect_timeout=CONNECT_TIMEOUT_S,
                                          read_timeout=READ_TIMEOUT_S)
            url = verify_queue(checker, client, queue_name, url, expected_attrs,
                               expected_tags, "after crash %d" % k)
            if k == 1:
                # A configuration change between crashes must survive the next ones.
                try:
                    client.set_queue_attributes(QueueUrl=url, Attributes=LATER_ATTRIBUTES)
                    client.tag_queue(QueueUrl=url, Tags=LATER_TAGS)
                    expected_attrs, expected_tags = queue_state(client, url)
                    if expected_attrs.get("MaximumMessageSize") != "200000":
                        checker.fail(3, "SetQueueAttributes not applied: %r"
                                     % expected_attrs.get("MaximumMessageSize"))
                except Exception as e:  # noqa: BLE001
                    checker.fail(3, "changing the queue after crash 1 failed: %s" % e)
            run.set_up(endpoint, url)

        if alive and sleep_watching(server, checker, rng.uniform(TAIL_MIN_S, TAIL_MAX_S)):
            log("stopping producers; draining (%d sends acknowledged, %d deleted)"
                % (len(run.sent), len(run.deleted_ids)))
            drained = drain(run, server, checker, main_client_for)
            drained = fifo_drain(fifo, server, checker, main_client_for) and drained
            fifo_stop.set()
            run.stop_consumers.set()
            for t in threads:
                t.join(timeout=READ_TIMEOUT_S + 5)
            log("drain %s: %d receives, %d deletes acknowledged"
                % ("done" if drained else "INCOMPLETE", len(run.receives), len(run.deletes)))

            # One more crash with the queue empty: deletes must stay deleted.
            number = kills + 1
            endpoint = crash_and_restart(run, server, checker, number)
            if endpoint is not None:
                client = ferry_e2e.sqs_client(endpoint_url=endpoint,
                                              connect_timeout=CONNECT_TIMEOUT_S,
                                              read_timeout=READ_TIMEOUT_S)
                url = verify_queue(checker, client, queue_name, url, expected_attrs,
                                   expected_tags, "after crash %d (queue drained)" % number)
                run.set_up(endpoint, url)
                final_receives(run, client, url, run.generation, checker, ferry_e2e)
                fifo_after_last_crash(fifo, client, checker)
                try:
                    move_task_across_a_crash(server, checker, client, ferry_e2e)
                except Exception as e:  # noqa: BLE001
                    checker.fail(8, "the move task phase failed: %s" % e)
        run.stop_producers.set()
        run.stop_consumers.set()
        fifo_stop.set()
        for t in threads:
            t.join(timeout=READ_TIMEOUT_S + 5)
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            checker.fail(7, "threads did not finish: %s" % stuck)

        if server.alive():
            problem = server.stop()
            if problem:
                checker.fail(5, "final SIGTERM: %s" % problem)
        elif server.proc is not None:
            checker.fail(5, "ferry was not running at the end (status %s)"
                         % server.proc.returncode)

        with run.lock:
            n_auth, n_unchecked, n_resurrected, by_id = analyse(run, checker)
            fifo_summary = analyse_fifo(fifo, checker)
            if run.problems:
                checker.fail(4, "%d malformed message(s): %s"
                             % (len(run.problems), run.problems[:5]))
            if run.error_responses:
                checker.fail(7, "a running ferry answered with errors: %s; e.g. %s"
                             % (dict(run.error_responses), run.error_examples[:3]))
            dup_ids = sum(1 for v in by_id.values() if len(v) > 1)
            summary = collections.OrderedDict([
                ("kills (SIGKILL)", len(run.kill_times)),
                ("server starts", server.starts),
                ("restarts from a checkpoint", checkpoint_restarts(server)),
                ("sends attempted (ids)", len(run.attempted)),
                ("sends acknowledged", "%d (%d single, %d in batches)"
                 % (len(run.sent), run.sent_single, run.sent_batch)),
                ("sends unacknowledged", len(run.attempted) - len(run.sent)),
                ("unacknowledged sends delivered anyway",
                 sum(1 for m in by_id if m not in run.sent)),
                ("messages received", "%d receives of %d ids" % (len(run.receives), len(by_id))),
                ("duplicates", "%d extra receives; %d ids received more than once"
                 % (len(run.receives) - len(by_id), dup_ids)),
                ("max ApproximateReceiveCount",
                 max([r["rc"] or 0 for r in run.receives] or [0])),
                ("deletes acknowledged", "%d (%d ids)" % (len(run.deletes), len(run.deleted_ids))),
                ("deletes checked for resurrection", "%d ids (%d deletes skipped: "
                 "possibly stale handle)" % (n_auth, n_unchecked)),
                ("resurrected after delete", n_resurrected),
                ("failed calls (server down)", dict(run.failed_calls) or 0),
                ("error responses", dict(run.error_responses) or 0),
                ("empty receives", run.empty_receives),
                ("FIFO queue", fifo_summary),
            ])
    except Exception:  # noqa: BLE001
        checker.fail("harness", traceback.format_exc())
    finally:
        run.stop_producers.set()
        run.stop_consumers.set()
        fifo_stop.set()
        run.up.set()
        if server.alive():
            server.kill()
        for t in threads:
            t.join(timeout=READ_TIMEOUT_S + 5)

    print("\n---- crash test summary (seed %d) ----" % seed)
    for k, v in summary.items():
        print("  %-40s %s" % (k, v))
    for w in run.warnings:
        print("  WARNING " + w)
    if checker.failures:
        print("\n%d check(s) FAILED:" % len(checker.failures))
        for f in checker.failures:
            print("  " + f)
        print("\ndata dir kept: %s" % data_dir)
        print("---- tail of the ferry log (%s) ----" % server.log_path)
        print(server.log_tail(80))
        print("FAIL (reproduce the kill times with FERRY_CRASH_SEED=%d)" % seed)
        return 1
    shutil.rmtree(data_dir, ignore_errors=True)
    if server.log_path:
        try:
            os.unlink(server.log_path)
        except OSError:
            pass
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
