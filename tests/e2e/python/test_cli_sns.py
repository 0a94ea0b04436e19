"""The aws CLI (v1) against the server: SNS through `aws sns ...` (Query),
delivered to a queue read with `aws sqs receive-message`.

Runs under the image's python3 beside test_cli (ctest's e2e_cli); `aws`
comes from FERRY_AWS_CLI or PATH.
"""

import json
import unittest

from ferry_e2e import unique_name
from test_cli import AWS, run_aws


@unittest.skipUnless(AWS, "aws CLI not found (set FERRY_AWS_CLI)")
class CliSnsTest(unittest.TestCase):
    maxDiff = None

    def aws(self, service, *args, expect_ok=True):
        return run_aws(self, service, *args, expect_ok=expect_ok)

    def sns(self, *args, **kwargs):
        return self.aws("sns", *args, **kwargs)

    def test_topic_subscription_publish_and_cleanup(self):
        name = unique_name("clisns")
        topic = self.sns("create-topic", "--name", name, "--attributes",
                         json.dumps({"DisplayName": "CLI"}),
                         "--tags", "Key=team,Value=ferry")["TopicArn"]
        self.addCleanup(lambda: self.sns("delete-topic", "--topic-arn", topic, expect_ok=False))
        self.assertTrue(topic.endswith(":" + name), topic)
        self.assertIn(topic, [t["TopicArn"] for t in self.sns("list-topics")["Topics"]])

        self.sns("set-topic-attributes", "--topic-arn", topic, "--attribute-name",
                 "DisplayName", "--attribute-value", "Renamed")
        attrs = self.sns("get-topic-attributes", "--topic-arn", topic)["Attributes"]
        self.assertEqual(attrs["DisplayName"], "Renamed")
        self.assertEqual(attrs["TopicArn"], topic)

        self.sns("tag-resource", "--resource-arn", topic, "--tags", "Key=env,Value=e2e")
        tags = self.sns("list-tags-for-resource", "--resource-arn", topic)["Tags"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags),
                         [("env", "e2e"), ("team", "ferry")])
        self.sns("untag-resource", "--resource-arn", topic, "--tag-keys", "team")
        self.assertEqual(self.sns("list-tags-for-resource", "--resource-arn", topic)["Tags"],
                         [{"Key": "env", "Value": "e2e"}])

        url = self.aws("sqs", "create-queue", "--queue-name", unique_name("clisnsq"))["QueueUrl"]
        self.addCleanup(lambda: self.aws("sqs", "delete-queue", "--queue-url", url,
                                         expect_ok=False))
        queue_arn = self.aws("sqs", "get-queue-attributes", "--queue-url", url,
                             "--attribute-names", "QueueArn")["Attributes"]["QueueArn"]
        sub = self.sns("subscribe", "--topic-arn", topic, "--protocol", "sqs",
                       "--notification-endpoint", queue_arn,
                       "--return-subscription-arn")["SubscriptionArn"]
        self.assertTrue(sub.startswith(topic + ":"), sub)
        listed = self.sns("list-subscriptions-by-topic", "--topic-arn", topic)["Subscriptions"]
        self.assertEqual([(s["SubscriptionArn"], s["Endpoint"]) for s in listed],
                         [(sub, queue_arn)])
        self.assertIn(sub, [s["SubscriptionArn"]
                            for s in self.sns("list-subscriptions")["Subscriptions"]])
        self.sns("set-subscription-attributes", "--subscription-arn", sub, "--attribute-name",
                 "FilterPolicy", "--attribute-value", json.dumps({"kind": ["cli"]}))
        attrs = self.sns("get-subscription-attributes", "--subscription-arn", sub)["Attributes"]
        self.assertEqual(json.loads(attrs["FilterPolicy"]), {"kind": ["cli"]})
        self.assertEqual(attrs["PendingConfirmation"], "false")

        self.sns("publish", "--topic-arn", topic, "--message", "filtered out")
        sent = self.sns("publish", "--topic-arn", topic, "--message", "from the CLI ✓",
                        "--subject", "cli", "--message-attributes",
                        json.dumps({"kind": {"DataType": "String", "StringValue": "cli"}}))
        got = self.aws("sqs", "receive-message", "--queue-url", url,
                       "--max-number-of-messages", 10, "--wait-time-seconds", 1)["Messages"]
        self.assertEqual(len(got), 1)
        env = json.loads(got[0]["Body"])
        self.assertEqual((env["Type"], env["MessageId"], env["Message"], env["Subject"]),
                         ("Notification", sent["MessageId"], "from the CLI ✓", "cli"))
        self.aws("sqs", "delete-message", "--queue-url", url, "--receipt-handle",
                 got[0]["ReceiptHandle"])

        batch = self.sns("publish-batch", "--topic-arn", topic, "--publish-batch-request-entries",
                         json.dumps([{"Id": "a", "Message": "one", "MessageAttributes": {
                             "kind": {"DataType": "String", "StringValue": "cli"}}},
                             {"Id": "b", "Message": "two"}]))
        self.assertEqual(sorted(e["Id"] for e in batch["Successful"]), ["a", "b"])
        got = self.aws("sqs", "receive-message", "--queue-url", url,
                       "--max-number-of-messages", 10, "--wait-time-seconds", 1)["Messages"]
        self.assertEqual([json.loads(m["Body"])["Message"] for m in got], ["one"])

        self.sns("unsubscribe", "--subscription-arn", sub)
        self.assertEqual(self.sns("list-subscriptions-by-topic",
                                  "--topic-arn", topic)["Subscriptions"], [])
        self.sns("delete-topic", "--topic-arn", topic)
        proc = self.sns("get-topic-attributes", "--topic-arn", topic, expect_ok=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("NotFound", proc.stderr)


if __name__ == "__main__":
    unittest.main()
