#!/usr/bin/env python3
"""Run Ferry's Python end-to-end suite under this interpreter.

    FERRY_BIN=build/src/app/ferry FERRY_EXPECT_PROTOCOL=query \\
        /usr/bin/python3 tests/e2e/python/run_suite.py [options] [MODULE ...]

MODULE is a test module name (test_messages) or a dotted test id
(test_messages.SendTest.test_md5). Without modules the default suite runs
(everything except test_retention, test_hostile and test_cli, which ctest runs on
their own).

Options:
  --skip-unavailable  exit 77 (ctest SKIP_RETURN_CODE) instead of failing when
                      this interpreter has no boto3, or its botocore speaks
                      another SQS protocol than FERRY_EXPECT_PROTOCOL.
  --pair PYTHON=PROTO also run the same modules under PYTHON (expecting
                      protocol PROTO, skip allowed) in parallel, each with its
                      own server; the run fails if either fails.

Environment: FERRY_BIN (binary to start), FERRY_ENDPOINT (target a running
server instead), FERRY_EXPECT_PROTOCOL (query|json), FERRY_ACCOUNT_ID (peer's
account id, optional), FERRY_ENGINE (local, the default, or postgres: the
servers run on a throwaway PostgreSQL, pg_server.py; skipped, 77, where
PostgreSQL is not installed).
Exit status: 0 all passed, 1 failure, 77 skipped.
"""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

DEFAULT_MODULES = ["test_queues", "test_attributes", "test_messages",
                   "test_receive", "test_behaviour", "test_errors", "test_raw_http", "test_dlq",
                   "test_fifo", "test_boto2", "test_poison", "test_sizes", "test_router",
                   "test_accounts", "test_policies", "test_sns_topics", "test_sns_subscriptions",
                   "test_sns_publish", "test_sns_http", "test_encryption", "test_signatures",
                   "test_admin_api", "test_browse", "test_metrics", "test_logging"]
SKIP = 77


def check_interpreter(skip_unavailable):
    """None if this interpreter can run the suite, else an exit status."""
    expected = os.environ.get("FERRY_EXPECT_PROTOCOL")
    if not expected:
        return None
    why = None
    try:
        import ferry_e2e
        actual = ferry_e2e.client_protocol()
        if actual != expected:
            why = "%s: botocore speaks SQS protocol %r, this run expects %r" % (
                sys.executable, actual, expected)
    except ImportError as e:
        why = "%s: cannot import boto3/botocore (%s)" % (sys.executable, e)
    if why is None:
        return None
    if skip_unavailable:
        print("SKIP: " + why)
        return SKIP
    print("FAIL: " + why)
    return 1


def check_engine():
    """None if the engine FERRY_ENGINE names can run here, else SKIP."""
    if os.environ.get("FERRY_ENGINE", "local") != "postgres" or os.environ.get("FERRY_ENDPOINT"):
        return None
    import pg_server
    why = pg_server.available()
    if why is None:
        return None
    print("SKIP: FERRY_ENGINE=postgres: " + why)
    return SKIP


def start_pair(spec, modules):
    python, _, proto = spec.partition("=")
    env = dict(os.environ, FERRY_EXPECT_PROTOCOL=proto or "json")
    cmd = [python, os.path.abspath(__file__), "--skip-unavailable"] + modules
    print("pair: %s (FERRY_EXPECT_PROTOCOL=%s)" % (" ".join(cmd), env["FERRY_EXPECT_PROTOCOL"]))
    try:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
    except OSError as e:
        print("pair: cannot start %s: %s" % (python, e))
        return None


def finish_pair(proc):
    if proc is None:
        return 1
    out, _ = proc.communicate()
    print("\n======== paired run (%s) ========" % proc.args[0])
    print(out)
    print("======== paired run exit status %s ========" % proc.returncode)
    if proc.returncode == SKIP:
        print("paired run skipped (interpreter unavailable)")
    return proc.returncode


def combine(a, b):
    """Fail if either failed; skip only if both skipped."""
    if a not in (0, SKIP) or b not in (0, SKIP):
        return 1
    return SKIP if a == SKIP and b == SKIP else 0


def main(argv):
    skip_unavailable = False
    pair = None
    modules = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--skip-unavailable":
            skip_unavailable = True
        elif a == "--pair":
            pair = args.pop(0)
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            modules.append(a)
    modules = modules or DEFAULT_MODULES

    pair_proc = start_pair(pair, modules) if pair else None

    status = check_interpreter(skip_unavailable)
    if status is None:
        status = check_engine()
    if status is not None:
        if pair_proc is not None:
            return combine(status, finish_pair(pair_proc))
        return status

    import ferry_e2e
    try:
        ferry_e2e.endpoint()  # start the server (or check FERRY_ENDPOINT) up front
    except Exception as e:
        print("FAIL: cannot start ferry: %s" % e)
        return combine(1, finish_pair(pair_proc)) if pair_proc is not None else 1
    print("python %s, botocore protocol %s, endpoint %s, engine %s"
          % (sys.version.split()[0], os.environ.get("FERRY_EXPECT_PROTOCOL", "-"),
             os.environ.get("FERRY_ENDPOINT") or "(ferry started by the harness)",
             ferry_e2e.ENGINE))
    suite = unittest.defaultTestLoader.loadTestsFromNames(modules)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)

    server = ferry_e2e.managed_server()
    problem = ferry_e2e.stop_server() if server else None
    # Count tests, not subtest failures: a test fails if any of its subtests did.
    def test_id(test):
        return getattr(test, "test_case", test).id()
    failed_ids = {test_id(t) for t, _ in result.failures + result.errors}
    failed_ids |= {test_id(t) for t in result.unexpectedSuccesses}
    failed = len(failed_ids)
    skipped = len({test_id(t) for t, _ in result.skipped} - failed_ids)
    passed = max(0, result.testsRun - failed - skipped - len(result.expectedFailures))
    if problem:
        print("SERVER PROBLEM: " + problem)
    if server and (problem or failed):
        print("---- tail of the ferry log (%s) ----" % server.log_path)
        print(server.log_tail())
    elif server and server.log_path:
        try:
            os.unlink(server.log_path)
        except OSError:
            pass
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    if failed or problem or result.testsRun == 0:
        status = 1
    elif passed == 0 and skipped > 0:
        status = SKIP  # nothing ran: let ctest report a skip, not a pass
    else:
        status = 0

    if pair_proc is not None:
        status = combine(status, finish_pair(pair_proc))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
