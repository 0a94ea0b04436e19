"""Message journeys (FerryMessageJourney, Ferry.GetMessageJourney, `ferry
journey`): a message sent, received twice without being deleted, its
visibility changed, received again until it moves to its dead-letter queue
(which keeps journeys too) and received there. The admin action and the CLI
tell the whole story in order, with the right receive counts, and still do
after the server is killed with SIGKILL and restarted on the same data dir.

A server of its own (it is killed), with either boto3."""

import json
import os
import subprocess
import time
import unittest

import ferry_e2e
from ferry_e2e import FerryServer, unique_name
from test_admin_api import admin_call

FERRY_BIN = os.environ.get("FERRY_BIN")
JOURNEY = json.dumps({"retentionSeconds": 3600, "maxEvents": 1000})


class JourneyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not FERRY_BIN or os.environ.get("FERRY_ENDPOINT"):
            raise unittest.SkipTest("needs FERRY_BIN to start (and kill) a server of its own")
        cls.server = FerryServer(FERRY_BIN)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        problem = cls.server.stop()
        if problem:
            raise AssertionError(problem)

    def sqs(self):
        return ferry_e2e.sqs_client(endpoint_url=self.server.endpoint)

    def journey(self, message_id, queue_url=None):
        params = {"MessageId": message_id}
        if queue_url:
            params["QueueUrl"] = queue_url
        status, out, _ = admin_call(self.server.endpoint, "GetMessageJourney", params)
        self.assertEqual(status, 200, out)
        return out

    def cli(self, *args):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION=ferry_e2e.REGION)
        return subprocess.run([FERRY_BIN] + list(args) + ["--endpoint-url", self.server.endpoint],
                              input="", env=env, capture_output=True, text=True, timeout=60)

    def receive_one(self, sqs, url, visibility):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1,
                                  VisibilityTimeout=visibility, WaitTimeSeconds=2,
                                  AttributeNames=["All"]).get("Messages", [])
        self.assertEqual(len(got), 1)
        return got[0]

    def check_story(self, message_id, work, dlq):
        events = self.journey(message_id)["Events"]
        story = [(e["Queue"], e["Event"], e["ReceiveCount"]) for e in events]
        self.assertEqual(story, [
            (work, "Sent", 0),
            (work, "Received", 1),
            (work, "Received", 2),
            (work, "VisibilityChanged", 2),
            (work, "Received", 3),
            (work, "MovedToDeadLetterQueue", 3),
            (dlq, "MovedFrom", 3),
            (dlq, "Received", 4),
        ])
        times = [e["Timestamp"] for e in events]
        self.assertEqual(times, sorted(times))
        received = events[1]
        self.assertEqual(received["VisibleUntil"] - received["Timestamp"], 1000)
        self.assertEqual(events[5]["Detail"], dlq)
        self.assertIn(work, events[6]["Detail"])

        proc = self.cli("journey", message_id)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = [l for l in proc.stdout.splitlines() if l.strip()]
        self.assertIn("TIME (UTC)", lines[0])
        kinds = [next(k for k in ("MovedToDeadLetterQueue", "VisibilityChanged", "MovedFrom",
                                  "Received", "Sent") if k in l) for l in lines[1:]]
        self.assertEqual(kinds, ["Sent", "Received", "Received", "VisibilityChanged",
                                 "Received", "MovedToDeadLetterQueue", "MovedFrom", "Received"])
        self.assertRegex(lines[1], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")

    def test_the_whole_story_in_order_and_after_a_crash(self):
        sqs = self.sqs()
        dlq_name, work_name = unique_name("jdlq"), unique_name("jwork")
        dlq = sqs.create_queue(QueueName=dlq_name,
                               Attributes={"FerryMessageJourney": JOURNEY})["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        work = sqs.create_queue(QueueName=work_name, Attributes={
            "FerryMessageJourney": "{}",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": 3})})["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=work, AttributeNames=["All"])["Attributes"]
        self.assertEqual(json.loads(attrs["FerryMessageJourney"]),
                         {"retentionSeconds": 86400, "maxEvents": 100000})

        message_id = sqs.send_message(QueueUrl=work, MessageBody="doctor, ward 3")["MessageId"]
        self.receive_one(sqs, work, 1)
        time.sleep(1.2)
        second = self.receive_one(sqs, work, 30)
        sqs.change_message_visibility(QueueUrl=work, ReceiptHandle=second["ReceiptHandle"],
                                      VisibilityTimeout=0)
        self.receive_one(sqs, work, 1)
        time.sleep(1.2)
        # The fourth receive moves it to the DLQ instead of returning it.
        left = sqs.receive_message(QueueUrl=work, MaxNumberOfMessages=1, WaitTimeSeconds=0)
        self.assertEqual(left.get("Messages", []), [])
        dead = self.receive_one(sqs, dlq, 30)
        self.assertEqual(dead["MessageId"], message_id)

        self.check_story(message_id, work_name, dlq_name)
        only_dlq = self.journey(message_id, dlq)["Events"]
        self.assertEqual([e["Event"] for e in only_dlq], ["MovedFrom", "Received"])

        self.assertEqual(self.server.kill(), -9)
        self.server.start()
        self.check_story(message_id, work_name, dlq_name)

    def test_off_by_default_validated_and_switched_off(self):
        sqs = self.sqs()
        plain = sqs.create_queue(QueueName=unique_name("jplain"))["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=plain, AttributeNames=["All"])["Attributes"]
        self.assertNotIn("FerryMessageJourney", attrs)
        message_id = sqs.send_message(QueueUrl=plain, MessageBody="x")["MessageId"]
        self.assertEqual(self.journey(message_id)["Events"], [])
        proc = self.cli("journey", message_id)
        self.assertEqual(proc.returncode, 3, proc.stdout + proc.stderr)
        self.assertIn("no journey is known", proc.stderr)

        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as raised:
            sqs.set_queue_attributes(QueueUrl=plain, Attributes={
                "FerryMessageJourney": json.dumps({"maxEvents": 5})})
        self.assertIn("maxEvents", str(raised.exception))
        self.assertIn("InvalidAttributeValue", str(raised.exception))

        sqs.set_queue_attributes(QueueUrl=plain, Attributes={"FerryMessageJourney": JOURNEY})
        sent = sqs.send_message(QueueUrl=plain, MessageBody="y")["MessageId"]
        self.assertEqual([e["Event"] for e in self.journey(sent, plain)["Events"]], ["Sent"])
        sqs.set_queue_attributes(QueueUrl=plain, Attributes={"FerryMessageJourney": ""})
        self.assertEqual(self.journey(sent)["Events"], [])
        attrs = sqs.get_queue_attributes(QueueUrl=plain, AttributeNames=["All"])["Attributes"]
        self.assertNotIn("FerryMessageJourney", attrs)


if __name__ == "__main__":
    unittest.main()
