"""detect-secrets plugins for common credential formats its own plugins miss (loaded by file path)."""

from __future__ import annotations

import re
from typing import ClassVar

from detect_secrets.plugins.base import RegexBasedDetector


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


_PINNED_REVISION = re.compile(r"^\s*rev:\s*['\"]?[0-9a-f]{40}['\"]?\s*(?:#.*)?$")


def is_pinned_revision(filename: str, line: str) -> bool:
    """A detect-secrets filter: a commit id pinned as `rev:` in .pre-commit-config.yaml is no secret."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1] == ".pre-commit-config.yaml" and bool(
        _PINNED_REVISION.match(line)
    )
