from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, UploadFile

from services.gateway.deps import SessionDep, UserDep
from shared.career.profile import (
    ProfileError,
    get_profile,
    profile_out,
    update_profile,
    upload_resume,
)
from shared.career.resume import ResumeError, resume_text
from shared.career.schemas import ProfileIn, ProfileOut
from shared.extraction.skills import vocabulary_names
from shared.settings import get_settings

router = APIRouter(prefix="/profile", tags=["profile"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "a field, skill name or file that cannot be used"}
}


@router.get("")
def read_profile(session: SessionDep, user: UserDep) -> ProfileOut:
    return profile_out(get_profile(session, user.id))


@router.put("", responses=_ERRORS)
def write_profile(body: ProfileIn, session: SessionDep, user: UserDep) -> ProfileOut:
    """Only the fields sent change. `skills` is the reviewed list: suggestions from the
    resume count once they are in it, and those left out are declined."""
    try:
        return profile_out(update_profile(session, user.id, body))
    except ProfileError as exc:
        raise HTTPException(422, str(exc)) from None


@router.post("/resume", responses={**_ERRORS, 413: {"description": "the file is too large"}})
async def post_resume(file: UploadFile, session: SessionDep, user: UserDep) -> ProfileOut:
    """A PDF, DOCX or plain-text resume: its skills come back as `suggested_skills`."""
    cap = get_settings().resume_max_bytes
    data = await file.read(cap + 1)
    if len(data) > cap:
        raise HTTPException(413, f"the resume is too large: more than {cap} bytes")
    try:
        text = resume_text(data, file.filename or "resume", file.content_type, cap)
    except ResumeError as exc:
        raise HTTPException(422, str(exc)) from None
    return profile_out(upload_resume(session, user.id, text, file.filename or "resume"))


@router.get("/vocabulary")
def vocabulary(user: UserDep) -> list[str]:
    """The skill names a profile (and every posting) is expressed in."""
    return vocabulary_names()
