#!/usr/bin/env python3
"""Push notifications with a delayed re-check, cancelled on receipt.

The pattern: when you send a push notification, schedule in the same breath
a "re-check" message for later. If the device's delivery receipt comes in
first, cancel the re-check; the re-checks that still arrive are exactly the
notifications nobody acknowledged, and their consumer re-sends them (or
falls back to SMS, e-mail, ...).

In production the re-check waits 30 minutes: beyond SQS's 15-minute
DelaySeconds, so the queue opts in to FerryScheduledDelivery and each
re-check carries the message attribute Ferry.DelaySeconds. Cancelling is
Ferry's admin action Ferry.CancelMessage (or `ferry cancel QUEUE ID`).
The example waits a few seconds instead (--recheck-after) so that it ends
quickly; it exits 0 only if the re-checks that arrived were exactly those
of the unacknowledged notifications.

    python3 examples/delayed-recheck/delayed-recheck.py --endpoint-url http://127.0.0.1:9324
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import common  # noqa: E402

QUEUE = "push-rechecks"
PRODUCTION_DELAY = 30 * 60  # what a real deployment would wait, in seconds


def schedule_recheck(sqs, url, notification, delay):
    """The re-check copy of one notification, delivered `delay` s from now."""
    body = json.dumps({"run": common.RUN_ID, "notification": notification})
    sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes={
        "Ferry.DelaySeconds": {"DataType": "Number", "StringValue": str(delay)}})
    return sent["MessageId"]


def cancel(endpoint, url, message_id):
    """Ferry.CancelMessage: {"Cancelled": true}, or false with a Reason
    (AlreadyVisible: too late, the re-check is out; NotFound: already
    cancelled, deleted or never there). A receipt that comes later than its
    re-check cannot stop it: a real re-check consumer also looks the
    notification up in its receipts before re-sending."""
    status, answer = common.ferry_admin(endpoint, "CancelMessage",
                                        {"QueueUrl": url, "MessageId": message_id})
    if status == 400 and answer.get("__type") == "UnknownOperationException":
        common.feature_missing("the admin action Ferry.CancelMessage", answer)
    if status != 200:
        raise RuntimeError("CancelMessage answered %d: %s" % (status, answer))
    return answer


def main():
    parser = common.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--recheck-after", type=int, default=3,
                        help="seconds before a re-check (production: %d)" % PRODUCTION_DELAY)
    args = parser.parse_args()
    sqs, _ = common.clients(args.endpoint_url)

    url, _ = common.ensure_queue(sqs, QUEUE, {"FerryScheduledDelivery": "true",
                                              "VisibilityTimeout": "30"})
    common.drain(sqs, url)

    # A re-check with the production delay is accepted (SQS's own
    # DelaySeconds stops at 900) and cancels like any other.
    long_one = schedule_recheck(sqs, url, "n0-production-delay", PRODUCTION_DELAY)
    answer = cancel(args.endpoint_url, url, long_one)
    common.say("re-check in %d s scheduled and cancelled: %s" % (PRODUCTION_DELAY, answer))
    assert answer == {"Cancelled": True}, answer

    # 1. Send six notifications, each with its re-check.
    notifications = ["n%d" % i for i in range(1, 7)]
    recheck_of = {}
    for n in notifications:
        common.say("push notification %s sent to the device" % n)
        recheck_of[n] = schedule_recheck(sqs, url, n, args.recheck_after)
    sent_at = time.monotonic()

    # Nothing is visible before its time.
    early = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert not [m for m in early if json.loads(m["Body"]).get("run") == common.RUN_ID], early

    # 2. The device acknowledges four of them; each receipt cancels its
    # re-check. Receipts come twice sometimes: the second cancel finds
    # nothing (NotFound), which is fine.
    acknowledged = ["n1", "n2", "n4", "n5"]
    for n in acknowledged + ["n2"]:
        answer = cancel(args.endpoint_url, url, recheck_of[n])
        common.say("receipt for %s: cancel its re-check -> %s" % (n, answer))
        if answer != {"Cancelled": True}:
            assert answer.get("Reason") == "NotFound" and n == "n2", answer
    assert time.monotonic() - sent_at < args.recheck_after, \
        "the receipts took longer than the re-check delay: use a larger --recheck-after"

    # 3. The re-check consumer: every re-check that arrives is a notification
    # without a receipt; re-send it. It listens until well after the delay.
    resent = []
    deadline = sent_at + args.recheck_after + 4
    while time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  WaitTimeSeconds=1).get("Messages", [])
        for m in got:
            body = json.loads(m["Body"])
            if body.get("run") == common.RUN_ID:
                n = body["notification"]
                common.say("re-check for %s: no receipt after %.1f s, re-sending it"
                           % (n, time.monotonic() - sent_at))
                resent.append(n)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    unacknowledged = sorted(set(notifications) - set(acknowledged))
    common.say("re-sent: %s; expected: %s" % (sorted(resent), unacknowledged))
    assert sorted(resent) == unacknowledged, "wrong re-checks arrived: %s" % resent
    common.say("OK: only the notifications without a receipt were re-sent")


if __name__ == "__main__":
    main()
