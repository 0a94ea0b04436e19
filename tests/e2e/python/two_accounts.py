"""Two accounts of the open-mode server, for the tests of accounts
(test_accounts) and of the policies between them (test_policies): an access
key id of 12 digits names its account (its root user), as LocalStack reads
keys."""

import unittest

from botocore.config import Config
from botocore.exceptions import ClientError

from ferry_e2e import REGION, endpoint, expected_account_id

FIRST = "111111111111"
SECOND = "222222222222"


def client(service, access_key):
    """A client of the account `access_key` names, trying each call once."""
    import boto3
    return boto3.client(service, endpoint_url=endpoint(), region_name=REGION,
                        aws_access_key_id=access_key, aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def skip_against_a_peer():
    """Skips the calling test class when the suite runs against a peer
    server, whose accounts are its own."""
    if expected_account_id() is None:
        raise unittest.SkipTest("a peer's accounts are its own")


class TwoAccountsAssertions:
    """Assertions for a unittest.TestCase that calls as two accounts."""

    def assertNonExistent(self, call, **kwargs):
        """The call is refused as if the queue did not exist (another
        account's queue is hidden, not forbidden)."""
        with self.assertRaises(ClientError) as cm:
            call(**kwargs)
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"))
