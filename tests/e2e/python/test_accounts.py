"""Accounts: an access key id of 12 digits names its account, as LocalStack
reads keys; any other key is the server's default account. Two accounts each
own a queue of the same name and see only their own."""

import unittest

from botocore.config import Config
from botocore.exceptions import ClientError

from ferry_e2e import REGION, SqsTestCase, endpoint, expected_account_id, unique_name

FIRST = "111111111111"
SECOND = "222222222222"


def client(service, access_key):
    import boto3
    return boto3.client(service, endpoint_url=endpoint(), region_name=REGION,
                        aws_access_key_id=access_key, aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


class AccountsTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if expected_account_id() is None:
            raise unittest.SkipTest("a peer's accounts are its own")
        cls.first = client("sqs", FIRST)
        cls.second = client("sqs", SECOND)

    def create(self, sqs, name, **kwargs):
        url = sqs.create_queue(QueueName=name, **kwargs)["QueueUrl"]
        self.addCleanup(lambda: sqs.delete_queue(QueueUrl=url))
        return url

    def listed(self, sqs, prefix):
        return sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])

    def assertNonExistent(self, call, **kwargs):
        with self.assertRaises(ClientError) as cm:
            call(**kwargs)
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"))

    def test_two_accounts_each_own_their_jobs_queue(self):
        name = unique_name("jobs")
        first_url = self.create(self.first, name)
        second_url = self.create(self.second, name, Attributes={"VisibilityTimeout": "77"})
        self.assertEqual(first_url, "%s/%s/%s" % (endpoint(), FIRST, name))
        self.assertEqual(second_url, "%s/%s/%s" % (endpoint(), SECOND, name))

        self.assertEqual(self.listed(self.first, name), [first_url])
        self.assertEqual(self.listed(self.second, name), [second_url])
        self.assertEqual(self.listed(self.sqs, name), [])
        self.assertEqual(self.first.get_queue_url(QueueName=name)["QueueUrl"], first_url)
        self.assertEqual(self.second.get_queue_url(QueueName=name)["QueueUrl"], second_url)
        self.assertNonExistent(self.sqs.get_queue_url, QueueName=name)

        arn = lambda sqs, url: sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(arn(self.first, first_url)["QueueArn"],
                         "arn:aws:sqs:%s:%s:%s" % (REGION, FIRST, name))
        self.assertEqual(arn(self.second, second_url)["QueueArn"],
                         "arn:aws:sqs:%s:%s:%s" % (REGION, SECOND, name))
        self.assertEqual(arn(self.second, second_url)["VisibilityTimeout"], "77")
        self.assertEqual(arn(self.first, first_url)["VisibilityTimeout"], "30")

        self.first.send_message(QueueUrl=first_url, MessageBody="for the first")
        self.second.send_message(QueueUrl=second_url, MessageBody="for the second")
        for sqs, url, body, account in [(self.first, first_url, "for the first", FIRST),
                                        (self.second, second_url, "for the second", SECOND)]:
            got = sqs.receive_message(QueueUrl=url, AttributeNames=["SenderId"],
                                      MaxNumberOfMessages=10, WaitTimeSeconds=1)
            self.assertEqual([m["Body"] for m in got["Messages"]], [body])
            # A 12-digit key signs as the account's root user, whose unique
            # id is the account id.
            self.assertEqual(got["Messages"][0]["Attributes"]["SenderId"], account)

    def test_another_accounts_queue_does_not_exist_for_the_caller(self):
        name = unique_name("jobs")
        first_url = self.create(self.first, name)
        self.assertNonExistent(self.second.send_message, QueueUrl=first_url, MessageBody="x")
        self.assertNonExistent(self.second.get_queue_url, QueueName=name,
                               QueueOwnerAWSAccountId=FIRST)
        self.assertEqual(self.first.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=FIRST)
                         ["QueueUrl"], first_url)

    def test_the_default_key_sees_the_default_accounts_queues(self):
        name = unique_name("jobs")
        url = self.create(self.sqs, name)
        self.assertEqual(url, "%s/%s/%s" % (endpoint(), expected_account_id(), name))
        self.assertEqual(self.listed(self.sqs, name), [url])
        self.assertEqual(self.listed(self.first, name), [])
        self.assertNonExistent(self.first.get_queue_url, QueueName=name)

    def test_get_caller_identity_reports_each_account(self):
        for key, account in [(FIRST, FIRST), (SECOND, SECOND)]:
            identity = client("sts", key).get_caller_identity()
            self.assertEqual(identity["Account"], account)
            self.assertEqual(identity["Arn"], "arn:aws:iam::%s:root" % account)
            self.assertEqual(identity["UserId"], account)
        default = client("sts", "test").get_caller_identity()
        self.assertEqual(default["Account"], expected_account_id())
        self.assertEqual(default["Arn"], "arn:aws:iam::%s:user/test" % expected_account_id())


if __name__ == "__main__":
    unittest.main()
