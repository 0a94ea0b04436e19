#!/usr/bin/env python3
"""Damaged data directories: recovery refuses, `ferry repair` salvages.

    FERRY_BIN=build/src/app/ferry FERRY_EXPECT_PROTOCOL=json \\
        python3 tests/e2e/python/test_repair.py

A standalone script (it owns, stops and restarts its servers). ctest runs it
as `e2e_repair`. Exit status 0 pass, 1 fail, 77 skip.

  1. A flipped byte: 1,000 acknowledged sends, SIGTERM, flip one byte inside
     the 500th message's body in the log, restart: ferry exits non-zero
     naming the segment file and the record's offset, and the file is
     unchanged byte for byte. `ferry repair` exits 1 and reports the skipped
     record (file, offset) and the lost message by its MessageId; the
     original segment is in lost/. Restart: the other 999 messages arrive,
     each exactly once with its body.
  2. A deleted newest segment: 50 sends (one 64 MiB segment, no checkpoint
     yet), SIGTERM, delete the segment: ferry refuses to start, naming it.
     `ferry repair` exits 1 and reports the missing segment; the server
     starts again, the queue is gone (its CreateQueue was in that segment),
     and new queues take sends.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SKIP = 77
MESSAGES = 1000
DAMAGED = 500


def log(msg):
    print(msg, flush=True)


def segments(data_dir):
    return sorted(n for n in os.listdir(data_dir) if n.endswith(".wal") and len(n) == 24)


def start_refused(binary, data_dir):
    """Runs `ferry serve` on a directory it must refuse; returns its output."""
    proc = subprocess.run(
        [binary, "serve", "--listen", "127.0.0.1", "--port", "0", "--data-dir", data_dir],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace", timeout=60)
    assert proc.returncode != 0, "ferry started on a damaged directory:\n" + proc.stdout
    assert "listening on" not in proc.stdout, proc.stdout
    return proc.stdout


def repair(binary, data_dir):
    proc = subprocess.run([binary, "repair", "--data-dir", data_dir],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace", timeout=120)
    log(proc.stdout)
    return proc.returncode, proc.stdout


def drain(sqs, url, expect):
    got = {}
    empty = 0
    while empty < 2:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                VisibilityTimeout=600)
        msgs = r.get("Messages", [])
        if not msgs:
            empty += 1
            continue
        empty = 0
        for m in msgs:
            assert m["MessageId"] not in got, "received twice: " + m["MessageId"]
            got[m["MessageId"]] = m["Body"]
        if len(got) > expect:
            break
    return got


@contextlib.contextmanager
def scenario(binary, ferry_e2e):
    """A server on a data directory of its own; the server's log is printed
    when the scenario fails, and both are cleaned up at the end."""
    data_dir = tempfile.mkdtemp(prefix="ferry-e2e-repair-")
    server = ferry_e2e.FerryServer(binary, data_dir=data_dir)
    try:
        yield server, data_dir
    except BaseException:
        log(server.log_tail())
        raise
    finally:
        if server.alive():
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


def flipped_byte(binary, ferry_e2e):
    with scenario(binary, ferry_e2e) as (server, data_dir):
        server.start()
        sqs = ferry_e2e.sqs_client(endpoint_url=server.endpoint)
        # Plaintext bodies (encryption at rest off), so that the test finds
        # the 500th in the segment file.
        url = sqs.create_queue(QueueName="repair-flip",
                               Attributes={"SqsManagedSseEnabled": "false"})["QueueUrl"]
        sent = {}
        for i in range(1, MESSAGES + 1):
            body = "message %04d %s" % (i, "x" * (i % 40))
            sent[sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"]] = body
        assert len(sent) == MESSAGES
        problem = server.stop()
        assert problem is None, problem

        [seg] = segments(data_dir)
        path = os.path.join(data_dir, seg)
        with open(path, "rb") as f:
            data = bytearray(f.read())
        damaged_body = "message %04d " % DAMAGED
        at = data.find(damaged_body.encode())
        assert at > 0 and data.find(damaged_body.encode(), at + 1) < 0
        data[at + 3] ^= 0x01
        with open(path, "wb") as f:
            f.write(data)
        damaged_id = next(mid for mid, b in sent.items() if b.startswith(damaged_body))

        out = start_refused(binary, data_dir)
        log("refused as it must:\n" + out)
        assert seg in out and "corrupt at offset" in out, out
        with open(path, "rb") as f:
            assert f.read() == bytes(data), "a refused start changed the segment"

        code, report = repair(binary, data_dir)
        assert code == 1, "ferry repair exited %s" % code
        assert "skipped %s offset" % seg in report, report
        assert "Send record" in report, report
        assert damaged_id in report, "the lost message's id is not reported"
        assert os.path.exists(os.path.join(data_dir, "lost", seg))

        server.start()
        sqs = ferry_e2e.sqs_client(endpoint_url=server.endpoint)
        got = drain(sqs, url, MESSAGES - 1)
        expected = {mid: b for mid, b in sent.items() if mid != damaged_id}
        assert got == expected, "after repair: %d messages, %d expected; missing %s" % (
            len(got), len(expected), sorted(set(expected) - set(got))[:5])
        log("flipped byte: refused, repaired, %d messages received" % len(got))
        problem = server.stop()
        assert problem is None, problem


def deleted_newest_segment(binary, ferry_e2e):
    with scenario(binary, ferry_e2e) as (server, data_dir):
        server.start()
        sqs = ferry_e2e.sqs_client(endpoint_url=server.endpoint)
        url = sqs.create_queue(QueueName="repair-gone")["QueueUrl"]
        for i in range(50):
            sqs.send_message(QueueUrl=url, MessageBody="gone %d" % i)
        problem = server.stop()
        assert problem is None, problem
        assert not os.path.exists(os.path.join(data_dir, "checkpoint"))
        seg = segments(data_dir)[-1]
        os.remove(os.path.join(data_dir, seg))

        out = start_refused(binary, data_dir)
        log("refused as it must:\n" + out)
        assert seg in out and "missing" in out, out

        code, report = repair(binary, data_dir)
        assert code == 1, "ferry repair exited %s" % code
        assert "skipped %s: a missing segment" % seg in report, report

        server.start()
        sqs = ferry_e2e.sqs_client(endpoint_url=server.endpoint)
        names = sqs.list_queues().get("QueueUrls", [])
        assert names == [], "a queue whose records were lost came back: %s" % names
        url = sqs.create_queue(QueueName="repair-new")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="after repair")
        assert list(drain(sqs, url, 1).values()) == ["after repair"]
        log("deleted newest segment: refused, repaired, starts and takes sends")
        problem = server.stop()
        assert problem is None, problem


def main():
    binary = os.environ.get("FERRY_BIN")
    if os.environ.get("FERRY_ENDPOINT"):
        log("SKIP: FERRY_ENDPOINT is set; a peer's data directory is not ours to damage")
        return SKIP
    if not binary:
        log("FERRY_BIN is not set")
        return 1
    import ferry_e2e
    expect = os.environ.get("FERRY_EXPECT_PROTOCOL")
    if expect and ferry_e2e.client_protocol() != expect:
        log("SKIP: this botocore speaks %s, not %s" % (ferry_e2e.client_protocol(), expect))
        return SKIP
    try:
        flipped_byte(binary, ferry_e2e)
        deleted_newest_segment(binary, ferry_e2e)
    except Exception:
        traceback.print_exc()
        return 1
    log("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
