"""The settlement inbox: `SETTLEMENT_INBOX/<partner>/`, where partners drop files.

Each file is imported (or recognised as already imported by its content
hash) and then moved to `processed/`; a rejected file goes to `rejected/`
with the reason next to it, so the inbox only ever holds what is new.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.errors import ValidationFailed
from reconciliation import services
from reconciliation.models import Channel
from reconciliation.parsers import recognise

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Collected:
    path: Path
    imported: services.Imported | None
    error: str = ""


def folder(partner: str) -> Path:
    return Path(settings.SETTLEMENT_INBOX) / partner


def collect(*, partner: str) -> list[Collected]:
    base = folder(partner)
    if not base.is_dir():
        return []
    results = []
    for path in sorted(p for p in base.iterdir() if p.is_file()):
        recognised = recognise(path.name)
        if recognised is None or recognised[0] != partner:
            continue
        try:
            imported = services.settlement_file_import(
                actor=None, file_name=path.name, content=path.read_bytes(), channel=Channel.INBOX, partner=partner
            )
        except ValidationFailed as exc:
            logger.warning("settlement inbox: %s rejected: %s", path, exc.message)
            _move(path, "rejected").with_suffix(path.suffix + ".error.txt").write_text(exc.message + "\n")
            results.append(Collected(path, None, exc.message))
            continue
        _move(path, "processed")
        results.append(Collected(path, imported))
    return results


def _move(path: Path, subfolder: str) -> Path:
    target_dir = path.parent / subfolder
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    path.replace(target)
    return target
