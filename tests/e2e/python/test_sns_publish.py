"""Publish and PublishBatch to SQS subscriptions: the SNS envelope field by
field and its signature (checked here against the certificate fetched from
SigningCertURL), raw delivery with the attributes as SQS message
attributes, MessageStructure=json, filter policies on attributes and on the
body, batches and their errors, the 256 KiB limit, FIFO topics to FIFO
queues, and the orders fan-out (one topic, an orders queue and an inventory
queue with filter policies, each with a dead-letter queue).

Publish answers once every matching SQS subscription has its copy, so a
queue is read right after the call returns; a queue that must stay empty is
checked the same way.
"""

import base64
import datetime
import json
import os
import time
import unittest
import urllib.parse
import urllib.request

import ferry_e2e
from ferry_e2e import md5_of_attributes, md5_of_body, normalise_attributes, sns_client
from sns_e2e import (CERT_PATH_RE, NOTIFICATION_FIELDS, TIMESTAMP_RE, SnsTestCase,
                     envelope_fields, signature_problem, topic_arn_for,
                     unsubscribe_url_parts)

SNS_ATTRIBUTES = {
    "event": {"DataType": "String", "StringValue": "order_placed"},
    "amount": {"DataType": "Number", "StringValue": "129.95"},
    "tags": {"DataType": "String.Array", "StringValue": '["new", "priority"]'},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    "kind": {"DataType": "String.custom", "StringValue": "typed ünïcode"},
}

MAX_MESSAGE = 256 * 1024


def envelope_attributes(attributes):
    """What the envelope's MessageAttributes holds for SNS message attributes."""
    out = {}
    for name, a in attributes.items():
        if a["DataType"].startswith("Binary"):
            value = base64.b64encode(a["BinaryValue"]).decode("ascii")
        else:
            value = a["StringValue"]
        out[name] = {"Type": a["DataType"], "Value": value}
    return out


class PublishEnvelopeTest(SnsTestCase):
    def publish_one(self, **kwargs):
        topic = self.new_topic()
        url, sub = self.subscribed_queue(topic)
        sent = self.sns.publish(TopicArn=topic, **kwargs)
        got = self.take(url, 1, timeout=5)
        self.assertEqual(len(got), 1)
        self.assertEmptyQueue(url)
        return topic, sub, sent, got[0]

    def test_envelope_fields(self):
        before = datetime.datetime.now(datetime.timezone.utc)
        message = 'hello "world" / ünïcode 🚀\nline two'
        topic, sub, sent, m = self.publish_one(Message=message, Subject="Greetings",
                                               MessageAttributes=SNS_ATTRIBUTES)
        after = datetime.datetime.now(datetime.timezone.utc)
        body = m["Body"]
        self.assertEqual(m["MD5OfBody"], md5_of_body(body))
        self.assertTrue(body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : "'),
                        body[:80])
        self.assertTrue(body.endswith("\n}"), body[-40:])
        self.assertEqual(envelope_fields(body),
                         [f for f in NOTIFICATION_FIELDS if f != "SequenceNumber"])
        env = json.loads(body)
        self.assertEqual(env["Type"], "Notification")
        self.assertEqual(env["MessageId"], sent["MessageId"])
        self.assertEqual(env["TopicArn"], topic)
        self.assertEqual(env["Subject"], "Greetings")
        self.assertEqual(env["Message"], message)
        self.assertRegex(env["Timestamp"], TIMESTAMP_RE)
        stamp = datetime.datetime.strptime(env["Timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc)
        self.assertLessEqual(before - datetime.timedelta(seconds=2), stamp)
        self.assertLessEqual(stamp, after + datetime.timedelta(seconds=2))
        self.assertEqual(env["SignatureVersion"], "1")
        base = ferry_e2e.endpoint()
        cert = urllib.parse.urlsplit(env["SigningCertURL"])
        self.assertEqual("%s://%s" % (cert.scheme, cert.netloc), base)
        self.assertRegex(cert.path, CERT_PATH_RE)
        self.assertEqual(unsubscribe_url_parts(env["UnsubscribeURL"]), (base, sub))
        self.assertEqual(env["MessageAttributes"], envelope_attributes(SNS_ATTRIBUTES))
        self.assertIsNone(signature_problem(env))
        # The queue message itself carries no message attributes.
        self.assertNotIn("MessageAttributes", m)

    def test_signature_versions_and_no_subject(self):
        topic = self.new_topic()
        url, _ = self.subscribed_queue(topic)
        self.sns.publish(TopicArn=topic, Message="v1, no subject")
        self.sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion",
                                      AttributeValue="2")
        self.sns.publish(TopicArn=topic, Message="v2", Subject="v2")
        got = sorted((json.loads(m["Body"]) for m in self.take(url, 2, timeout=5)),
                     key=lambda e: e["Message"])
        self.assertEqual([e["Message"] for e in got], ["v1, no subject", "v2"])
        v1, v2 = got
        self.assertNotIn("Subject", v1)
        self.assertNotIn("MessageAttributes", v1)
        self.assertEqual(v1["SignatureVersion"], "1")
        self.assertEqual(v2["SignatureVersion"], "2")
        for env in got:
            self.assertIsNone(signature_problem(env), env)
        # A changed field no longer verifies.
        tampered = dict(v2, Message="v3")
        self.assertIsNotNone(signature_problem(tampered))

    def test_certificate_is_served(self):
        _, _, _, m = self.publish_one(Message="cert")
        url = json.loads(m["Body"])["SigningCertURL"]
        with urllib.request.urlopen(url, timeout=10) as resp:
            pem = resp.read().decode("ascii")
        self.assertTrue(pem.startswith("-----BEGIN CERTIFICATE-----"), pem[:40])

    def test_unsubscribe_url_unsubscribes(self):
        topic, sub, _, m = self.publish_one(Message="bye")
        with urllib.request.urlopen(json.loads(m["Body"])["UnsubscribeURL"], timeout=10) as r:
            self.assertEqual(r.status, 200)
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"],
                         [])
        self.assertSnsError("NotFound", self.sns.get_subscription_attributes,
                            SubscriptionArn=sub, status=404)

    def test_raw_delivery(self):
        topic = self.new_topic()
        url, _ = self.subscribed_queue(topic, attributes={"RawMessageDelivery": "true"})
        message = "raw body ünïcode 🚀"
        sent = self.sns.publish(TopicArn=topic, Message=message, Subject="ignored",
                                MessageAttributes=SNS_ATTRIBUTES)
        m = self.take(url, 1, timeout=5, MessageAttributeNames=["All"])[0]
        self.assertEqual(m["Body"], message)
        self.assertEqual(m["MD5OfBody"], md5_of_body(message))
        self.assertEqual(normalise_attributes(m["MessageAttributes"]),
                         normalise_attributes(SNS_ATTRIBUTES))
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(SNS_ATTRIBUTES))
        self.assertNotEqual(m["MessageId"], "")
        self.assertTrue(sent["MessageId"])

    def test_message_structure_json(self):
        topic = self.new_topic()
        url, _ = self.subscribed_queue(topic)
        raw_url, _ = self.subscribed_queue(topic, "raw",
                                           attributes={"RawMessageDelivery": "true"})
        self.sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps(
            {"default": "for everyone", "sqs": "for queues", "http": "for webhooks"}))
        self.assertEqual(json.loads(self.take(url, 1, timeout=5)[0]["Body"])["Message"],
                         "for queues")
        self.assertEqual(self.take(raw_url, 1, timeout=5)[0]["Body"], "for queues")
        self.sns.publish(TopicArn=topic, MessageStructure="json",
                         Message=json.dumps({"default": "only default"}))
        self.assertEqual(self.take(raw_url, 1, timeout=5)[0]["Body"], "only default")
        self.take(url, 1, timeout=5)
        for bad in ("{not json", json.dumps({"sqs": "no default"}), "[]"):
            with self.subTest(message=bad):
                self.assertSnsError("InvalidParameter", self.sns.publish, TopicArn=topic,
                                    MessageStructure="json", Message=bad,
                                    shape="InvalidParameterException")
        self.assertEmptyQueue(url)


@unittest.skipIf(os.environ.get("FERRY_ENDPOINT"), "starts a server of its own")
class PublicUrlTest(SnsTestCase):
    """--public-url names the server in every URL SNS hands out, and its
    certificate names that host."""

    PUBLIC = "https://ferry.example:8443"

    def test_urls_and_certificate_name_the_public_host(self):
        server = ferry_e2e.FerryServer(os.environ["FERRY_BIN"],
                                       extra_args=["--public-url", self.PUBLIC])
        self.addCleanup(lambda: self.assertIsNone(server.stop()))
        endpoint = server.start()
        sns = sns_client(endpoint_url=endpoint)
        sqs = ferry_e2e.sqs_client(endpoint_url=endpoint)
        topic = sns.create_topic(Name=ferry_e2e.unique_name("public"))["TopicArn"]
        url = sqs.create_queue(QueueName=ferry_e2e.unique_name("public"))["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        sns.publish(TopicArn=topic, Message="public")
        env = json.loads(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0][
            "Body"])
        cert_url = urllib.parse.urlsplit(env["SigningCertURL"])
        self.assertEqual("%s://%s" % (cert_url.scheme, cert_url.netloc), self.PUBLIC)
        self.assertRegex(cert_url.path, CERT_PATH_RE)
        self.assertEqual(unsubscribe_url_parts(env["UnsubscribeURL"]), (self.PUBLIC, sub))
        # The certificate is served at that path by the server itself, names
        # the public host and verifies the signature.
        from cryptography import x509
        with urllib.request.urlopen(endpoint + cert_url.path, timeout=10) as resp:
            cert = x509.load_pem_x509_certificate(resp.read())
        names = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
        self.assertEqual(names, ["ferry.example"])
        env["SigningCertURL"] = endpoint + cert_url.path
        self.assertIsNone(signature_problem(env))


class PublishErrorsTest(SnsTestCase):
    def test_errors(self):
        topic = self.new_topic()
        missing = topic_arn_for(ferry_e2e.unique_name("gone"))
        self.assertSnsError("NotFound", self.sns.publish, TopicArn=missing, Message="m",
                            status=404, shape="NotFoundException",
                            message="Topic does not exist")
        self.assertSnsError("InvalidParameter", self.sns.publish, TopicArn="not-an-arn",
                            Message="m")
        self.assertSnsError("InvalidParameter", self.sns_raw.publish, TopicArn=topic,
                            Message="", message="Invalid parameter: Empty message")
        self.assertSnsError("InvalidParameter", self.sns.publish, TopicArn=topic,
                            Message="m", Subject="x" * 101)
        self.assertSnsError("InvalidParameter", self.sns.publish, TopicArn=topic,
                            Message="m", Subject="line\nbreak")
        # A FIFO-only parameter on a standard topic (MessageGroupId is not:
        # standard topics forward it to fair queues).
        self.assertSnsError("InvalidParameter", self.sns.publish, TopicArn=topic,
                            Message="m", MessageDeduplicationId="d")
        for attrs in ({"bad": {"DataType": "Number", "StringValue": "ten"}},
                      {"bad": {"DataType": "Bogus", "StringValue": "v"}},
                      {"bad": {"DataType": "String.Array", "StringValue": "not an array"}},
                      {"empty": {"DataType": "String", "StringValue": ""}}):
            with self.subTest(attributes=list(attrs.values())[0]):
                err = self.assertSnsError("ParameterValueInvalid", self.sns_raw.publish,
                                          TopicArn=topic, Message="m",
                                          MessageAttributes=attrs)
                self.assertIsInstance(err, self.sns.exceptions.InvalidParameterValueException)

    def test_more_than_10_attributes(self):
        # SNS takes more than SQS's 10 attributes; a raw SQS copy of such a
        # message cannot be made and is dropped, the envelope carries them all.
        topic = self.new_topic()
        enveloped, _ = self.subscribed_queue(topic, "env")
        raw, _ = self.subscribed_queue(topic, "raw", attributes={"RawMessageDelivery": "true"})
        eleven = {"a%02d" % i: {"DataType": "String", "StringValue": "v%d" % i}
                  for i in range(11)}
        self.sns.publish(TopicArn=topic, Message="eleven", MessageAttributes=eleven)
        env = json.loads(self.take(enveloped, 1, timeout=5)[0]["Body"])
        self.assertEqual(env["MessageAttributes"], envelope_attributes(eleven))
        self.assertEmptyQueue(raw)

    def test_publish_to_a_phone_number_or_an_endpoint_is_refused(self):
        self.assertSnsError("InvalidParameter", self.sns.publish, PhoneNumber="+15555550100",
                            Message="hi")
        self.assertSnsError("InvalidParameter", self.sns.publish, Message="hi",
                            TargetArn="arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/1")

    def test_size_limit(self):
        topic = self.new_topic()
        url, _ = self.subscribed_queue(topic, attributes={"RawMessageDelivery": "true"})
        biggest = "é" * (MAX_MESSAGE // 2)
        self.sns.publish(TopicArn=topic, Message=biggest)
        self.assertEqual(self.take(url, 1, timeout=5)[0]["Body"], biggest)
        self.assertSnsError("InvalidParameter", self.sns.publish, TopicArn=topic,
                            Message="x" * (MAX_MESSAGE + 1),
                            message="Invalid parameter: Message too long")
        # Attributes count towards the limit.
        self.assertSnsError("InvalidParameter", self.sns.publish, TopicArn=topic,
                            Message="x" * (MAX_MESSAGE - 10), MessageAttributes={
                                "name": {"DataType": "String", "StringValue": "0123456789"}})
        self.assertEmptyQueue(url)


class FilterPolicyTest(SnsTestCase):
    def test_attribute_policies(self):
        topic = self.new_topic()
        red, _ = self.subscribed_queue(topic, "red", attributes={
            "FilterPolicy": json.dumps({"colour": ["red"]})})
        big, _ = self.subscribed_queue(topic, "big", attributes={
            "FilterPolicy": json.dumps({"size": [{"numeric": [">", 10]}],
                                        "colour": [{"anything-but": "blue"}]})})
        everything, _ = self.subscribed_queue(topic, "all")

        def publish(name, **attrs):
            self.sns.publish(TopicArn=topic, Message=name, MessageAttributes={
                k: {"DataType": "Number" if isinstance(v, int) else "String",
                    "StringValue": str(v)} for k, v in attrs.items()})

        publish("red small", colour="red", size=1)
        publish("red big", colour="red", size=20)
        publish("blue big", colour="blue", size=20)
        publish("green big", colour="green", size=11)
        publish("nothing")

        def messages(url, n):
            return sorted(json.loads(m["Body"])["Message"] for m in self.take(url, n, timeout=5))

        self.assertEqual(messages(red, 2), ["red big", "red small"])
        self.assertEqual(messages(big, 2), ["green big", "red big"])
        self.assertEqual(len(messages(everything, 5)), 5)
        for url in (red, big, everything):
            self.assertEmptyQueue(url)

    def test_body_policy(self):
        topic = self.new_topic()
        paid, sub = self.subscribed_queue(topic, "paid", attributes={
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": json.dumps({"order": {"status": ["paid"],
                                                  "total": [{"numeric": [">=", 100]}]}})})
        self.sns.publish(TopicArn=topic, Message=json.dumps(
            {"order": {"status": "paid", "total": 150}}))
        self.sns.publish(TopicArn=topic, Message=json.dumps(
            {"order": {"status": "paid", "total": 50}}))
        self.sns.publish(TopicArn=topic, Message=json.dumps(
            {"order": {"status": "open", "total": 500}}))
        self.sns.publish(TopicArn=topic, Message="not json at all")
        got = self.take(paid, 1, timeout=5)
        self.assertEqual(json.loads(json.loads(got[0]["Body"])["Message"]),
                         {"order": {"status": "paid", "total": 150}})
        self.assertEmptyQueue(paid)
        # A nested policy cannot apply to attributes: switching the scope back is refused.
        self.assertSnsError("InvalidParameter", self.sns.set_subscription_attributes,
                            SubscriptionArn=sub, AttributeName="FilterPolicyScope",
                            AttributeValue="MessageAttributes")
        self.assertEqual(self.sub_attrs(sub)["FilterPolicyScope"], "MessageBody")


class PublishBatchTest(SnsTestCase):
    def test_batch_successes_and_entry_failures(self):
        topic = self.new_topic()
        url, _ = self.subscribed_queue(topic, attributes={"RawMessageDelivery": "true"})
        entries = [{"Id": "ok-%d" % i, "Message": "batch %d" % i} for i in range(4)]
        entries.insert(2, {"Id": "bad-attr", "Message": "m", "MessageAttributes": {
            "n": {"DataType": "Number", "StringValue": "ten"}}})
        entries.append({"Id": "attrs", "Message": "with attributes",
                        "MessageAttributes": SNS_ATTRIBUTES, "Subject": "s"})
        res = self.sns_raw.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        ok = {e["Id"]: e["MessageId"] for e in res["Successful"]}
        self.assertEqual(set(ok), {"ok-0", "ok-1", "ok-2", "ok-3", "attrs"})
        self.assertEqual(len(set(ok.values())), 5)
        self.assertEqual(len(res["Failed"]), 1)
        failed = res["Failed"][0]
        self.assertEqual(failed["Id"], "bad-attr")
        self.assertEqual(failed["Code"], "ParameterValueInvalid")
        self.assertTrue(failed["SenderFault"])
        self.assertTrue(failed.get("Message"))

        got = self.take(url, 5, timeout=5, MessageAttributeNames=["All"])
        by_body = {m["Body"]: m for m in got}
        self.assertEqual(set(by_body), {"batch 0", "batch 1", "batch 2", "batch 3",
                                        "with attributes"})
        m = by_body["with attributes"]
        self.assertEqual(normalise_attributes(m["MessageAttributes"]),
                         normalise_attributes(SNS_ATTRIBUTES))
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(SNS_ATTRIBUTES))
        self.assertEmptyQueue(url)

    def test_batch_errors(self):
        topic = self.new_topic()
        url, _ = self.subscribed_queue(topic)
        eleven = [{"Id": "e%d" % i, "Message": "m"} for i in range(11)]
        self.assertSnsError("TooManyEntriesInBatchRequest", self.sns_raw.publish_batch,
                            TopicArn=topic, PublishBatchRequestEntries=eleven,
                            shape="TooManyEntriesInBatchRequestException")
        self.assertSnsError("EmptyBatchRequest", self.sns_raw.publish_batch, TopicArn=topic,
                            PublishBatchRequestEntries=[], shape="EmptyBatchRequestException")
        self.assertSnsError("BatchEntryIdsNotDistinct", self.sns_raw.publish_batch,
                            TopicArn=topic, PublishBatchRequestEntries=[
                                {"Id": "same", "Message": "a"}, {"Id": "same", "Message": "b"}],
                            shape="BatchEntryIdsNotDistinctException")
        self.assertSnsError("InvalidBatchEntryId", self.sns_raw.publish_batch, TopicArn=topic,
                            PublishBatchRequestEntries=[{"Id": "bad id!", "Message": "a"}],
                            shape="InvalidBatchEntryIdException")
        self.assertSnsError("BatchRequestTooLong", self.sns_raw.publish_batch, TopicArn=topic,
                            PublishBatchRequestEntries=[
                                {"Id": "e%d" % i, "Message": "x" * (MAX_MESSAGE // 4)}
                                for i in range(5)],
                            shape="BatchRequestTooLongException")
        self.assertSnsError("NotFound", self.sns.publish_batch,
                            TopicArn=topic_arn_for(ferry_e2e.unique_name("gone")),
                            PublishBatchRequestEntries=[{"Id": "a", "Message": "m"}],
                            status=404)
        self.assertEmptyQueue(url)


class FifoTopicTest(SnsTestCase):
    def test_group_order_sequence_numbers_and_dedup(self):
        topic = self.new_topic(fifo=True)
        first, _ = self.subscribed_queue(topic, "f1", fifo=True)
        second, _ = self.subscribed_queue(topic, "f2", fifo=True)
        sent = []
        for i in range(6):
            group = "g%d" % (i % 2)
            res = self.sns.publish(TopicArn=topic, Message="%s-%d" % (group, i),
                                   MessageGroupId=group, MessageDeduplicationId="d%d" % i)
            self.assertRegex(res["SequenceNumber"], r"^\d+$")
            sent.append((group, res["MessageId"], int(res["SequenceNumber"])))
        seqs = [s for _, _, s in sent]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 6)

        # The same deduplication id again within 5 minutes: the same message, not delivered.
        again = self.sns.publish(TopicArn=topic, Message="g0-0 again", MessageGroupId="g0",
                                 MessageDeduplicationId="d0")
        self.assertEqual(again["MessageId"], sent[0][1])

        for url in (first, second):
            envelopes = []
            deadline = time.monotonic() + 10
            while len(envelopes) < 6 and time.monotonic() < deadline:
                msgs = self.receive(url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    **self.system_attribute_kwargs(["MessageGroupId"]))
                for m in msgs:
                    self.assertEqual(envelope_fields(m["Body"]), [
                        "Type", "MessageId", "SequenceNumber", "TopicArn", "Message",
                        "Timestamp", "UnsubscribeURL"])
                    envelopes.append((m["Attributes"]["MessageGroupId"], json.loads(m["Body"])))
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            self.assertEqual(len(envelopes), 6)
            for group in ("g0", "g1"):
                in_group = [env for g, env in envelopes if g == group]
                self.assertEqual([env["Message"] for env in in_group],
                                 ["%s-%d" % (group, i) for i in range(6) if i % 2 == int(group[1])])
            by_id = {env["MessageId"]: env for _, env in envelopes}
            for _, message_id, seq in sent:
                self.assertEqual(int(by_id[message_id]["SequenceNumber"]), seq)
            self.assertEmptyQueue(url)

    def test_content_based_dedup_and_fifo_errors(self):
        topic = self.new_topic(fifo=True, attributes={"ContentBasedDeduplication": "true"})
        url, _ = self.subscribed_queue(topic, fifo=True,
                                       attributes={"RawMessageDelivery": "true"})
        a = self.sns.publish(TopicArn=topic, Message="same body", MessageGroupId="g")
        b = self.sns.publish(TopicArn=topic, Message="same body", MessageGroupId="g")
        self.assertEqual(a["MessageId"], b["MessageId"])
        self.assertEqual([m["Body"] for m in self.take(url, 1, timeout=5)], ["same body"])
        self.assertEmptyQueue(url)

        self.assertSnsError("InvalidParameter", self.sns.publish, TopicArn=topic, Message="m")
        plain = self.new_topic(fifo=True)
        self.assertSnsError("InvalidParameter", self.sns.publish, TopicArn=plain, Message="m",
                            MessageGroupId="g")

    def test_group_ids_reach_standard_queues(self):
        # A FIFO topic delivers to standard queues too (AWS, since 2023), and a
        # standard topic forwards MessageGroupId to them (fair queues).
        fifo = self.new_topic(fifo=True)
        standard = self.new_topic()
        url = self.new_queue("std")
        for topic in (fifo, standard):
            self.subscribe(topic, "sqs", self.queue_arn(url), {"RawMessageDelivery": "true"})
        self.sns.publish(TopicArn=fifo, Message="from fifo", MessageGroupId="g1",
                         MessageDeduplicationId="d1")
        self.sns.publish(TopicArn=standard, Message="fair", MessageGroupId="tenant-1")
        got = self.take(url, 2, timeout=5,
                        **self.system_attribute_kwargs(["MessageGroupId"]))
        self.assertEqual(sorted((m["Body"], m["Attributes"]["MessageGroupId"]) for m in got),
                         [("fair", "tenant-1"), ("from fifo", "g1")])
        self.assertEmptyQueue(url)

    def test_fifo_batch(self):
        topic = self.new_topic(fifo=True)
        url, _ = self.subscribed_queue(topic, fifo=True,
                                       attributes={"RawMessageDelivery": "true"})
        res = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "e%d" % i, "Message": "m%d" % i, "MessageGroupId": "g",
             "MessageDeduplicationId": "b%d" % i} for i in range(5)])
        self.assertEqual(res.get("Failed", []), [])
        seqs = [int(e["SequenceNumber"]) for e in sorted(res["Successful"],
                                                         key=lambda e: e["Id"])]
        self.assertEqual(seqs, sorted(set(seqs)))
        got = []
        deadline = time.monotonic() + 10
        while len(got) < 5 and time.monotonic() < deadline:
            for m in self.receive(url, MaxNumberOfMessages=10, WaitTimeSeconds=1):
                got.append(m["Body"])
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(got, ["m%d" % i for i in range(5)])


class SqsDeadLetterTest(SnsTestCase):
    def test_copy_for_a_deleted_queue_goes_to_the_subscription_dead_letter_queue(self):
        topic = self.new_topic()
        dlq = self.new_queue("subdlq")
        url, sub = self.subscribed_queue(topic, "gone", attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": self.queue_arn(dlq)})})
        self.sqs.delete_queue(QueueUrl=url)
        sent = self.sns.publish(TopicArn=topic, Message="undeliverable", Subject="lost")
        env = self.assertDeadLettered(dlq, sent, "undeliverable", "lost", timeout=5)
        self.assertEqual(unsubscribe_url_parts(env["UnsubscribeURL"])[1], sub)


class OrdersFanOutTest(SnsTestCase):
    """The issue's pattern: an orders topic fans out to an orders queue (new
    orders only) and an inventory queue (orders placed or cancelled), each
    with a dead-letter queue for messages its consumer keeps failing."""

    def test_orders_and_inventory(self):
        topic = self.new_topic("orders")
        queues = {}
        for name, events in (("orders", ["order_placed"]),
                             ("inventory", ["order_placed", "order_cancelled"])):
            dlq = self.new_queue(name + "-dlq")
            url = self.new_queue(name, attributes={
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": self.queue_arn(dlq),
                                             "maxReceiveCount": "1"})})
            self.subscribe(topic, "sqs", self.queue_arn(url), {
                "RawMessageDelivery": "true",
                "FilterPolicy": json.dumps({"event": events})})
            queues[name] = (url, dlq)

        def order(number, event):
            self.sns.publish(TopicArn=topic, Message=json.dumps({"order": number}),
                             MessageAttributes={"event": {"DataType": "String",
                                                          "StringValue": event}})

        order(1, "order_placed")
        order(2, "order_cancelled")
        order(3, "order_shipped")
        order(4, "order_placed")

        def numbers(messages):
            return sorted(json.loads(m["Body"])["order"] for m in messages)

        orders_url, orders_dlq = queues["orders"]
        inventory_url, inventory_dlq = queues["inventory"]
        self.assertEqual(numbers(self.take(inventory_url, 3, timeout=5)), [1, 2, 4])
        self.assertEmptyQueue(inventory_url)

        # The orders consumer fails on order 4: received once and not deleted,
        # it goes to the orders DLQ on its next receive (maxReceiveCount 1).
        got = self.receive_n(orders_url, 2, timeout=5, VisibilityTimeout=0,
                             MessageAttributeNames=["All"])
        self.assertEqual(numbers(got), [1, 4])
        for m in got:
            self.assertEqual(m["MessageAttributes"]["event"]["StringValue"], "order_placed")
            if json.loads(m["Body"])["order"] == 1:
                self.sqs.delete_message(QueueUrl=orders_url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEmptyQueue(orders_url)
        dead = self.take(orders_dlq, 1, timeout=5, MessageAttributeNames=["All"])
        self.assertEqual(numbers(dead), [4])
        self.assertEqual(dead[0]["MessageAttributes"]["event"]["StringValue"], "order_placed")
        self.assertEmptyQueue(inventory_dlq)


if __name__ == "__main__":
    unittest.main()
