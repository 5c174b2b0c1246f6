"""The one exception tree of the service; every layer raises and catches these.

    AutogradeError
    ├── BadInput                  the caller sent something we refuse (HTTP 4xx, CLI exit 2)
    │   ├── InvalidNotebook       not JSON, not a notebook, nbformat < 4, empty
    │   ├── InvalidAssignment     nbgrader metadata problems, naming the cell
    │   ├── InvalidSubmission     a submission that does not fit its assignment
    │   ├── UploadTooLarge        over the configured size limit
    │   ├── InvalidSpec           a spec file problem, naming file and field (the spec toolkit's)
    │   │   ├── InvalidExam       an exam spec or question bank problem
    │   │   └── InvalidProgramme  a programme spec problem (courses, weights, policies)
    │   ├── RecordVerificationFailed  a signed record that is malformed, altered, or by an unknown key
    │   └── InvalidLaunch         an LTI login or launch whose claims, state or nonce do not hold
    ├── NotFound                  no such assignment, submission, token
    ├── Unauthenticated           no or unknown bearer token
    │   ├── BadSignature          a webhook whose HMAC signature, or an LTI id_token whose JWS, is wrong
    │   └── StaleRequest          a webhook whose signed timestamp is outside the window
    ├── Forbidden                 a known caller asking for what is not theirs
    │   └── WrongAccessCode       an exam access code that does not match (counted: guesses are limited)
    ├── Conflict                  a state change that is not allowed now
    │   ├── IllegalTransition     an exam attempt event its current state does not allow
    │   ├── AssignmentRetired     work sent to an assignment that no longer takes any (HTTP 410)
    │   ├── InvitationSpent       an LTI registration invitation used, expired or revoked (HTTP 410)
    │   └── RequestWindowClosed   a regrade request after the course's window for it ended
    ├── RateLimited               too many requests for this token just now (429, Retry-After)
    ├── UpstreamError             another system we called answered wrongly or not at all (HTTP 502)
    └── InfrastructureError       our fault, not the learner's: retried, never scored
        ├── SandboxError          the container could not be created, attached or read
        │   └── SandboxImageMismatch  the sandbox image was built from other libraries or agent sources
        └── StorageError          the database refused or was unreachable
            └── CorruptData       a stored document (a grade report) in a shape no version wrote

Outcomes of grading (a wrong answer, a timeout, a dead kernel) are not exceptions: they are
data in the grade report. Only faults raise.
"""

from __future__ import annotations

from datetime import datetime


class AutogradeError(Exception):
    """Base class; ``code`` is the stable machine-readable name used in JSON errors."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(AutogradeError):
    code = "bad_input"


class InvalidNotebook(BadInput):
    code = "invalid_notebook"


class InvalidAssignment(BadInput):
    code = "invalid_assignment"


class InvalidSubmission(BadInput):
    code = "invalid_submission"


class UploadTooLarge(BadInput):
    code = "upload_too_large"


class InvalidSpec(BadInput):
    """``problems``: every problem found in a spec file, each naming its file and field; the message joins them."""

    code = "invalid_spec"

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class InvalidExam(InvalidSpec):
    code = "invalid_exam"


class InvalidProgramme(InvalidSpec):
    code = "invalid_programme"


class RecordVerificationFailed(BadInput):
    code = "record_verification_failed"


class InvalidLaunch(BadInput):
    code = "invalid_launch"


class NotFound(AutogradeError):
    code = "not_found"


class Unauthenticated(AutogradeError):
    code = "unauthenticated"


class BadSignature(Unauthenticated):
    code = "bad_signature"


class StaleRequest(Unauthenticated):
    code = "stale_request"


class Forbidden(AutogradeError):
    code = "forbidden"


class WrongAccessCode(Forbidden):
    """Its own class so the web layer can count wrong guesses; the JSON code stays ``forbidden``."""


class Conflict(AutogradeError):
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class AssignmentRetired(Conflict):
    """The message says which assignment, since when, and that its grades are untouched."""

    code = "assignment_retired"

    def __init__(self, name: str, retired_at: datetime) -> None:
        super().__init__(
            f"assignment {name!r} was retired on {retired_at:%Y-%m-%d %H:%M} UTC and no longer takes "
            "submissions; the grades it has stay as they are"
        )


class InvitationSpent(Conflict):
    """Its own class so the web layer answers 410 Gone: the link worked once and never will again."""

    code = "invitation_spent"


class RequestWindowClosed(Conflict):
    """A learner's regrade request after the window the course gives closed (HTTP 409)."""

    code = "request_window_closed"


class RateLimited(AutogradeError):
    """``retry_after``: whole seconds until the caller may try again."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class UpstreamError(AutogradeError):
    """A platform we called during a request (LTI Dynamic Registration) failed or answered nonsense:
    not the caller's fault (4xx) nor ours (5xx retried), so a 502 that names what it answered."""

    code = "bad_gateway"


class InfrastructureError(AutogradeError):
    code = "infrastructure_error"


class SandboxError(InfrastructureError):
    code = "sandbox_error"


class SandboxImageMismatch(SandboxError):
    """A worker refuses to start on it; a grade that meets it is retried, never scored."""

    code = "sandbox_image_mismatch"


class StorageError(InfrastructureError):
    code = "storage_error"


class CorruptData(StorageError):
    """Not transient, unlike its parent: retrying reads the same document, so no Retry-After."""

    code = "corrupt_data"
