"""The admin CLI (`ferry queues`, `ferry send`, ...: docs/cli.md) end to end.

Each test runs the `ferry` binary (FERRY_BIN) as a subprocess against the
suite's server with --endpoint-url and the harness's AWS_* variables, and
cross-checks what it did with boto3: a message sent by the CLI is received
by boto3 with its MD5 checked; `ferry peek` changes no receive count;
`ferry redrive` moves a DLQ's messages back and shows its progress;
`ferry queues --json` reports the figures boto3 set up; topics,
subscriptions and publish route to an SQS subscription; errors exit 1 with
AWS's code and message, usage errors 2. A server of its own with
--credentials checks that a wrong secret is refused and that profiles of a
credentials file (AWS_SHARED_CREDENTIALS_FILE, --profile, HOME/.aws) sign;
one with an HTTPS listener that --ca-bundle, AWS_CA_BUNDLE and
--no-verify-ssl do what the aws CLI's do. `ferry apply` applies a resources
file (created, then unchanged; a dry run changes nothing).
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import ferry_e2e
from ferry_e2e import FerryServer, SqsTestCase, md5_of_attributes, md5_of_body, unique_name

FERRY_BIN = os.environ.get("FERRY_BIN")


def run_ferry(endpoint, *args, input=None, env=None, timeout=60):
    """Runs `ferry ARGS --endpoint-url ENDPOINT`; returns the CompletedProcess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    for name, value in list(full_env.items()):
        if value is None:
            del full_env[name]
    return subprocess.run([FERRY_BIN] + list(args) + ["--endpoint-url", endpoint],
                          input=input if input is not None else "", env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class CliTestCase(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        if not FERRY_BIN or os.environ.get("FERRY_ENDPOINT"):
            raise unittest.SkipTest("needs FERRY_BIN and the suite's own server")
        super().setUpClass()
        cls.sns = ferry_e2e.sns_client()

    def ferry(self, *args, expect=0, **kwargs):
        proc = run_ferry(ferry_e2e.endpoint(), *args, **kwargs)
        if expect is not None:
            self.assertEqual(proc.returncode, expect,
                             "ferry %s: exit %s\nstdout: %s\nstderr: %s"
                             % (" ".join(args), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def queue_with_dlq(self, max_receives=1):
        dlq = self.new_queue("dlq")
        dlq_arn = self.attrs(dlq, "QueueArn")["QueueArn"]
        source = self.new_queue("src", attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": max_receives}),
            "VisibilityTimeout": "0"})
        return source, dlq


class MessagesTest(CliTestCase):
    def test_a_message_sent_by_the_cli_is_received_by_boto3_with_its_digests(self):
        url = self.new_queue("send")
        name = url.rsplit("/", 1)[1]
        proc = self.ferry("send", name, "--body", "héllo <wörld>", "--attribute", "color=red",
                          "--attribute", "n:Number=42", "--json")
        sent = json.loads(proc.stdout)
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body("héllo <wörld>"))
        [m] = self.receive_n(url, 1, MessageAttributeNames=["All"])
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "héllo <wörld>")
        self.assertEqual(m["MD5OfBody"], md5_of_body(m["Body"]))
        attributes = {"color": {"DataType": "String", "StringValue": "red"},
                      "n": {"DataType": "Number", "StringValue": "42"}}
        self.assertEqual(m["MessageAttributes"], attributes)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(attributes))

    def test_send_reads_the_body_from_stdin_and_takes_a_queue_url(self):
        url = self.new_queue("stdin")
        proc = self.ferry("send", url, "--delay", "0", input="line 1\nline 2\n")
        self.assertTrue(proc.stdout.startswith("sent "), proc.stdout)
        [m] = self.receive_n(url, 1)
        self.assertEqual(m["Body"], "line 1\nline 2\n")

    def test_receive_with_delete_prints_json_lines_and_consumes(self):
        url = self.new_queue("recv")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        proc = self.ferry("receive", url, "--max", "3", "--wait", "1", "--delete", "--json")
        bodies = sorted(m["Body"] for m in json_lines(proc.stdout))
        self.assertEqual(bodies, ["m0", "m1", "m2"])
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_receive_without_messages_says_so(self):
        url = self.new_queue("empty")
        proc = self.ferry("receive", url)
        self.assertEqual(proc.stdout, "no messages\n")

    def test_peek_changes_no_visibility_or_receive_count(self):
        url = self.new_queue("peek")
        self.sqs.send_message(QueueUrl=url, MessageBody="first")
        self.sqs.send_message(QueueUrl=url, MessageBody="second")
        [held] = self.receive(url, MaxNumberOfMessages=1, VisibilityTimeout=60)
        for _ in range(2):
            proc = self.ferry("peek", url, "--json")
        peeked = json_lines(proc.stdout)
        self.assertEqual([m["Body"] for m in peeked], ["first", "second"])
        states = {m["Body"]: m["State"] for m in peeked}
        self.assertEqual(states[held["Body"]], "inflight")
        counts = {m["Body"]: m["ApproximateReceiveCount"] for m in peeked}
        self.assertEqual(counts[held["Body"]], 1)
        self.assertEqual(self.counts(url), (1, 1, 0))
        [other] = self.receive(url, AttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(other["Attributes"]["ApproximateReceiveCount"], "1")
        table = self.ferry("peek", url).stdout
        self.assertIn("STATE", table.splitlines()[0])
        self.assertIn("inflight", table)

    def test_peek_filters_by_attribute_state_and_body_and_pages_with_after(self):
        url = self.new_queue("peek-filter")
        for i in range(12):
            self.sqs.send_message(QueueUrl=url, MessageBody="job %d\x7f\u009b2J" % i, MessageAttributes={
                "n": {"DataType": "Number", "StringValue": str(i)},
                "tenant": {"DataType": "String", "StringValue": "acme-%d" % (i % 3)}})
        self.receive(url, MaxNumberOfMessages=1, VisibilityTimeout=60)
        bodies = lambda proc: [m["Body"] for m in json_lines(proc.stdout)]
        self.assertEqual(bodies(self.ferry("peek", url, "--filter", "n=7.0", "--json")),
                         ["job 7\x7f\u009b2J"])
        self.assertEqual(len(bodies(self.ferry("peek", url, "--filter", "tenant^=acme-1",
                                               "--filter", "n", "--exists", "--all", "--json"))), 4)
        self.assertEqual(bodies(self.ferry("peek", url, "--state", "inflight", "--json")),
                         ["job 0\x7f\u009b2J"])
        self.assertEqual(bodies(self.ferry("peek", url, "--contains", "job 11", "--json")),
                         ["job 11\x7f\u009b2J"])
        first = self.ferry("peek", url, "--max", "5").stdout
        self.assertNotIn("\x7f", first, "control characters are escaped")
        self.assertNotIn("\u009b", first)
        self.assertIn("\\x7F\\u009B2J", first)
        last = first.splitlines()[-1]
        self.assertRegex(last, r"^more after sequence 5: --after 5$")
        rest = json_lines(self.ferry("peek", url, "--after", "5", "--all", "--json").stdout)
        self.assertEqual([m["SequenceNumber"] for m in rest], [str(i) for i in range(6, 13)])
        self.assertEqual(self.counts(url), (11, 1, 0))
        self.ferry("peek", url, "--state", "nope", expect=1)

    def test_peek_dlq_reads_the_dead_letter_queue(self):
        source, dlq = self.queue_with_dlq()
        self.sqs.send_message(QueueUrl=dlq, MessageBody="dead")
        proc = self.ferry("peek", source, "--dlq")
        self.assertEqual(proc.stdout.splitlines()[0], "dead-letter queue " + dlq)
        self.assertIn("dead", proc.stdout)
        err = self.ferry("peek", dlq, "--dlq", expect=1).stderr
        self.assertIn("no dead-letter queue", err)

    def test_tail_follows_new_messages_without_receiving_them(self):
        url = self.new_queue("tail")
        self.sqs.send_message(QueueUrl=url, MessageBody="before")
        proc = subprocess.Popen([FERRY_BIN, "tail", url, "--count", "2", "--json",
                                 "--endpoint-url", ferry_e2e.endpoint()],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.sqs.send_message(QueueUrl=url, MessageBody="after")
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual([m["Body"] for m in json_lines(out)], ["before", "after"])
        self.assertEqual(self.counts(url), (2, 0, 0))

    def test_tail_with_delete_consumes(self):
        url = self.new_queue("tail-del")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        proc = self.ferry("tail", url, "--delete", "--count", "1")
        self.assertIn("x", proc.stdout)
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_purge_with_yes_empties_the_queue(self):
        url = self.new_queue("purge")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        proc = self.ferry("purge", url.rsplit("/", 1)[1], "--yes")
        self.assertEqual(proc.stdout, "purged %s\n" % url.rsplit("/", 1)[1])
        self.assertEqual(self.counts(url), (0, 0, 0))


class QueuesTest(CliTestCase):
    def test_queues_reports_visible_in_flight_delayed_and_the_dlq(self):
        prefix = unique_name("stats")
        dlq = self.new_queue(name=prefix + "-dlq")
        dlq_arn = self.attrs(dlq, "QueueArn")["QueueArn"]
        url = self.new_queue(name=prefix, attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})})
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="v%d" % i)
        self.sqs.send_message(QueueUrl=url, MessageBody="d", DelaySeconds=60)
        self.receive(url, MaxNumberOfMessages=1, VisibilityTimeout=60)
        doc = json.loads(self.ferry("queues", "--prefix", prefix, "--json").stdout)
        by_name = {q["QueueName"]: q for q in doc["Queues"]}
        self.assertEqual(set(by_name), {prefix, prefix + "-dlq"})
        q = by_name[prefix]
        self.assertEqual((q["Visible"], q["InFlight"], q["Delayed"]), (2, 1, 1))
        self.assertEqual(q["DeadLetterTargetArn"], dlq_arn)
        self.assertEqual(q["MaxReceiveCount"], 5)
        table = self.ferry("queues", "--prefix", prefix).stdout.splitlines()
        self.assertEqual(table[0].split(), ["NAME", "VISIBLE", "IN", "FLIGHT", "DELAYED",
                                            "OLDEST", "DLQ"])
        row = next(line for line in table if line.startswith(prefix + " "))
        self.assertEqual(row.split()[1:4], ["2", "1", "1"])
        self.assertIn(prefix + "-dlq (0)", row)

    def test_redrive_moves_dead_letters_back_and_shows_progress(self):
        source, dlq = self.queue_with_dlq(max_receives=1)
        for i in range(5):
            self.sqs.send_message(QueueUrl=source, MessageBody="r%d" % i)
        deadline = time.monotonic() + 20
        while self.counts(dlq)[0] < 5 and time.monotonic() < deadline:
            self.receive(source, MaxNumberOfMessages=10)
        self.assertEqual(self.counts(dlq)[0], 5)
        proc = self.ferry("redrive", dlq.rsplit("/", 1)[1])
        self.assertIn("5/5 100%", proc.stdout)
        self.assertIn("moved 5 messages from", proc.stdout)
        self.assertEqual(self.counts(dlq), (0, 0, 0))
        self.assertEqual(self.counts(source)[0], 5)


class TopicsTest(CliTestCase):
    def test_publish_reaches_an_sqs_subscription_listed_by_topics_and_subscriptions(self):
        topic = unique_name("topic")
        arn = self.sns.create_topic(Name=topic)["TopicArn"]
        self.addCleanup(self.sns.delete_topic, TopicArn=arn)
        url = self.new_queue("sub")
        queue_arn = self.attrs(url, "QueueArn")["QueueArn"]
        self.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn,
                           Attributes={"RawMessageDelivery": "true"})
        topics = json.loads(self.ferry("topics", "--json").stdout)["Topics"]
        mine = next(t for t in topics if t["TopicArn"] == arn)
        self.assertEqual((mine["Name"], mine["SubscriptionsConfirmed"]), (topic, 1))
        self.assertIn(topic, self.ferry("topics").stdout)
        subs = json.loads(self.ferry("subscriptions", "--topic", topic, "--json").stdout)
        self.assertEqual([(s["Protocol"], s["Endpoint"]) for s in subs["Subscriptions"]],
                         [("sqs", queue_arn)])
        proc = self.ferry("publish", topic, "--message", "to the queue", "--attribute", "k=v")
        self.assertTrue(proc.stdout.startswith("published "), proc.stdout)
        [m] = self.receive_n(url, 1, MessageAttributeNames=["All"])
        self.assertEqual(m["Body"], "to the queue")
        self.assertEqual(m["MessageAttributes"]["k"]["StringValue"], "v")


class ApplyTest(CliTestCase):
    def write_file(self, text):
        fd, path = tempfile.mkstemp(prefix="ferry-cli-apply-", suffix=".yaml")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def test_apply_creates_then_finds_unchanged_and_a_dry_run_changes_nothing(self):
        name = unique_name("apply")
        spec = ("queues:\n  %s-dlq: {}\n  %s:\n    VisibilityTimeout: %%d\n"
                "    dead_letter:\n      queue: %s-dlq\n      max_receive_count: 4\n"
                "topics:\n  %s:\n    subscriptions:\n      - protocol: sqs\n"
                "        queue: %s\n        raw_message_delivery: true\n"
                % (name, name, name, name, name))
        path = self.write_file(spec % 45)
        for queue in (name, name + "-dlq"):
            self.addCleanup(self._delete_quietly, self.sqs.meta.endpoint_url + "/000000000000/" + queue)
        created = self.ferry("apply", path)
        self.assertIn("created", created.stdout)
        self.assertIn("0 failed", created.stdout)
        url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        self.assertEqual(self.attrs(url, "VisibilityTimeout")["VisibilityTimeout"], "45")
        topic_arn = next(t["TopicArn"] for t in self.sns.list_topics()["Topics"]
                         if t["TopicArn"].endswith(":" + name))
        self.addCleanup(self.sns.delete_topic, TopicArn=topic_arn)
        again = json.loads(self.ferry("apply", path, "--json").stdout)
        self.assertEqual({c["Kind"] for c in again["Changes"]}, {"unchanged"})
        changed = self.write_file(spec % 90)
        dry = self.ferry("apply", changed, "--dry-run")
        self.assertIn("updated", dry.stdout)
        self.assertEqual(self.attrs(url, "VisibilityTimeout")["VisibilityTimeout"], "45")
        self.ferry("publish", name, "--message", "applied")
        [m] = self.receive_n(url, 1)
        self.assertEqual(m["Body"], "applied")

    def test_an_invalid_file_is_refused_with_its_location_and_exit_1(self):
        path = self.write_file("queues:\n  bad name!: {}\n")
        proc = self.ferry("apply", path, expect=1)
        self.assertTrue(proc.stderr.startswith("ferry: "), proc.stderr)
        self.assertIn(path, proc.stderr)


class StatusAndErrorsTest(CliTestCase):
    def test_status_shows_health_and_key_figures(self):
        doc = json.loads(self.ferry("status", "--json").stdout)
        self.assertEqual(doc["Health"], "ok")
        self.assertIn("Version", doc)
        self.assertIn("Queues", doc)
        table = self.ferry("status").stdout
        self.assertRegex(table, r"(?m)^health +ok$")

    def test_an_api_error_exits_1_with_awss_code_and_message(self):
        proc = self.ferry("peek", unique_name("missing"), expect=1)
        self.assertEqual(proc.stderr,
                         "ferry: QueueDoesNotExist: The specified queue does not exist.\n")
        self.assertEqual(proc.stdout, "")

    def test_a_usage_error_exits_2(self):
        proc = self.ferry("queues", "--no-such-flag", expect=2)
        self.assertIn("--no-such-flag", proc.stderr)

    def test_an_unreachable_server_is_named_in_the_error(self):
        proc = run_ferry("http://127.0.0.1:1", "queues")
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stderr,
                         "ferry: cannot reach Ferry at http://127.0.0.1:1: connection refused\n")


ALICE_KEY = "AKIAFERRYCLIALICE001"
ALICE_SECRET = "alice/cli/secret+0123456789abcdefghij"
CREDENTIALS_TOML = """\
[[credentials]]
access_key_id = "%s"
secret_access_key = "%s"
account_id = "111122223333"
name = "alice"
""" % (ALICE_KEY, ALICE_SECRET)


class CredentialsTest(unittest.TestCase):
    """A server of its own with --credentials: the CLI signs like the aws CLI."""

    @classmethod
    def setUpClass(cls):
        if not FERRY_BIN or os.environ.get("FERRY_ENDPOINT"):
            raise unittest.SkipTest("needs FERRY_BIN to start a server with --credentials")
        cls.dir = tempfile.mkdtemp(prefix="ferry-cli-creds-")
        path = os.path.join(cls.dir, "credentials.toml")
        with open(path, "w") as f:
            f.write(CREDENTIALS_TOML)
        os.chmod(path, 0o600)
        cls.server = FerryServer(FERRY_BIN, extra_args=["--credentials", path])
        try:
            cls.endpoint = cls.server.start()
        except Exception:
            cls.server.stop()
            shutil.rmtree(cls.dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        problem = cls.server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)
        if problem:
            raise AssertionError(problem)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_environment_keys_sign_and_a_wrong_secret_is_refused(self):
        ok = run_ferry(self.endpoint, "topics", env={"AWS_ACCESS_KEY_ID": ALICE_KEY,
                                                     "AWS_SECRET_ACCESS_KEY": ALICE_SECRET})
        self.assertEqual(ok.returncode, 0, ok.stderr)
        bad = run_ferry(self.endpoint, "topics", env={"AWS_ACCESS_KEY_ID": ALICE_KEY,
                                                      "AWS_SECRET_ACCESS_KEY": "wrong"})
        self.assertEqual(bad.returncode, 1)
        self.assertTrue(bad.stderr.startswith("ferry: SignatureDoesNotMatch: "), bad.stderr)

    def test_a_named_profile_of_the_shared_credentials_file_signs(self):
        creds = self.write("aws-credentials",
                           "[default]\naws_access_key_id = %s\naws_secret_access_key = wrong\n"
                           "[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                           % (ALICE_KEY, ALICE_KEY, ALICE_SECRET))
        env = {"AWS_SHARED_CREDENTIALS_FILE": creds, "AWS_ACCESS_KEY_ID": None,
               "AWS_SECRET_ACCESS_KEY": None}
        ok = run_ferry(self.endpoint, "topics", "--profile", "alice", env=env)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        bad = run_ferry(self.endpoint, "topics", env=env)  # the default profile's wrong secret
        self.assertIn("SignatureDoesNotMatch", bad.stderr)
        missing = run_ferry(self.endpoint, "topics", "--profile", "nobody", env=env)
        self.assertEqual(missing.returncode, 1)
        self.assertEqual(missing.stderr,
                         "ferry: The config profile (nobody) could not be found\n")

    def test_the_default_profile_under_home_signs(self):
        home = tempfile.mkdtemp(prefix="ferry-cli-home-", dir=self.dir)
        os.makedirs(os.path.join(home, ".aws"))
        with open(os.path.join(home, ".aws", "credentials"), "w") as f:
            f.write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (ALICE_KEY, ALICE_SECRET))
        env = {"HOME": home, "AWS_SHARED_CREDENTIALS_FILE": None, "AWS_CONFIG_FILE": None,
               "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
        ok = run_ferry(self.endpoint, "topics", env=env)
        self.assertEqual(ok.returncode, 0, ok.stderr)

    def test_without_credentials_the_placeholder_key_is_refused(self):
        env = {"AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_CONFIG_FILE": os.devnull,
               "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
        proc = run_ferry(self.endpoint, "topics", env=env)
        self.assertEqual(proc.returncode, 1)
        self.assertTrue(proc.stderr.startswith("ferry: InvalidClientTokenId"), proc.stderr)


class TlsTest(unittest.TestCase):
    """A server of its own with an HTTPS listener whose CA the test makes."""

    @classmethod
    def setUpClass(cls):
        if not FERRY_BIN or os.environ.get("FERRY_ENDPOINT"):
            raise unittest.SkipTest("needs FERRY_BIN to start a server with TLS")
        if not shutil.which("openssl"):
            raise unittest.SkipTest("needs the openssl command line")
        from test_tls import Pki
        cls.pki = Pki()
        cls.pki.issue(1)
        cls.server = FerryServer(FERRY_BIN, extra_args=[
            "--tls-cert", cls.pki.cert, "--tls-key", cls.pki.key, "--tls-port", "0"])
        try:
            cls.server.start()
        except Exception:
            cls.server.stop()
            shutil.rmtree(cls.pki.dir, ignore_errors=True)
            raise
        cls.endpoint = cls.server.tls_endpoint

    @classmethod
    def tearDownClass(cls):
        problem = cls.server.stop()
        shutil.rmtree(cls.pki.dir, ignore_errors=True)
        if problem:
            raise AssertionError(problem)

    def test_the_ca_bundle_flag_or_variable_makes_the_certificate_trusted(self):
        proc = run_ferry(self.endpoint, "topics", "--ca-bundle", self.pki.ca)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = run_ferry(self.endpoint, "queues", env={"AWS_CA_BUNDLE": self.pki.ca})
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_an_untrusted_certificate_is_refused_unless_verification_is_off(self):
        proc = run_ferry(self.endpoint, "topics", env={"AWS_CA_BUNDLE": None})
        self.assertEqual(proc.returncode, 1)
        self.assertTrue(proc.stderr.startswith("ferry: cannot reach Ferry at %s: " % self.endpoint),
                        proc.stderr)
        proc = run_ferry(self.endpoint, "topics", "--no-verify-ssl", env={"AWS_CA_BUNDLE": None})
        self.assertEqual(proc.returncode, 0, proc.stderr)


if __name__ == "__main__":
    unittest.main()
