#!/usr/bin/env python3
"""A resilient webhook sender: retries with exponential backoff, 4xx to a DLQ.

Your application enqueues webhook events; Ferry delivers them. The queue has
- FerryPushConsumer: Ferry POSTs each message (Lambda's SQS event format,
  batch size 1) to the receiver's URL, signed with X-Ferry-Signature;
- FerryRedeliveryBackoff: a message whose delivery failed comes back after
  the visibility timeout plus a backoff that doubles with each receive
  (base 1 s, capped at 8 s, no jitter here so the gaps are predictable);
- a RedrivePolicy: what the receiver refuses for good lands in the DLQ.

A 2xx answer deletes the message; 5xx, 429 or a timeout mean "try again
later"; any other 4xx means "this will never work": Ferry moves the message
to the DLQ at once, without retrying.

The receiver here (an http.server in a thread) verifies the signature,
answers 503 three times and then 200 to an `invoice.paid` event, and 400
to a `customer.bogus` event. Exits 0 only if the retries came with growing
gaps and then succeeded, and the refused event went to the DLQ after a
single attempt.

    python3 examples/resilient-webhook/resilient-webhook.py --endpoint-url http://127.0.0.1:9324
"""

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import common  # noqa: E402

SECRET = "webhook-example-secret"
VISIBILITY_TIMEOUT = 1
BACKOFF = {"function": "exponential", "baseSeconds": 1, "maxSeconds": 8, "jitter": "none"}
FAILURES_BEFORE_SUCCESS = 3


def backoff(receive):
    """FerryRedeliveryBackoff's extra delay after the n-th receive:
    none after the first, then base * 2^(n-2), capped."""
    if receive < 2:
        return 0
    return min(BACKOFF["baseSeconds"] * 2 ** (receive - 2), BACKOFF["maxSeconds"])


class Receiver:
    """The webhook receiver, down for a while for one kind of event and
    refusing another. Records when each event was attempted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempts = {}  # event kind -> [monotonic time of each attempt]

    def handle(self, records):
        (record,) = records  # batchSize 1: one webhook per call
        event = json.loads(record["body"])
        if event.get("run") != common.RUN_ID:
            return 200, None  # an earlier run's leftover: accept and forget it
        with self.lock:
            times = self.attempts.setdefault(event["kind"], [])
            times.append(time.monotonic())
            attempt = len(times)
        if event["kind"] == "customer.bogus":
            status = 400
        elif attempt <= FAILURES_BEFORE_SUCCESS:
            status = 503
        else:
            status = 200
        receives = record["attributes"].get("ApproximateReceiveCount")
        common.say("receiver: %s attempt %d (receive count %s) -> %d"
                   % (event["kind"], attempt, receives, status))
        return status, None


def main():
    args = common.arg_parser(__doc__.splitlines()[0]).parse_args()
    sqs, _ = common.clients(args.endpoint_url)
    receiver = Receiver()
    endpoint = common.PushEndpoint(SECRET, receiver.handle)

    dlq_url, dlq_arn = common.ensure_queue(sqs, "webhook-deliveries-dlq")
    common.drain(sqs, dlq_url)
    url, _ = common.ensure_queue(sqs, "webhook-deliveries", {
        "VisibilityTimeout": str(VISIBILITY_TIMEOUT),
        "RedrivePolicy": common.redrive_policy(dlq_arn, 10),
        "FerryRedeliveryBackoff": json.dumps(BACKOFF),
        "FerryPushConsumer": common.push_consumer(endpoint.url, SECRET, batch_size=1)})
    try:
        ids = {}
        for kind in ("invoice.paid", "customer.bogus"):
            body = json.dumps({"run": common.RUN_ID, "kind": kind, "data": {"id": "in_42"}})
            ids[kind] = sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"]
            common.say("queued webhook %s (%s)" % (kind, ids[kind]))

        def succeeded():
            return len(receiver.attempts.get("invoice.paid", [])) > FAILURES_BEFORE_SUCCESS

        common.wait_until(succeeded, 30, "the invoice.paid webhook to succeed")
        dead = []
        deadline = time.monotonic() + 10
        while not dead and time.monotonic() < deadline:
            for m in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10,
                                         WaitTimeSeconds=1).get("Messages", []):
                dead.append(m)
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=m["ReceiptHandle"])
        time.sleep(2)  # long enough for a wrong retry of the 4xx event to show
    finally:
        common.stop_pushing(sqs, url)
        endpoint.close()

    times = receiver.attempts.get("invoice.paid", [])
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    expected = [VISIBILITY_TIMEOUT + backoff(n) for n in range(1, len(times))]
    common.say("invoice.paid: %d attempts, gaps %s s (expected about %s)"
               % (len(times), ["%.1f" % g for g in gaps], expected))
    assert len(times) == FAILURES_BEFORE_SUCCESS + 1, times
    for gap, want in zip(gaps, expected):
        assert want - 0.3 <= gap <= want + 2.5, (gaps, expected)
    assert all(a < b for a, b in zip(gaps, gaps[1:])), "gaps did not grow: %s" % gaps

    bogus = receiver.attempts.get("customer.bogus", [])
    dead_kinds = [json.loads(m["Body"])["kind"] for m in dead]
    common.say("customer.bogus: %d attempt(s); in the DLQ: %s" % (len(bogus), dead_kinds))
    assert len(bogus) == 1, "a 4xx must not be retried: %d attempts" % len(bogus)
    assert dead_kinds == ["customer.bogus"], dead
    assert endpoint.bad_signatures == 0
    common.say("OK: 5xx retried with growing gaps until it succeeded; 4xx went to the DLQ at once")


if __name__ == "__main__":
    main()
