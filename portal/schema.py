"""The portal API v1 wire format: the one definition of the contract.

Both sides use these models: the reference portal validates requests and shapes its responses
with them, the client parses responses with them. Field names are part of the contract.
Nothing here does I/O.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

# The contract's words (enums, labels, limits, text rules) live in portal.vocabulary, which needs
# no pydantic; everything there is found here too, as both sides always have.
from portal.vocabulary import *  # noqa: F403
from portal.vocabulary import (
    CATEGORY_LABELS,
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    PAGE_LIMIT_MAX,
    PRIORITY_LABELS,
    PRIORITY_USE_WHEN,
    RATING_COMMENT_MAX_LENGTH,
    STATUS_LABELS,
    STATUS_MEANINGS,
    SUBJECT_MAX_LENGTH,
    AccessLevel,
    AuthorRole,
    Category,
    ChangeKind,
    ErrorCode,
    EventKind,
    Priority,
    Status,
    _max_length,
    _required_text,
    _storable,
    _subject_length,
)

# Exactly the characters str.strip() removes, spelt out: regex engines disagree about `\s`.
_WHITE_SPACE = "".join(f"\\u{code:04x}" for code in range(0x3001) if chr(code).isspace())


def _published_text_rule(trimmed_max: int | None) -> Any:
    """The same rules as the validators, as JSON Schema for /openapi.json (documentation only:
    the validators decide). Not only white space, no NUL, at most `trimmed_max` once trimmed."""
    space, solid = f"[{_WHITE_SPACE}]", f"[^{_WHITE_SPACE}\\u0000]"
    middle = "[^\\u0000]*" if trimmed_max is None else f"[^\\u0000]{{0,{trimmed_max - 2}}}"
    return Field(json_schema_extra={"pattern": f"^{space}*{solid}(?:{middle}{solid})?{space}*$"})


Subject = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_required_text),
    AfterValidator(_subject_length),
    _published_text_rule(SUBJECT_MAX_LENGTH),
]
Description = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_required_text),
    AfterValidator(_max_length(DESCRIPTION_MAX_LENGTH)),
    _published_text_rule(None),
]
CommentBody = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_required_text),
    AfterValidator(_max_length(COMMENT_MAX_LENGTH)),
    _published_text_rule(None),
]
RatingComment = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_max_length(RATING_COMMENT_MAX_LENGTH)),
    Field(json_schema_extra={"pattern": "^[^\\x00]*$"}),
]


def _whole_number(value: Any) -> Any:
    # JSON does not tell 3 from 3.0; both are the integer 3. Strings and booleans stay refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Score = Annotated[int, Field(ge=1, le=5, strict=True), BeforeValidator(_whole_number)]


class _Request(BaseModel):
    """Requests refuse unknown fields: a typo must not be silently dropped."""

    model_config = ConfigDict(extra="forbid")


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- requests -------------------------------------------------------------------------------------


class TokenRequest(_Request):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024, repr=False)


class TicketCreate(_Request):
    subject: Subject
    category: Category
    priority: Priority
    description: Description


class CommentCreate(_Request):
    body: CommentBody


class RatingPut(_Request):
    score: Score
    rating_comment: RatingComment | None = None


# --- responses ------------------------------------------------------------------------------------


class UserRef(_Response):
    id: int
    name: str


class CompanyRef(_Response):
    id: int
    name: str


class Me(_Response):
    id: int
    name: str
    email: str
    company: CompanyRef
    access_level: AccessLevel


class TokenResponse(_Response):
    token: str = Field(repr=False)  # tracebacks that show locals must not print it
    user: Me


class Ticket(_Response):
    id: int
    # The contract's limits hold in answers too: a client refuses (never stores) a value past them.
    subject: str = Field(max_length=SUBJECT_MAX_LENGTH)
    category: Category
    priority: Priority
    description: str = Field(max_length=DESCRIPTION_MAX_LENGTH)
    status: Status
    created_at: AwareDatetime
    updated_at: AwareDatetime
    submitted_by: UserRef
    company_id: int
    assignee: str | None
    psa_ticket_id: str | None
    rating: int | None = Field(ge=1, le=5)
    rating_comment: str | None = Field(max_length=RATING_COMMENT_MAX_LENGTH)
    client_ref: str | None


class TimelineEvent(_Response):
    id: int
    ticket_id: int
    kind: EventKind
    author_role: AuthorRole
    author_name: str
    # The portal user who wrote it: set on a client's event, None on the MSP's (technicians are
    # no portal users). Names are not unique, so "was it me?" is asked of this. A portal older
    # than the field sends none.
    author_id: int | None = None
    body: str | None = Field(max_length=max(COMMENT_MAX_LENGTH, RATING_COMMENT_MAX_LENGTH))
    from_status: Status | None
    to_status: Status | None
    assignee: str | None
    score: int | None = Field(ge=1, le=5)
    created_at: AwareDatetime


class TicketDetail(Ticket):
    timeline: list[TimelineEvent]


class TicketPage(_Response):
    items: list[Ticket]
    next_cursor: str | None


class Change(_Response):
    seq: int
    kind: ChangeKind
    ticket_id: int
    ticket: Ticket | None
    event: TimelineEvent | None


class SyncInfo(_Response):
    psa_sync_interval_seconds: int
    last_psa_sync_at: AwareDatetime | None
    next_psa_sync_at: AwareDatetime
    server_time: AwareDatetime


class ChangePage(_Response):
    changes: list[Change]
    # Always set: on the last page (has_more false) it is where the next sync starts.
    next_cursor: str
    has_more: bool
    # What GET /sync says, as of this page: a periodic sync is then this one request per board
    # (the tenant's budget is 100 a minute). None from a portal that does not send it.
    sync: SyncInfo | None = None


class Choice(_Response):
    value: str
    label: str
    meaning: str | None = None


class Limits(_Response):
    subject_max_length: int
    description_max_length: int
    comment_max_length: int
    rating_comment_max_length: int
    page_limit_max: int


class Meta(_Response):
    categories: list[Choice]
    priorities: list[Choice]
    statuses: list[Choice]
    limits: Limits
    psa_sync_interval_seconds: int
    # Made once with the portal's database; every change-feed cursor carries it. A client
    # whose mirror came from another identity rebuilds it. None from a portal without one.
    portal_id: str | None = Field(default=None, max_length=200)


class ErrorBody(_Response):
    error: str
    code: ErrorCode
    details: dict[str, Any] = Field(default_factory=dict)


def build_meta(psa_sync_interval_seconds: int, portal_id: str | None = None) -> Meta:
    return Meta(
        categories=[Choice(value=c.value, label=CATEGORY_LABELS[c]) for c in Category],
        priorities=[Choice(value=p.value, label=PRIORITY_LABELS[p], meaning=PRIORITY_USE_WHEN[p]) for p in Priority],
        statuses=[Choice(value=s.value, label=STATUS_LABELS[s], meaning=STATUS_MEANINGS[s]) for s in Status],
        limits=Limits(
            subject_max_length=SUBJECT_MAX_LENGTH,
            description_max_length=DESCRIPTION_MAX_LENGTH,
            comment_max_length=COMMENT_MAX_LENGTH,
            rating_comment_max_length=RATING_COMMENT_MAX_LENGTH,
            page_limit_max=PAGE_LIMIT_MAX,
        ),
        psa_sync_interval_seconds=psa_sync_interval_seconds,
        portal_id=portal_id,
    )
