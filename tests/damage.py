"""Damaging an XLSX file (a zip archive of XML members) member by member,
for the tests and the proof scenario that feed broken sheets to the imports."""

import io
import zipfile


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: dict[str, bytes], *, stored: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def with_member(content: bytes, member: str, data: bytes | None) -> bytes:
    """The archive again with one member replaced (None: left out)."""
    files = members(content)
    if data is None:
        files.pop(member)
    else:
        files[member] = data
    return rezip(files)
