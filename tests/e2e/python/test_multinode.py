#!/usr/bin/env python3
"""Several Ferry nodes on one PostgreSQL database.

    FERRY_BIN=build/src/app/ferry FERRY_EXPECT_PROTOCOL=json \\
        python3 tests/e2e/python/test_multinode.py

A standalone script (it owns its servers, kills one, restarts the
database). ctest runs it as `e2e_multinode`. Exit status 0 pass, 1 fail,
77 skip (no PostgreSQL here, FERRY_ENDPOINT set, or a botocore that speaks
another protocol than FERRY_EXPECT_PROTOCOL).

Three `ferry serve --engine postgres` processes (nodes A, B, C) share one
database of a throwaway PostgreSQL (pg_server.py) and one --keys-dir. The
checks, each numbered in the failures it reports:
  (1) a standard queue loaded by a producer and a consumer on every node:
      every acknowledged send is received at least once;
  (2) no message is received again after its delete was acknowledged;
  (3) a FIFO queue of four groups, each group's messages sent in turn through
      A, B and C, consumed on all three: every group arrives complete and in
      order;
  (4) a long poll waiting on B returns within 2 s of a send on A;
  (5) C is killed with -9 holding messages in flight and with a receive
      waiting: nothing is lost; its messages come back through A once their
      visibility timeout lapses, not before; C restarts on the same database;
  (6) the database is restarted under load (pg_ctl stop -m immediate, 3 s
      down): requests meanwhile are answered 503 ServiceUnavailable, sends
      succeed again on every node without restarting Ferry, and every send
      acknowledged before, during or after is received;
  (7) an SNS topic and subscription made on A: a publish on A reaches the
      queue read on C, and B serves the SigningCertURL's certificate (the
      nodes share their signing key); a publish on B reaches it too, once
      B's registry followed the catalog (within SNS_FOLLOW_S); after an
      Unsubscribe on A, B's publishes stop reaching the queue within the
      bound, and after a DeleteTopic on A, B answers NotFound within it;
      an http subscription made on A (its confirmation delivered, then
      confirmed through B) receives a publish made on B;
  (8) starts that must fail do, with exit status 1 and the reason: no
      --postgres-url, a local engine's flag (--data-dir), an unreachable
      database, a database a newer Ferry migrated; and a node given a
      password in its URL never prints it.
Only what a node acknowledged counts: a send is acknowledged when the call
returned 200 with a MessageId, a delete when the call returned 200.
"""

import collections
import json
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SKIP = 77
CHECKS = 8               # (1)-(8) of the docstring
NODES = ("A", "B", "C")
LOAD_S = 4.0             # standard and FIFO load
READ_TIMEOUT_S = 15
WAKE_LIMIT_S = 2.0       # (4)
KILL_VISIBILITY_S = 4    # (5)
DB_DOWN_S = 3.0          # (6)
RECOVER_LIMIT_S = 30.0   # (6)
SNS_FOLLOW_S = 2.0       # (7): a node follows the catalog within ~1 s

failures = []
_print_lock = threading.Lock()


def log(msg):
    with _print_lock:
        print("[%7.2f] %s" % (time.monotonic() - _T0, msg), flush=True)


_T0 = time.monotonic()


def fail(check, msg):
    failures.append((check, msg))
    log("FAIL (%d): %s" % (check, msg))


def client(endpoint, read_timeout=READ_TIMEOUT_S):
    """A client of its own session: safe to build on any thread."""
    import boto3
    import ferry_e2e
    return ferry_e2e.sqs_client(endpoint_url=endpoint, session=boto3.session.Session(),
                                read_timeout=read_timeout)


def error_of(e):
    """(HTTP status, error code) of a ClientError, else (None, repr)."""
    from botocore.exceptions import ClientError
    if isinstance(e, ClientError):
        return (e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
                e.response.get("Error", {}).get("Code"))
    return (None, type(e).__name__)


class Cluster:
    def __init__(self, binary, pg):
        import ferry_e2e
        self.pg = pg
        self.url = pg.create_database("multinode")
        self.keys_dir = tempfile.mkdtemp(prefix="ferry-multinode-keys-")
        self._held = threading.Event()
        self._starters = []
        self.nodes = {
            name: ferry_e2e.FerryServer(
                binary, engine="postgres", postgres_url=self.url, keys_dir=self.keys_dir,
                extra_args=["--queue-reuse-delay", "0"])
            for name in NODES}

    def start(self):
        # At once: the schema's migration and the keys are made by one of
        # them. Each is started from a thread that lives until stop(): a node
        # gets SIGTERM when the thread that started it ends (FerryServer).
        started = []

        def start_and_hold(node):
            try:
                node.start()
            except Exception as e:
                log("a node did not start: %s" % e)
            started.append(node)
            self._held.wait()

        self._held = threading.Event()
        self._starters = [threading.Thread(target=start_and_hold, args=(n,), daemon=True)
                          for n in self.nodes.values()]
        for t in self._starters:
            t.start()
        deadline = time.monotonic() + 60
        while len(started) < len(self.nodes) and time.monotonic() < deadline:
            time.sleep(0.05)
        for name, node in self.nodes.items():
            if not node.endpoint:
                raise RuntimeError("node %s did not start:\n%s" % (name, node.log_tail()))
            log("node %s: %s" % (name, node.endpoint))

    def endpoint(self, name):
        return self.nodes[name].endpoint

    def stop(self):
        problems = []
        for name, node in self.nodes.items():
            problem = node.stop()
            if problem:
                problems.append("node %s: %s" % (name, problem))
        self._held.set()
        for t in self._starters:
            t.join(timeout=5)
        return problems

    def log_tails(self):
        return "\n".join("---- node %s (%s) ----\n%s" % (name, n.log_path, n.log_tail(30))
                         for name, n in self.nodes.items())


class Ledger:
    """What the nodes acknowledged and what consumers saw, under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = set()                 # bodies whose send was acknowledged
        self.received = collections.Counter()
        self.deleted_at = {}               # body -> when its delete was acknowledged
        self.resurrected = []              # (body, node)
        self.order = collections.defaultdict(list)  # FIFO group -> seqs as received
        self.errors = collections.Counter()

    def note_receive(self, messages, started, node, fifo=False):
        with self.lock:
            for m in messages:
                body = m["Body"]
                self.received[body] += 1
                deleted = self.deleted_at.get(body)
                if deleted is not None and deleted < started:
                    self.resurrected.append((body, node))
                if fifo:
                    group, seq = body.split(":")[1:3]
                    self.order[group].append(int(seq))

    def note_deleted(self, bodies):
        now = time.monotonic()
        with self.lock:
            for b in bodies:
                self.deleted_at.setdefault(b, now)


def consume(endpoint, node, url, ledger, stop, fifo=False):
    """Receive and delete until `stop` is set."""
    c = client(endpoint)
    while not stop.is_set():
        started = time.monotonic()
        try:
            got = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                    WaitTimeSeconds=1).get("Messages", [])
        except Exception as e:  # counted; the run's checks decide
            with ledger.lock:
                ledger.errors[("receive", node) + error_of(e)] += 1
            time.sleep(0.1)
            continue
        ledger.note_receive(got, started, node, fifo)
        if not got:
            continue
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        try:
            out = c.delete_message_batch(QueueUrl=url, Entries=entries)
        except Exception as e:
            with ledger.lock:
                ledger.errors[("delete", node) + error_of(e)] += 1
            continue
        ok = {e["Id"] for e in out.get("Successful", [])}
        ledger.note_deleted([m["Body"] for i, m in enumerate(got) if str(i) in ok])


def wait_received(ledger, deadline_s, want=None):
    """Until every acknowledged body (or `want`) was received, or the deadline."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        with ledger.lock:
            missing = (want or ledger.acked) - set(ledger.received)
        if not missing:
            return set()
        time.sleep(0.1)
    return missing


# ---------------------------------------------------------------- (1)-(3)

def standard_and_fifo(cluster):
    a = client(cluster.endpoint("A"))
    url = a.create_queue(QueueName="multinode-standard",
                         Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    furl = a.create_queue(QueueName="multinode.fifo",
                          Attributes={"FifoQueue": "true", "VisibilityTimeout": "30",
                                      "ContentBasedDeduplication": "true"})["QueueUrl"]
    ledger, fledger = Ledger(), Ledger()
    stop_producers, stop_consumers = threading.Event(), threading.Event()

    def produce(node):
        c = client(cluster.endpoint(node))
        i = 0
        while not stop_producers.is_set():
            body = "std:%s:%d" % (node, i)
            i += 1
            try:
                if c.send_message(QueueUrl=url, MessageBody=body).get("MessageId"):
                    with ledger.lock:
                        ledger.acked.add(body)
            except Exception as e:
                with ledger.lock:
                    ledger.errors[("send", node) + error_of(e)] += 1

    def produce_group(group):
        # Each message of the group through the next node: A, B, C, A, ...
        clients = [client(cluster.endpoint(n)) for n in NODES]
        seq = 0
        while not stop_producers.is_set():
            body = "fifo:%s:%d" % (group, seq)
            try:
                out = clients[seq % len(clients)].send_message(
                    QueueUrl=furl, MessageBody=body, MessageGroupId=group)
            except Exception as e:
                with fledger.lock:
                    fledger.errors[("send", group) + error_of(e)] += 1
                time.sleep(0.05)
                continue  # the same seq again: a group's order is its sends' order
            if out.get("MessageId"):
                with fledger.lock:
                    fledger.acked.add(body)
                seq += 1

    producers = [threading.Thread(target=produce, args=(n,)) for n in NODES]
    producers += [threading.Thread(target=produce_group, args=("g%d" % g,)) for g in range(4)]
    consumers = [threading.Thread(target=consume,
                                  args=(cluster.endpoint(n), n, url, ledger, stop_consumers))
                 for n in NODES]
    consumers += [threading.Thread(target=consume, args=(cluster.endpoint(n), n, furl, fledger,
                                                         stop_consumers, True))
                  for n in NODES]
    for t in producers + consumers:
        t.start()
    time.sleep(LOAD_S)
    stop_producers.set()
    for t in producers:
        t.join()
    missing = wait_received(ledger, 30)
    fmissing = wait_received(fledger, 30)
    stop_consumers.set()
    for t in consumers:
        t.join()

    log("standard: %d sends acknowledged, %d received (%d more than once), errors %s"
        % (len(ledger.acked), len(ledger.received),
           sum(1 for n in ledger.received.values() if n > 1), dict(ledger.errors)))
    if not ledger.acked:
        fail(1, "no send was acknowledged")
    if missing:
        fail(1, "%d acknowledged sends never received, e.g. %s" % (len(missing), sorted(missing)[:5]))
    if ledger.resurrected:
        fail(2, "received again after an acknowledged delete: %s" % ledger.resurrected[:5])
    if fledger.resurrected:
        fail(2, "FIFO: received again after an acknowledged delete: %s" % fledger.resurrected[:5])
    log("fifo: %d sends acknowledged in %d groups, errors %s"
        % (len(fledger.acked), len(fledger.order), dict(fledger.errors)))
    if fmissing:
        fail(3, "%d acknowledged FIFO sends never received, e.g. %s"
             % (len(fmissing), sorted(fmissing)[:5]))
    for group, seqs in sorted(fledger.order.items()):
        if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
            fail(3, "group %s arrived out of order: %s" % (group, seqs[:40]))
    if ledger.errors or fledger.errors:
        fail(1, "requests failed: %s %s" % (dict(ledger.errors), dict(fledger.errors)))


# ---------------------------------------------------------------- (4)

def long_poll_wakes_across_nodes(cluster):
    a = client(cluster.endpoint("A"))
    url = a.create_queue(QueueName="multinode-wake")["QueueUrl"]
    b = client(cluster.endpoint("B"), read_timeout=30)
    result = {}

    def poll():
        try:
            result["messages"] = b.receive_message(QueueUrl=url, WaitTimeSeconds=10).get(
                "Messages", [])
        except Exception as e:
            result["error"] = e
        result["returned"] = time.monotonic()

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(1.0)  # the poll is waiting on B
    sent = time.monotonic()
    a.send_message(QueueUrl=url, MessageBody="wake")
    t.join()
    if "error" in result:
        fail(4, "the long poll on B failed: %r" % result["error"])
        return
    took = result["returned"] - sent
    log("long poll on B returned %.3f s after the send on A" % took)
    if [m["Body"] for m in result["messages"]] != ["wake"]:
        fail(4, "the long poll on B returned %r" % result["messages"])
    elif took > WAKE_LIMIT_S:
        fail(4, "the long poll on B woke %.2f s after the send on A (limit %.1f s)"
             % (took, WAKE_LIMIT_S))


# ---------------------------------------------------------------- (5)

def node_killed_mid_receive(cluster):
    try:
        _node_killed_mid_receive(cluster)
    finally:
        # C serves the later steps whatever happened here.
        if not cluster.nodes["C"].alive():
            cluster.nodes["C"].kill()
            cluster.nodes["C"].start()
            log("node C restarted: %s" % cluster.endpoint("C"))


def _node_killed_mid_receive(cluster):
    a = client(cluster.endpoint("A"))
    url = a.create_queue(QueueName="multinode-kill",
                         Attributes={"VisibilityTimeout": str(KILL_VISIBILITY_S)})["QueueUrl"]
    bodies = {"kill-%d" % i for i in range(30)}
    for i in range(0, 30, 10):
        a.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(j), "MessageBody": "kill-%d" % (i + j)} for j in range(10)])
    c = client(cluster.endpoint("C"))
    held = []
    while len(held) < 20:
        got = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            break
        held += [m["Body"] for m in got]
    received_at = time.monotonic()
    # A receive waiting on C (on an empty queue) when it dies.
    empty = a.create_queue(QueueName="multinode-kill-empty")["QueueUrl"]
    waiting = threading.Thread(target=lambda: _swallow(
        lambda: client(cluster.endpoint("C")).receive_message(QueueUrl=empty, WaitTimeSeconds=10)))
    waiting.start()
    time.sleep(0.5)
    status = cluster.nodes["C"].kill()
    waiting.join()
    log("node C killed (status %s) holding %d messages in flight" % (status, len(held)))

    seen = {}
    deadline = time.monotonic() + KILL_VISIBILITY_S + 20
    while set(seen) != bodies and time.monotonic() < deadline:
        got = a.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                WaitTimeSeconds=1).get("Messages", [])
        for m in got:
            seen.setdefault(m["Body"], time.monotonic())
        if got:
            a.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
    lost = bodies - set(seen)
    if len(held) < 20:
        fail(5, "node C received only %d of the 30 messages" % len(held))
    if lost:
        fail(5, "%d messages lost with node C: %s" % (len(lost), sorted(lost)[:5]))
    early = [b for b in held if b in seen and seen[b] < received_at + KILL_VISIBILITY_S - 0.5]
    if early:
        fail(5, "%d messages C held came back before their visibility timeout: %s"
             % (len(early), early[:5]))
    log("all %d messages received through A; C's came back after %.1f s"
        % (len(seen), max((seen[b] - received_at for b in held if b in seen), default=0)))


def _swallow(fn):
    try:
        fn()
    except Exception:
        pass


# ---------------------------------------------------------------- (6)

def database_restart(cluster):
    a = client(cluster.endpoint("A"))
    url = a.create_queue(QueueName="multinode-dbrestart")["QueueUrl"]
    ledger = Ledger()
    outcomes = collections.Counter()   # (phase, outcome)
    phase = {"now": "before"}
    last_ok = {}
    stop = threading.Event()

    def produce(node):
        c = client(cluster.endpoint(node), read_timeout=20)
        i = 0
        while not stop.is_set():
            body = "db:%s:%d" % (node, i)
            i += 1
            try:
                acked = bool(c.send_message(QueueUrl=url, MessageBody=body).get("MessageId"))
            except Exception as e:
                status, code = error_of(e)
                outcome = "503 %s" % code if status == 503 else "other %s %s" % (status, code)
                with ledger.lock:
                    outcomes[(phase["now"], outcome)] += 1
                time.sleep(0.05)
                continue
            with ledger.lock:
                if acked:
                    ledger.acked.add(body)
                    last_ok[node] = time.monotonic()
                outcomes[(phase["now"], "ok")] += 1
            time.sleep(0.01)

    producers = [threading.Thread(target=produce, args=(n,)) for n in NODES]
    for t in producers:
        t.start()
    time.sleep(1.0)
    phase["now"] = "down"
    cluster.pg.stop_now()
    down_at = time.monotonic()
    time.sleep(DB_DOWN_S / 2)
    ready = {}
    for name in NODES:
        try:
            with urllib.request.urlopen(cluster.endpoint(name) + "/ready", timeout=5) as r:
                ready[name] = r.status
        except urllib.error.HTTPError as e:
            ready[name] = e.code
        except Exception as e:
            ready[name] = repr(e)
    time.sleep(DB_DOWN_S / 2)
    phase["now"] = "after"
    cluster.pg.start_again()
    up_at = time.monotonic()
    deadline = up_at + RECOVER_LIMIT_S
    while time.monotonic() < deadline:
        with ledger.lock:
            if all(last_ok.get(n, 0) > up_at for n in NODES):
                break
        time.sleep(0.1)
    recovered = {n: (last_ok.get(n, 0) - up_at) for n in NODES}
    time.sleep(1.0)
    stop.set()
    for t in producers:
        t.join()
    log("database down %.1f s; /ready while down: %s; outcomes: %s"
        % (up_at - down_at, ready, dict(outcomes)))
    log("first acknowledged send after the restart, per node: %s"
        % {n: "%.2f s" % s for n, s in recovered.items()})

    if not any(p == "down" and o.startswith("503") for (p, o) in outcomes):
        fail(6, "no request was answered 503 while the database was down: %s" % dict(outcomes))
    others = {k: v for k, v in outcomes.items() if k[1].startswith("other")}
    if others:
        fail(6, "requests failed otherwise than with 503: %s" % others)
    late = [n for n, s in recovered.items() if s <= 0]
    if late:
        fail(6, "nodes %s did not acknowledge a send within %.0f s of the database's restart"
             % (late, RECOVER_LIMIT_S))

    stop_consumers = threading.Event()
    consumers = [threading.Thread(target=consume, args=(cluster.endpoint(n), n, url, ledger,
                                                        stop_consumers)) for n in NODES]
    for t in consumers:
        t.start()
    missing = wait_received(ledger, 30)
    stop_consumers.set()
    for t in consumers:
        t.join()
    log("%d sends acknowledged around the restart, %d received"
        % (len(ledger.acked), len(ledger.received)))
    if missing:
        fail(6, "%d sends acknowledged around the restart never received, e.g. %s"
             % (len(missing), sorted(missing)[:5]))
    if ledger.resurrected:
        fail(2, "received again after an acknowledged delete: %s" % ledger.resurrected[:5])


# ---------------------------------------------------------------- (7)

def sns_across_nodes(cluster):
    import ferry_e2e
    sns_a = ferry_e2e.sns_client(endpoint_url=cluster.endpoint("A"))
    a = client(cluster.endpoint("A"))
    url = a.create_queue(QueueName="multinode-sns")["QueueUrl"]
    arn = a.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    topic = sns_a.create_topic(Name="multinode-topic")["TopicArn"]
    sns_a.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns_a.publish(TopicArn=topic, Message="across nodes")
    c = client(cluster.endpoint("C"))
    got = []
    deadline = time.monotonic() + 10
    while not got and time.monotonic() < deadline:
        got = c.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    if not got:
        fail(7, "the publish on A never reached the queue read on C")
        return
    envelope = json.loads(got[0]["Body"])
    if envelope.get("Message") != "across nodes":
        fail(7, "C received %r" % envelope)
    path = "/" + envelope["SigningCertURL"].split("/", 3)[3]
    pems = {}
    for name in ("A", "B"):
        try:
            with urllib.request.urlopen(cluster.endpoint(name) + path, timeout=5) as r:
                pems[name] = r.read()
        except Exception as e:
            fail(7, "node %s does not serve the signing certificate %s: %r" % (name, path, e))
    if len(pems) == 2 and pems["A"] != pems["B"]:
        fail(7, "nodes A and B serve different certificates at %s" % path)
    log("SNS: published on A, received on C; the certificate is served by A and B")
    sns_follows_the_catalog(cluster)


def drain(sqs, url, wait_s=1):
    """Bodies received from `url` until a receive comes back empty."""
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  WaitTimeSeconds=wait_s).get("Messages", [])
        if not got:
            return bodies
        for m in got:
            bodies.append(json.loads(m["Body"]).get("Message"))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def until(what, fn, limit_s):
    """Calls fn until it returns true or limit_s passes; returns the seconds
    it took, or None."""
    began = time.monotonic()
    while time.monotonic() - began < limit_s:
        if fn():
            return time.monotonic() - began
        time.sleep(0.05)
    log("%s: not within %.1f s" % (what, limit_s))
    return None


def sns_follows_the_catalog(cluster):
    import ferry_e2e
    import sns_e2e
    from botocore.exceptions import ClientError
    sns_a = ferry_e2e.sns_client(endpoint_url=cluster.endpoint("A"))
    sns_b = ferry_e2e.sns_client(endpoint_url=cluster.endpoint("B"))
    a = client(cluster.endpoint("A"))
    c = client(cluster.endpoint("C"))
    url = a.create_queue(QueueName="multinode-follow")["QueueUrl"]
    arn = a.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    topic = sns_a.create_topic(Name="multinode-follow")["TopicArn"]
    sub = sns_a.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                          ReturnSubscriptionArn=True)["SubscriptionArn"]

    # At once, with no wait: B does not hold the topic or the subscription
    # yet (its tick may not have followed the catalog), so it reads the
    # catalog on the miss instead of answering NotFound.
    try:
        sns_b.publish(TopicArn=topic, Message="from B at once")
    except ClientError as e:
        fail(7, "a publish on B right after CreateTopic on A failed: %r" % (error_of(e),))
    try:
        sns_b.get_subscription_attributes(SubscriptionArn=sub)
    except ClientError as e:
        fail(7, "B did not find the subscription made on A a moment ago: %r" % (error_of(e),))
    log("SNS: topic and subscription made on A found by B at once (publish, attributes)")

    # A publish on B reaches C once B knows the topic with its subscription
    # (a tick of B may have read the topic before the Subscribe, and a
    # publish then finds no subscription). Each try carries its own text;
    # one must arrive on C.
    tries = []

    def publish_on_b():
        text = "from B #%d" % len(tries)
        try:
            sns_b.publish(TopicArn=topic, Message=text)
        except ClientError:
            return False
        tries.append(text)
        got = drain(c, url, wait_s=0)
        return bool(set(got) & set(tries))
    took = until("a publish on B reaching C", publish_on_b, SNS_FOLLOW_S + 10)
    if took is None:
        fail(7, "no publish on B reached the queue read on C: B never learnt of the topic "
                "and subscription made on A")
        return
    if took > SNS_FOLLOW_S:
        fail(7, "B followed the topic made on A after %.1f s (bound %.1f s)" % (took, SNS_FOLLOW_S))
    log("SNS: topic and subscription made on A, published on B after %.2f s, received on C"
        % took)
    drain(c, url)

    # Unsubscribed on A: B's publishes stop reaching the queue.
    sns_a.unsubscribe(SubscriptionArn=sub)
    time.sleep(SNS_FOLLOW_S)
    sns_b.publish(TopicArn=topic, Message="after unsubscribe")
    late = drain(c, url)
    if "after unsubscribe" in late:
        fail(7, "%.1f s after an Unsubscribe on A, a publish on B still reached the queue"
             % SNS_FOLLOW_S)

    # An http subscription made on A: its confirmation is delivered (by
    # whichever node drains its queue), it is confirmed through B, and a
    # publish on B reaches the endpoint.
    with sns_e2e.Webhook() as hook:
        http_sub = sns_a.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook.url("/multi"),
                                   ReturnSubscriptionArn=True)["SubscriptionArn"]
        confirmations = hook.wait_for(1, sns_e2e.of_type("SubscriptionConfirmation"), timeout=15)
        if not confirmations:
            fail(7, "the http subscription made on A got no SubscriptionConfirmation")
        else:
            token = confirmations[0].json()["Token"]
            confirmed = None
            deadline = time.monotonic() + SNS_FOLLOW_S + 5
            while confirmed is None and time.monotonic() < deadline:
                try:
                    confirmed = sns_b.confirm_subscription(TopicArn=topic, Token=token)
                except ClientError:
                    time.sleep(0.1)
            if confirmed is None or confirmed.get("SubscriptionArn") != http_sub:
                fail(7, "B could not confirm the http subscription made on A: %r" % confirmed)
            else:
                def published_on_b_arrives():
                    sns_b.publish(TopicArn=topic, Message="http from B")
                    return bool(hook.wait_for(1, sns_e2e.of_type("Notification"), timeout=1))
                if until("an http delivery of a publish on B", published_on_b_arrives,
                         SNS_FOLLOW_S + 10) is None:
                    fail(7, "the http subscription made on A never received a publish made on B")
                else:
                    note = hook.matching(sns_e2e.of_type("Notification"))[0].json()
                    if note.get("Message") != "http from B":
                        fail(7, "the http endpoint received %r" % note)

    # Deleted on A: B answers NotFound within the bound.
    sns_a.delete_topic(TopicArn=topic)

    def b_refuses():
        try:
            sns_b.publish(TopicArn=topic, Message="after delete")
        except ClientError as e:
            return error_of(e)[1] == "NotFound"
        return False
    took = until("B refusing a publish to the topic deleted on A", b_refuses, SNS_FOLLOW_S + 5)
    if took is None or took > SNS_FOLLOW_S:
        fail(7, "B still published to the topic deleted on A after %.1f s" % SNS_FOLLOW_S)
    log("SNS: unsubscribe and delete on A followed by B; http subscription of A served from B")


# ---------------------------------------------------------------- (8)

def refused_starts(cluster):
    import subprocess
    import pg_server
    binary = cluster.nodes["A"].binary
    base = [binary, "serve", "--listen", "127.0.0.1", "--port", "0"]
    # A database whose schema a newer Ferry migrated (the engine's version
    # table, src/engine/postgres/migrations.cc).
    newer = cluster.pg.create_database("newer")
    cluster.pg.psql("CREATE TABLE ferry_schema_version (version integer PRIMARY KEY, "
                    "applied_at timestamptz NOT NULL DEFAULT now()); "
                    "INSERT INTO ferry_schema_version (version) VALUES (100000)",
                    dbname=newer.rsplit("/", 1)[1])
    keys = ["--keys-dir", cluster.keys_dir]
    cases = [
        ("no --postgres-url", ["--engine", "postgres"] + keys, "--postgres-url"),
        ("--data-dir", ["--engine", "postgres", "--postgres-url", cluster.url,
                        "--data-dir", cluster.keys_dir] + keys, "--data-dir"),
        ("no --keys-dir", ["--engine", "postgres", "--postgres-url", cluster.url], "--keys-dir"),
        ("an unreachable database",
         ["--engine", "postgres", "--postgres-url",
          "postgresql://postgres:hunter2@127.0.0.1:%d/nowhere?connect_timeout=3"
          % pg_server.free_port()] + keys, "127.0.0.1"),
        ("a newer schema", ["--engine", "postgres", "--postgres-url", newer] + keys, "newer"),
    ]
    for what, args, expect in cases:
        try:
            proc = subprocess.run(base + args, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=30)
        except subprocess.TimeoutExpired:
            fail(8, "with %s the node neither started nor exited within 30 s" % what)
            continue
        out = proc.stdout + proc.stderr
        if proc.returncode != 1 or "listening on" in out or expect not in out:
            fail(8, "with %s: exit status %s, output %r" % (what, proc.returncode, out[-500:]))
        if "hunter2" in out:
            fail(8, "with %s the node printed the password: %r" % (what, out[-500:]))
    log("refused: %s" % ", ".join(c[0] for c in cases))

    import ferry_e2e
    secret = "s3cret-pw"
    node = ferry_e2e.FerryServer(
        binary, engine="postgres", keys_dir=cluster.keys_dir,
        postgres_url=cluster.url.replace("postgres@", "postgres:%s@" % secret))
    try:
        node.start()
        with open(node.log_path, errors="replace") as f:
            text = f.read()
        if secret in text:
            fail(8, "the node printed the password of its --postgres-url")
        port = cluster.url.rsplit(":", 1)[1].split("/")[0]
        if "engine postgres 127.0.0.1:%s/" % port not in text:
            fail(8, "the startup line does not name the database: %r" % text[-500:])
    finally:
        problem = node.stop()
        if problem:
            fail(8, problem)


# ---------------------------------------------------------------- main

def main():
    if os.environ.get("FERRY_ENDPOINT"):
        print("SKIP: FERRY_ENDPOINT is set; this test starts (and kills) servers of its own")
        return SKIP
    import run_suite
    status = run_suite.check_interpreter(skip_unavailable=True)
    if status is not None:
        return status
    import pg_server
    why = pg_server.available()
    if why:
        print("SKIP: " + why)
        return SKIP
    binary = os.environ.get("FERRY_BIN")
    if not binary:
        print("FAIL: set FERRY_BIN (path to ferry)")
        return 1

    pg = pg_server.PostgresServer()
    cluster = None
    try:
        pg.start()
        log("PostgreSQL on port %d (%s)" % (pg.port, pg.dir))
        cluster = Cluster(binary, pg)
        cluster.start()
        for step in (standard_and_fifo, long_poll_wakes_across_nodes, node_killed_mid_receive,
                     database_restart, sns_across_nodes, refused_starts):
            began = time.monotonic()
            log("---- %s" % step.__name__)
            try:
                step(cluster)
            except Exception as e:
                import traceback
                traceback.print_exc()
                fail(0, "%s raised %r" % (step.__name__, e))
            log("---- %s: %.1f s" % (step.__name__, time.monotonic() - began))
    except Exception as e:
        import traceback
        traceback.print_exc()
        fail(0, "the run could not be set up: %r" % e)
    finally:
        if cluster is not None:
            for problem in cluster.stop():
                fail(0, problem)
            if failures:
                print(cluster.log_tails())
            import shutil
            shutil.rmtree(cluster.keys_dir, ignore_errors=True)
        if failures:
            print("---- PostgreSQL log ----\n" + pg.log_tail())
        pg.stop()
    failed = {check for check, _ in failures}
    if 0 in failed:
        failed = set(range(1, CHECKS + 1))  # the run itself broke: nothing is known to hold
    print("%d passed, %d failed" % (CHECKS - len(failed), len(failed)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
