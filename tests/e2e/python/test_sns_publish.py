"""SNS Publish and PublishBatch through boto3: envelopes in SQS queues with
signatures a subscriber can verify, raw delivery with attributes, per-protocol
messages, filter policies, FIFO topics, batches and the errors a client sees."""

import base64
import json
import os
import subprocess
import tempfile
import unittest
import urllib.request

from ferry_e2e import REGION, SqsTestCase, sns_client, unique_name


def string_to_sign(envelope):
    """The string a subscriber rebuilds to verify a message (AWS's documented
    field list of its type, in byte order)."""
    out = ""
    names = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
    if envelope.get("Type") != "Notification":
        names = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    for name in names:
        if name in envelope:
            out += "%s\n%s\n" % (name, envelope[name])
    return out


def verifies(envelope):
    """Checks the envelope's signature with the certificate it names, using the
    openssl command line (independent of Ferry's code)."""
    with urllib.request.urlopen(envelope["SigningCertURL"], timeout=10) as response:
        pem = response.read()
    digest = "-sha256" if envelope["SignatureVersion"] == "2" else "-sha1"
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("cert.pem", "key.pem", "sig", "data")}
        with open(paths["cert.pem"], "wb") as f:
            f.write(pem)
        with open(paths["sig"], "wb") as f:
            f.write(base64.b64decode(envelope["Signature"]))
        with open(paths["data"], "wb") as f:
            f.write(string_to_sign(envelope).encode("utf-8"))
        subprocess.run(["openssl", "x509", "-in", paths["cert.pem"], "-pubkey", "-noout",
                        "-out", paths["key.pem"]], check=True)
        result = subprocess.run(["openssl", "dgst", digest, "-verify", paths["key.pem"],
                                 "-signature", paths["sig"], paths["data"]],
                                capture_output=True)
        return result.returncode == 0


class SnsPublishTest(SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sns = sns_client()

    def new_topic(self, name=None, **kwargs):
        arn = self.sns.create_topic(Name=name or unique_name("t"), **kwargs)["TopicArn"]
        self.addCleanup(self.sns.delete_topic, TopicArn=arn)
        return arn

    def subscribed_queue(self, topic, fifo=False, **attributes):
        name = unique_name("q") + (".fifo" if fifo else "")
        url = self.new_queue(name=name, attributes={"FifoQueue": "true"} if fifo else None)
        arn = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sub = self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                                 Attributes=attributes, ReturnSubscriptionArn=True)
        return url, sub["SubscriptionArn"]

    def receive(self, url, n=10):
        return self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=n,
                                        MessageAttributeNames=["All"],
                                        AttributeNames=["All"]).get("Messages", [])

    def test_envelope_is_signed_and_verifiable(self):
        topic = self.new_topic()
        url, sub = self.subscribed_queue(topic)
        answer = self.sns.publish(TopicArn=topic, Message="hello \"world\"", Subject="greeting",
                                  MessageAttributes={"colour": {"DataType": "String",
                                                                "StringValue": "red"}})
        messages = self.receive(url)
        self.assertEqual(len(messages), 1)
        envelope = json.loads(messages[0]["Body"])
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["MessageId"], answer["MessageId"])
        self.assertEqual(envelope["TopicArn"], topic)
        self.assertEqual(envelope["Subject"], "greeting")
        self.assertEqual(envelope["Message"], "hello \"world\"")
        self.assertEqual(envelope["MessageAttributes"],
                         {"colour": {"Type": "String", "Value": "red"}})
        self.assertIn("SubscriptionArn=" + sub.replace(":", "%3A"), envelope["UnsubscribeURL"])
        self.assertTrue(verifies(envelope))

    def test_raw_delivery_carries_the_attributes(self):
        topic = self.new_topic()
        url, _ = self.subscribed_queue(topic, RawMessageDelivery="true")
        self.sns.publish(TopicArn=topic, Message="raw body", MessageAttributes={
            "n": {"DataType": "Number", "StringValue": "42"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            "list": {"DataType": "String.Array", "StringValue": "[\"a\", 1]"}})
        messages = self.receive(url)
        self.assertEqual(messages[0]["Body"], "raw body")
        attributes = messages[0]["MessageAttributes"]
        self.assertEqual(attributes["n"], {"DataType": "Number", "StringValue": "42"})
        self.assertEqual(attributes["b"], {"DataType": "Binary", "BinaryValue": b"\x00\x01"})
        self.assertEqual(attributes["list"]["StringValue"], "[\"a\", 1]")

    def test_message_structure_and_filter_policy(self):
        topic = self.new_topic()
        url, _ = self.subscribed_queue(
            topic, RawMessageDelivery="true", FilterPolicy=json.dumps({"kind": ["wanted"]}))
        for kind in ("unwanted", "wanted"):
            self.sns.publish(TopicArn=topic, MessageStructure="json",
                             Message=json.dumps({"default": "d", "sqs": "for sqs " + kind}),
                             MessageAttributes={"kind": {"DataType": "String",
                                                         "StringValue": kind}})
        self.assertEqual([m["Body"] for m in self.receive(url)], ["for sqs wanted"])

    def test_fifo_topic_orders_and_deduplicates(self):
        topic = self.new_topic(name=unique_name("f") + ".fifo",
                               Attributes={"FifoTopic": "true",
                                           "ContentBasedDeduplication": "true"})
        url, _ = self.subscribed_queue(topic, fifo=True, RawMessageDelivery="true")
        answers = [self.sns.publish(TopicArn=topic, Message="m%d" % i, MessageGroupId="g")
                   for i in range(3)]
        again = self.sns.publish(TopicArn=topic, Message="m0", MessageGroupId="g")
        self.assertEqual(again["MessageId"], answers[0]["MessageId"])
        self.assertEqual(again["SequenceNumber"], answers[0]["SequenceNumber"])
        self.assertEqual([len(a["SequenceNumber"]) for a in answers], [20, 20, 20])
        self.assertEqual([m["Body"] for m in self.receive(url)], ["m0", "m1", "m2"])

    def test_publish_batch(self):
        topic = self.new_topic()
        url, _ = self.subscribed_queue(topic, RawMessageDelivery="true")
        answer = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "one", "Message": "first"}, {"Id": "two", "Message": "second"}])
        self.assertEqual(sorted(e["Id"] for e in answer["Successful"]), ["one", "two"])
        self.assertEqual(answer.get("Failed", []), [])
        self.assertEqual(sorted(m["Body"] for m in self.receive(url)), ["first", "second"])
        with self.assertRaises(self.sns.exceptions.BatchEntryIdsNotDistinctException):
            self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
                {"Id": "x", "Message": "a"}, {"Id": "x", "Message": "b"}])

    def test_errors(self):
        from botocore.exceptions import ClientError
        topic = self.new_topic()
        with self.assertRaises(ClientError) as cm:
            self.sns.publish(TopicArn="arn:aws:sns:%s:000000000000:%s"
                             % (REGION, unique_name("gone")), Message="m")
        self.assertEqual(cm.exception.response["Error"]["Code"], "NotFound")
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as cm:
            self.sns.publish(TopicArn=topic, Message="x" * (256 * 1024 + 1))
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Invalid parameter: Message too long")
        with self.assertRaises(self.sns.exceptions.InvalidParameterException):
            self.sns.publish(TopicArn=topic, Message="m", MessageDeduplicationId="d")


if __name__ == "__main__":
    unittest.main()
