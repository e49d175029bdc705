"""A resume's text out of a PDF, DOCX or plain-text upload (pypdf, python-docx).

Anything we cannot read is refused with a ResumeError naming the problem: a wrong type,
a damaged or encrypted file, or one with no text in it (a scanned image)."""

from __future__ import annotations

import io
import zipfile

MIN_TEXT_CHARS = 20
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ResumeError(ValueError):
    pass


def resume_kind(data: bytes, filename: str, content_type: str | None) -> str:
    """pdf | docx | txt, from the bytes first (a name or header can lie)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    name = filename.lower()
    if name.endswith((".pdf", ".docx", ".doc")) or content_type in ("application/pdf", _DOCX_TYPE):
        raise ResumeError(f"{filename} is not a readable PDF or DOCX file")
    if b"\x00" in data[:4096] and not data.startswith(_UTF16_BOMS):
        raise ResumeError(f"{filename} is a binary file: upload a PDF, DOCX or plain-text resume")
    return "txt"


def resume_text(data: bytes, filename: str, content_type: str | None, max_bytes: int) -> str:
    if not data:
        raise ResumeError("the uploaded file is empty")
    if len(data) > max_bytes:
        raise ResumeError(f"the resume is too large: {len(data)} bytes (at most {max_bytes})")
    kind = resume_kind(data, filename, content_type)
    text = {"pdf": _pdf, "docx": _docx, "txt": _txt}[kind](data)
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip()
    if len(text) < MIN_TEXT_CHARS:
        raise ResumeError(
            f"no text found in the {kind.upper()} file (a scanned image?): "
            "upload a file with selectable text, or paste the text instead"
        )
    return text


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ResumeError("the PDF is password-protected: upload an unprotected copy")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except ResumeError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ResumeError(f"the PDF could not be read: {exc}") from None


def _docx(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ResumeError(f"the DOCX file could not be read: {exc}") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:  # skills often sit in a table
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _txt(data: bytes) -> str:
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Word's "plain text" on Windows
