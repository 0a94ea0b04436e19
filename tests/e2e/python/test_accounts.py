"""Accounts.

Open mode (the suite's shared server): an access key id of 12 digits names
its account, as LocalStack reads keys; any other key is the server's default
account. Two accounts each own a queue of the same name and see only their
own.

A credentials file (servers of their own, `ferry serve --credentials FILE`):
the keys of two accounts see only their own queues and topics, STS
AssumeRole of a role of one account from the other hands out temporary
credentials that work in the role's account, an untrusted account is
denied, the aws CLI reads a profile, and SIGHUP reloads the file."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from botocore.config import Config
from botocore.exceptions import ClientError

import ferry_e2e
from ferry_e2e import (REGION, FerryServer, SqsTestCase, endpoint, expected_account_id,
                       unique_name)
from two_accounts import (FIRST, SECOND, TwoAccountsAssertions, client,
                          skip_against_a_peer)


class AccountsTest(TwoAccountsAssertions, SqsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        skip_against_a_peer()
        cls.first = client("sqs", FIRST)
        cls.second = client("sqs", SECOND)

    def create(self, sqs, name, **kwargs):
        url = sqs.create_queue(QueueName=name, **kwargs)["QueueUrl"]
        self.addCleanup(lambda: sqs.delete_queue(QueueUrl=url))
        return url

    def listed(self, sqs, prefix):
        return sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])

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

    def test_open_mode_assumed_role_credentials_act_as_the_role(self):
        got = client("sts", "test").assume_role(
            RoleArn="arn:aws:iam::%s:role/deployer" % SECOND, RoleSessionName="open-e2e")
        creds = got["Credentials"]
        import boto3
        session = dict(endpoint_url=endpoint(), region_name=REGION,
                       aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"],
                       config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        identity = boto3.client("sts", **session).get_caller_identity()
        self.assertEqual(identity["Account"], SECOND)
        self.assertEqual(identity["Arn"],
                         "arn:aws:sts::%s:assumed-role/deployer/open-e2e" % SECOND)
        sqs = boto3.client("sqs", **session)
        name = unique_name("assumed")
        url = self.create(sqs, name)
        self.assertEqual(url, "%s/%s/%s" % (endpoint(), SECOND, name))
        self.assertEqual(self.listed(self.second, name), [url])
        # The same key without its token is a user of the default account.
        plain = boto3.client("sts", **dict(session, aws_session_token=None))
        self.assertEqual(plain.get_caller_identity()["Account"], expected_account_id())


AWS = os.environ.get("FERRY_AWS_CLI") or shutil.which("aws")

# Account A (a user), account B (its root user), account C (a user no role
# trusts); B's role "deployer" may be assumed from A.
A, B, C = "111111111111", "222222222222", "333333333333"
ALICE = ("AKIAE2EALICE00000001", "alice/secret+0123456789abcdefghijklmnopq")
B_ROOT = ("AKIAE2EBROOT00000002", "b-root-secret-0123456789abcdefghijklmnop")
MALLORY = ("AKIAE2EMALLORY000003", "mallory-secret-0123456789abcdefghijklmn")
CAROL = ("AKIAE2ECAROL00000004", "carol-secret-0123456789abcdefghijklmnopq")
ROLE_ARN = "arn:aws:iam::%s:role/deployer" % B


def user_entry(key, account, name):
    return ('[[credentials]]\naccess_key_id = "%s"\nsecret_access_key = "%s"\n'
            'account_id = "%s"\nname = "%s"\n\n' % (key[0], key[1], account, name))


ROLE_ENTRY = ('[[roles]]\nname = "deployer"\naccount_id = "%s"\ntrusted_accounts = ["%s"]\n'
              'max_session_duration = 7200\n' % (B, A))
FILE = (user_entry(ALICE, A, "alice") + user_entry(B_ROOT, B, "root") +
        user_entry(MALLORY, C, "mallory") + ROLE_ENTRY)


def signed_client(service, server, key, token=None):
    import boto3
    return boto3.client(service, endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id=key[0], aws_secret_access_key=key[1],
                        aws_session_token=token,
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def error_code(call, **kwargs):
    with_error = None
    try:
        call(**kwargs)
    except ClientError as e:
        with_error = e.response["Error"]["Code"]
    return with_error


class CredentialsServer:
    """A server of its own started with a credentials file holding `text`."""

    def __init__(self, text):
        binary = os.environ.get("FERRY_BIN")
        if os.environ.get("FERRY_ENDPOINT") or not binary:
            raise unittest.SkipTest("needs FERRY_BIN to start a server with --credentials")
        self.dir = tempfile.mkdtemp(prefix="ferry-e2e-accounts-")
        self.path = os.path.join(self.dir, "credentials.toml")
        self.write(text)
        self.server = FerryServer(binary, extra_args=["--credentials", self.path])
        self.endpoint = self.server.start()

    def write(self, text):
        with open(self.path, "w") as f:
            f.write(text)
        os.chmod(self.path, 0o600)

    def log(self):
        with open(self.server.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        problem = self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        return problem


class CredentialsFileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ferry = CredentialsServer(FILE)
        cls.alice_sqs = signed_client("sqs", cls.ferry, ALICE)
        cls.b_sqs = signed_client("sqs", cls.ferry, B_ROOT)

    @classmethod
    def tearDownClass(cls):
        problem = cls.ferry.stop()
        if problem:
            raise AssertionError(problem)

    def create_queue(self, sqs, name):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(lambda: sqs.delete_queue(QueueUrl=url))
        return url

    def test_each_account_lists_and_addresses_only_its_own_queues(self):
        name = unique_name("own")
        a_url = self.create_queue(self.alice_sqs, name)
        b_url = self.create_queue(self.b_sqs, name)
        self.assertEqual(a_url, "%s/%s/%s" % (self.ferry.endpoint, A, name))
        self.assertEqual(b_url, "%s/%s/%s" % (self.ferry.endpoint, B, name))
        self.assertEqual(self.alice_sqs.list_queues(QueueNamePrefix=name)["QueueUrls"], [a_url])
        self.assertEqual(self.b_sqs.list_queues(QueueNamePrefix=name)["QueueUrls"], [b_url])
        self.assertIn(error_code(self.b_sqs.send_message, QueueUrl=a_url, MessageBody="x"),
                      ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"))

    def test_each_account_lists_and_addresses_only_its_own_topics(self):
        alice_sns = signed_client("sns", self.ferry, ALICE)
        b_sns = signed_client("sns", self.ferry, B_ROOT)
        name = unique_name("topic")
        arn = alice_sns.create_topic(Name=name)["TopicArn"]
        self.addCleanup(lambda: alice_sns.delete_topic(TopicArn=arn))
        self.assertEqual(arn, "arn:aws:sns:%s:%s:%s" % (REGION, A, name))
        self.assertIn(arn, [t["TopicArn"] for t in alice_sns.list_topics()["Topics"]])
        self.assertNotIn(arn, [t["TopicArn"] for t in b_sns.list_topics()["Topics"]])
        # Without a topic policy granting it, another account's topic is
        # refused as SNS refuses it.
        self.assertEqual(error_code(b_sns.get_topic_attributes, TopicArn=arn), "AuthorizationError")
        self.assertEqual(error_code(b_sns.publish, TopicArn=arn, Message="m"), "AuthorizationError")

    def test_get_caller_identity_follows_the_key(self):
        alice = signed_client("sts", self.ferry, ALICE).get_caller_identity()
        self.assertEqual(alice["Account"], A)
        self.assertEqual(alice["Arn"], "arn:aws:iam::%s:user/alice" % A)
        self.assertTrue(alice["UserId"].startswith("AIDA"), alice)
        root = signed_client("sts", self.ferry, B_ROOT).get_caller_identity()
        self.assertEqual((root["Account"], root["Arn"], root["UserId"]),
                         (B, "arn:aws:iam::%s:root" % B, B))

    def test_a_wrong_secret_or_unknown_key_is_refused(self):
        self.assertEqual(error_code(signed_client("sqs", self.ferry, (ALICE[0], "wrong"))
                                    .list_queues), "SignatureDoesNotMatch")
        self.assertEqual(error_code(signed_client("sqs", self.ferry, CAROL).list_queues),
                         "InvalidClientTokenId")

    def test_assumed_role_credentials_work_in_the_roles_account(self):
        sts = signed_client("sts", self.ferry, ALICE)
        got = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="e2e-session",
                              DurationSeconds=900)
        creds, user = got["Credentials"], got["AssumedRoleUser"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"), creds)
        self.assertEqual(user["Arn"], "arn:aws:sts::%s:assumed-role/deployer/e2e-session" % B)
        self.assertTrue(user["AssumedRoleId"].startswith("AROA"), user)
        self.assertTrue(user["AssumedRoleId"].endswith(":e2e-session"), user)
        left = creds["Expiration"].timestamp() - time.time()
        self.assertTrue(800 < left <= 905, left)

        temporary = (creds["AccessKeyId"], creds["SecretAccessKey"])
        token = creds["SessionToken"]
        sqs = signed_client("sqs", self.ferry, temporary, token)
        name = unique_name("assumed")
        url = self.create_queue(sqs, name)
        self.assertEqual(url, "%s/%s/%s" % (self.ferry.endpoint, B, name))
        self.assertEqual(sqs.list_queues(QueueNamePrefix=name)["QueueUrls"], [url])
        self.assertEqual(self.b_sqs.list_queues(QueueNamePrefix=name)["QueueUrls"], [url])
        self.assertNotIn("QueueUrls", self.alice_sqs.list_queues(QueueNamePrefix=name))
        me = signed_client("sts", self.ferry, temporary, token).get_caller_identity()
        self.assertEqual((me["Account"], me["Arn"], me["UserId"]),
                         (B, user["Arn"], user["AssumedRoleId"]))
        # The key without its token, or with a token altered, signs nothing.
        self.assertEqual(error_code(signed_client("sqs", self.ferry, temporary).list_queues),
                         "InvalidClientTokenId")
        altered = token[:-8] + ("AAAAAAAA" if not token.endswith("AAAAAAAA") else "BBBBBBBB")
        self.assertEqual(error_code(signed_client("sqs", self.ferry, temporary, altered)
                                    .list_queues), "InvalidClientTokenId")

    def test_an_untrusted_account_is_denied(self):
        sts = signed_client("sts", self.ferry, MALLORY)
        with self.assertRaises(ClientError) as cm:
            sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="nope")
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "AccessDenied")
        self.assertEqual(err["Message"],
                         "User: arn:aws:iam::%s:user/mallory is not authorized to perform: "
                         "sts:AssumeRole on resource: %s" % (C, ROLE_ARN))
        self.assertEqual(error_code(signed_client("sts", self.ferry, ALICE).assume_role,
                                    RoleArn="arn:aws:iam::%s:role/none" % B,
                                    RoleSessionName="nope"), "AccessDenied")

    def test_duration_beyond_the_roles_maximum_is_a_validation_error(self):
        sts = signed_client("sts", self.ferry, ALICE)
        with self.assertRaises(ClientError) as cm:
            sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="long", DurationSeconds=7201)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                         "this role.")

    @unittest.skipUnless(AWS, "aws CLI not found (set FERRY_AWS_CLI)")
    def test_the_aws_cli_with_a_profile(self):
        profiles = os.path.join(self.ferry.dir, "aws-credentials")
        with open(profiles, "w") as f:
            f.write("[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % ALICE)
        env = dict(os.environ, **ferry_e2e.CLIENT_ENV)
        env.update({"AWS_SHARED_CREDENTIALS_FILE": profiles, "AWS_PROFILE": "alice",
                    "AWS_MAX_ATTEMPTS": "1"})
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.pop(var, None)

        def aws(*args):
            proc = subprocess.run([AWS, "--endpoint-url", self.ferry.endpoint, "--region", REGION,
                                   "--output", "json", "sts"] + list(args),
                                  env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            return json.loads(proc.stdout)

        self.assertEqual(aws("get-caller-identity")["Arn"], "arn:aws:iam::%s:user/alice" % A)
        got = aws("assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "cli")
        self.assertEqual(got["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::%s:assumed-role/deployer/cli" % B)
        self.assertTrue(got["Credentials"]["AccessKeyId"].startswith("ASIA"))


class CredentialsReloadTest(unittest.TestCase):
    def test_sighup_reloads_the_file(self):
        ferry = CredentialsServer(user_entry(ALICE, A, "alice") + user_entry(MALLORY, C, "mallory")
                                  + ROLE_ENTRY)
        try:
            alice = signed_client("sts", ferry, ALICE)
            creds = alice.assume_role(RoleArn=ROLE_ARN, RoleSessionName="before")["Credentials"]
            session = signed_client("sqs", ferry, (creds["AccessKeyId"], creds["SecretAccessKey"]),
                                    creds["SessionToken"])
            session.list_queues()
            self.assertEqual(error_code(signed_client("sqs", ferry, CAROL).list_queues),
                             "InvalidClientTokenId")

            # Carol comes, Mallory and the role go.
            ferry.write(user_entry(ALICE, A, "alice") + user_entry(CAROL, C, "carol"))
            ferry.server.proc.send_signal(signal.SIGHUP)
            carol = signed_client("sqs", ferry, CAROL)
            deadline = time.monotonic() + 15
            while error_code(carol.list_queues) is not None and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertIsNone(error_code(carol.list_queues), ferry.log())
            self.assertEqual(error_code(signed_client("sqs", ferry, MALLORY).list_queues),
                             "InvalidClientTokenId")
            # A removed role's sessions stop.
            self.assertEqual(error_code(session.list_queues), "InvalidClientTokenId")
            self.assertIn("keys added: %s; keys removed: %s" % (CAROL[0], MALLORY[0]), ferry.log())

            # A file that does not parse keeps the keys as they were.
            ferry.write("[[credentials]]\nname = \"broken\"\n")
            ferry.server.proc.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 15
            while "credentials not reloaded" not in ferry.log() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertIn("credentials not reloaded", ferry.log())
            self.assertIsNone(error_code(carol.list_queues))
        finally:
            problem = ferry.stop()
        self.assertIsNone(problem)


if __name__ == "__main__":
    unittest.main()
