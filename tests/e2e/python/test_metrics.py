"""Prometheus metrics at /metrics (docs/metrics.md).

A real server, driven through boto3, scraped over plain HTTP with urllib:
per-queue depth and age, per-topic publishes and deliveries, the text format
and its Content-Type, no receipt handle or message id in the text, and the
listeners: /metrics on the API port by default, only on the operations
listener with --metrics-listen, nowhere with --no-metrics.

Request counters (ferry_requests_total) are not asserted here: the gateway
feeds them, and metrics/request_metrics_test.cc pins them down.
"""

import os
import re
import shutil
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request

import ferry_e2e
from ferry_e2e import FerryServer, SqsTestCase, sns_client, unique_name

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")


def get(url, timeout=10):
    """(status, headers, body) of a GET; an HTTP error status is returned too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers.items()), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read().decode(errors="replace")


def parse(text):
    """{(name, frozenset of (label, value)): value} of an exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            raise AssertionError("not a sample line: %r" % line)
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(samples, name, **labels):
    want = set(labels.items())
    found = [v for (n, ls), v in samples.items() if n == name and want <= set(ls)]
    return found[0] if len(found) == 1 else (None if not found else found)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@unittest.skipIf(os.environ.get("FERRY_ENDPOINT"), "Ferry's own /metrics, not a peer's")
class MetricsTest(SqsTestCase):
    def scrape(self):
        status, headers, body = get(ferry_e2e.endpoint() + "/metrics")
        self.assertEqual(status, 200, body[:500])
        self.assertEqual(headers.get("Content-Type"), CONTENT_TYPE)
        return body

    def queue_labels(self, name, kind="standard"):
        return dict(queue=name, account=ferry_e2e.FERRY_ACCOUNT_ID, region=ferry_e2e.REGION,
                    type=kind)

    def test_queue_depth_follows_sends_receives_and_deletes(self):
        url = self.new_queue("metrics")
        name = url.rsplit("/", 1)[1]
        for body in ("one", "two"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        samples = parse(self.scrape())
        labels = self.queue_labels(name)
        self.assertEqual(value(samples, "ferry_sqs_messages_visible", **labels), 2)
        self.assertEqual(value(samples, "ferry_sqs_messages_not_visible", **labels), 0)
        self.assertEqual(value(samples, "ferry_sqs_messages_delayed", **labels), 0)
        self.assertGreaterEqual(value(samples, "ferry_sqs_oldest_message_age_seconds", **labels), 0)

        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        samples = parse(self.scrape())
        self.assertEqual(value(samples, "ferry_sqs_messages_visible", **labels), 1)
        self.assertEqual(value(samples, "ferry_sqs_messages_not_visible", **labels), 1)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        text = self.scrape()
        samples = parse(text)
        self.assertEqual(value(samples, "ferry_sqs_messages_not_visible", **labels), 0)
        # No receipt handle or message id ever becomes a label.
        self.assertNotIn(got[0]["ReceiptHandle"], text)
        self.assertNotIn(got[0]["MessageId"], text)
        # The engine's counters (0 until the engine counts them; then exact).
        sent = value(samples, "ferry_sqs_messages_sent_total", **labels)
        self.assertIsNotNone(sent)
        if sent:
            self.assertEqual(sent, 2)
            self.assertEqual(value(samples, "ferry_sqs_messages_received_total", **labels), 1)
            self.assertEqual(value(samples, "ferry_sqs_messages_deleted_total", **labels), 1)

    def test_a_fifo_queue_is_labelled_fifo(self):
        url = self.new_queue(name=unique_name("metrics") + ".fifo",
                             attributes={"FifoQueue": "true"})
        name = url.rsplit("/", 1)[1]
        samples = parse(self.scrape())
        self.assertEqual(value(samples, "ferry_sqs_messages_visible", **self.queue_labels(name, "fifo")),
                         0)

    def test_a_dead_letter_queue_is_marked(self):
        dlq = self.new_queue("metrics-dlq")
        arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.new_queue("metrics-src", attributes={
            "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"2"}' % arn})
        samples = parse(self.scrape())
        self.assertEqual(value(samples, "ferry_sqs_dead_letter_queue_info",
                               **self.queue_labels(dlq.rsplit("/", 1)[1])), 1)

    def test_publishes_and_queue_deliveries_are_counted_per_topic(self):
        sns = sns_client()
        topic = unique_name("metrics-topic")
        topic_arn = sns.create_topic(Name=topic)["TopicArn"]
        url = self.new_queue("metrics-sub")
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        sns.publish(TopicArn=topic_arn, Message="hello")
        sns.publish(TopicArn=topic_arn, Message="again")
        samples = parse(self.scrape())
        labels = dict(topic=topic, account=ferry_e2e.FERRY_ACCOUNT_ID, region=ferry_e2e.REGION)
        self.assertEqual(value(samples, "ferry_sns_messages_published_total", **labels), 2)
        self.assertEqual(value(samples, "ferry_sns_deliveries_attempted_total", protocol="sqs",
                               **labels), 2)
        self.assertEqual(value(samples, "ferry_sns_deliveries_succeeded_total", protocol="sqs",
                               **labels), 2)
        self.assertEqual(value(samples, "ferry_sns_deliveries_failed_total", protocol="sqs",
                               **labels), 0)
        self.assertEqual(value(samples, "ferry_sqs_messages_visible",
                               **self.queue_labels(url.rsplit("/", 1)[1])), 2)

    def test_server_metrics_are_exported(self):
        samples = parse(self.scrape())
        build = [v for (n, _), v in samples.items() if n == "ferry_build_info"]
        self.assertEqual(build, [1])
        self.assertGreater(value(samples, "ferry_start_time_seconds"), 1.6e9)
        self.assertGreaterEqual(value(samples, "ferry_http_open_connections"), 1)
        if ferry_e2e.ENGINE != "local":
            return  # the rest is the local engine's store: its log and data directory
        self.assertGreater(value(samples, "ferry_log_bytes"), 0)
        self.assertGreater(value(samples, "ferry_data_dir_size_bytes"), 0)
        self.assertGreaterEqual(value(samples, "ferry_recovery_duration_seconds"), 0)
        self.assertGreater(value(samples, "ferry_log_batch_records_count"), 0)

    def test_every_exported_name_is_listed_and_promtool_accepts_the_text(self):
        text = self.scrape()
        listed = set(open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "src",
                                       "metrics", "metric_names.txt")).read().split())
        for (name, _), _v in parse(text).items():
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            self.assertTrue(name in listed or base in listed, name)
        promtool = shutil.which("promtool")
        if promtool:
            run = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                                 capture_output=True)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)


@unittest.skipIf(not os.environ.get("FERRY_BIN"), "starts servers of its own (FERRY_BIN)")
class ListenerTest(unittest.TestCase):
    """Servers of their own, with the listener flags."""

    def start(self, *args):
        server = FerryServer(os.environ["FERRY_BIN"], extra_args=list(args))
        server.start()
        self.addCleanup(server.stop)
        return server

    def test_metrics_listen_serves_metrics_only_on_its_own_port(self):
        port = free_port()
        server = self.start("--metrics-listen", "127.0.0.1:%d" % port)
        ops = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 10
        while True:
            try:
                status, headers, body = get(ops + "/metrics")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("Content-Type"), CONTENT_TYPE)
        self.assertIn("ferry_build_info", body)
        self.assertEqual(get(ops + "/health")[0], 200)
        self.assertEqual(get(ops + "/")[0], 404)
        # The API port no longer answers /metrics with the exposition.
        self.assertNotIn("ferry_build_info", get(server.endpoint + "/metrics")[2])

    def test_no_metrics_serves_none(self):
        server = self.start("--no-metrics")
        self.assertNotIn("ferry_build_info", get(server.endpoint + "/metrics")[2])
        self.assertEqual(get(server.endpoint + "/health")[0], 200)


if __name__ == "__main__":
    unittest.main()
