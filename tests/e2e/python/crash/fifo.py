"""The FIFO-queue scenario of the crash test (tests/e2e/python/test_crash.py).

Beside the standard queue (standard.py), the same run drives a FIFO queue: a
producer sends numbered messages to a few message groups (each with a
MessageDeduplicationId, and retries a send that got no answer with the same
id until it is acknowledged) and, after every restart, sends its last
acknowledged message of each group again; a consumer receives and deletes,
leaving some in flight. FIFO checks:
  (F1) every acknowledged FIFO send is received, always under the MessageId
       and SequenceNumber its send returned: a retried or repeated send
       within the deduplication window (across kill -9) returns the original
       and never creates a second message;
  (F2) order: a receive returns a group's messages in order, and only once
       every earlier message of the group was deleted (a delete was sent
       before the receive answered) or comes before it in the same receive;
  (F3) the FIFO queue drains to empty, stays so after the last crash, and
       its attributes (FifoQueue, ContentBasedDeduplication) survive.
"""

import collections
import hashlib
import random
import threading
import time
from urllib.parse import urlparse

from .harness import DRAIN_LIMIT_S, LEAVE_IN_FLIGHT, ClientCache, receive_kwargs

FIFO_GROUPS = 4
FIFO_VT = 3                         # VisibilityTimeout of the FIFO consumer's receives
FIFO_ATTRIBUTES = {"FifoQueue": "true", "ContentBasedDeduplication": "false",
                   "VisibilityTimeout": "5", "MessageRetentionPeriod": "3600"}


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


def create_queue(fifo, client, queue_name):
    """Creates the FIFO queue, named after the standard queue."""
    fifo_url = client.create_queue(QueueName=queue_name[:70] + ".fifo",
                                   Attributes=FIFO_ATTRIBUTES)["QueueUrl"]
    fifo.path = urlparse(fifo_url).path


def workers(fifo, stop):
    """The producer and consumer threads, not started yet; stop ends the consumer."""
    return [threading.Thread(target=fifo_producer, args=(fifo,), daemon=True,
                             name="fifo-producer"),
            threading.Thread(target=fifo_consumer, args=(fifo, stop),
                             daemon=True, name="fifo-consumer")]


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
