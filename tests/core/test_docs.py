"""The documentation holds together: docs/partners.md is the partner contract
as published, and every relative link of README.md and docs/ leads to a file
of the repository (and to a heading there, when it names one)."""

import hashlib
import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
CONTRACT = DOCS / "partners.md"
# The published contract sits beside a checkout of the programme's workspace.
# A clone alone does not have it; the checksum of the text copied from it
# stands in for it then, so the check never skips.
PUBLISHED_CONTRACT = REPO.parent / "shared" / "partners.md"
CONTRACT_SHA256 = "12dd06cc3f97b0a5db79ed3cd9340e19b3147b0c1307353017e01c94af285026"

FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks: a link in a code sample is not one."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def links_of(text: str) -> list[str]:
    return [target for line in _prose_lines(text) for target in LINK.findall(INLINE_CODE.sub("", line))]


def anchors_of(text: str) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces as hyphens,
    a repeated heading numbered from -1."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in _prose_lines(text):
        found = HEADING.match(line)
        if not found:
            continue
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", found.group(1))
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def broken_links(doc: Path, repo: Path) -> list[str]:
    """Each relative link of `doc` that leads nowhere in `repo`, with why."""
    text = doc.read_text(encoding="utf-8")
    broken = []
    for target in links_of(text):
        if SCHEME.match(target):
            continue  # a web address; not the repository's to check
        path_part, _, anchor = target.partition("#")
        destination = (doc.parent / path_part).resolve() if path_part else doc
        if not destination.is_relative_to(repo):
            broken.append(f"{target}: outside the repository, a clone does not have it")
        elif not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors_of(destination.read_text("utf-8")):
            broken.append(f"{target}: no heading #{anchor} in {destination.relative_to(repo)}")
    return broken


SHELF = sorted(DOCS.glob("*.md"))
PAGES = [REPO / "README.md", *SHELF]


def test_the_partner_contract_is_the_published_text():
    copied = CONTRACT.read_bytes()
    if PUBLISHED_CONTRACT.is_file():
        assert copied == PUBLISHED_CONTRACT.read_bytes(), (
            f"docs/partners.md differs from {PUBLISHED_CONTRACT}: copy it again and record its SHA-256 here"
        )
    assert hashlib.sha256(copied).hexdigest() == CONTRACT_SHA256, "docs/partners.md is not the contract as copied"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_every_relative_link_leads_to_a_file_of_the_repository(page):
    assert broken_links(page, REPO) == []


def test_the_readme_links_every_doc_and_each_doc_links_back():
    readme = (REPO / "README.md").read_text("utf-8")
    readme_targets = {(REPO / target.partition("#")[0]).resolve() for target in links_of(readme)}
    assert SHELF and [doc.name for doc in SHELF if doc not in readme_targets] == []
    # The contract is kept byte for byte as published, so it carries no link of its own.
    for doc in SHELF:
        if doc == CONTRACT:
            continue
        opening = "\n".join(doc.read_text("utf-8").splitlines()[:4])
        assert "../README.md" in links_of(opening), f"{doc.name} does not open with a link back to the README"


ENV_READ = re.compile(r"""(?:env_[a-z]+\(|os\.environ\.get\(|os\.environ\[)\s*["']([A-Z][A-Z0-9_]+)["']""")
VARIABLE_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]+)` \|", re.MULTILINE)
NOT_APPLICATION_CODE = {"tests", "bench", "proof", "var", "node_modules", "__pycache__"}


def test_every_setting_read_from_the_environment_is_documented():
    """The configuration table of docs/operations.md describes every variable
    the application reads, and the README names the same ones."""
    read = set()
    for folder, subfolders, files in os.walk(REPO):
        subfolders[:] = [name for name in subfolders if name not in NOT_APPLICATION_CODE and not name.startswith(".")]
        for name in files:
            if name.endswith(".py"):
                read |= set(ENV_READ.findall(Path(folder, name).read_text("utf-8")))
    described = set(VARIABLE_ROW.findall((DOCS / "operations.md").read_text("utf-8")))
    readme = (REPO / "README.md").read_text("utf-8")
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", readme.partition("## Configuration")[2].partition("\n## ")[0]))
    assert {"SECRET_KEY", "DATABASE_URL", "SERVER_WORKERS"} <= read
    assert sorted(read - described) == []
    assert sorted(described ^ named) == []


def test_the_link_check_finds_what_is_broken(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## Hàng đợi `outbox`\n", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/guide.md) [anchor](docs/guide.md#hàng-đợi-outbox) [web](https://example.vn/x)\n"
        "[gone](docs/missing.md) [outside](../shared/partners.md) [heading](docs/guide.md#nowhere)\n"
        "```\n[in a code sample](docs/absent.md)\n```\n`[inline code](docs/absent.md)`\n",
        encoding="utf-8",
    )
    assert broken_links(page, tmp_path) == [
        "docs/missing.md: no such file",
        "../shared/partners.md: outside the repository, a clone does not have it",
        "docs/guide.md#nowhere: no heading #nowhere in docs/guide.md",
    ]


def test_the_development_webhook_secrets_are_the_ones_the_adapters_use():
    from payments.partners import adapter_for

    operations = (DOCS / "operations.md").read_text(encoding="utf-8")
    for partner in ("vnpt", "viettel", "mobifone"):
        adapter = adapter_for(partner)
        assert f"| `{adapter.secrets_setting}` | `{adapter.development_secret}` |" in operations, partner
