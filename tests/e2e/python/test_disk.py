#!/usr/bin/env python3
"""The data directory: one server per directory, and a full disk.

    FERRY_BIN=build/src/app/ferry FERRY_EXPECT_PROTOCOL=json \\
        python3 tests/e2e/python/test_disk.py lock|full

A standalone script (it starts its own servers, on directories it chooses);
ctest runs `lock` as `e2e_data_dir_lock` and `full` as `e2e_full_disk`.
Exit status 0 pass, 1 fail, 77 skip.

lock: start a server, delete its LOCK file, start a second server on the same
  directory: the second must refuse to start (exit status 1, saying the
  directory is in use) and never listen; the first keeps answering, and once
  it has stopped, a new server starts there and finds its messages.

full: mount a tmpfs of 40 MiB (root only; skips when mount is refused), start
  ferry on it with 4 MiB segments and:
  0. /ready answers 200 {"status":"ready"};
  1. send 200 KiB messages until a send answers 503 ServiceUnavailable; more
     sends keep answering 503, and none answers anything else; /ready answers
     503 {"status":"not ready"} with a reason naming the full disk;
  2. PurgeQueue of another queue, ReceiveMessage and DeleteMessageBatch of
     every message: each one answers 200 (no 503 at all), and every
     acknowledged message is received;
  3. within 60 s sends are taken again (the server deleted the drained
     segments and rebuilt its reserve), while receives still never answer
     503, and /ready answers 200 again; the new messages are received, and
     the server stops cleanly.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SKIP = 77
TMPFS_MIB = 40
SEGMENT_MIB = 4
BODY_BYTES = 200 * 1024
RESUME_WITHIN_S = 60


def log(msg):
    print(msg, flush=True)


def error_code(e):
    """(ServiceUnavailable-like code, HTTP status) of a botocore ClientError."""
    return (e.response.get("Error", {}).get("Code"),
            e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


def ready(endpoint):
    """(status, JSON body) of GET /ready."""
    try:
        with urllib.request.urlopen(endpoint + "/ready", timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def lock_test(binary, ferry_e2e):
    from botocore.exceptions import ClientError  # noqa: F401
    data_dir = tempfile.mkdtemp(prefix="ferry-lock-data-")
    first = ferry_e2e.FerryServer(binary, data_dir=data_dir)
    try:
        first.start()
        sqs = ferry_e2e.sqs_client(endpoint_url=first.endpoint)
        url = sqs.create_queue(QueueName="locked")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="before")

        os.remove(os.path.join(data_dir, "LOCK"))
        try:
            second = subprocess.run(
                [binary, "serve", "--listen", "127.0.0.1", "--port", "0", "--data-dir", data_dir],
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired as e:
            log("FAIL: a second server started on a directory in use (LOCK deleted):\n%s"
                % (e.stdout or ""))
            return 1
        if second.returncode != 1 or "listening on" in second.stdout:
            log("FAIL: second server: exit %s, stdout %r, stderr %r"
                % (second.returncode, second.stdout, second.stderr))
            return 1
        said = (second.stdout + second.stderr).strip()
        if "in use by another ferry" not in said:
            log("FAIL: the refusal does not say why: %r" % said)
            return 1
        log("second server refused: %s" % said.splitlines()[-1])

        # The first server is unaffected.
        sqs.send_message(QueueUrl=url, MessageBody="after")
        bodies = set()
        for _ in range(10):
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         VisibilityTimeout=0).get("Messages", []):
                bodies.add(m["Body"])
            if len(bodies) == 2:
                break
        if bodies != {"before", "after"}:
            log("FAIL: the first server lost messages: %r" % bodies)
            return 1
        problem = first.stop()
        if problem:
            log("FAIL: %s" % problem)
            return 1

        # Released with the server: a new one starts and recovers both.
        again = ferry_e2e.FerryServer(binary, data_dir=data_dir)
        try:
            again.start()
            sqs = ferry_e2e.sqs_client(endpoint_url=again.endpoint)
            url = sqs.get_queue_url(QueueName="locked")["QueueUrl"]
            n = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
            if n["Attributes"]["ApproximateNumberOfMessages"] != "2":
                log("FAIL: after the restart: %r" % n["Attributes"])
                return 1
        finally:
            problem = again.stop()
        if problem:
            log("FAIL: %s" % problem)
            return 1
        log("PASS: one server per data directory, LOCK file or not")
        return 0
    finally:
        first.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def mount_tmpfs(path):
    """Mounts a small tmpfs on path; returns None, or why it cannot."""
    if not shutil.which("mount"):
        return "no mount command"
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0700" % TMPFS_MIB,
                        "tmpfs", path], capture_output=True, text=True)
    if r.returncode != 0:
        return "mount -t tmpfs refused (needs root or CAP_SYS_ADMIN): %s" % r.stderr.strip()
    return None


def full_disk_test(binary, ferry_e2e):
    from botocore.exceptions import ClientError
    mount_point = tempfile.mkdtemp(prefix="ferry-small-disk-")
    why = mount_tmpfs(mount_point)
    if why:
        os.rmdir(mount_point)
        log("SKIP: %s" % why)
        return SKIP
    server = ferry_e2e.FerryServer(binary, data_dir=os.path.join(mount_point, "data"),
                                   extra_args=["--segment-mb", str(SEGMENT_MIB)])
    try:
        server.start()
        if ready(server.endpoint) != (200, {"status": "ready"}):
            log("FAIL: /ready of a fresh server: %r" % (ready(server.endpoint),))
            return 1
        sqs = ferry_e2e.sqs_client(endpoint_url=server.endpoint)
        url = sqs.create_queue(QueueName="fill")["QueueUrl"]
        other = sqs.create_queue(QueueName="purged")["QueueUrl"]
        sqs.send_message(QueueUrl=other, MessageBody="to be purged")

        # 1. Fill the disk.
        acknowledged = set()
        refused = 0
        for i in range(2 * TMPFS_MIB * 1024 * 1024 // BODY_BYTES):
            body = ("%06d " % i) + "x" * BODY_BYTES
            try:
                sqs.send_message(QueueUrl=url, MessageBody=body)
                acknowledged.add(body[:6])
            except ClientError as e:
                if error_code(e) != ("ServiceUnavailable", 503):
                    log("FAIL: a send on a full disk answered %r" % (error_code(e),))
                    return 1
                refused += 1
                if refused == 5:
                    break
        if refused < 5:
            log("FAIL: %d sends of %d KiB never filled a %d MiB disk"
                % (len(acknowledged), BODY_BYTES // 1024, TMPFS_MIB))
            return 1
        usage = shutil.disk_usage(mount_point)
        log("disk full after %d sends: %d of %d KiB used; sends answer 503"
            % (len(acknowledged), usage.used // 1024, usage.total // 1024))
        status, body = ready(server.endpoint)
        if status != 503 or body.get("status") != "not ready" or "disk is full" not in body.get(
                "reason", ""):
            log("FAIL: /ready on a full disk answered %d %r" % (status, body))
            return 1
        log("/ready on the full disk: 503 %r" % body["reason"])

        # 2. Drain: nothing may answer 503.
        sqs.purge_queue(QueueUrl=other)
        received = set()
        empty = 0
        while empty < 2:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                      VisibilityTimeout=300).get("Messages", [])
            if not got:
                empty += 1
                continue
            for m in got:
                received.add(m["Body"][:6])
            out = sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(got)])
            if out.get("Failed"):
                log("FAIL: deletes failed on a full disk: %r" % out["Failed"])
                return 1
        if received != acknowledged:
            log("FAIL: %d acknowledged messages not received: %r"
                % (len(acknowledged - received), sorted(acknowledged - received)[:10]))
            return 1
        log("drained %d messages on the full disk without a 503" % len(received))

        # 3. Sends come back; receives never flap.
        deadline = time.monotonic() + RESUME_WITHIN_S
        began = time.monotonic()
        while True:
            sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)
            try:
                sqs.send_message(QueueUrl=url, MessageBody="resumed")
                break
            except ClientError as e:
                if error_code(e) != ("ServiceUnavailable", 503):
                    raise
            if time.monotonic() > deadline:
                log("FAIL: sends still answer 503 %d s after the drain:\n%s"
                    % (RESUME_WITHIN_S, server.log_tail()))
                return 1
            time.sleep(0.5)
        log("sends taken again %.1f s after the drain" % (time.monotonic() - began))
        if ready(server.endpoint) != (200, {"status": "ready"}):
            log("FAIL: /ready once sends are taken again: %r" % (ready(server.endpoint),))
            return 1
        for i in range(20):
            sqs.send_message(QueueUrl=url, MessageBody="after %d" % i)
        bodies = set()
        for _ in range(40):
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                bodies.add(m["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            if len(bodies) == 21:
                break
        if bodies != {"resumed"} | {"after %d" % i for i in range(20)}:
            log("FAIL: after the disk recovered: %r" % sorted(bodies))
            return 1
        problem = server.stop()
        if problem:
            log("FAIL: %s" % problem)
            return 1
        log("PASS: consumers drained a full disk and sends resumed")
        return 0
    except ClientError as e:
        log("FAIL: %s %r\n%s" % (e, error_code(e), server.log_tail()))
        return 1
    finally:
        server.stop()
        subprocess.run(["umount", "-l", mount_point], capture_output=True)
        shutil.rmtree(mount_point, ignore_errors=True)


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    if which not in ("lock", "full"):
        print("usage: test_disk.py lock|full")
        return 2
    if os.environ.get("FERRY_ENDPOINT"):
        print("SKIP: FERRY_ENDPOINT is set; this test must start its own servers")
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
    return lock_test(binary, ferry_e2e) if which == "lock" else full_disk_test(binary, ferry_e2e)


if __name__ == "__main__":
    sys.exit(main())
