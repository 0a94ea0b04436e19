"""The standard-queue scenario of the crash test (tests/e2e/python/test_crash.py).

A standard queue with non-default attributes and tags. Producers
(SendMessage and SendMessageBatch, each message with a unique id in its body
and message attributes derived from that id) and consumers (ReceiveMessage
with a short VisibilityTimeout, then DeleteMessage / DeleteMessageBatch; a
few messages are left in flight on purpose) run while the server is
SIGKILLed at random moments and restarted on the same data dir (new port
each time, clients rebuilt). Then the producers stop, the queue is drained
(in-flight messages wait out their visibility timeout) and everything is
deleted; after one more SIGKILL + restart the queue must stay empty.

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
  (6) in-flight state survives: ApproximateReceiveCount only grows, and a
      message is not received again before its visibility deadline, across
      restarts too (FERRY_CRASH_STRICT_INFLIGHT=0 turns these into warnings);
  (7) a running server answers every request with 200 (no error responses,
      counted for every scenario's calls), and the queue drains to empty,
      staying empty after the last crash.
"""

import collections
import hashlib
import random
import threading
import time

from .harness import (DRAIN_LIMIT_S, LEAVE_IN_FLIGHT, ClientCache, Run, queue_state,
                      receive_kwargs)

PRODUCERS = 3
CONSUMERS = 3
RECEIVE_VT = 3                      # VisibilityTimeout of the consumers' receives
VT_MARGIN_S = 1.0                   # slack for a server that rounds deadlines to seconds
MAX_BACKLOG = 1500                  # producers pause above this many undeleted messages

QUEUE_ATTRIBUTES = {
    "VisibilityTimeout": "5",
    "DelaySeconds": "0",
    "MessageRetentionPeriod": "3600",
    "MaximumMessageSize": "131072",
    "ReceiveMessageWaitTimeSeconds": "0",
}
QUEUE_TAGS = {"team": "ferry", "purpose": "crash-recovery", "ünïcode": "välue ñ"}
# Applied after the first restart: a change of configuration must survive too.
LATER_ATTRIBUTES = {"MaximumMessageSize": "200000"}
LATER_TAGS = {"changed-after": "crash-1"}


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


# ------------------------------------------------------------ recorded history

class StandardRun(Run):
    """Run plus the standard queue's history, under Run's one lock."""

    def __init__(self, strict_inflight):
        super().__init__()
        self.strict_inflight = strict_inflight

        self.attempted = set()        # ids ever sent (acknowledged or not)
        self.sent = {}                # id -> (ack time, MessageId, generation)
        self.sent_single = 0
        self.sent_batch = 0
        self.receives = []            # dicts: id, mid, t0, t1, handle, rc, gen
        self.empty_receives = 0
        self.deletes = []             # (receive index, t_ack, generation)
        self.deleted_ids = set()
        self.problems = []            # malformed messages etc. (check 4)

    def progress(self):
        return "; %d sends acknowledged so far" % len(self.sent)

    def backlog(self):
        with self.lock:
            return len(self.sent) - len(self.deleted_ids)

    def problem(self, msg):
        with self.lock:
            if len(self.problems) < 10000:
                self.problems.append(msg)


# ------------------------------------------------------------ the queue

def create_queue(checker, client):
    """Creates the queue; check (3): CreateQueue applied its attributes and
    tags. Returns (name, URL, attributes, tags)."""
    import ferry_e2e
    queue_name = ferry_e2e.unique_name("crash")
    url = client.create_queue(QueueName=queue_name, Attributes=QUEUE_ATTRIBUTES,
                              tags=QUEUE_TAGS)["QueueUrl"]
    expected_attrs, expected_tags = queue_state(client, url)
    for k, v in QUEUE_ATTRIBUTES.items():
        if expected_attrs.get(k) != v:
            checker.fail(3, "CreateQueue did not apply %s=%s (got %r)"
                         % (k, v, expected_attrs.get(k)))
    if expected_tags != QUEUE_TAGS:
        checker.fail(3, "CreateQueue tags %r, expected %r" % (expected_tags, QUEUE_TAGS))
    return queue_name, url, expected_attrs, expected_tags


def change_queue(checker, client, url, expected_attrs, expected_tags):
    """After crash 1: a configuration change between crashes must survive the
    next ones. Returns the attributes and tags to expect from now on."""
    try:
        client.set_queue_attributes(QueueUrl=url, Attributes=LATER_ATTRIBUTES)
        client.tag_queue(QueueUrl=url, Tags=LATER_TAGS)
        expected_attrs, expected_tags = queue_state(client, url)
        if expected_attrs.get("MaximumMessageSize") != "200000":
            checker.fail(3, "SetQueueAttributes not applied: %r"
                         % expected_attrs.get("MaximumMessageSize"))
    except Exception as e:  # noqa: BLE001
        checker.fail(3, "changing the queue after crash 1 failed: %s" % e)
    return expected_attrs, expected_tags


# ------------------------------------------------------------ workers

def workers(run):
    """The producer and consumer threads, not started yet."""
    threads = []
    for i in range(PRODUCERS):
        threads.append(threading.Thread(target=producer, args=(run, i), daemon=True,
                                        name="producer-%d" % i))
    for i in range(CONSUMERS):
        threads.append(threading.Thread(target=consumer, args=(run, i), daemon=True,
                                        name="consumer-%d" % i))
    return threads


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


# ------------------------------------------------------------ main thread

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


def summary(run, by_id, n_auth, n_unchecked, n_resurrected):
    """The summary's lines on this queue (and the failed calls of all), under
    run.lock; by_id and the counts are what analyse returned."""
    dup_ids = sum(1 for v in by_id.values() if len(v) > 1)
    return [
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
    ]
