"""SNS topics and subscriptions through boto3: CreateTopic, Subscribe (sqs),
ListSubscriptionsByTopic, and the errors a client sees."""

import hashlib
import os
import unittest
import urllib.request

from ferry_e2e import REGION, SqsTestCase, endpoint, managed_server, sns_client, unique_name


class SnsTopicsTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sns = sns_client()

    def new_topic(self, tag="t", **kwargs):
        arn = self.sns.create_topic(Name=unique_name(tag), **kwargs)["TopicArn"]
        self.addCleanup(self.sns.delete_topic, TopicArn=arn)
        return arn

    def queue_arn(self, url):
        return self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def test_create_subscribe_and_list(self):
        topic = self.new_topic(Tags=[{"Key": "team", "Value": "ferry"}])
        self.assertTrue(topic.startswith("arn:aws:sns:%s:" % REGION), topic)
        self.assertEqual(self.sns.create_topic(Name=topic.rsplit(":", 1)[1])["TopicArn"], topic)
        queue = self.queue_arn(self.new_queue("sub"))
        sub = self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue,
                                 Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
        self.assertTrue(sub.startswith(topic + ":"), sub)
        listed = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual(listed, [{"SubscriptionArn": sub, "Owner": listed[0]["Owner"],
                                   "Protocol": "sqs", "Endpoint": queue, "TopicArn": topic}])
        attributes = self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual(attributes["RawMessageDelivery"], "true")
        self.assertEqual(attributes["PendingConfirmation"], "false")
        topic_attributes = self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        self.assertEqual(topic_attributes["SubscriptionsConfirmed"], "1")
        self.assertIn(topic, [t["TopicArn"] for t in self.sns.list_topics()["Topics"]])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=topic)["Tags"],
                         [{"Key": "team", "Value": "ferry"}])
        self.sns.unsubscribe(SubscriptionArn=sub)
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"], [])

    def test_http_subscription_is_pending(self):
        topic = self.new_topic()
        answer = self.sns.subscribe(TopicArn=topic, Protocol="http",
                                    Endpoint="http://127.0.0.1:9/hook")
        self.assertEqual(answer["SubscriptionArn"], "pending confirmation")

    def test_errors(self):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            self.sns.get_topic_attributes(
                TopicArn="arn:aws:sns:%s:000000000000:%s" % (REGION, unique_name("gone")))
        self.assertEqual(cm.exception.response["Error"]["Code"], "NotFound")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        with self.assertRaises(self.sns.exceptions.InvalidParameterException):
            self.sns.create_topic(Name="not valid")
        topic = self.new_topic()
        with self.assertRaises(self.sns.exceptions.InvalidParameterException):
            self.sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")

    def test_signing_certificate_is_served(self):
        server = managed_server()
        if server is None:
            self.skipTest("the certificate's name is known only for a server this run started")
        with open(os.path.join(server.data_dir, "sns-signing-cert.pem"), "rb") as f:
            pem = f.read()
        url = "%s/SimpleNotificationService-%s.pem" % (endpoint(), hashlib.md5(pem).hexdigest())
        with urllib.request.urlopen(url, timeout=10) as response:
            self.assertEqual(response.status, 200)
            self.assertEqual(response.headers["Content-Type"], "application/x-pem-file")
            self.assertEqual(response.read(), pem)


if __name__ == "__main__":
    unittest.main()
