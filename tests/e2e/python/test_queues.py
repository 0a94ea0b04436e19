"""Queue lifecycle: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, tags."""

import os
import unittest

from ferry_e2e import (FerryServer, SqsTestCase, endpoint, expected_account_id, sqs_client,
                       unique_name)


class ProtocolTest(SqsTestCase):
    def test_client_speaks_expected_protocol(self):
        expected = os.environ.get("FERRY_EXPECT_PROTOCOL")
        if not expected:
            self.skipTest("FERRY_EXPECT_PROTOCOL not set")
        self.assertEqual(self.sqs.meta.service_model.protocol, expected)
        self.assertEqual(self.raw.meta.service_model.protocol, expected)


class CreateQueueTest(SqsTestCase):
    def assertQueueUrl(self, url, name):
        self.assertTrue(url.startswith(endpoint() + "/"), url)
        self.assertTrue(url.endswith("/" + name), url)
        account = expected_account_id()
        if account:
            self.assertEqual(url, "%s/%s/%s" % (endpoint(), account, name))

    def test_create_plain(self):
        name = unique_name("plain")
        url = self.new_queue(name=name)
        self.assertQueueUrl(url, name)
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], url)

    def test_create_with_attributes_and_tags(self):
        name = unique_name("attrs")
        attributes = {"VisibilityTimeout": "45", "DelaySeconds": "3",
                      "MaximumMessageSize": "2048", "MessageRetentionPeriod": "7200",
                      "ReceiveMessageWaitTimeSeconds": "2"}
        tags = {"team": "ferry", "env": "e2e", "empty": ""}
        url = self.new_queue(name=name, attributes=attributes, tags=tags)
        self.assertQueueUrl(url, name)
        got = self.attrs(url)
        for key, value in attributes.items():
            self.assertEqual(got[key], value, key)
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags"), tags)

    def test_create_is_idempotent_with_identical_attributes(self):
        name = unique_name("idem")
        attributes = {"VisibilityTimeout": "60", "DelaySeconds": "1"}
        url = self.new_queue(name=name, attributes=attributes)
        again = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        self.assertEqual(again, url)
        # Without attributes as well.
        name2 = unique_name("idem2")
        url2 = self.new_queue(name=name2)
        self.assertEqual(self.sqs.create_queue(QueueName=name2)["QueueUrl"], url2)

    def test_create_with_different_attributes_fails(self):
        name = unique_name("conflict")
        self.new_queue(name=name, attributes={"VisibilityTimeout": "30"})
        self.assertSqsError("QueueAlreadyExists", self.sqs.create_queue,
                            QueueName=name, Attributes={"VisibilityTimeout": "60"},
                            shape="QueueNameExists")

    def test_create_invalid_names(self):
        for bad in ["bad name!", "x" * 81, "dots.are.bad"]:
            with self.subTest(name=bad):
                self.assertSqsError("InvalidParameterValue", self.raw.create_queue,
                                    QueueName=bad)

    def test_create_name_of_80_chars(self):
        name = (unique_name("max") + "x" * 80)[:80]
        url = self.new_queue(name=name)
        self.assertTrue(url.endswith("/" + name))

    def test_create_invalid_attribute_value(self):
        self.assertSqsError("InvalidAttributeValue", self.raw.create_queue,
                            QueueName=unique_name("badattr"),
                            Attributes={"VisibilityTimeout": "43201"})

    def test_create_unknown_attribute_name(self):
        self.assertSqsError("InvalidAttributeName", self.raw.create_queue,
                            QueueName=unique_name("badname"),
                            Attributes={"NoSuchAttribute": "1"},
                            shape="InvalidAttributeName")


class GetQueueUrlTest(SqsTestCase):
    def test_get_url(self):
        name = unique_name("geturl")
        url = self.new_queue(name=name)
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], url)

    def test_get_url_with_owner_account(self):
        account = expected_account_id()
        if not account:
            self.skipTest("peer's account id unknown (set FERRY_ACCOUNT_ID)")
        name = unique_name("owner")
        url = self.new_queue(name=name)
        got = self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)
        self.assertEqual(got["QueueUrl"], url)

    def test_nonexistent_queue(self):
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue",
                            self.sqs.get_queue_url, QueueName=unique_name("nope"),
                            shape="QueueDoesNotExist")

    def test_nonexistent_queue_json_shape_name(self):
        if self.protocol != "json":
            self.skipTest("JSON protocol only")
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            self.sqs.get_queue_url(QueueName=unique_name("nope"))
        # __type names the shape; x-amzn-query-error carries the Query code.
        err = cm.exception.response["Error"]
        self.assertEqual(err.get("QueryErrorCode"), "QueueDoesNotExist")
        self.assertEqual(err["Code"], "AWS.SimpleQueueService.NonExistentQueue")


class ListQueuesTest(SqsTestCase):
    def test_prefix(self):
        prefix = unique_name("lp")
        mine = sorted(self.new_queue(name="%s-%d" % (prefix, i)) for i in range(3))
        other = self.new_queue(name=unique_name("other"))
        got = self.sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
        self.assertEqual(sorted(got), mine)
        self.assertNotIn(other, got)
        everything = self.sqs.list_queues().get("QueueUrls", [])
        for url in mine + [other]:
            self.assertIn(url, everything)

    def test_prefix_without_match(self):
        got = self.sqs.list_queues(QueueNamePrefix=unique_name("none"))
        self.assertEqual(got.get("QueueUrls", []), [])

    def test_paging(self):
        prefix = unique_name("pg")
        mine = sorted(self.new_queue(name="%s-%d" % (prefix, i)) for i in range(5))
        seen, pages, token = [], 0, None
        while True:
            kwargs = {"QueueNamePrefix": prefix, "MaxResults": 2}
            if token:
                kwargs["NextToken"] = token
            page = self.sqs.list_queues(**kwargs)
            urls = page.get("QueueUrls", [])
            self.assertLessEqual(len(urls), 2)
            seen += urls
            pages += 1
            token = page.get("NextToken")
            if not token:
                break
            self.assertLess(pages, 10, "paging does not terminate")
        self.assertEqual(sorted(seen), mine)
        self.assertGreaterEqual(pages, 3)

    def test_paginator(self):
        prefix = unique_name("pgn")
        mine = sorted(self.new_queue(name="%s-%d" % (prefix, i)) for i in range(3))
        urls = []
        for page in self.sqs.get_paginator("list_queues").paginate(
                QueueNamePrefix=prefix, PaginationConfig={"PageSize": 1}):
            urls += page.get("QueueUrls", [])
        self.assertEqual(sorted(urls), mine)

    def test_max_results_out_of_range(self):
        for bad in (0, 1001):
            with self.subTest(MaxResults=bad):
                self.assertSqsError("InvalidParameterValue", self.raw.list_queues,
                                    MaxResults=bad)


class DeleteQueueTest(SqsTestCase):
    def test_delete(self):
        name = unique_name("del")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="gone soon")
        self.sqs.delete_queue(QueueUrl=url)
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue",
                            self.sqs.get_queue_url, QueueName=name,
                            shape="QueueDoesNotExist")
        self.assertNotIn(url, self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue",
                            self.sqs.send_message, QueueUrl=url, MessageBody="x",
                            shape="QueueDoesNotExist")

    def test_delete_nonexistent(self):
        url = "%s/%s/%s" % (endpoint(), expected_account_id() or "000000000000",
                            unique_name("never"))
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue",
                            self.sqs.delete_queue, QueueUrl=url, shape="QueueDoesNotExist")


class QueueNameReuseTest(SqsTestCase):
    def test_recreate_within_sixty_seconds_is_queue_deleted_recently(self):
        name = unique_name("reuse")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.sqs.delete_queue(QueueUrl=url)
        err = self.assertSqsError("AWS.SimpleQueueService.QueueDeletedRecently",
                                  self.sqs.create_queue, QueueName=name,
                                  shape="QueueDeletedRecently")
        self.assertEqual(err.response["Error"]["Message"],
                         "You must wait 60 seconds after deleting a queue before you can "
                         "create another with the same name.")

    def test_reuse_delay_zero_allows_recreating_at_once(self):
        binary = os.environ.get("FERRY_BIN")
        if os.environ.get("FERRY_ENDPOINT") or not binary:
            self.skipTest("needs a ferry of its own (FERRY_BIN) to pass --queue-reuse-delay")
        server = FerryServer(binary, extra_args=["--queue-reuse-delay", "0"])
        try:
            sqs = sqs_client(endpoint_url=server.start())
            name = unique_name("reuse0")
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="old")
            sqs.delete_queue(QueueUrl=url)
            self.assertEqual(sqs.create_queue(QueueName=name)["QueueUrl"], url)
            self.assertEqual(sqs.receive_message(QueueUrl=url).get("Messages", []), [])
        finally:
            self.assertIsNone(server.stop())


class RegionsTest(SqsTestCase):
    """AWS keeps queues apart per region: clients signing for two regions
    that create the same name get two queues, with two URLs and two ARNs."""

    def test_the_same_name_in_two_regions_is_two_queues(self):
        east = self.sqs
        eu = sqs_client(region="eu-central-1")
        name = unique_name("jobs")
        east_url = east.create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(self._delete_quietly, east_url)
        eu_url = eu.create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(lambda: eu.delete_queue(QueueUrl=eu_url))
        self.assertNotEqual(east_url, eu_url)

        def arn(client, url):
            return client.get_queue_attributes(
                QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.assertEqual(arn(east, east_url).split(":")[3], "us-east-1")
        self.assertEqual(arn(eu, eu_url).split(":")[3], "eu-central-1")
        self.assertEqual(arn(east, east_url).split(":")[5], name)
        self.assertEqual(arn(eu, eu_url).split(":")[5], name)

        self.assertEqual(east.list_queues(QueueNamePrefix=name).get("QueueUrls"), [east_url])
        self.assertEqual(eu.list_queues(QueueNamePrefix=name).get("QueueUrls"), [eu_url])
        self.assertEqual(eu.get_queue_url(QueueName=name)["QueueUrl"], eu_url)

        eu.send_message(QueueUrl=eu_url, MessageBody="for eu")
        got = eu.receive_message(QueueUrl=eu_url, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual([m["Body"] for m in got], ["for eu"])
        self.assertEqual(east.receive_message(QueueUrl=east_url).get("Messages", []), [])


class TagsTest(SqsTestCase):
    def test_tag_untag_list(self):
        url = self.new_queue("tags", tags={"a": "1"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags"), {"a": "1"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"b": "2", "c": "three", "a": "one"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags"),
                         {"a": "one", "b": "2", "c": "three"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["a", "c", "not-there"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags"), {"b": "2"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["b"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), {})

    def test_unicode_tags(self):
        url = self.new_queue("utags")
        tags = {"owner": "Zoë", "note": "a b+c=d/e:f@g"}
        self.sqs.tag_queue(QueueUrl=url, Tags=tags)
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags"), tags)

    def test_tags_on_nonexistent_queue(self):
        url = "%s/%s/%s" % (endpoint(), expected_account_id() or "000000000000",
                            unique_name("never"))
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue",
                            self.sqs.list_queue_tags, QueueUrl=url, shape="QueueDoesNotExist")


if __name__ == "__main__":
    unittest.main()
