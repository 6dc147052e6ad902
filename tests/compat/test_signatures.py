"""
Signatures on the wire protocols, with the real clients signing: with
--verify-signatures and an access key table, a request signed with a known
key and its secret is served; a wrong secret, an unknown key or no
signature is refused in the protocol's own error shape, and changes
nothing. Also: start-up refuses verification without a key table, and an
engine with an API token refuses unsigned wire-protocol requests.
"""
import json
import os
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request

from harness import Engine, BUILD_DIR

HERE = os.path.dirname(os.path.abspath(__file__))
DEBIAN_PYTHON = "/usr/bin/python3"

BOTO = r"""
import sys, json, boto3, botocore
port, key, secret, service = sys.argv[1:5]
c = boto3.client(service, endpoint_url="http://127.0.0.1:" + port,
                 region_name="us-east-1", aws_access_key_id=key,
                 aws_secret_access_key=secret,
                 config=botocore.config.Config(retries={"max_attempts": 0}))
try:
    if service == "sqs":
        c.create_queue(QueueName="signed")
        out = c.list_queues()
        print(json.dumps({"ok": [u.rsplit("/", 1)[1] for u in out.get("QueueUrls", [])]}))
    else:
        c.create_topic(Name="signed")
        out = c.list_topics()
        print(json.dumps({"ok": [t["TopicArn"].rsplit(":", 1)[1] for t in out["Topics"]]}))
except botocore.exceptions.ClientError as e:
    print(json.dumps({"code": e.response["Error"]["Code"],
                      "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                      "message": e.response["Error"].get("Message", "")}))
"""

NODE_MNS = r"""
const MNS = require('@alicloud/mns');
const [port, key, secret] = process.argv.slice(1);
const c = new MNS('1234567890123456', {endpoint: 'http://127.0.0.1:' + port,
                                       accessKeyId: key, accessKeySecret: secret});
(async () => {
  try {
    await c.createQueue('signed');
    const r = await c.listQueue();
    const qs = [].concat(r.body || []).map(q => q.QueueURL.split('/').pop());
    console.log(JSON.stringify({ok: qs}));
  } catch (e) {
    console.log(JSON.stringify({code: e.name, status: e.status || 0, message: e.message}));
  }
})();
"""

NODE_FNF = r"""
const Client = require('@alicloud/fnf-2019-03-15');
const [port, key, secret] = process.argv.slice(1);
const c = new Client({endpoint: 'http://127.0.0.1:' + port, accessKeyId: key,
                      accessKeySecret: secret});
(async () => {
  try {
    const r = await c.listFlows({Limit: 10});
    console.log(JSON.stringify({ok: (r.Flows || []).map(f => f.Name)}));
  } catch (e) {
    console.log(JSON.stringify({code: e.code || e.name, status: (e.data && e.data.httpStatus) || e.statusCode || 0,
                                message: e.message}));
  }
})();
"""


def need(path, what):
    if not os.path.exists(path):
        raise AssertionError("%s is missing (%s); scripts/dev test installs it" % (path, what))


def run(argv, cwd=HERE):
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0 or not p.stdout.strip():
        raise AssertionError("%s failed: %s %s" % (argv[0], p.stdout, p.stderr))
    return json.loads(p.stdout.strip().splitlines()[-1])


class SignedEngine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need(DEBIAN_PYTHON, "python3-boto3")
        need(os.path.join(HERE, "node_modules", "@alicloud", "mns"), "npm ci in tests/compat")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.keys = os.path.join(cls.tmp.name, "keys.json")
        with open(cls.keys, "w") as f:
            json.dump({"AKIDFLOWDECK": "s3cret/with+chars", "LTAIflowdeck": "alibaba-secret"}, f)
        cls.e = Engine(extra_args=["--verify-signatures", "--access-keys", cls.keys])
        cls.e.__enter__()
        cls.port = str(cls.e.port)

    @classmethod
    def tearDownClass(cls):
        cls.e.__exit__(None, None, None)
        cls.tmp.cleanup()

    def boto(self, service, key, secret):
        return run([DEBIAN_PYTHON, "-c", BOTO, self.port, key, secret, service])

    def node(self, script, key, secret):
        return run(["node", "-e", script, self.port, key, secret])

    def test_sqs_and_sns_sigv4(self):
        for service, listed in (("sqs", "signed"), ("sns", "signed")):
            with self.subTest(service=service):
                self.assertIn(listed, self.boto(service, "AKIDFLOWDECK", "s3cret/with+chars")["ok"])
                bad = self.boto(service, "AKIDFLOWDECK", "wrong")
                self.assertEqual(bad["code"], "SignatureDoesNotMatch", bad)
                self.assertEqual(bad["status"], 403, bad)
                unknown = self.boto(service, "AKIDNOBODY", "s3cret/with+chars")
                self.assertEqual(unknown["code"], "InvalidClientTokenId", unknown)

    def test_unsigned_aws_request_refused(self):
        req = urllib.request.Request(
            self.e.url + "/", data=b"Action=CreateQueue&QueueName=sneaky&Version=2012-11-05",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req, timeout=10)
        body = cm.exception.read().decode()
        self.assertEqual(cm.exception.code, 403, body)
        self.assertIn("<Code>MissingAuthenticationToken</Code>", body)
        names = [q["name"] for q in self.e.ok("GET", "/v1/queues")["items"]]
        self.assertNotIn("sneaky", names)

    def test_mns_signature(self):
        self.assertIn("signed", self.node(NODE_MNS, "LTAIflowdeck", "alibaba-secret")["ok"])
        bad = self.node(NODE_MNS, "LTAIflowdeck", "wrong")
        self.assertIn("SignatureDoesNotMatch", bad["code"], bad)
        unknown = self.node(NODE_MNS, "LTAInobody", "alibaba-secret")
        self.assertIn("InvalidAccessKeyId", unknown["code"], unknown)

    def test_rpc_signature(self):
        self.assertEqual(self.node(NODE_FNF, "LTAIflowdeck", "alibaba-secret")["ok"], [])
        bad = self.node(NODE_FNF, "LTAIflowdeck", "wrong")
        self.assertIn("SignatureNotMatch", bad["code"], bad)
        unknown = self.node(NODE_FNF, "LTAInobody", "alibaba-secret")
        self.assertIn("InvalidAccessKeyID", unknown["code"], unknown)


class StartUp(unittest.TestCase):
    def start(self, *args):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([os.path.join(BUILD_DIR, "flowdeckd"), "--foreground",
                                "--listen", "127.0.0.1:0", "--data-dir", d] + list(args),
                               capture_output=True, text=True, timeout=30)
        return p.returncode, p.stderr

    def test_verify_needs_a_key_table(self):
        rc, err = self.start("--verify-signatures")
        self.assertNotEqual(rc, 0)
        self.assertIn("access key table", err)

    def test_bad_key_table_named(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write('{"k": 5}')
            f.flush()
            rc, err = self.start("--access-keys", f.name)
        self.assertNotEqual(rc, 0)
        self.assertIn("secret of 'k' must be a string", err)


class TokenEngine(unittest.TestCase):
    def test_token_without_signatures_refuses_wire_protocols(self):
        with Engine(extra_args=["--auth-token", "tok"]) as e:
            req = urllib.request.Request(
                e.url + "/", data=b'{"QueueName": "x"}',
                headers={"X-Amz-Target": "AmazonSQS.CreateQueue",
                         "Content-Type": "application/x-amz-json-1.0"})
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(req, timeout=10)
            self.assertEqual(cm.exception.code, 403)
            self.assertIn("verify-signatures", cm.exception.read().decode())


if __name__ == "__main__":
    unittest.main()
