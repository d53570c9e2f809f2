"""A line that each secret plugin of the gate reports; the fake values are made at run time, never written down."""

from __future__ import annotations

import random
import string
from typing import NamedTuple

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
LOWER = string.ascii_lowercase + string.digits
UPPER = string.ascii_uppercase + string.digits


def run(length: int, alphabet: str = ALNUM, seed: int = 0) -> str:
    """A fixed pseudo-random run of characters."""
    rng = random.Random(f"{length}:{alphabet}:{seed}")
    return "".join(rng.choice(alphabet) for _ in range(length))


# A JWT's header and payload, base64url of `{"alg":"HS256","typ":"JWT"}` and `{"sub":"1"}`; joined at run
# time so that this file holds no token (the repository's own secrets gate scans it).
JWT_HEAD = ".".join(["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJzdWIiOiIxIn0"])


class Seed(NamedTuple):
    plugin: str  # detect-secrets' class name (or ours)
    filename: str
    before: str
    value: str  # the fake secret, unique across the seeds
    after: str = ""

    @property
    def line(self) -> str:
        return self.before + self.value + self.after


SEEDS = [
    Seed("ArtifactoryDetector", "a.py", 'artifactory_token = "', "AKC" + run(20, seed=1), '"'),
    Seed("ArtifactoryDetector", "b.py", 'x = "', "AP6" + run(12, seed=2), '"'),
    Seed("AWSKeyDetector", "c.py", 'key_id = "', "AKIA" + run(16, UPPER, seed=3), '"'),
    Seed("AWSKeyDetector", "d.py", 'aws_secret_access_key = "', run(40, ALNUM + "/+", seed=4), '"'),
    Seed("AzureStorageKeyDetector", "e.cfg", "conn=DefaultEndpointsProtocol=https;AccountKey=", run(86, seed=5) + "=="),
    Seed("Base64HighEntropyString", "f.py", 'blob = "', run(40, ALNUM + "+/", seed=6), '"'),
    Seed("BasicAuthDetector", "g.yaml", "url: postgres://admin:", run(14, seed=7), "@db.example.com:5432/app"),
    Seed("CloudantDetector", "h.py", 'cloudant_password = "', run(64, HEX, seed=8), '"'),
    Seed("CloudantDetector", "i.py", 'url = "https://acct:', run(24, string.ascii_lowercase, seed=9), '@acct.cloudant.com"'),
    Seed("DiscordBotTokenDetector", "j.py", 'bot = "', f"N{run(23, seed=10)}.{run(6, seed=10)}.{run(27, seed=10)}", '"'),
    Seed("GitHubTokenDetector", "k.sh", "export GITHUB_TOKEN=", "ghp_" + run(36, seed=11)),
    Seed("GitLabTokenDetector", "l.sh", "export GITLAB_TOKEN=", "glpat-" + run(20, seed=12)),
    Seed("HexHighEntropyString", "m.py", 'nonce = "', run(40, HEX, seed=13), '"'),
    Seed("IbmCloudIamDetector", "n.py", 'ibm_cloud_iam_api_key = "', run(44, ALNUM + "_-", seed=14), '"'),
    Seed("IbmCosHmacDetector", "o.py", 'ibm_cos_hmac_secret_access_key = "', run(48, HEX, seed=15), '"'),
    Seed("IPPublicDetector", "p.py", 'server = "', "34.120.5.77", '"'),
    Seed("JwtTokenDetector", "q.py", 'token = "', JWT_HEAD + "." + run(43, seed=16), '"'),
    Seed("KeywordDetector", "r.py", 'password = "', run(12, seed=17), '"'),
    Seed("KeywordDetector", "s.yaml", "db_pass: ", run(12, seed=18)),
    Seed("KeywordDetector", "t.go", 'apiKey := "', run(12, seed=19), '"'),
    Seed("MailchimpDetector", "u.py", 'mc = "', run(32, LOWER, seed=20) + "-us12", '"'),
    Seed("NpmDetector", ".npmrc", "//registry.npmjs.org/:_authToken=", "npm_" + run(36, seed=21)),
    Seed("OpenAIDetector", "v.py", 'key = "', f"sk-{run(20, seed=22)}T3BlbkFJ{run(20, seed=23)}", '"'),
    Seed("PrivateKeyDetector", "id_rsa", "-----BEGIN OPENSSH " + "PRIVATE KEY-----", ""),
    Seed("PypiTokenDetector", "w.ini", "password = ", "pypi-AgEIcHlwaS5vcmc" + run(80, ALNUM + "-_", seed=24)),
    Seed("SendGridDetector", "x.py", 'sg = "', f"SG.{run(22, seed=25)}.{run(43, seed=25)}", '"'),
    Seed("SlackDetector", "y.py", 'slack = "', "-".join(["xoxb", "263594206564", "2343594206574", run(24, LOWER, seed=26)]), '"'),
    Seed("SlackDetector", "z.py", 'hook = "', f"https://hooks.slack.com/services/T{run(8, seed=27)}/B{run(8, seed=27)}/{run(24, seed=27)}", '"'),
    Seed("SoftlayerDetector", "aa.py", 'softlayer_api_key = "', run(64, LOWER, seed=28), '"'),
    Seed("SquareOAuthDetector", "ab.py", 'sq = "', "sq0csp-" + run(43, seed=29), '"'),
    Seed("StripeDetector", "ac.py", 'stripe = "', "sk_live_" + run(24, seed=30), '"'),
    Seed("TelegramBotTokenDetector", "ad.py", 'bot = "', "123456789:" + run(35, seed=31), '"'),
    Seed("TwilioKeyDetector", "ae.py", 'sid = "', "AC" + run(32, LOWER, seed=32), '"'),
    Seed("GitHubFineGrainedTokenDetector", "af.sh", "export GH_PAT=", f"github_pat_{run(22, seed=33)}_{run(59, seed=33)}"),
    Seed("GoogleApiKeyDetector", "ag.py", 'maps = "', "AIza" + run(35, seed=34), '"'),
    Seed("NetrcPasswordDetector", ".netrc", "machine api.example.com login deploy password ", run(16, seed=50)),
    Seed("ConnectionStringPasswordDetector", "ah.cs", 'var cs = "Server=sql01;User Id=app;Password=', run(16, seed=51), ';";'),
    Seed("XmlConfigCredentialDetector", "Web.config", '<add key="DbPassword" value="', run(16, seed=52), '" />'),
    Seed("ConfigCredentialDetector", "ai.toml", 'api_token = "', run(16, seed=53), '"  # prod'),
    Seed("EnvCredentialDetector", ".env", "SMTP_PASS=", run(16, seed=54)),
    Seed("PgpassPasswordDetector", ".pgpass", "db.example.com:5432:app:app:", run(16, seed=55)),
    Seed("NpmrcAuthDetector", "npmrc", "//registry.example.com/:_authToken=", run(24, seed=56)),
    Seed("PrivateKeyFileDetector", "server.key", "-----BEGIN ENCRYPTED " + "PRIVATE KEY-----", ""),
]  # fmt: skip

PRIVATE_KEY_PLUGINS = {"PrivateKeyDetector", "PrivateKeyFileDetector"}  # seeds whose file holds a key body
