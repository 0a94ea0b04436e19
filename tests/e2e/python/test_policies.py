"""Resource policies, enforced: two accounts (in open mode a 12-digit access
key names its account), A owning a queue and B trying to use it, directly
and through B's SNS topic; explicit Deny, invalid policies, AddPermission."""

import json
import time
import unittest

from botocore.exceptions import ClientError

from ferry_e2e import REGION, managed_server, unique_name
from two_accounts import FIRST as A
from two_accounts import SECOND as B
from two_accounts import TwoAccountsAssertions, client, skip_against_a_peer


def queue_arn(account, name):
    return "arn:aws:sqs:%s:%s:%s" % (REGION, account, name)


class PoliciesTest(TwoAccountsAssertions, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        skip_against_a_peer()
        cls.sqs_a = client("sqs", A)
        cls.sqs_b = client("sqs", B)
        cls.sns_a = client("sns", A)
        cls.sns_b = client("sns", B)

    def setUp(self):
        self.name = unique_name("policy")
        self.url = self.sqs_a.create_queue(QueueName=self.name)["QueueUrl"]
        self.arn = queue_arn(A, self.name)
        self.addCleanup(lambda: self.sqs_a.delete_queue(QueueUrl=self.url))

    def set_policy(self, statements):
        self.sqs_a.set_queue_attributes(QueueUrl=self.url, Attributes={"Policy": json.dumps(
            {"Version": "2012-10-17", "Statement": statements})})

    def waiting(self):
        return int(self.sqs_a.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"])
            ["Attributes"]["ApproximateNumberOfMessages"])

    def bodies(self):
        got = self.sqs_a.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                         WaitTimeSeconds=1)
        return [m["Body"] for m in got.get("Messages", [])]

    def test_another_account_cannot_see_or_use_the_queue(self):
        self.assertNonExistent(self.sqs_b.send_message, QueueUrl=self.url, MessageBody="x")
        self.assertNonExistent(self.sqs_b.receive_message, QueueUrl=self.url)
        self.assertNonExistent(self.sqs_b.get_queue_attributes, QueueUrl=self.url,
                          AttributeNames=["All"])
        self.assertNonExistent(self.sqs_b.get_queue_url, QueueName=self.name,
                          QueueOwnerAWSAccountId=A)
        self.assertEqual(self.sqs_b.list_queues(QueueNamePrefix=self.name).get("QueueUrls", []),
                         [])

    def test_a_policy_lets_b_send_but_not_receive(self):
        self.set_policy([{"Effect": "Allow", "Principal": {"AWS": B},
                          "Action": "sqs:SendMessage", "Resource": self.arn}])
        self.sqs_b.send_message(QueueUrl=self.url, MessageBody="from b")
        self.assertNonExistent(self.sqs_b.receive_message, QueueUrl=self.url)
        self.assertEqual(self.bodies(), ["from b"])

    def test_an_explicit_deny_beats_an_allow(self):
        self.set_policy([
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": self.arn},
            {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::%s:root" % B},
             "Action": "sqs:SendMessage", "Resource": self.arn}])
        self.assertNonExistent(self.sqs_b.send_message, QueueUrl=self.url, MessageBody="x")
        self.sqs_b.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])
        # The owner denied: AccessDenied, and it can still take the Deny back.
        self.set_policy([{"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage",
                          "Resource": self.arn}])
        with self.assertRaises(ClientError) as cm:
            self.sqs_a.send_message(QueueUrl=self.url, MessageBody="x")
        self.assertEqual(cm.exception.response["Error"]["Code"], "AccessDenied")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.sqs_a.set_queue_attributes(QueueUrl=self.url, Attributes={"Policy": ""})
        self.sqs_a.send_message(QueueUrl=self.url, MessageBody="x")

    def test_an_invalid_policy_is_refused(self):
        for bad in ["not json", "{}",
                    json.dumps({"Statement": [{"Effect": "Allow", "Action": "sqs:*"}]})]:
            with self.assertRaises(ClientError) as cm:
                self.sqs_a.set_queue_attributes(QueueUrl=self.url, Attributes={"Policy": bad})
            error = cm.exception.response["Error"]
            self.assertEqual(error["Code"], "InvalidAttributeValue")
            self.assertEqual(error["Message"], "Invalid value for the parameter Policy.")
        topic = self.sns_a.create_topic(Name=unique_name("t"))["TopicArn"]
        self.addCleanup(lambda: self.sns_a.delete_topic(TopicArn=topic))
        with self.assertRaises(ClientError) as cm:
            self.sns_a.set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                                            AttributeValue="{")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameter")
        self.assertTrue(cm.exception.response["Error"]["Message"].startswith(
            "Invalid parameter: Policy Error: "))

    def test_add_permission_grants_cross_account_access(self):
        self.sqs_a.add_permission(QueueUrl=self.url, Label="b-may-send",
                                  AWSAccountIds=[B], Actions=["SendMessage"])
        self.sqs_b.send_message(QueueUrl=self.url, MessageBody="granted")
        self.assertEqual(self.bodies(), ["granted"])
        self.sqs_a.remove_permission(QueueUrl=self.url, Label="b-may-send")
        self.assertNonExistent(self.sqs_b.send_message, QueueUrl=self.url, MessageBody="revoked")

    def test_bs_topic_delivers_once_the_queue_policy_allows_it(self):
        topic = self.sns_b.create_topic(Name=unique_name("events"))["TopicArn"]
        self.addCleanup(lambda: self.sns_b.delete_topic(TopicArn=topic))
        self.sns_b.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=self.arn,
                             Attributes={"RawMessageDelivery": "true"})
        self.sns_b.publish(TopicArn=topic, Message="refused")
        server = managed_server()
        if server is not None:
            # The refusal is logged, at most once every 10 s in the process.
            deadline = time.time() + 15
            while topic not in server.log_tail(200) and time.time() < deadline:
                time.sleep(1)
                self.sns_b.publish(TopicArn=topic, Message="refused")
            log = server.log_tail(200)
            self.assertIn("did not deliver to queue %s" % self.arn, log)
            self.assertIn(topic, log)
        self.assertEqual(self.waiting(), 0)

        self.set_policy([{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                          "Action": "sqs:SendMessage", "Resource": self.arn,
                          "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}])
        self.sns_b.publish(TopicArn=topic, Message="allowed")
        self.assertEqual(self.bodies(), ["allowed"])

    def test_a_topic_policy_opens_the_topic_to_another_account(self):
        topic = self.sns_a.create_topic(Name=unique_name("news"))["TopicArn"]
        self.addCleanup(lambda: self.sns_a.delete_topic(TopicArn=topic))
        with self.assertRaises(ClientError) as cm:
            self.sns_b.publish(TopicArn=topic, Message="m")
        self.assertEqual(cm.exception.response["Error"]["Code"], "AuthorizationError")
        self.sns_a.add_permission(TopicArn=topic, Label="b-publishes", AWSAccountId=[B],
                                  ActionName=["Publish"])
        self.sns_a.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=self.arn,
                             Attributes={"RawMessageDelivery": "true"})
        self.sns_b.publish(TopicArn=topic, Message="from b")
        self.assertEqual(self.bodies(), ["from b"])


if __name__ == "__main__":
    unittest.main()
