"""The declarative resources file (docs/resources.md): `ferry serve
--resources FILE` with the orders example of examples/orders/resources.yaml.

Each test starts a server of its own (FERRY_BIN; skipped against
FERRY_ENDPOINT) and checks through boto3 what the file made: queues with
their RedrivePolicy, tags and policy, the topic and its subscriptions with
their filter policies and raw delivery, and publishes routed by those
filters. Then SIGHUP with an edited file, a restart that changes nothing, and
files refused at start (file:line:column in the log) and on SIGHUP.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from ferry_e2e import FerryServer, client_protocol, sns_client, sqs_client

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "..", "examples", "orders", "resources.yaml")
EXAMPLE_ALERTS = os.path.join(os.path.dirname(EXAMPLE), "alerts.yml")
ACCOUNT = "000000000000"


def queue_arn(name):
    return "arn:aws:sqs:us-east-1:%s:%s" % (ACCOUNT, name)


class ResourcesServer:
    """A server of its own started with --resources on a copy of the
    example, in a data directory that outlives restarts."""

    def __init__(self, text=None):
        binary = os.environ.get("FERRY_BIN")
        if os.environ.get("FERRY_ENDPOINT") or not binary:
            raise unittest.SkipTest("needs FERRY_BIN to start a server with --resources")
        self.dir = tempfile.mkdtemp(prefix="ferry-e2e-resources-")
        self.path = os.path.join(self.dir, "resources.yaml")
        if text is None:
            with open(EXAMPLE) as f:
                text = f.read()
        self.write(text)
        data = os.path.join(self.dir, "data")
        os.mkdir(data)
        self.server = FerryServer(binary, data_dir=data, extra_args=["--resources", self.path])

    def write(self, text):
        with open(self.path, "w") as f:
            f.write(text)

    def read(self):
        with open(self.path) as f:
            return f.read()

    def start(self):
        self.endpoint = self.server.start()
        self.sqs = sqs_client(endpoint_url=self.endpoint)
        self.sns = sns_client(endpoint_url=self.endpoint)

    def log(self):
        with open(self.server.log_path, errors="replace") as f:
            return f.read()

    def wait_for_log(self, text, count=1, timeout=15.0):
        deadline = time.monotonic() + timeout
        while self.log().count(text) < count:
            if time.monotonic() > deadline:
                raise AssertionError("no %r (x%d) in the log:\n%s" % (text, count, self.log()[-3000:]))
            time.sleep(0.05)

    def stop(self):
        problem = self.server.stop()
        return problem

    def cleanup(self):
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class ResourcesTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        expected = os.environ.get("FERRY_EXPECT_PROTOCOL")
        if expected:
            self.assertEqual(client_protocol(), expected,
                             "botocore speaks %r but this run expects %r"
                             % (client_protocol(), expected))
        self.ferry = ResourcesServer()
        self.addCleanup(self.ferry.cleanup)

    def url(self, name):
        return self.ferry.sqs.get_queue_url(QueueName=name)["QueueUrl"]

    def attrs(self, name):
        return self.ferry.sqs.get_queue_attributes(
            QueueUrl=self.url(name), AttributeNames=["All"])["Attributes"]

    def topic_arn(self):
        topics = [t["TopicArn"] for t in self.ferry.sns.list_topics()["Topics"]]
        self.assertEqual(topics, ["arn:aws:sns:us-east-1:%s:orders" % ACCOUNT])
        return topics[0]

    def publish(self, topic, text, event, quantity):
        self.ferry.sns.publish(TopicArn=topic, Message=text, MessageAttributes={
            "event": {"DataType": "String", "StringValue": event},
            "quantity": {"DataType": "Number", "StringValue": str(quantity)},
        })

    def drain(self, name, expected):
        """The bodies in queue `name` once `expected` of them are in (or
        the deadline passed), and none more a moment later."""
        url = self.url(name)
        bodies = []
        deadline = time.monotonic() + 10
        while len(bodies) < expected and time.monotonic() < deadline:
            got = self.ferry.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                 WaitTimeSeconds=1).get("Messages", [])
            for m in got:
                bodies.append(m["Body"])
                self.ferry.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        extra = self.ferry.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                               WaitTimeSeconds=1).get("Messages", [])
        return sorted(bodies + [m["Body"] for m in extra])

    def test_the_orders_file_declares_queues_topic_and_filtered_subscriptions(self):
        self.ferry.start()
        self.assertIn("resources applied from %s: 7 created, 0 updated, 0 unchanged, 0 failed"
                      % self.ferry.path, self.ferry.log())

        orders = self.attrs("orders")
        self.assertEqual(orders["VisibilityTimeout"], "60")
        self.assertEqual(json.loads(orders["RedrivePolicy"]),
                         {"deadLetterTargetArn": queue_arn("orders-dlq"), "maxReceiveCount": 5})
        policy = json.loads(orders["Policy"])
        self.assertEqual(policy["Statement"][0]["Principal"], {"Service": "sns.amazonaws.com"})
        self.assertEqual(self.ferry.sqs.list_queue_tags(QueueUrl=self.url("orders"))["Tags"],
                         {"team": "checkout"})
        inventory = self.attrs("inventory")
        self.assertEqual(json.loads(inventory["RedrivePolicy"]),
                         {"deadLetterTargetArn": queue_arn("inventory-dlq"), "maxReceiveCount": 3})
        self.assertEqual(inventory["ReceiveMessageWaitTimeSeconds"], "20")
        self.assertEqual(self.attrs("orders-dlq")["MessageRetentionPeriod"], "1209600")

        topic = self.topic_arn()
        self.assertEqual(self.ferry.sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"],
                         "Orders")
        subs = self.ferry.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        by_queue = {s["Endpoint"]: s["SubscriptionArn"] for s in subs}
        self.assertEqual(sorted(by_queue), [queue_arn("inventory"), queue_arn("orders")])
        inv = self.ferry.sns.get_subscription_attributes(
            SubscriptionArn=by_queue[queue_arn("inventory")])["Attributes"]
        self.assertEqual(inv["RawMessageDelivery"], "true")
        self.assertEqual(json.loads(inv["FilterPolicy"]),
                         {"event": ["order_placed", "order_cancelled"],
                          "quantity": [{"numeric": [">", 0]}]})

        # The filters route: orders takes every order event, inventory only
        # those that move stock.
        self.publish(topic, "placed-2", "order_placed", 2)
        self.publish(topic, "shipped-2", "order_shipped", 2)
        self.publish(topic, "placed-0", "order_placed", 0)
        self.publish(topic, "refund-1", "refund_issued", 1)
        self.assertEqual(self.drain("orders", 3), ["placed-0", "placed-2", "shipped-2"])
        self.assertEqual(self.drain("inventory", 1), ["placed-2"])

    def test_sighup_applies_the_edited_file_and_an_invalid_one_changes_nothing(self):
        self.ferry.start()
        text = self.ferry.read()
        self.assertIn("    VisibilityTimeout: 60\n", text)
        text = text.replace("    VisibilityTimeout: 60\n", "    VisibilityTimeout: 120\n", 1)
        text = text.replace("topics:\n", "  audit:\n    DelaySeconds: 5\n\ntopics:\n", 1)
        self.ferry.write(text)
        self.ferry.server.proc.send_signal(signal.SIGHUP)
        self.ferry.wait_for_log("1 created, 1 updated, 6 unchanged, 0 failed")
        log = self.ferry.log()
        self.assertIn("resources: updated queue orders: VisibilityTimeout 60 -> 120", log)
        self.assertIn("resources: created queue audit", log)
        self.assertEqual(self.attrs("orders")["VisibilityTimeout"], "120")
        self.assertEqual(self.attrs("audit")["DelaySeconds"], "5")

        # A file that does not validate is logged, and the server goes on.
        self.ferry.write(text.replace("    DelaySeconds: 5\n", "    DelaySecs: 5\n"))
        self.ferry.server.proc.send_signal(signal.SIGHUP)
        self.ferry.wait_for_log("resources file not applied, nothing changed")
        self.assertRegex(self.ferry.log(), r"resources\.yaml:\d+:5: unknown key 'DelaySecs'")
        self.assertTrue(self.ferry.server.alive())
        self.assertEqual(self.attrs("audit")["DelaySeconds"], "5")

    def test_a_restart_with_the_same_file_changes_nothing(self):
        self.ferry.start()
        self.assertIsNone(self.ferry.stop())
        self.ferry.start()
        self.assertIn("7 created, 0 updated, 0 unchanged, 0 failed", self.ferry.log())
        self.assertIn("0 created, 0 updated, 7 unchanged, 0 failed", self.ferry.log())
        self.assertEqual(self.attrs("orders")["VisibilityTimeout"], "60")

    def test_an_invalid_file_is_refused_at_start_with_its_place(self):
        self.ferry.write("queues:\n  orders:\n    VisibilityTimout: 60\n")
        with self.assertRaises(RuntimeError) as refused:
            self.ferry.start()
        self.assertIn("--resources: %s:3:5: unknown key 'VisibilityTimout'" % self.ferry.path,
                      str(refused.exception))


class AlertsCommandTest(unittest.TestCase):
    """`ferry alerts FILE`: the Prometheus rules of the file's alarms:."""

    def setUp(self):
        self.binary = os.environ.get("FERRY_BIN")
        if not self.binary:
            raise unittest.SkipTest("needs FERRY_BIN")

    def test_the_example_alert_rules_are_what_ferry_alerts_makes_of_the_example(self):
        made = subprocess.run([self.binary, "alerts", "--group", "ferry-orders", EXAMPLE],
                              capture_output=True, text=True, check=True).stdout
        with open(EXAMPLE_ALERTS) as f:
            shipped = "".join(line for line in f if not line.startswith("#"))
        self.assertEqual(made, shipped)
        promtool = shutil.which("promtool")
        if promtool:
            subprocess.run([promtool, "check", "rules", EXAMPLE_ALERTS], check=True,
                           capture_output=True)

    def test_an_invalid_file_is_refused_with_its_place(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write("queues:\n  q:\n    alarms: {depth: 1}\n")
            f.flush()
            done = subprocess.run([self.binary, "alerts", f.name], capture_output=True, text=True)
        self.assertEqual(done.returncode, 1)
        self.assertIn("%s:3:14: unknown key 'depth' in alarms" % f.name, done.stderr)
        self.assertEqual(done.stdout, "")


if __name__ == "__main__":
    unittest.main()
