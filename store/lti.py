"""LTI 1.3 registrations, their deployments, the logins awaiting their launch, and LTI people's accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from grader.errors import Conflict, InvalidLaunch, NotFound
from store.accounts import launch_only_password, to_account_record
from store.models import (
    AccountRow,
    LtiDeploymentRow,
    LtiExamLineItemRow,
    LtiLineItemRow,
    LtiLoginRow,
    LtiRegistrationRow,
    utcnow,
)
from store.rows import AccountRecord, LtiLoginRecord, LtiRegistrationRecord
from store.sessions import SessionScope


def to_registration_record(session: Session, row: LtiRegistrationRow) -> LtiRegistrationRecord:
    deployments = session.scalars(
        select(LtiDeploymentRow.deployment_id)
        .where(LtiDeploymentRow.registration_id == row.id)
        .order_by(LtiDeploymentRow.deployment_id)
    )
    return LtiRegistrationRecord(
        id=row.id,
        name=row.name,
        issuer=row.issuer,
        client_id=row.client_id,
        auth_login_url=row.auth_login_url,
        token_url=row.token_url,
        jwks_url=row.jwks_url,
        courses=tuple(row.courses),
        deployment_ids=tuple(deployments),
        created_at=row.created_at,
        token_audience=row.token_audience,
    )


def insert_registration(session: Session, registration: LtiRegistrationRecord) -> LtiRegistrationRecord:
    """Add the registration in the caller's transaction (an invitation's redemption shares it)."""
    if session.get(LtiRegistrationRow, registration.id) is not None:
        raise Conflict(f"an LTI registration with id {registration.id!r} already exists")
    taken = select(LtiRegistrationRow.id).where(
        LtiRegistrationRow.issuer == registration.issuer,
        LtiRegistrationRow.client_id == registration.client_id,
    )
    other = session.scalar(taken)
    if other is not None:
        raise Conflict(
            f"issuer {registration.issuer!r} with client id {registration.client_id!r} is already "
            f"registered as {other!r}"
        )
    row = LtiRegistrationRow(
        id=registration.id,
        name=registration.name,
        issuer=registration.issuer,
        client_id=registration.client_id,
        auth_login_url=registration.auth_login_url,
        token_url=registration.token_url,
        jwks_url=registration.jwks_url,
        courses=list(registration.courses),
        token_audience=registration.token_audience,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    for deployment_id in dict.fromkeys(registration.deployment_ids):
        session.add(LtiDeploymentRow(registration_id=row.id, deployment_id=deployment_id))
    session.flush()
    return to_registration_record(session, row)


class LtiStore(SessionScope):
    def create_lti_registration(self, registration: LtiRegistrationRecord) -> LtiRegistrationRecord:
        """Stored with its deployments; Conflict for a taken id or an issuer and client id already registered."""
        with self.transaction(write=True) as session:
            return insert_registration(session, registration)

    def add_lti_deployment(self, registration_id: str, deployment_id: str) -> LtiRegistrationRecord:
        """The registration with one more deployment; adding one it has already changes nothing."""
        with self.transaction(write=True) as session:
            row = self._registration(session, registration_id)
            if session.get(LtiDeploymentRow, (registration_id, deployment_id)) is None:
                session.add(LtiDeploymentRow(registration_id=registration_id, deployment_id=deployment_id))
                session.flush()
            return to_registration_record(session, row)

    def set_lti_token_audience(self, registration_id: str, audience: str | None) -> LtiRegistrationRecord:
        """The registration with this token audience (None: its token URL); NotFound for an unknown id."""
        with self.transaction(write=True) as session:
            row = self._registration(session, registration_id)
            row.token_audience = audience
            session.flush()
            return to_registration_record(session, row)

    @staticmethod
    def _registration(session: Session, registration_id: str) -> LtiRegistrationRow:
        row = session.get(LtiRegistrationRow, registration_id)
        if row is None:
            raise NotFound(f"no LTI registration with id {registration_id!r}")
        return row

    def get_lti_registration(self, registration_id: str) -> LtiRegistrationRecord:
        with self.transaction() as session:
            return to_registration_record(session, self._registration(session, registration_id))

    def list_lti_registrations(self, issuer: str | None = None) -> list[LtiRegistrationRecord]:
        query = select(LtiRegistrationRow).order_by(LtiRegistrationRow.id)
        if issuer is not None:
            query = query.where(LtiRegistrationRow.issuer == issuer)
        with self.transaction() as session:
            return [to_registration_record(session, row) for row in session.scalars(query)]

    def start_lti_login(self, login: LtiLoginRecord, now: datetime) -> None:
        """Keep a login's state and nonce until its launch; logins long expired are swept on the way."""
        with self.transaction(write=True) as session:
            session.execute(delete(LtiLoginRow).where(LtiLoginRow.expires_at < now))
            session.add(
                LtiLoginRow(
                    state=login.state,
                    nonce=login.nonce,
                    registration_id=login.registration_id,
                    created_at=now,
                    expires_at=login.expires_at,
                )
            )

    def use_lti_login(self, state: str, now: datetime) -> LtiLoginRecord:
        """The login ``state`` began, marked used in the same statement that finds it unused and unexpired.

        One conditional update: of two launches racing with the same state, exactly one wins,
        so a nonce is never accepted twice.
        """
        with self.transaction(write=True) as session:
            claimed = session.execute(
                update(LtiLoginRow)
                .where(
                    LtiLoginRow.state == state, LtiLoginRow.used_at.is_(None), LtiLoginRow.expires_at > now
                )
                .values(used_at=now)
            )
            row = session.get(LtiLoginRow, state)
            if row is None:
                raise InvalidLaunch(
                    "the launch's state matches no login begun here (start again from the course)"
                )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                why = "was already used (a replayed launch?)" if row.used_at is not None else "has expired"
                raise InvalidLaunch(f"the login this launch completes {why}; start again from the course")
            return LtiLoginRecord(row.state, row.nonce, row.registration_id, row.expires_at)

    def lti_account(self, name: str, role: str, course: str) -> AccountRecord:
        """The account of an LTI person in one role, made on first launch, joined to ``course``.

        Its password is random and never shown: such a person only ever comes in by launch.
        """
        with self.transaction(write=True) as session:
            row = join_course(session, name, role, course)
            session.flush()
            return to_account_record(row)

    def record_line_item(self, registration_id: str, context_id: str, assignment_id: str, url: str) -> None:
        """Where this assignment's scores go in one platform course (a launch's AGS claim); the newest URL wins."""
        with self.transaction(write=True) as session:
            row = session.get(LtiLineItemRow, (registration_id, context_id, assignment_id))
            if row is None:
                session.add(
                    LtiLineItemRow(
                        registration_id=registration_id,
                        context_id=context_id,
                        assignment_id=assignment_id,
                        url=url,
                        created_at=utcnow(),
                    )
                )
            elif row.url != url:
                row.url = url

    def record_exam_line_item(self, registration_id: str, context_id: str, exam_id: str, url: str) -> None:
        """Where this exam's standing goes in one platform course (a launch's AGS claim); the newest URL wins."""
        with self.transaction(write=True) as session:
            row = session.get(LtiExamLineItemRow, (registration_id, context_id, exam_id))
            if row is None:
                session.add(
                    LtiExamLineItemRow(
                        registration_id=registration_id,
                        context_id=context_id,
                        exam_id=exam_id,
                        url=url,
                        created_at=utcnow(),
                    )
                )
            elif row.url != url:
                row.url = url


def join_course(session: Session, name: str, role: str, course: str) -> AccountRow:
    """The account ``name`` in ``role``, made if missing, with ``course`` among its courses."""
    row = session.scalars(select(AccountRow).where(AccountRow.name == name)).one_or_none()
    if row is None:
        row = AccountRow(
            name=name,
            role=role,
            password_hash=launch_only_password(),
            courses=[course],
            created_at=utcnow(),
        )
        session.add(row)
    elif row.role != role:
        raise Conflict(f"account {name!r} exists with role {row.role}, not {role}")
    elif course not in (row.courses or []):
        row.courses = [*(row.courses or []), course]
    return row
