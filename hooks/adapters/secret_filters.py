"""detect-secrets filters for what its plugins flag that is no secret: digests, SRI values, `data:` payloads,
policy text and placeholders. A filter only classifies a value and returns a bool; it never keeps one."""

from __future__ import annotations

import re
from typing import Any

from hooks.adapters.secret_plugins import basename, key_words

ENTROPY_TYPES = frozenset({"Base64 High Entropy String", "Hex High Entropy String"})
KEYWORD_TYPES = frozenset(
    {"Secret Keyword", "Config File Credential", "Env File Credential", "XML Config Credential"}
)
OUR_TYPES = frozenset(
    {"Netrc Password", "Connection String Password", "XML Config Credential", "Config File Credential",
     "Env File Credential", "Pgpass Password", "Npmrc Auth"}
)  # fmt: skip

DIGEST_WORDS = frozenset(
    {"build", "hash", "hashes", "digest", "digests", "checksum", "checksums", "etag", "sha", "sha1", "sha224",
     "sha256", "sha384", "sha512", "md5", "sum", "sums", "integrity", "commit", "revision"}
)  # fmt: skip
SECRET_WORDS = frozenset(
    {"secret", "key", "token", "password", "passwd", "pwd", "pass", "auth", "credential", "credentials",
     "private", "signing", "salt", "pepper", "hmac", "api", "apikey"}
)  # fmt: skip
HEX_DIGEST_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})  # MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512
BASE64_DIGEST_LENGTHS = frozenset({22, 24, 27, 28, 38, 40, 43, 44, 64, 86, 88})  # the same, padded or not
_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/\-_]+={0,2}")
_KEY_BEFORE_VALUE = re.compile(r"([A-Za-z_][\w.\-]*)[\"'\]]*\s*(?:=>|:=|[=:(,])?\s*[\"'(\[{]*\s*$")


# The filters of a finding name `context` (its CodeSnippet), not `line`: detect-secrets calls a filter that
# names `line` on every line it scans, before any plugin has found anything.
def is_digest(filename: str, secret: str, plugin: Any, context: Any) -> bool:
    """An entropy finding that is a hash: hex or base64 of a digest length, where the key or the file
    names a build, hash, digest, checksum or etag and no word before it names a secret."""
    if getattr(plugin, "secret_type", "") not in ENTROPY_TYPES or not _digest_shaped(secret.rstrip("\\")):
        return False
    before = _before(context.target_line, secret)
    match = _KEY_BEFORE_VALUE.search(before)
    key = set(key_words(match.group(1))) if match else set()
    says_digest = bool(key & DIGEST_WORDS) or bool(set(key_words(basename(filename))) & DIGEST_WORDS)
    return says_digest and not set(key_words(before)) & SECRET_WORDS


def _digest_shaped(secret: str) -> bool:
    if _HEX.fullmatch(secret):
        return len(secret) in HEX_DIGEST_LENGTHS
    return bool(_BASE64.fullmatch(secret)) and len(secret) in BASE64_DIGEST_LENGTHS


_SRI = re.compile(r"sha(?:256-[A-Za-z0-9+/]{43}=|384-[A-Za-z0-9+/]{64}|512-[A-Za-z0-9+/]{86}==)")
_DATA_URI = re.compile(r"data:[\w.+\-]*/[\w.+\-]*(?:;[\w.+\-]+=[\w.+\-]+)*;base64,")


def is_integrity_or_data_uri(secret: str, context: Any) -> bool:
    """A Subresource-Integrity value (`sha384-…`), or the payload of a `data:…;base64,` URI on its line."""
    # detect-secrets' eager pass reads any file as INI and escapes its quotes: a value may end in `\`.
    before = _before(context.target_line, secret)
    return bool(_SRI.fullmatch(secret.rstrip("\\"))) or bool(_DATA_URI.search(before))


POLICY_WORDS = frozenset(
    {"min", "max", "minimum", "maximum", "length", "len", "hint", "regex", "regexp", "pattern", "message",
     "msg", "label", "prompt", "placeholder", "policy", "rule", "rules", "help", "text", "title", "error",
     "description", "format", "strength", "complexity", "expiry", "age", "days", "count", "attempts",
     "field", "name"}
)  # fmt: skip
FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "to", "of", "and", "or", "is", "be", "must", "at", "least", "your", "with", "for",
     "in", "not", "has", "have", "contain", "contains", "please", "enter", "should", "characters"}
)  # fmt: skip
_PATTERN_SIGNS = re.compile(r"^\^|(?<!\\)\$$|\(\?[=!:]|\\[dwsDWS]|\[[a-zA-Z0-9]-[a-zA-Z0-9]|\.\*|\{\d+,\d*\}")


def is_policy_text(secret: str, plugin: Any, context: Any) -> bool:
    """A keyword finding whose key is policy-named (`…_min_length`, `…_hint`, `…_regex`, `…_message`) or
    whose value is prose or a pattern: the rules about passwords, not a password."""
    if getattr(plugin, "secret_type", "") not in KEYWORD_TYPES:
        return False
    match = _KEY_BEFORE_VALUE.search(_before(context.target_line, secret))
    words = key_words(match.group(1)) if match else []
    return (
        bool(words and words[-1] in POLICY_WORDS) or _is_prose(secret) or bool(_PATTERN_SIGNS.search(secret))
    )


def _is_prose(value: str) -> bool:
    words = value.lower().split()
    return len(words) >= 3 and bool(FUNCTION_WORDS & {word.strip(".,!?:;") for word in words})


_PLACEHOLDER = re.compile(  # matched against the lowercased value
    r"%[sd]|%\(\w+\)[sd]|\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|#\{[^}]*\}#?|__\w+__|<[^>]*>|\*+|x{3,}|\.{3,}"
    r"|change[-_ ]?me|changeit|placeholder|redacted|your[-_a-z]*|pass(?:word)?|secret|token|none|null"
)


def is_placeholder(secret: str, plugin: Any) -> bool:
    """A value of our plugins that stands for a credential: `%s`, `${VAR}`, `{{ }}`, `<password>`, `****`,
    `changeme`. Only whole values: a real password that contains `test` or `fake` stays."""
    return getattr(plugin, "secret_type", "") in OUR_TYPES and bool(
        _PLACEHOLDER.fullmatch(secret.strip().lower())
    )


_PINNED_REVISION = re.compile(r"^\s*rev:\s*['\"]?[0-9a-f]{40}['\"]?\s*(?:#.*)?$")


def is_pinned_revision(filename: str, line: str) -> bool:
    """A commit id pinned as `rev:` in .pre-commit-config.yaml is no secret."""
    return basename(filename) == ".pre-commit-config.yaml" and bool(_PINNED_REVISION.match(line))


def _before(line: str, secret: str) -> str:
    index = line.find(secret)
    return line[:index] if index >= 0 else ""
