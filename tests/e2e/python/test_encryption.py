"""Encryption at rest, seen from outside: distinctive bodies and attribute
values sent through boto3 are nowhere in the data directory's files, and come
back intact after a restart; a queue created with SqsManagedSseEnabled=false
leaves them in plaintext (so the search is shown to find what is there).

Each test runs a server of its own (it stops and restarts it and reads its
data directory), so the module is skipped against FERRY_ENDPOINT.
"""

import json
import os
import shutil
import stat
import tempfile
import time
import unittest
import uuid

import ferry_e2e
import sns_e2e
from ferry_e2e import FerryServer

# Retries every second for long enough: a failed delivery waits in its
# delivery queue across the restart.
RETRY_POLICY = {"healthyRetryPolicy": {
    "minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 100, "numNoDelayRetries": 0,
    "numMinDelayRetries": 0, "numMaxDelayRetries": 0, "backoffFunction": "linear"}}


def files_holding(data_dir, needle):
    """The files under data_dir whose bytes contain `needle` (bytes)."""
    found = []
    for root, _, names in os.walk(data_dir):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                if needle in f.read():
                    found.append(os.path.relpath(path, data_dir))
    return found


@ferry_e2e.local_engine_only("encryption of the files of the data directory")
class EncryptionAtRestTest(unittest.TestCase):

    def setUp(self):
        if os.environ.get("FERRY_ENDPOINT"):
            self.skipTest("needs a server of its own and its data directory")
        self.tag = uuid.uuid4().hex[:12]
        self.data_dir = tempfile.mkdtemp(prefix="ferry-e2e-sse-")
        self.addCleanup(shutil.rmtree, self.data_dir, True)
        self.server = FerryServer(os.environ["FERRY_BIN"], data_dir=self.data_dir)
        self.addCleanup(self.server.stop)
        self.failing = True  # the webhook answers Notifications 500
        self.delivered = []  # Notifications it answered 200
        self.hook = sns_e2e.Webhook(self._respond)
        self.addCleanup(self.hook.close)
        self._start()

    def _respond(self, req):
        if req.message_type == "Notification":
            if self.failing:
                return 500
            self.delivered.append(req)
        return 200

    def _start(self):
        endpoint = self.server.start()
        self.sqs = ferry_e2e.sqs_client(endpoint_url=endpoint)
        self.sns = ferry_e2e.sns_client(endpoint_url=endpoint)

    def text(self, what):
        return "%s-%s" % (what, self.tag)

    def _queue_arn(self, url):
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]

    def _receive_one(self, url):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1,
                                           MessageAttributeNames=["All"], WaitTimeSeconds=1)
            if got.get("Messages"):
                return got["Messages"][0]
        self.fail("nothing to receive from " + url)

    def _send_with_attributes(self, url, what, **kwargs):
        self.sqs.send_message(
            QueueUrl=url, MessageBody=self.text(what + "-body"),
            MessageAttributes={
                "Secret": {"DataType": "String", "StringValue": self.text(what + "-attr")},
                "Blob": {"DataType": "Binary", "BinaryValue": self.text(what + "-bin").encode()}},
            **kwargs)

    def _assert_received(self, url, what):
        m = self._receive_one(url)
        self.assertEqual(m["Body"], self.text(what + "-body"))
        self.assertEqual(m["MessageAttributes"]["Secret"]["StringValue"],
                         self.text(what + "-attr"))
        self.assertEqual(m["MessageAttributes"]["Blob"]["BinaryValue"],
                         self.text(what + "-bin").encode())

    def _stopped_and_searched(self, texts):
        """Stops the server; {text: files holding it} for each text."""
        problem = self.server.stop()
        self.assertIsNone(problem, problem)
        return {t: files_holding(self.data_dir, t.encode()) for t in texts}

    def test_sealed_contents_are_not_on_disk_and_come_back_after_a_restart(self):
        std = self.sqs.create_queue(QueueName=self.text("sse-std"))["QueueUrl"]
        self._send_with_attributes(std, "std")
        fifo = self.sqs.create_queue(QueueName=self.text("sse-fifo") + ".fifo",
                                     Attributes={"FifoQueue": "true"})["QueueUrl"]
        self._send_with_attributes(fifo, "fifo", MessageGroupId="g",
                                   MessageDeduplicationId="d1")

        topic = self.sns.create_topic(Name=self.text("sse-topic"))["TopicArn"]
        sub_queue = self.sqs.create_queue(QueueName=self.text("sse-sub"))["QueueUrl"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=self._queue_arn(sub_queue))
        arn = self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=self.hook.url("/sse"),
                                 Attributes={"DeliveryPolicy": json.dumps(RETRY_POLICY)},
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
        got = self.hook.wait_for(1, sns_e2e.of_type("SubscriptionConfirmation"), timeout=10)
        self.assertTrue(got, "no SubscriptionConfirmation reached the webhook")
        self.assertEqual(sns_e2e.confirm_by_url(got[0].json()["SubscribeURL"]), arn)
        self.sns.publish(TopicArn=topic, Message=self.text("sns-body"),
                         Subject=self.text("sns-subject"),
                         MessageAttributes={"Secret": {"DataType": "String",
                                                       "StringValue": self.text("sns-attr")}})
        # The http copy failed once: it waits in its delivery queue.
        self.assertTrue(self.hook.wait_for(1, sns_e2e.of_type("Notification"), timeout=30))

        sealed = [self.text(w) for w in ("std-body", "std-attr", "std-bin", "fifo-body",
                                          "fifo-attr", "fifo-bin", "sns-body", "sns-subject",
                                          "sns-attr")]
        found = self._stopped_and_searched(sealed)
        self.assertEqual({t: f for t, f in found.items() if f}, {},
                         "plaintext found in the data directory")
        master = os.path.join(self.data_dir, "master.key")
        self.assertEqual(stat.S_IMODE(os.stat(master).st_mode), 0o600)

        self._start()
        self._assert_received(std, "std")
        self._assert_received(fifo, "fifo")
        envelope = json.loads(self._receive_one(sub_queue)["Body"])
        self.assertEqual(envelope["Message"], self.text("sns-body"))
        self.assertEqual(envelope["Subject"], self.text("sns-subject"))
        self.assertEqual(envelope["MessageAttributes"]["Secret"]["Value"], self.text("sns-attr"))
        self.failing = False
        # An attempt the stop cut short comes back when its visibility ends.
        deadline = time.monotonic() + 90
        while not self.delivered and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(self.delivered, "the delivery waiting across the restart was not made")
        note = self.delivered[0].json()
        self.assertEqual(note["Message"], self.text("sns-body"))
        self.assertEqual(note["MessageAttributes"]["Secret"]["Value"], self.text("sns-attr"))

    def test_a_queue_with_sse_off_is_written_in_plaintext(self):
        plain = self.sqs.create_queue(QueueName=self.text("sse-off"),
                                      Attributes={"SqsManagedSseEnabled": "false"})["QueueUrl"]
        self._send_with_attributes(plain, "plain")
        found = self._stopped_and_searched(
            [self.text(w) for w in ("plain-body", "plain-attr", "plain-bin")])
        for text, files in found.items():
            self.assertTrue(files, "%s is not in the data directory in plaintext" % text)
        self._start()
        self._assert_received(plain, "plain")


if __name__ == "__main__":
    unittest.main()
