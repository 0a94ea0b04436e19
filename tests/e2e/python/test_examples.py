"""The examples/ programs, each run against a real Ferry as a user runs them:
`python3 examples/<x>/<x>.py --endpoint-url URL` (this interpreter, so its
boto3), and the JavaScript one with node and the SDK installed in
tests/e2e/js. An example exits 0 only if its pattern behaved as it should;
any other exit status fails its test, with the example's output.

An example run against a Ferry without a feature it needs exits 77 (the
queue attribute or admin action was refused). That fails too, unless
FERRY_EXAMPLES_ALLOW_MISSING=1 makes it a skip (for a build that does not
have every extension yet).

    FERRY_BIN=build/src/app/ferry python3 tests/e2e/python/run_suite.py test_examples
"""

import os
import shutil
import subprocess
import sys
import unittest

import ferry_e2e

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLES = os.path.join(REPO, "examples")
JS_MODULES = os.path.join(REPO, "tests", "e2e", "js", "node_modules", "@aws-sdk", "client-sqs")
FEATURE_MISSING = 77
TIMEOUT = 120  # seconds for one example; each takes well under 30


class ExamplesTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if ferry_e2e.expected_account_id() is None:
            raise unittest.SkipTest("the examples use Ferry's own extensions")
        cls.endpoint = ferry_e2e.endpoint()

    def run_example(self, command):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        try:
            done = subprocess.run(command + ["--endpoint-url", self.endpoint], env=env,
                                  cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.fail("%s did not finish within %d s:\n%s" % (command[-1], TIMEOUT, e.output))
        output = done.stdout
        if done.returncode == FEATURE_MISSING and os.environ.get("FERRY_EXAMPLES_ALLOW_MISSING"):
            self.skipTest(output.strip().splitlines()[-1])
        self.assertEqual(done.returncode, 0, "%s exited %d:\n%s"
                         % (" ".join(command), done.returncode, output))
        self.assertIn("\nOK: ", "\n" + output, output)

    def run_python(self, name):
        self.run_example([sys.executable, os.path.join(EXAMPLES, name, name + ".py")])

    def test_delayed_recheck_resends_only_unacknowledged_notifications(self):
        self.run_python("delayed-recheck")

    def test_order_fanout_applies_every_event_once_at_the_right_consumers(self):
        self.run_python("order-fanout")

    def test_resilient_webhook_retries_5xx_with_backoff_and_dead_letters_4xx(self):
        self.run_python("resilient-webhook")

    def test_point_to_point_dlq_redrives_failed_jobs_back(self):
        node = os.environ.get("FERRY_NODE") or shutil.which("node")
        if not node:
            self.skipTest("node not found (set FERRY_NODE)")
        if not os.path.isdir(JS_MODULES):
            self.skipTest("no @aws-sdk/client-sqs: run 'npm ci' in tests/e2e/js")
        self.run_example([node, os.path.join(EXAMPLES, "point-to-point-dlq",
                                             "point-to-point-dlq.mjs")])


if __name__ == "__main__":
    unittest.main()
