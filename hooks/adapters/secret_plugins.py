"""detect-secrets plugins for the credential files its own plugins miss (netrc, connection strings, XML
and config files, .env, .pgpass, .npmrc, private keys), each scoped to its file types; values read raw."""

from __future__ import annotations

import functools
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, ClassVar

from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.plugins.base import RegexBasedDetector

# The last word (or two) of a key that names a credential: `SMTP_PASS`, `dbPassword`, `api.token`.
CREDENTIAL_WORDS = frozenset(
    {"password", "passwd", "pwd", "pass", "passphrase", "secret", "token", "auth", "credential",
     "credentials", "apikey"}
)  # fmt: skip
CREDENTIAL_PAIRS = frozenset(
    {("api", "key"), ("access", "key"), ("secret", "key"), ("private", "key"), ("signing", "key"),
     ("encryption", "key"), ("master", "key"), ("account", "key"), ("client", "secret")}
)  # fmt: skip
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def key_words(key: str) -> list[str]:
    """`dbPassword` → [db, password]; `SMTP_PASS` → [smtp, pass]; `spring.datasource.password` too."""
    return [word.lower() for word in _WORD.findall(key)]


def names_credential(key: str) -> bool:
    words = key_words(key)
    return bool(words) and (words[-1] in CREDENTIAL_WORDS or tuple(words[-2:]) in CREDENTIAL_PAIRS)


def basename(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def raw_line(filename: str, line_number: int) -> str | None:
    """The file's own line (not detect-secrets' transformed one), or None if there is no such file."""
    try:
        stat = Path(filename).stat()
    except (OSError, ValueError):
        return None
    lines = _raw_lines(filename, stat.st_mtime_ns, stat.st_size)
    return lines[line_number - 1].rstrip() if 0 < line_number <= len(lines) else None


@functools.lru_cache(maxsize=4)
def _raw_lines(filename: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    # Split as detect-secrets' readlines() does (universal newlines, "\n" only), so numbers agree.
    with Path(filename).open(encoding="utf-8", errors="replace") as f:
        return tuple(f.read().split("\n"))


class ScopedDetector(RegexBasedDetector):
    """A detector for some files, reporting what `values` finds on lines one of its patterns matches."""

    prefilter_patterns: ClassVar[tuple[re.Pattern[str], ...]]

    @property
    def denylist(self) -> tuple[re.Pattern[str], ...]:
        return self.prefilter_patterns

    def applies_to(self, filename: str) -> bool:
        return True

    def values(self, filename: str, line: str, context: Any) -> Iterator[str]:
        """The values on `line`; `context` is detect-secrets' CodeSnippet around it, or None."""
        raise NotImplementedError

    def analyze_string(self, string: str) -> Generator[str, None, None]:
        if any(pattern.search(string) for pattern in self.prefilter_patterns):
            yield from self.values("", string, None)

    def analyze_line(
        self, filename: str, line: str, line_number: int = 0, context: Any = None, **kwargs: Any
    ) -> set[PotentialSecret]:
        if not self.applies_to(filename) or not any(p.search(line) for p in self.prefilter_patterns):
            return set()
        text = raw_line(filename, line_number) or line
        return {
            PotentialSecret(type=self.secret_type, filename=filename, secret=value, line_number=line_number)
            for value in self.values(filename, text, context)
            if value
        }


NETRC_FILES = frozenset({".netrc", "_netrc", "netrc"})
# Outside a netrc file, a whole entry on one line: `machine HOST login L [account A] [port P] password
# VALUE` (login required: "the default password hasher" is netrc's grammar too).
_NETRC_ENTRY = re.compile(
    r"(?:^|[\s\"'])machine\s+\S+\s+login\s+\S+(?:\s+(?:account|port)\s+\S+)*\s+password\s+([^\s\"'`]+)"
)
_NETRC_PASSWORD = re.compile(r"(?:^|\s)password\s+([^\s\"'`]+)")
_NETRC_CONTINUATION = re.compile(r"^\s*(?:(?:login|account|port)\s+\S+\s+)*password\s+([^\s\"'`]+)")
_NETRC_MACHINE = re.compile(r"^\s*(?:machine\s+\S+|default\b)")
_NETRC_TOKENS = re.compile(r"^\s*(?:(?:login|account|port|password)\s+\S+\s*)+$")


class NetrcPasswordDetector(ScopedDetector):
    """`.netrc` passwords; elsewhere only in a netrc entry (a line after `machine …`, or one holding it)."""

    secret_type = "Netrc Password"  # pragma: allowlist secret (a name)  # nosec B105
    prefilter_patterns = (re.compile(r"\bpassword\s+[^\s\"'`]"),)

    def values(self, filename: str, line: str, context: Any) -> Iterator[str]:
        if basename(filename) in NETRC_FILES:
            yield from _NETRC_PASSWORD.findall(line)
        elif _NETRC_ENTRY.search(line):
            yield from _NETRC_ENTRY.findall(line)
        else:
            match = _NETRC_CONTINUATION.match(line)
            if match and _follows_machine_line(context):
                yield match.group(1)


def _follows_machine_line(snippet: Any) -> bool:
    """Whether the lines before this one go back to a `machine …` line through netrc tokens only."""
    if snippet is None:
        return False
    for line in reversed(snippet.lines[: snippet.target_index]):
        if _NETRC_MACHINE.match(line):
            return True
        if not _NETRC_TOKENS.match(line):
            return False
    return False


_CONNECTION_PASSWORD = re.compile(r"(?i)(?:^|[;\s\"'])(?:password|pwd)\s*=\s*(\{[^}]*\}|[^;\"'\s<>,()]+)")
_CONNECTION_COMPANION = re.compile(
    r"(?i)(?:^|[;\s\"'])(?:server|data\s+source|datasource|host|hostname|address|addr|network\s+address"
    r"|user\s*id|uid|user|username|user\s+name|database|initial\s+catalog|dbname|dsn|driver)\s*="
)
_STRING_EDGE = re.compile(r"[\"'`]")


class ConnectionStringPasswordDetector(ScopedDetector):
    """`Password=`/`Pwd=` in a connection string that also names a server, data source or user."""

    secret_type = "Connection String Password"  # pragma: allowlist secret (a name)  # nosec B105
    prefilter_patterns = (re.compile(r"(?i)(?:password|pwd)\s*="),)

    def values(self, filename: str, line: str, context: Any) -> Iterator[str]:
        for match in _CONNECTION_PASSWORD.finditer(line):
            # The string the password sits in, from the quote before it to the quote after it: a
            # connection string is a literal or an attribute, `f(user=u, password=None)` is code.
            starts = [m.end() for m in _STRING_EDGE.finditer(line, 0, match.start() + 1)]
            end = _STRING_EDGE.search(line, match.end())
            if starts and end and _CONNECTION_COMPANION.search(line[starts[-1] : end.start()]):
                yield match.group(1)


XML_CONFIG_SUFFIXES = (".config", ".xml", ".pubxml", ".props", ".targets")
_XML_ADD = re.compile(r"(?i)<add\b[^>]*>")
_XML_ATTRIBUTE = re.compile(r"(?i)\b(key|value)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_XML_ELEMENT = re.compile(r"<([A-Za-z][\w.\-]*)>([^<]+)</\1>")


class XmlConfigCredentialDetector(ScopedDetector):
    """`<add key="DbPassword" value="…"/>` (appSettings) and `<password>…</password>` in XML configs."""

    secret_type = "XML Config Credential"  # pragma: allowlist secret (a name)  # nosec B105
    prefilter_patterns = (
        re.compile(r"(?i)<add\b[^>]*\bkey\s*="),
        re.compile(r"(?i)<\w*(?:pass\w*|pwd|secret|token|auth|credentials?|key)>[^<]"),
    )

    def applies_to(self, filename: str) -> bool:
        return filename.lower().endswith(XML_CONFIG_SUFFIXES)

    def values(self, filename: str, line: str, context: Any) -> Iterator[str]:
        for tag in _XML_ADD.finditer(line):
            attributes = {
                m.group(1).lower(): m.group(2) or m.group(3) or ""
                for m in _XML_ATTRIBUTE.finditer(tag.group())
            }
            if names_credential(attributes.get("key", "")):
                yield attributes.get("value", "").strip()
        for element in _XML_ELEMENT.finditer(line):
            if names_credential(element.group(1)):
                yield element.group(2).strip()


CONFIG_SUFFIXES = (".toml", ".ini", ".cfg", ".conf", ".cnf", ".properties", ".yaml", ".yml")
# `key = value`, `key: value`, `export KEY=value`, and each pair of a TOML inline table.
_SETTING = re.compile(
    r"""(?:^|[\s{,])(?:export\s+)?["']?([A-Za-z_][\w.\-]*)["']?\s*[=:]\s*"""
    r"""("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"',{}\[\]][^\s,{}]*)"""
)
_CREDENTIAL_KEY = re.compile(r"(?i)(?:pass|pwd|secret|token|auth|credential|key)[\w.\-]*[\"']?\s*[=:]")


class ConfigCredentialDetector(ScopedDetector):
    """Keys naming a credential in TOML, INI, YAML and properties files, read from the file's own line."""

    secret_type = "Config File Credential"  # pragma: allowlist secret (a name)  # nosec B105
    prefilter_patterns = (_CREDENTIAL_KEY,)

    def applies_to(self, filename: str) -> bool:
        return filename.lower().endswith(CONFIG_SUFFIXES)

    def values(self, filename: str, line: str, context: Any) -> Iterator[str]:
        if line.lstrip().startswith(("#", ";", "//")):
            return
        for key, value in _SETTING.findall(line):
            value = (
                value[1:-1] if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1 else value
            )
            if names_credential(key) and _looks_like_a_value(value):
                yield value


def is_env_file(filename: str) -> bool:
    name = basename(filename).lower()
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


class EnvCredentialDetector(ConfigCredentialDetector):
    """`.env` keys naming a credential: `SMTP_PASS=…`, `GPG_PASSPHRASE=…`, `export REDIS_AUTH=…`."""

    secret_type = "Env File Credential"  # pragma: allowlist secret (a name)  # nosec B105

    def applies_to(self, filename: str) -> bool:
        return is_env_file(filename)


def _looks_like_a_value(value: str) -> bool:
    """Not a setting word (`basic`, `true`), a path or a URL: a credential has a digit, capital or sign."""
    return (
        len(value) >= 6
        and not value.islower()
        and not value.isdigit()
        and not value.startswith(("/", "./", "~/"))
        and "://" not in value
    )


PGPASS_FILES = frozenset({".pgpass", "pgpass.conf"})
_PGPASS_FIELD = r"(?:[^:\\\n]|\\.)*"
_PGPASS_LINE = re.compile(rf"^\s*[^#\s]{_PGPASS_FIELD}:{_PGPASS_FIELD}:{_PGPASS_FIELD}:{_PGPASS_FIELD}:(.+)$")


class PgpassPasswordDetector(ScopedDetector):
    """The password field of a `.pgpass` line (`host:port:database:user:password`)."""

    secret_type = "Pgpass Password"  # pragma: allowlist secret (a name)  # nosec B105
    prefilter_patterns = (re.compile(r"^[^#]*:.*:.*:.*:."),)

    def applies_to(self, filename: str) -> bool:
        return basename(filename) in PGPASS_FILES

    def values(self, filename: str, line: str, context: Any) -> Iterator[str]:
        match = _PGPASS_LINE.match(line)
        if match:
            yield match.group(1).strip()


_NPMRC_AUTH = re.compile(r"(?:^|:)_(?:auth|authToken|password)\s*=\s*[\"']?([^\s\"']+)")


class NpmrcAuthDetector(ScopedDetector):
    """`_auth=`, `_authToken=` and `_password=` in `.npmrc`, for any registry."""

    secret_type = "Npmrc Auth"  # pragma: allowlist secret (a name)  # nosec B105
    prefilter_patterns = (re.compile(r"_(?:auth|authToken|password)\s*="),)

    def applies_to(self, filename: str) -> bool:
        return basename(filename) in {".npmrc", "npmrc"}

    def values(self, filename: str, line: str, context: Any) -> Iterator[str]:
        yield from _NPMRC_AUTH.findall(line)


class PrivateKeyFileDetector(RegexBasedDetector):
    """Private-key headers detect-secrets 1.5 lacks: encrypted PKCS#8, PuTTY v3, OpenVPN static keys."""

    secret_type = "Private Key File"  # pragma: allowlist secret (a name)  # nosec B105
    denylist: ClassVar[list[re.Pattern[str]]] = [
        re.compile(r"BEGIN ENCRYPTED PRIVATE KEY"),  # pragma: allowlist secret (a header)
        re.compile(r"PuTTY-User-Key-File-3"),  # pragma: allowlist secret (a header)
        re.compile(r"BEGIN OpenVPN Static key"),  # pragma: allowlist secret (a header)
    ]


class GitHubFineGrainedTokenDetector(RegexBasedDetector):
    """GitHub fine-grained personal access tokens (`github_pat_…`); detect-secrets 1.5 knows only `ghp_`."""

    secret_type = "GitHub Fine-Grained Token"  # pragma: allowlist secret (a name)  # nosec B105
    denylist: ClassVar[list[re.Pattern[str]]] = [re.compile(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}")]


class GoogleApiKeyDetector(RegexBasedDetector):
    """Google API keys (`AIza…`, 39 characters)."""

    secret_type = "Google API Key"  # pragma: allowlist secret (a name)  # nosec B105
    # Lookarounds, not \b: a key may end in "-", where \b finds no boundary.
    denylist: ClassVar[list[re.Pattern[str]]] = [
        re.compile(r"(?<![0-9A-Za-z_\-])AIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])")
    ]
