"""SNS across kill -9: the crash test's SNS scenario, run on a server of its
own by `test_crash.py sns` (ctest's e2e_crash_sns).

A topic has an SQS subscription (raw delivery) and an http subscription to a
webhook in this process (sns_e2e.Webhook) that answers every Notification
with 500 until the endpoint "recovers"; its DeliveryPolicy retries every
second, many times, so failed deliveries wait in the subscription's delivery
queue with their retry state. A few attempts before the first kill get no
answer at all (the webhook holds them open), so the kill cuts them short:
they come back when their visibility lapses (about 40 s). A publisher thread publishes (Publish and
PublishBatch) while the server is SIGKILLed twice and restarted on the same
data dir; then the endpoint recovers.

Checks:
  (S1) the topic and both subscriptions come back after each restart, the
       http one still confirmed and with its DeliveryPolicy;
  (S2) every acknowledged publish is in the SQS queue after the restarts
       (at least once);
  (S3) the http deliveries pending across the kills (the endpoint had
       answered them 500, so they were being retried, or the kill cut their
       attempt short) are all delivered once the endpoint recovers: every
       acknowledged publish reaches the webhook with a 200, and every
       delivered envelope's signature verifies against the certificate the
       restarted server serves (the key survived).
"""

import json
import random
import threading
import time
import urllib.parse

from sns_e2e import HANG

from .harness import CONNECT_TIMEOUT_S, READ_TIMEOUT_S, crash_and_restart, log
from .move_task import receive_everything

CHECK = "S"
LOAD_S = (1.5, 3.0)                 # publishing between two kills
RECOVER_LIMIT_S = 75                # all http deliveries done within this after recovery
HANGS = 3                           # attempts held open, unanswered, before the first kill
RETRY_POLICY = {"healthyRetryPolicy": {
    "minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 100, "numNoDelayRetries": 0,
    "numMinDelayRetries": 0, "numMaxDelayRetries": 0, "backoffFunction": "linear"}}


class SnsRun:
    """The publisher's view of the server and what it got acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.client = None            # the publisher's SNS client; None while the server is down
        self.generation = 0
        self.stop = threading.Event()
        self.acked = {}               # body -> MessageId
        self.failed_calls = 0         # no answer (the server died)
        self.errors = []              # error answers from a live server
        self.failing = True           # the webhook answers Notifications 500
        self.answered_ok = {}         # MessageId -> body, answered 200 by the webhook
        self.failed_attempts = 0      # Notifications answered 500
        self.hung = 0                 # Notifications held open

    def set_endpoint(self, endpoint):
        """The server is up at `endpoint` (None: down). Builds the publisher's
        client here, in the main thread: boto3 builds clients one at a time."""
        import ferry_e2e
        client = None
        if endpoint:
            client = ferry_e2e.sns_client(endpoint_url=endpoint,
                                          connect_timeout=CONNECT_TIMEOUT_S,
                                          read_timeout=READ_TIMEOUT_S)
        with self.lock:
            self.client = client
            if endpoint:
                self.generation += 1

    def respond(self, req):
        if req.message_type != "Notification":
            return 200
        with self.lock:
            if self.failing and self.generation == 1 and self.hung < HANGS:
                self.hung += 1
                return HANG
            if self.failing:
                self.failed_attempts += 1
                return 500
            self.answered_ok[req.headers.get("x-amz-sns-message-id")] = req.body
        return 200


def publisher(run, topic_arn, seed):
    """Publishes numbered bodies until run.stop; records what was acknowledged."""
    from botocore.exceptions import ClientError

    rng = random.Random(seed)
    n = 0
    while not run.stop.is_set():
        with run.lock:
            client = run.client
        if client is None:
            time.sleep(0.05)
            continue
        try:
            if rng.random() < 0.3:
                bodies = ["sns %d" % (n + i) for i in range(rng.randint(2, 10))]
                n += len(bodies)
                res = client.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=[
                    {"Id": "e%d" % i, "Message": b} for i, b in enumerate(bodies)])
                acked = {bodies[int(e["Id"][1:])]: e["MessageId"] for e in res["Successful"]}
                if res.get("Failed"):
                    with run.lock:
                        run.errors.append("PublishBatch entries failed: %r" % res["Failed"][:2])
            else:
                body = "sns %d" % n
                n += 1
                acked = {body: client.publish(TopicArn=topic_arn, Message=body)["MessageId"]}
            with run.lock:
                run.acked.update(acked)
        except ClientError as e:
            with run.lock:
                run.errors.append("%s" % e)
        except Exception:  # noqa: BLE001 (the server died under the call)
            with run.lock:
                run.failed_calls += 1
        time.sleep(0.02)


def verify_topic(checker, sns, topic_arn, queue_arn, hook_url, when):
    """Check (S1)."""
    try:
        sns.get_topic_attributes(TopicArn=topic_arn)
        subs = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    except Exception as e:  # noqa: BLE001
        checker.fail(CHECK + "1", "%s: the topic is gone or unreadable: %s" % (when, e))
        return
    endpoints = {s["Endpoint"]: s["SubscriptionArn"] for s in subs}
    if set(endpoints) != {queue_arn, hook_url}:
        checker.fail(CHECK + "1", "%s: subscriptions %r" % (when, subs))
        return
    attrs = sns.get_subscription_attributes(SubscriptionArn=endpoints[hook_url])["Attributes"]
    if attrs.get("PendingConfirmation") != "false":
        checker.fail(CHECK + "1", "%s: the http subscription is pending again: %r"
                     % (when, attrs))
    if json.loads(attrs.get("DeliveryPolicy") or "{}") != RETRY_POLICY:
        checker.fail(CHECK + "1", "%s: DeliveryPolicy %r" % (when, attrs.get("DeliveryPolicy")))


def sns_across_crashes(server, checker, sqs, ferry_e2e, rng):
    """Checks (S1)-(S3). `sqs` is a client of the running server; returns a
    client of the server left running."""
    import sns_e2e

    run = SnsRun()
    hook = sns_e2e.Webhook(run.respond)
    try:
        return _scenario(server, checker, sqs, ferry_e2e, rng, run, hook, sns_e2e)
    finally:
        run.stop.set()
        hook.close()


def _scenario(server, checker, sqs, ferry_e2e, rng, run, hook, sns_e2e):
    endpoint = sqs.meta.endpoint_url
    sns = ferry_e2e.sns_client(endpoint_url=endpoint, read_timeout=READ_TIMEOUT_S)
    topic = sns.create_topic(Name=ferry_e2e.unique_name("crash-topic"))["TopicArn"]
    queue = sqs.create_queue(QueueName=ferry_e2e.unique_name("crash-sns"))["QueueUrl"]
    queue_path = urllib.parse.urlsplit(queue).path
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"RawMessageDelivery": "true"})
    hook_url = hook.url("/crash")
    arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook_url,
                        Attributes={"DeliveryPolicy": json.dumps(RETRY_POLICY)},
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    got = hook.wait_for(1, sns_e2e.of_type("SubscriptionConfirmation"), timeout=10)
    if not got:
        checker.fail(CHECK + "1", "no SubscriptionConfirmation reached the webhook")
        return sqs
    if sns_e2e.confirm_by_url(got[0].json()["SubscribeURL"]) != arn:
        checker.fail(CHECK + "1", "confirming by SubscribeURL answered another ARN")

    run.set_endpoint(endpoint)
    thread = threading.Thread(target=publisher, args=(run, topic, rng.randrange(1 << 30)),
                              name="sns-publisher", daemon=True)
    thread.start()
    for number in (1, 2):
        time.sleep(rng.uniform(*LOAD_S))
        run.set_endpoint(None)
        with run.lock:
            log("sns crash %d: %d publishes acknowledged, %d http attempts answered 500, "
                "%d held open" % (number, len(run.acked), run.failed_attempts, run.hung))
        endpoint = crash_and_restart(None, server, checker, "sns %d" % number)
        if endpoint is None:
            return None
        sns = ferry_e2e.sns_client(endpoint_url=endpoint, connect_timeout=CONNECT_TIMEOUT_S,
                                   read_timeout=READ_TIMEOUT_S)
        verify_topic(checker, sns, topic, queue_arn, hook_url, "after sns crash %d" % number)
        run.set_endpoint(endpoint)
    time.sleep(rng.uniform(*LOAD_S))
    run.stop.set()
    thread.join(timeout=READ_TIMEOUT_S + 5)

    with run.lock:
        acked = dict(run.acked)
        failed_before = run.failed_attempts
        run.failing = False
    log("sns: %d publishes acknowledged (%d calls died with the server, %d error answers); "
        "%d http attempts answered 500; the endpoint recovers"
        % (len(acked), run.failed_calls, len(run.errors), failed_before))
    if run.errors:
        checker.fail(CHECK + "2", "a running ferry answered publishes with errors: %s"
                     % run.errors[:3])
    if not acked or not failed_before:
        checker.fail(CHECK + "3", "the scenario did not run: %d publishes, %d failed attempts"
                     % (len(acked), failed_before))

    sqs = ferry_e2e.sqs_client(endpoint_url=endpoint, connect_timeout=CONNECT_TIMEOUT_S,
                               read_timeout=READ_TIMEOUT_S)
    bodies = receive_everything(sqs, endpoint + queue_path)
    lost = set(acked) - set(bodies)
    if lost:
        checker.fail(CHECK + "2", "%d acknowledged publish(es) missing from the queue: %s"
                     % (len(lost), sorted(lost)[:5]))
    log("sns: queue drained, %d messages (%d duplicates)"
        % (len(bodies), len(bodies) - len(set(bodies))))

    wanted = set(acked.values())
    deadline = time.monotonic() + RECOVER_LIMIT_S
    while time.monotonic() < deadline:
        with run.lock:
            if wanted <= set(run.answered_ok):
                break
        time.sleep(0.2)
    with run.lock:
        delivered = dict(run.answered_ok)
    missing = wanted - set(delivered)
    if missing:
        checker.fail(CHECK + "3", "%d of %d acknowledged publishes never delivered to the "
                     "recovered endpoint within %d s, e.g. %s"
                     % (len(missing), len(wanted), RECOVER_LIMIT_S, sorted(missing)[:3]))
    bad = []
    for body in list(delivered.values())[:200]:
        env = json.loads(body)
        cert = urllib.parse.urlsplit(env["SigningCertURL"])
        env["SigningCertURL"] = endpoint + cert.path  # the port changed with each restart
        problem = sns_e2e.signature_problem(env)
        if problem:
            bad.append(problem)
    if bad:
        checker.fail(CHECK + "3", "%d delivered envelopes do not verify: %s" % (len(bad), bad[:2]))
    log("sns: %d of %d acknowledged publishes delivered over http after recovery"
        % (len(wanted & set(delivered)), len(wanted)))
    sns.delete_topic(TopicArn=topic)
    sqs.delete_queue(QueueUrl=endpoint + queue_path)
    return sqs
