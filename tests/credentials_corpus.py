"""Planted credentials in the files real leaks come from, and look-alikes that are none (all fake).

tests/secret_plugins_test.py holds the gate to the bar (recall >= 95%, at most one false alarm in 20) and
shows detect-secrets' defaults below both; BENCHMARKS.md has the figures. A credential counts as found
when the gate reports its file (each file holds one), a look-alike as a false alarm when it reports any.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from tests.secret_seeds import ALNUM, run


class Planted(NamedTuple):
    kind: str  # the class of credential (the list)
    path: str
    text: str  # the file's content
    value: str  # the credential in it, on one line; "" for a look-alike

    @property
    def line(self) -> int:
        """The line that holds the value (1-based); 0 for a look-alike."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if self.value and self.value in line:
                return number
        return 0


def _p(kind: str, path: str, text: str, value: str) -> Planted:
    assert value in text, path
    return Planted(kind, path, text, value)


# An image's base64 past its header is as random as a key: made at run time, as the seeds are.
PNG_PAYLOAD = "iVBORw0KGgoAAAANSUhEUg" + run(64, ALNUM + "+/", seed=60)
KEY_BODY = "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIq7Zt2cVw0kQCAggA\nMAwGCCqGSIb3DQIJBQAwFAYIKoZIhvcNAwcECJ8mW7nQ2pLkBIIEyK3fGd0xQ9Zr\n"  # fmt: skip

PLANTED = [
    # netrc entries
    _p("netrc", ".netrc", "machine api.example.com login deploy password Vq7mZr2xKp9L\n", "Vq7mZr2xKp9L"),
    _p("netrc", "home/ci/.netrc", "machine git.example.org\n  login ci-bot\n  password hT4nB8wQzX1c\n", "hT4nB8wQzX1c"),
    _p("netrc", "win/_netrc", "machine ftp.example.net login alice password f9Gk2LmQ7rTz\n", "f9Gk2LmQ7rTz"),
    _p("netrc", "etc/netrc", "default login anonymous password Jw3pR8sXn2Vb\n", "Jw3pR8sXn2Vb"),
    _p("netrc", "docker/Dockerfile", 'FROM python:3.12\nRUN echo "machine pypi.example.com login build password Pz8qK3mV2nWx" > /root/.netrc\n', "Pz8qK3mV2nWx"),
    _p("netrc", "ops/mail/.netrc", "machine mail.example.com login bob account ops password Hy7uJ2iK5oLp\n", "Hy7uJ2iK5oLp"),
    # connection strings, either key order
    _p("connection string", "web/Web.config", '<configuration>\n  <connectionStrings>\n    <add name="Main" connectionString="Server=sql01;Database=Shop;User Id=shop_app;Password=Rk8#vT2q!Lm9;" providerName="System.Data.SqlClient" />\n  </connectionStrings>\n</configuration>\n', "Rk8#vT2q!Lm9"),
    _p("connection string", "svc/app.config", '<connectionStrings>\n  <add name="Crm" connectionString="Password=N3wW4ve-77x;Data Source=db.internal;Initial Catalog=Crm;User ID=crm" />\n</connectionStrings>\n', "N3wW4ve-77x"),
    _p("connection string", "src/reports/db.py", 'DSN = "Driver={ODBC Driver 18 for SQL Server};Server=tcp:sql.example.com;Uid=report;Pwd=Qz7!mW2kR8pL;"\n', "Qz7!mW2kR8pL"),
    _p("connection string", "src/Orders/Repo.cs", 'var cs = "Host=pg.internal;Username=orders;Password=Xk29vLq7Tm3B;Database=orders";\n', "Xk29vLq7Tm3B"),
    _p("connection string", "src/Api/appsettings.json", '{\n  "ConnectionStrings": {\n    "Default": "Server=(localdb)\\\\mssqllocaldb;Database=App;User Id=app;Password=Hq4vN8zTr2Wm;"\n  }\n}\n', "Hq4vN8zTr2Wm"),
    _p("connection string", "src/main/java/Sales.java", 'String url = "jdbc:sqlserver://db.example.com:1433;databaseName=Sales;user=sales;password=Ly6mP3qW9zKc;";\n', "Ly6mP3qW9zKc"),
    _p("connection string", "etl/load.py", 'DATABASE_DSN = "host=db.example.com dbname=app user=app password=Wm7xR2kQ9vTz"\n', "Wm7xR2kQ9vTz"),
    _p("connection string", "deploy/compose.yml", 'services:\n  api:\n    environment:\n      ConnectionStrings__Default: "Server=db;Database=app;User Id=sa;Password=Bv8nK2pX7qLm"\n', "Bv8nK2pX7qLm"),
    # XML configs
    _p("xml config", "site/Web.config", '<appSettings>\n  <add key="DbPassword" value="Tz6pQ9mW3xRk" />\n</appSettings>\n', "Tz6pQ9mW3xRk"),
    _p("xml config", "worker/App.config", '<appSettings>\n  <add key="StripeSecret" value="Gm2kL8vQ4zXw" />\n</appSettings>\n', "Gm2kL8vQ4zXw"),
    _p("xml config", "m2/settings.xml", "<settings>\n  <servers>\n    <server>\n      <id>nexus</id>\n      <username>ci</username>\n      <password>Cx7vB3nM9qWe</password>\n    </server>\n  </servers>\n</settings>\n", "Cx7vB3nM9qWe"),
    _p("xml config", "site/Web.Release.config", '<appSettings>\n  <add value="Pq3wE8rT6yUi" key="ApiToken" />\n</appSettings>\n', "Pq3wE8rT6yUi"),
    _p("xml config", "nuget/NuGet.Config", '<packageSourceCredentials>\n  <feed>\n    <add key="Username" value="ci" />\n    <add key="ClearTextPassword" value="Nk5mQ2wZ8xLr" />\n  </feed>\n</packageSourceCredentials>\n', "Nk5mQ2wZ8xLr"),
    _p("xml config", "m2/settings-ci.xml", "<server><id>releases</id><username>ci</username><password>Vb4nM7qW1eRt</password></server>\n", "Vb4nM7qW1eRt"),
    # TOML, INI, YAML, properties
    _p("config file", "config/app.toml", '[database]\nhost = "db"\npassword = "Ur4tY7iO2pAs"  # prod\n', "Ur4tY7iO2pAs"),
    _p("config file", "config/service.toml", '[service]\nname = "billing"\napi_token = "Df6gH1jK4lZx"\n', "Df6gH1jK4lZx"),
    _p("config file", ".cargo/credentials.toml", '[registry]\ntoken = "cio8Jk3LmN5pQr7StV9wXy2Za4Bc"\n', "cio8Jk3LmN5pQr7StV9wXy2Za4Bc"),
    _p("config file", "config/inline.toml", '[clients]\ndb = { user = "admin", password = "Ow8eR3tY6uIp" }\n', "Ow8eR3tY6uIp"),
    _p("config file", "deploy/smtp.ini", "[smtp]\nhost = mail.example.com\nauth = Lk9jH4gF2dSa\n", "Lk9jH4gF2dSa"),
    _p("config file", "deploy/vault.cfg", "[vault]\npassphrase = Ze3xC6vB9nMq\n", "Ze3xC6vB9nMq"),
    _p("config file", "src/main/resources/application.properties", "spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password=Mn4bV7cX1zLk\n", "Mn4bV7cX1zLk"),
    _p("config file", "config/secrets.yml", "production:\n  smtp:\n    pass: Yt5rE8wQ2aSd\n", "Yt5rE8wQ2aSd"),
    _p("config file", "chart/values.yaml", "auth:\n  credentials: Gh7jK2lP9oIu\n", "Gh7jK2lP9oIu"),
    # .pgpass
    _p("pgpass", ".pgpass", "db.example.com:5432:app:app_user:Ry6tU9iO3pLk\n", "Ry6tU9iO3pLk"),
    _p("pgpass", "ops/pgpass.conf", "# replication\n*:*:*:replicator:Wq2eR5tY8uIo\n", "Wq2eR5tY8uIo"),
    # .npmrc
    _p("npmrc", "web/.npmrc", "@acme:registry=https://registry.example.com/\n//registry.example.com/:_authToken=Kx8cV3bN6mQw1234AbCd\n", "Kx8cV3bN6mQw1234AbCd"),
    _p("npmrc", "frontend/.npmrc", "registry=https://nexus.example.com/repository/npm/\n_auth=ZGVwbG95OlZ6OXhLMnBMN3Fn\n", "ZGVwbG95OlZ6OXhLMnBMN3Fn"),
    _p("npmrc", "admin/.npmrc", "//nexus.example.com/repository/npm/:username=deploy\n//nexus.example.com/repository/npm/:_password=Tm9wZTpUaGlzSXNGYWtl\n", "Tm9wZTpUaGlzSXNGYWtl"),
    # .env
    _p("env", ".env", "SMTP_HOST=mail.example.com\nSMTP_PASS=Jh6gF3dS9aPo\n", "Jh6gF3dS9aPo"),
    _p("env", "deploy/.env.production", "GPG_PASSPHRASE=Bn2mV5cX8zQw\n", "Bn2mV5cX8zQw"),
    _p("env", "config/app.env", "export REDIS_AUTH=Lp4oI7uY1tRe\n", "Lp4oI7uY1tRe"),
    _p("env", "services/.env", "CLIENT_CREDENTIALS=Aq9sW3dE6rFt\n", "Aq9sW3dE6rFt"),
    _p("env", "api/.env.local", "SIGNING_SECRET=Rv5tG8yH2uJi\n", "Rv5tG8yH2uJi"),
    # private keys the defaults lack
    _p("private key", "keys/server.key", f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{KEY_BODY}-----END ENCRYPTED PRIVATE KEY-----\n", "BEGIN ENCRYPTED PRIVATE KEY"),
    _p("private key", "keys/deploy.ppk", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIOq7Zt2cVw0kQ\nCAggAMAwGCCqGSIb3DQIJBQ\n", "PuTTY-User-Key-File-3"),
    _p("private key", "vpn/static.key", "#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n9f2c4e7a1b3d5f6081726354a9b8c7d6\n-----END OpenVPN Static key V1-----\n", "BEGIN OpenVPN Static key"),
    _p("private key", "k8s/tls-secret.yaml", f"stringData:\n  tls.key: |\n    -----BEGIN ENCRYPTED PRIVATE KEY-----\n    {KEY_BODY.splitlines()[0]}\n", "BEGIN ENCRYPTED PRIVATE KEY"),
]  # fmt: skip

LOOK_ALIKES = [
    # digests and checksums in source
    _p("digest", "build/info.py", 'BUILD_SHA = "9f2c4e7a1b3d5f6081726354a9b8c7d6e5f40312"\n', ""),
    _p("digest", "app/version.py", 'GIT_COMMIT_HASH = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"\n', ""),
    _p("digest", "tools/fetch.py", 'ARCHIVE_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"\n', ""),
    _p("digest", "web/cache.py", 'ETAG = "d41d8cd98f00b204e9800998ecf8427e"\n', ""),
    _p("digest", "assets/checksums.json", '{\n  "app.js": "c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2"\n}\n', ""),
    # SRI attributes and data: URIs
    _p("sri", "static/index.html", '<script src="https://cdn.example.com/lib.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous"></script>\n', ""),
    _p("sri", "static/app.html", '<link rel="stylesheet" href="/app.css" integrity="sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=">\n', ""),
    _p("data uri", "static/icons.js", f'const PIXEL = "data:image/png;base64," + "{PNG_PAYLOAD}";\n', ""),
    # password-policy code and text
    _p("policy", "auth/policy.py", "PASSWORD_MIN_LENGTH = 12\nPASSWORD_MAX_LENGTH = 128\n", ""),
    _p("policy", "auth/hints.py", 'password_hint = "must contain a digit"\n', ""),
    _p("policy", "auth/rules.py", 'PASSWORD_REGEX = "^(?=.*[A-Z])(?=.*\\\\d).{12,}$"\n', ""),
    _p("policy", "auth/messages.py", 'password_message = "Your password has expired"\n', ""),
    _p("policy", "auth/forms.py", 'password_placeholder = "Enter your password"\n', ""),
    _p("policy", "config/auth.toml", "[auth]\npassword_min_length = 12\npassword_hint = \"at least one symbol\"\n", ""),
    _p("policy", "site/Policy.config", '<appSettings>\n  <add key="PasswordMinLength" value="12" />\n</appSettings>\n', ""),
    # placeholders, references and prose
    _p("placeholder", "app/conn.py", 'conn = f"Server={host};User Id={user};Password={password};"\n', ""),
    _p("placeholder", "app/dsn.py", 'DSN = "host=%s user=%s password=%s" % (host, user, password)\n', ""),
    _p("placeholder", ".env.example", "DB_PASSWORD=changeme\nAPI_TOKEN=<your-token>\n", ""),
    _p("placeholder", "config/db.yaml", "database:\n  password: ${DB_PASSWORD}\n", ""),
    _p("placeholder", "chart/templates/secret.yaml", 'data:\n  token: "{{ .Values.token }}"\n', ""),
    _p("placeholder", "m2/settings-env.xml", "<server><id>x</id><password>${env.NEXUS_PASSWORD}</password></server>\n", ""),
    _p("placeholder", "ci/.npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", ""),
    _p("placeholder", "site/Sample.config", '<connectionStrings>\n  <add name="Main" connectionString="Server=.;Database=App;Integrated Security=True" />\n</connectionStrings>\n', ""),
    _p("prose", "docs/setup.md", "Run the installer and enter the password when asked: the machine reboots.\nThe login password you chose is never stored.\n", ""),
    _p("prose", "docs/netrc.md", "Put `machine host login user password <your-token>` in `~/.netrc`.\n", ""),
]  # fmt: skip


def plant(root: Path, files: list[Planted]) -> list[str]:
    for item in files:
        path = root / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item.text)
    return sorted({item.path for item in files})
