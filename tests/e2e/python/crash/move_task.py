"""Dead letters and a message move task across a crash, the last phase of
the crash test (tests/e2e/python/test_crash.py), run on the server that
survived the other scenarios.

Check:
  (8) dead letters and a message move task across a crash: messages moved to
      a DLQ by maxReceiveCount stay there after a SIGKILL, and a move task
      from that DLQ (rate-limited, so it is mid-way when the server is
      SIGKILLed) resumes after the restart, completes, and every message it
      was moving arrives in the destination (at least once).
"""

import time

from .harness import CONNECT_TIMEOUT_S, DRAIN_LIMIT_S, READ_TIMEOUT_S, crash_and_restart, log

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
