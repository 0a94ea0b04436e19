"""The aws CLI (v1, JSON protocol) against the server: every SQS action once.

Runs under the image's python3; `aws` comes from FERRY_AWS_CLI or PATH.
Digests are checked against values computed here (the CLI checks none).
"""

import json
import os
import shutil
import subprocess
import time
import unittest

import ferry_e2e
from ferry_e2e import md5_of_attributes, md5_of_body, unique_name

AWS = os.environ.get("FERRY_AWS_CLI") or shutil.which("aws")


def run_aws(test, service, *args, expect_ok=True):
    """Runs `aws SERVICE ARGS...` against the server under test; the parsed
    JSON output (asserting success through `test`), or the completed process
    when expect_ok is false."""
    cmd = [AWS, "--endpoint-url", ferry_e2e.endpoint(), "--region", ferry_e2e.REGION,
           "--output", "json", service] + [str(a) for a in args]
    env = dict(os.environ, **ferry_e2e.CLIENT_ENV)
    env["AWS_MAX_ATTEMPTS"] = "1"
    env["AWS_RETRY_MODE"] = "standard"
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120)
    if expect_ok:
        test.assertEqual(proc.returncode, 0, "%s\nstderr: %s" % (" ".join(cmd), proc.stderr))
        return json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc


@unittest.skipUnless(AWS, "aws CLI not found (set FERRY_AWS_CLI)")
class CliTest(unittest.TestCase):
    maxDiff = None

    def aws(self, *args, expect_ok=True):
        return run_aws(self, "sqs", *args, expect_ok=expect_ok)

    def new_queue(self, tag, *extra):
        name = unique_name(tag)
        url = self.aws("create-queue", "--queue-name", name, *extra)["QueueUrl"]
        self.addCleanup(lambda: self.aws("delete-queue", "--queue-url", url, expect_ok=False))
        return name, url

    def test_queue_lifecycle_attributes_and_tags(self):
        name, url = self.new_queue(
            "cli", "--attributes", json.dumps({"VisibilityTimeout": "40", "DelaySeconds": "0"}),
            "--tags", json.dumps({"team": "ferry"}))
        self.assertTrue(url.endswith("/" + name))
        self.assertEqual(self.aws("get-queue-url", "--queue-name", name)["QueueUrl"], url)
        listed = self.aws("list-queues", "--queue-name-prefix", name).get("QueueUrls", [])
        self.assertEqual(listed, [url])

        attrs = self.aws("get-queue-attributes", "--queue-url", url,
                         "--attribute-names", "All")["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "40")
        self.assertIn("QueueArn", attrs)
        self.aws("set-queue-attributes", "--queue-url", url,
                 "--attributes", json.dumps({"VisibilityTimeout": "90"}))
        attrs = self.aws("get-queue-attributes", "--queue-url", url,
                         "--attribute-names", "VisibilityTimeout")["Attributes"]
        self.assertEqual(attrs, {"VisibilityTimeout": "90"})

        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url)["Tags"], {"team": "ferry"})
        self.aws("tag-queue", "--queue-url", url, "--tags", json.dumps({"env": "e2e", "x": "y"}))
        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url)["Tags"],
                         {"team": "ferry", "env": "e2e", "x": "y"})
        self.aws("untag-queue", "--queue-url", url, "--tag-keys", "team", "x")
        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url)["Tags"], {"env": "e2e"})

        self.aws("delete-queue", "--queue-url", url)
        proc = self.aws("get-queue-url", "--queue-name", name, expect_ok=False)
        self.assertNotEqual(proc.returncode, 0)

    def test_send_receive_delete(self):
        _, url = self.new_queue("climsg")
        attributes = {
            "s": {"DataType": "String", "StringValue": "välue 🚀"},
            "n": {"DataType": "Number", "StringValue": "42"},
            "c": {"DataType": "String.custom", "StringValue": "typed"},
        }
        body = "cli body\r\nwith crlf and ünïcode"
        sent = self.aws("send-message", "--queue-url", url, "--message-body", body,
                        "--message-attributes", json.dumps(attributes))
        self.assertEqual(sent["MD5OfMessageBody"], md5_of_body(body))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attributes))

        got = self.aws("receive-message", "--queue-url", url, "--max-number-of-messages", 10,
                       "--wait-time-seconds", 1, "--visibility-timeout", 60,
                       "--attribute-names", "All", "--message-attribute-names", "All")
        self.assertEqual(len(got["Messages"]), 1)
        m = got["Messages"][0]
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_of_body(body))
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual({k: {"DataType": v["DataType"], "StringValue": v["StringValue"]}
                          for k, v in m["MessageAttributes"].items()}, attributes)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(attributes))

        # Hidden, then released with change-message-visibility 0.
        self.assertEqual(self.aws("receive-message", "--queue-url", url).get("Messages", []), [])
        self.aws("change-message-visibility", "--queue-url", url,
                 "--receipt-handle", m["ReceiptHandle"], "--visibility-timeout", 0)
        again = self.aws("receive-message", "--queue-url", url,
                         "--message-system-attribute-names", "ApproximateReceiveCount")["Messages"]
        self.assertEqual(again[0]["Attributes"]["ApproximateReceiveCount"], "2")
        self.aws("delete-message", "--queue-url", url, "--receipt-handle",
                 again[0]["ReceiptHandle"])
        attrs = self.aws("get-queue-attributes", "--queue-url", url, "--attribute-names",
                         "ApproximateNumberOfMessages",
                         "ApproximateNumberOfMessagesNotVisible")["Attributes"]
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "0",
                                 "ApproximateNumberOfMessagesNotVisible": "0"})

    def test_batches_and_purge(self):
        _, url = self.new_queue("clibatch")
        entries = [{"Id": "e%d" % i, "MessageBody": "batch %d" % i} for i in range(4)]
        res = self.aws("send-message-batch", "--queue-url", url, "--entries", json.dumps(entries))
        self.assertEqual(sorted(e["Id"] for e in res["Successful"]), ["e0", "e1", "e2", "e3"])
        for e in res["Successful"]:
            self.assertEqual(e["MD5OfMessageBody"], md5_of_body("batch " + e["Id"][1:]))

        msgs = []
        deadline = time.monotonic() + 20
        while len(msgs) < 4 and time.monotonic() < deadline:
            msgs += self.aws("receive-message", "--queue-url", url, "--max-number-of-messages",
                             10, "--visibility-timeout", 300).get("Messages", [])
        self.assertEqual(sorted(m["Body"] for m in msgs), ["batch %d" % i for i in range(4)])

        res = self.aws("change-message-visibility-batch", "--queue-url", url, "--entries",
                       json.dumps([{"Id": "c%d" % i, "ReceiptHandle": m["ReceiptHandle"],
                                    "VisibilityTimeout": 600} for i, m in enumerate(msgs[:2])]))
        self.assertEqual(sorted(e["Id"] for e in res["Successful"]), ["c0", "c1"])
        res = self.aws("delete-message-batch", "--queue-url", url, "--entries",
                       json.dumps([{"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]}
                                   for i, m in enumerate(msgs[2:])]))
        self.assertEqual(sorted(e["Id"] for e in res["Successful"]), ["d0", "d1"])

        self.aws("send-message", "--queue-url", url, "--message-body", "to purge")
        self.aws("purge-queue", "--queue-url", url)
        attrs = self.aws("get-queue-attributes", "--queue-url", url, "--attribute-names",
                         "ApproximateNumberOfMessages",
                         "ApproximateNumberOfMessagesNotVisible")["Attributes"]
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "0",
                                 "ApproximateNumberOfMessagesNotVisible": "0"})

    def test_dead_letter_redrive_and_permissions(self):
        _, dlq = self.new_queue("clidlq")
        dlq_arn = self.aws("get-queue-attributes", "--queue-url", dlq, "--attribute-names",
                           "QueueArn")["Attributes"]["QueueArn"]
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})
        _, source = self.new_queue("clisrc", "--attributes",
                                   json.dumps({"RedrivePolicy": policy}))
        self.assertEqual(
            self.aws("list-dead-letter-source-queues", "--queue-url", dlq)["queueUrls"], [source])
        self.aws("send-message", "--queue-url", source, "--message-body", "to the dlq")
        self.aws("receive-message", "--queue-url", source, "--visibility-timeout", 0)
        self.assertEqual(self.aws("receive-message", "--queue-url", source).get("Messages", []),
                         [])

        task = self.aws("start-message-move-task", "--source-arn", dlq_arn,
                        "--max-number-of-messages-per-second", 5)
        self.assertTrue(task["TaskHandle"])
        deadline = time.monotonic() + 15
        while True:
            listed = self.aws("list-message-move-tasks", "--source-arn", dlq_arn)["Results"]
            if listed[0]["Status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(listed[0]["Status"], "COMPLETED", listed)
        self.assertEqual(listed[0]["ApproximateNumberOfMessagesMoved"], 1)
        back = self.aws("receive-message", "--queue-url", source, "--wait-time-seconds", 1)
        self.assertEqual([m["Body"] for m in back["Messages"]], ["to the dlq"])

        self.aws("add-permission", "--queue-url", source, "--label", "cli",
                 "--aws-account-ids", "111122223333", "--actions", "SendMessage")
        attrs = self.aws("get-queue-attributes", "--queue-url", source, "--attribute-names",
                         "Policy")["Attributes"]
        self.assertEqual([s["Sid"] for s in json.loads(attrs["Policy"])["Statement"]], ["cli"])
        self.aws("remove-permission", "--queue-url", source, "--label", "cli")

    def test_fifo_queue(self):
        name = unique_name("clififo")[:70] + ".fifo"
        url = self.aws("create-queue", "--queue-name", name, "--attributes",
                       json.dumps({"FifoQueue": "true",
                                   "ContentBasedDeduplication": "true"}))["QueueUrl"]
        self.addCleanup(lambda: self.aws("delete-queue", "--queue-url", url, expect_ok=False))
        attrs = self.aws("get-queue-attributes", "--queue-url", url,
                         "--attribute-names", "All")["Attributes"]
        self.assertEqual(attrs["FifoQueue"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "true")
        first = self.aws("send-message", "--queue-url", url, "--message-body", "one",
                         "--message-group-id", "g")
        dup = self.aws("send-message", "--queue-url", url, "--message-body", "one",
                       "--message-group-id", "g")
        self.assertEqual(dup["MessageId"], first["MessageId"])
        self.assertEqual(dup["SequenceNumber"], first["SequenceNumber"])
        self.aws("send-message", "--queue-url", url, "--message-body", "two",
                 "--message-group-id", "g", "--message-deduplication-id", "two")
        got = self.aws("receive-message", "--queue-url", url, "--max-number-of-messages", 10,
                       "--attribute-names", "All")["Messages"]
        self.assertEqual([m["Body"] for m in got], ["one", "two"])
        self.assertEqual(got[0]["Attributes"]["SequenceNumber"], first["SequenceNumber"])
        self.assertEqual(got[0]["Attributes"]["MessageGroupId"], "g")
        proc = self.aws("send-message", "--queue-url", url, "--message-body", "x",
                        expect_ok=False)
        self.assertEqual(proc.returncode, 255, proc.stderr)
        self.assertIn("(MissingParameter)", proc.stderr)

    def test_error_exit_code_and_code(self):
        proc = self.aws("get-queue-url", "--queue-name", unique_name("missing"), expect_ok=False)
        self.assertEqual(proc.returncode, 255, proc.stderr)  # aws CLI v1: service error
        self.assertIn("(AWS.SimpleQueueService.NonExistentQueue)", proc.stderr)
        self.assertIn("GetQueueUrl", proc.stderr)
        _, url = self.new_queue("clierr")
        proc = self.aws("receive-message", "--queue-url", url, "--max-number-of-messages", 11,
                        expect_ok=False)
        self.assertEqual(proc.returncode, 255, proc.stderr)
        self.assertIn("(InvalidParameterValue)", proc.stderr)


if __name__ == "__main__":
    unittest.main()
