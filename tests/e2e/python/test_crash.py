#!/usr/bin/env python3
"""Crash recovery: kill -9 ferry under load, restart it on the same data dir,
and check that nothing acknowledged was lost and nothing deleted came back.

    FERRY_BIN=build/src/app/ferry FERRY_EXPECT_PROTOCOL=json \\
        python3 tests/e2e/python/test_crash.py [sns]

A standalone script (not a unittest module: it owns its server, which it
kills). ctest runs it as `e2e_crash`, and with the argument `sns` as
`e2e_crash_sns`. Exit status 0 pass, 1 fail, 77 skip.

The run:
  1. start ferry (--port 0, a temp --data-dir); create a standard queue with
     non-default attributes and tags, and a FIFO queue;
  2. each queue's producers and consumers run while the server is SIGKILLed
     at random moments and restarted on the same data dir (new port each
     time, clients rebuilt);
  3. producers stop; both queues are drained (in-flight messages wait out
     their visibility timeout) and everything is deleted;
  4. one more SIGKILL + restart with the queues empty; then dead letters and
     a message move task, across two more SIGKILLs; then SIGTERM.
With `sns`, instead, on a server of its own: an SNS topic with an SQS and an
http subscription (its endpoint failing with 500), published to across two
SIGKILLs; then the endpoint recovers; then SIGTERM.

The scenarios live in crash/, each with the checks it makes listed in its
docstring:
  crash/standard.py   the standard queue             (1)-(4), (6), (7)
  crash/fifo.py       the FIFO queue beside it       (F1)-(F3)
  crash/move_task.py  dead letters, a move task      (8)
  crash/sns.py        SNS publishes, http retries     (S1)-(S3)   (`sns`)
  crash/harness.py    shared state, Checker, kills and restarts   (5)

Only what the server acknowledged counts: a send is acknowledged when the
call returned 200 with a MessageId (per entry for batches), a delete when
the call returned 200 (per entry for batches). Calls that failed because the
server died are counted, never recorded.

Environment: FERRY_BIN (required), FERRY_EXPECT_PROTOCOL (query|json; a
mismatching botocore skips), FERRY_CRASH_SEED (reproduce the random kill
times), FERRY_CRASH_KILLS (kills under load, default 3, at least 1),
FERRY_CRASH_STRICT_INFLIGHT (default 1). FERRY_ENDPOINT skips: a peer cannot
be killed. On failure the data dir and the server log are kept and printed.
"""

import collections
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from crash import fifo, harness, move_task, sns, standard  # noqa: E402
from crash.harness import CONNECT_TIMEOUT_S, READ_TIMEOUT_S, log  # noqa: E402

SKIP = 77

LOAD_MIN_S, LOAD_MAX_S = 1.5, 4.0   # load between two kills
TAIL_MIN_S, TAIL_MAX_S = 1.5, 3.0   # load after the last restart


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
    if sys.argv[1:] == ["sns"]:
        return sns_main(server, seed, rng, ferry_e2e)
    run = standard.StandardRun(strict)
    fifo_run = fifo.FifoRun(run)
    fifo_stop = threading.Event()
    checker = harness.Checker()
    threads = []
    main_client_for = harness.main_client_for(run)

    summary = {}
    try:
        endpoint = server.start()
        log("ferry start #1: listening on %s after %.3f s (data dir %s)"
            % (endpoint, server.startup_seconds, data_dir))
        client = ferry_e2e.sqs_client(endpoint_url=endpoint, read_timeout=READ_TIMEOUT_S)
        queue_name, url, expected_attrs, expected_tags = standard.create_queue(checker, client)
        fifo.create_queue(fifo_run, client, queue_name)
        run.set_up(endpoint, url)

        threads.extend(fifo.workers(fifo_run, fifo_stop))
        threads.extend(standard.workers(run))
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
            if not harness.sleep_watching(server, checker, rng.uniform(LOAD_MIN_S, LOAD_MAX_S)):
                alive = False
                break
            endpoint = harness.crash_and_restart(run, server, checker, k)
            if endpoint is None:
                alive = False
                break
            client = ferry_e2e.sqs_client(endpoint_url=endpoint, connect_timeout=CONNECT_TIMEOUT_S,
                                          read_timeout=READ_TIMEOUT_S)
            url = harness.verify_queue(checker, client, queue_name, url, expected_attrs,
                                       expected_tags, "after crash %d" % k)
            if k == 1:
                expected_attrs, expected_tags = standard.change_queue(
                    checker, client, url, expected_attrs, expected_tags)
            run.set_up(endpoint, url)

        if alive and harness.sleep_watching(server, checker, rng.uniform(TAIL_MIN_S, TAIL_MAX_S)):
            log("stopping producers; draining (%d sends acknowledged, %d deleted)"
                % (len(run.sent), len(run.deleted_ids)))
            drained = standard.drain(run, server, checker, main_client_for)
            drained = fifo.fifo_drain(fifo_run, server, checker, main_client_for) and drained
            fifo_stop.set()
            run.stop_consumers.set()
            for t in threads:
                t.join(timeout=READ_TIMEOUT_S + 5)
            log("drain %s: %d receives, %d deletes acknowledged"
                % ("done" if drained else "INCOMPLETE", len(run.receives), len(run.deletes)))

            # One more crash with the queue empty: deletes must stay deleted.
            number = kills + 1
            endpoint = harness.crash_and_restart(run, server, checker, number)
            if endpoint is not None:
                client = ferry_e2e.sqs_client(endpoint_url=endpoint,
                                              connect_timeout=CONNECT_TIMEOUT_S,
                                              read_timeout=READ_TIMEOUT_S)
                url = harness.verify_queue(checker, client, queue_name, url, expected_attrs,
                                           expected_tags,
                                           "after crash %d (queue drained)" % number)
                run.set_up(endpoint, url)
                standard.final_receives(run, client, url, run.generation, checker, ferry_e2e)
                fifo.fifo_after_last_crash(fifo_run, client, checker)
                try:
                    move_task.move_task_across_a_crash(server, checker, client, ferry_e2e)
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

        harness.final_sigterm(server, checker)

        with run.lock:
            n_auth, n_unchecked, n_resurrected, by_id = standard.analyse(run, checker)
            fifo_summary = fifo.analyse_fifo(fifo_run, checker)
            if run.problems:
                checker.fail(4, "%d malformed message(s): %s"
                             % (len(run.problems), run.problems[:5]))
            if run.error_responses:
                checker.fail(7, "a running ferry answered with errors: %s; e.g. %s"
                             % (dict(run.error_responses), run.error_examples[:3]))
            summary = collections.OrderedDict(
                [("kills (SIGKILL)", len(run.kill_times)),
                 ("server starts", server.starts),
                 ("restarts from a checkpoint", harness.checkpoint_restarts(server))]
                + standard.summary(run, by_id, n_auth, n_unchecked, n_resurrected)
                + [("FIFO queue", fifo_summary)])
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

    return report(checker, seed, server, summary, run.warnings)


def sns_main(server, seed, rng, ferry_e2e):
    """The SNS scenario (crash/sns.py) on a server of its own."""
    checker = harness.Checker()
    try:
        endpoint = server.start()
        log("ferry start #1: listening on %s after %.3f s (data dir %s)"
            % (endpoint, server.startup_seconds, server.data_dir))
        client = ferry_e2e.sqs_client(endpoint_url=endpoint, read_timeout=READ_TIMEOUT_S)
        sns.sns_across_crashes(server, checker, client, ferry_e2e, rng)
        harness.final_sigterm(server, checker)
    except Exception:  # noqa: BLE001
        checker.fail("harness", traceback.format_exc())
    finally:
        if server.alive():
            server.kill()
    return report(checker, seed, server, {"server starts": server.starts}, [])


def report(checker, seed, server, summary, warnings):
    """Prints the summary and the failures; the exit status."""
    print("\n---- crash test summary (seed %d) ----" % seed)
    for k, v in summary.items():
        print("  %-40s %s" % (k, v))
    for w in warnings:
        print("  WARNING " + w)
    if checker.failures:
        print("\n%d check(s) FAILED:" % len(checker.failures))
        for f in checker.failures:
            print("  " + f)
        print("\ndata dir kept: %s" % server.data_dir)
        print("---- tail of the ferry log (%s) ----" % server.log_path)
        print(server.log_tail(80))
        print("FAIL (reproduce the kill times with FERRY_CRASH_SEED=%d)" % seed)
        return 1
    shutil.rmtree(server.data_dir, ignore_errors=True)
    if server.log_path:
        try:
            os.unlink(server.log_path)
        except OSError:
            pass
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
