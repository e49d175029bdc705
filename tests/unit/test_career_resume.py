"""Resume text from PDF, DOCX and TXT files generated here, and clear refusals."""

from __future__ import annotations

import pytest

from shared.career.resume import ResumeError, resume_text
from tests.career_data import RESUME, docx_resume, pdf_resume, txt_resume

CAP = 2_000_000


@pytest.mark.parametrize(
    ("name", "data"),
    [("cv.txt", txt_resume()), ("cv.docx", docx_resume()), ("cv.pdf", pdf_resume())],
)
def test_each_format_yields_the_text(name: str, data: bytes) -> None:
    text = resume_text(data, name, None, CAP)
    for line in RESUME.splitlines():
        assert line.replace("—", "-").split()[-1] in text


def test_windows_plain_text_and_utf16() -> None:
    windows = "Anna Müller, Python developer".encode("cp1252")
    assert "Müller" in resume_text(windows, "a.txt", None, CAP)
    assert "Python" in resume_text("Anna, Python developer".encode("utf-16"), "a.txt", None, CAP)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cv.pdf", b"%PDF-1.4 broken", "PDF could not be read"),
        ("cv.doc", b"\xd0\xcf\x11\xe0 old word", "not a readable PDF or DOCX"),
        ("cv.bin", b"\x00\x01\x02" * 10, "binary file"),
        ("cv.txt", b"", "empty"),
        ("cv.txt", b"x" * (CAP + 1), "too large"),
    ],
)
def test_refusals_name_the_problem(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ResumeError, match=message):
        resume_text(data, name, None, CAP)


def test_password_protected_pdf_is_refused() -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_resume())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ResumeError, match="password-protected"):
        resume_text(out.getvalue(), "cv.pdf", None, CAP)
