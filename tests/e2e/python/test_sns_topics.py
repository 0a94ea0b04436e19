"""SNS topics: CreateTopic (standard and FIFO, idempotency), DeleteTopic,
ListTopics paging, Get/SetTopicAttributes (the default Policy,
EffectiveDeliveryPolicy, the subscription counts), tags,
AddPermission/RemovePermission, and their errors; the signing certificate
served at its SigningCertURL path.
"""

import hashlib
import json
import os
import unittest
import urllib.request

from ferry_e2e import endpoint, managed_server, unique_name
from sns_e2e import SnsTestCase, account, list_all, topic_arn_for

# The actions of SNS's default topic policy (AWS's, without the retired SNS:Receive).
DEFAULT_POLICY_ACTIONS = {"SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                          "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                          "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"}

DEFAULT_EFFECTIVE_DELIVERY_POLICY = {
    "http": {"defaultHealthyRetryPolicy": {
        "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
        "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear"},
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}}}


def all_topics(sns):
    """Every TopicArn ListTopics returns, following NextToken; and the pages' sizes."""
    topics, sizes = list_all(sns.list_topics, "Topics")
    return [t["TopicArn"] for t in topics], sizes


class CreateTopicTest(SnsTestCase):
    def test_standard_topic_arn_and_attributes(self):
        name = unique_name("std")
        arn = self.new_topic(name=name)
        self.assertEqual(arn, topic_arn_for(name))
        attrs = self.topic_attrs(arn)
        self.assertEqual(attrs["TopicArn"], arn)
        self.assertEqual(attrs["Owner"], account())
        self.assertEqual(attrs["DisplayName"], "")
        self.assertEqual((attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"],
                          attrs["SubscriptionsDeleted"]), ("0", "0", "0"))
        self.assertNotIn("FifoTopic", attrs)
        self.assertEqual(json.loads(attrs["EffectiveDeliveryPolicy"]),
                         DEFAULT_EFFECTIVE_DELIVERY_POLICY)

    def test_default_policy(self):
        arn = self.new_topic()
        policy = json.loads(self.topic_attrs(arn)["Policy"])
        self.assertEqual(policy["Version"], "2008-10-17")
        self.assertEqual(policy["Id"], "__default_policy_ID")
        self.assertEqual(len(policy["Statement"]), 1)
        st = policy["Statement"][0]
        self.assertEqual(st["Sid"], "__default_statement_ID")
        self.assertEqual(st["Effect"], "Allow")
        self.assertEqual(st["Principal"], {"AWS": "*"})
        self.assertEqual(set(st["Action"]) - {"SNS:Receive"}, DEFAULT_POLICY_ACTIONS)
        self.assertEqual(st["Resource"], arn)
        self.assertEqual(st["Condition"], {"StringEquals": {"AWS:SourceOwner": account()}})

    def test_fifo_topic(self):
        name = unique_name("f") + ".fifo"
        arn = self.new_topic(name=name, fifo=True)
        self.assertEqual(arn, topic_arn_for(name))
        attrs = self.topic_attrs(arn)
        self.assertEqual(attrs["FifoTopic"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "false")
        cbd = self.new_topic(fifo=True, attributes={"ContentBasedDeduplication": "true"})
        self.assertEqual(self.topic_attrs(cbd)["ContentBasedDeduplication"], "true")

    def test_create_is_idempotent_with_the_same_attributes(self):
        name = unique_name("idem")
        attributes = {"DisplayName": "Orders"}
        arn = self.new_topic(name=name, attributes=attributes)
        self.assertEqual(self.sns.create_topic(Name=name, Attributes=attributes)["TopicArn"], arn)
        fifo_name = unique_name("idemf") + ".fifo"
        fifo = self.new_topic(name=fifo_name, fifo=True)
        self.assertEqual(self.sns.create_topic(
            Name=fifo_name, Attributes={"FifoTopic": "true"})["TopicArn"], fifo)
        listed, _ = all_topics(self.sns)
        self.assertEqual(listed.count(arn), 1)

    def test_create_with_different_attributes_is_refused(self):
        name = unique_name("diff")
        self.new_topic(name=name, attributes={"DisplayName": "one"})
        self.assertSnsError("InvalidParameter", self.sns.create_topic, Name=name,
                            Attributes={"DisplayName": "two"}, shape="InvalidParameterException",
                            message="Invalid parameter: Attributes Reason: "
                                    "Topic already exists with different attributes")

    def test_create_with_different_tags_is_refused(self):
        name = unique_name("tags")
        self.new_topic(name=name, tags={"team": "one"})
        self.assertSnsError("InvalidParameter", self.sns.create_topic, Name=name,
                            Tags=[{"Key": "team", "Value": "two"}],
                            message="Invalid parameter: Tags Reason: "
                                    "Topic already exists with different tags")

    def test_invalid_names(self):
        for name in ("has space", "bad!", "x" * 257, "", "ends.fifo"):
            with self.subTest(name=name):
                self.assertSnsError("InvalidParameter", self.sns_raw.create_topic, Name=name,
                                    shape="InvalidParameterException")
        with self.subTest("FifoTopic on a name without .fifo"):
            self.assertSnsError("InvalidParameter", self.sns.create_topic,
                                Name=unique_name("nofifo"), Attributes={"FifoTopic": "true"})
        with self.subTest("the longest name"):
            self.new_topic(name=("n%s" % unique_name()).ljust(256, "x"))

    def test_unknown_attribute_is_refused(self):
        self.assertSnsError("InvalidParameter", self.sns.create_topic,
                            Name=unique_name("attr"), Attributes={"Colour": "blue"},
                            shape="InvalidParameterException")


class DeleteAndListTopicsTest(SnsTestCase):
    def test_delete_topic(self):
        arn = self.new_topic()
        self.sns.delete_topic(TopicArn=arn)
        self.assertNotIn(arn, all_topics(self.sns)[0])
        self.assertSnsError("NotFound", self.sns.get_topic_attributes, TopicArn=arn,
                            status=404, shape="NotFoundException",
                            message="Topic does not exist")
        # Idempotent: deleting a topic that does not exist is no error.
        self.sns.delete_topic(TopicArn=arn)

    def test_delete_topic_removes_its_subscriptions(self):
        arn = self.new_topic()
        _, sub = self.subscribed_queue(arn)
        self.sns.delete_topic(TopicArn=arn)
        listed = self.sns.list_subscriptions()["Subscriptions"]
        self.assertNotIn(sub, [s["SubscriptionArn"] for s in listed])

    def test_list_topics_pages_of_100(self):
        made = [self.new_topic("page%03d" % i) for i in range(105)]
        arns, sizes = all_topics(self.sns)
        for arn in made:
            self.assertEqual(arns.count(arn), 1, arn)
        self.assertEqual(len(arns), len(set(arns)), "a topic listed twice")
        self.assertGreaterEqual(len(sizes), 2)
        self.assertEqual(sizes[0], 100)
        self.assertTrue(all(s <= 100 for s in sizes))

    def test_empty_next_token_is_the_first_page(self):
        # The .NET SDK's FindTopicAsync starts with NextToken="".
        arn = self.new_topic()
        first = self.sns.list_topics()["Topics"]
        self.assertEqual(self.sns.list_topics(NextToken="")["Topics"], first)
        self.assertIn(arn, all_topics(self.sns)[0])


class TopicAttributesTest(SnsTestCase):
    def test_set_and_get(self):
        arn = self.new_topic()
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "pub", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": "SNS:Publish", "Resource": arn}]}
        delivery = {"http": {"defaultHealthyRetryPolicy": {
            "minDelayTarget": 5, "maxDelayTarget": 10, "numRetries": 4,
            "numMaxDelayRetries": 0, "numNoDelayRetries": 1, "numMinDelayRetries": 1,
            "backoffFunction": "exponential"}, "disableSubscriptionOverrides": False}}
        for name, value in (("DisplayName", "Orders & Co"), ("Policy", json.dumps(policy)),
                            ("DeliveryPolicy", json.dumps(delivery)),
                            ("SignatureVersion", "2"), ("TracingConfig", "Active")):
            self.sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)
        attrs = self.topic_attrs(arn)
        self.assertEqual(attrs["DisplayName"], "Orders & Co")
        self.assertEqual(json.loads(attrs["Policy"]), policy)
        self.assertEqual(json.loads(attrs["DeliveryPolicy"]), delivery)
        effective = json.loads(attrs["EffectiveDeliveryPolicy"])
        self.assertEqual(effective["http"]["defaultHealthyRetryPolicy"],
                         delivery["http"]["defaultHealthyRetryPolicy"])
        self.assertEqual(attrs["SignatureVersion"], "2")
        self.assertEqual(attrs["TracingConfig"], "Active")

    def test_refusals(self):
        arn = self.new_topic()
        cases = [("Colour", "blue"), ("SignatureVersion", "3"), ("Policy", "{not json"),
                 ("DeliveryPolicy", "[1]"), ("ContentBasedDeduplication", "true"),
                 ("FifoTopic", "true")]
        for name, value in cases:
            with self.subTest(name=name, value=value):
                self.assertSnsError("InvalidParameter", self.sns.set_topic_attributes,
                                    TopicArn=arn, AttributeName=name, AttributeValue=value,
                                    shape="InvalidParameterException")

    def test_fifo_content_based_deduplication(self):
        arn = self.new_topic(fifo=True)
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication",
                                      AttributeValue="true")
        self.assertEqual(self.topic_attrs(arn)["ContentBasedDeduplication"], "true")

    def test_subscription_counts(self):
        arn = self.new_topic()
        _, first = self.subscribed_queue(arn, "c1")
        self.subscribed_queue(arn, "c2")
        # An http endpoint nobody listens on stays pending.
        self.subscribe(arn, "http", "http://127.0.0.1:9/never", return_arn=False)
        attrs = self.topic_attrs(arn)
        self.assertEqual((attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"],
                          attrs["SubscriptionsDeleted"]), ("2", "1", "0"))
        self.sns.unsubscribe(SubscriptionArn=first)
        attrs = self.topic_attrs(arn)
        self.assertEqual((attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"],
                          attrs["SubscriptionsDeleted"]), ("1", "1", "1"))

    def test_not_found_and_bad_arn(self):
        missing = topic_arn_for(unique_name("missing"))
        self.assertSnsError("NotFound", self.sns.get_topic_attributes, TopicArn=missing,
                            status=404, shape="NotFoundException")
        self.assertSnsError("NotFound", self.sns.set_topic_attributes, TopicArn=missing,
                            AttributeName="DisplayName", AttributeValue="x", status=404)
        self.assertSnsError("InvalidParameter", self.sns.get_topic_attributes,
                            TopicArn="not-an-arn", shape="InvalidParameterException")


class TopicTagsTest(SnsTestCase):
    def tags(self, arn):
        return {t["Key"]: t["Value"]
                for t in self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"]}

    def test_tag_list_untag(self):
        arn = self.new_topic(tags={"team": "ferry"})
        self.assertEqual(self.tags(arn), {"team": "ferry"})
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "e2e"},
                                                     {"Key": "team", "Value": "orders"}])
        self.assertEqual(self.tags(arn), {"team": "orders", "env": "e2e"})
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
        self.assertEqual(self.tags(arn), {"env": "e2e"})

    def test_tag_limit_and_missing_topic(self):
        arn = self.new_topic()
        too_many = [{"Key": "k%d" % i, "Value": "v"} for i in range(51)]
        self.assertSnsError("TagLimitExceeded", self.sns.tag_resource, ResourceArn=arn,
                            Tags=too_many, shape="TagLimitExceededException")
        self.assertEqual(self.tags(arn), {})
        missing = topic_arn_for(unique_name("gone"))
        self.assertSnsError("ResourceNotFound", self.sns.list_tags_for_resource,
                            ResourceArn=missing, status=404,
                            shape="ResourceNotFoundException")
        self.assertSnsError("ResourceNotFound", self.sns.tag_resource, ResourceArn=missing,
                            Tags=[{"Key": "a", "Value": "b"}], status=404)


class TopicPermissionTest(SnsTestCase):
    def statements(self, arn):
        return {s["Sid"]: s
                for s in json.loads(self.topic_attrs(arn)["Policy"])["Statement"]}

    def test_add_and_remove_permission(self):
        arn = self.new_topic()
        self.sns.add_permission(TopicArn=arn, Label="partners",
                                AWSAccountId=["111122223333", "444455556666"],
                                ActionName=["Publish", "Subscribe"])
        st = self.statements(arn)
        self.assertIn("__default_statement_ID", st)
        added = st["partners"]
        self.assertEqual(added["Effect"], "Allow")
        self.assertEqual(added["Resource"], arn)
        actions = added["Action"] if isinstance(added["Action"], list) else [added["Action"]]
        self.assertEqual(sorted(actions), ["SNS:Publish", "SNS:Subscribe"])
        principals = json.dumps(added["Principal"])
        self.assertIn("111122223333", principals)
        self.assertIn("444455556666", principals)

        self.assertSnsError("InvalidParameter", self.sns.add_permission, TopicArn=arn,
                            Label="partners", AWSAccountId=["111122223333"],
                            ActionName=["Publish"], shape="InvalidParameterException")
        self.sns.remove_permission(TopicArn=arn, Label="partners")
        self.assertEqual(set(self.statements(arn)), {"__default_statement_ID"})

    def test_permission_on_a_missing_topic(self):
        missing = topic_arn_for(unique_name("gone"))
        self.assertSnsError("NotFound", self.sns.add_permission, TopicArn=missing, Label="l",
                            AWSAccountId=["111122223333"], ActionName=["Publish"], status=404)


class SigningCertificateTest(SnsTestCase):
    def test_signing_certificate_is_served(self):
        server = managed_server()
        if server is None:
            self.skipTest("the certificate's name is known only for a server this run started")
        with open(os.path.join(server.keys_dir, "sns-signing-cert.pem"), "rb") as f:
            pem = f.read()
        url = "%s/SimpleNotificationService-%s.pem" % (endpoint(), hashlib.md5(pem).hexdigest())
        with urllib.request.urlopen(url, timeout=10) as response:
            self.assertEqual(response.status, 200)
            self.assertEqual(response.headers["Content-Type"], "application/x-pem-file")
            self.assertEqual(response.read(), pem)


if __name__ == "__main__":
    unittest.main()
