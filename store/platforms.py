"""Platforms: who may post to the webhook, with which secret, for which courses, called back where."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from grader.errors import Conflict, NotFound
from store.models import PlatformRow, utcnow
from store.rows import PlatformRecord
from store.sessions import SessionScope

SECRET_BYTES = 32


def to_platform_record(row: PlatformRow) -> PlatformRecord:
    return PlatformRecord(
        id=row.id,
        name=row.name,
        secret=row.secret,
        callback_url=row.callback_url,
        courses=tuple(row.courses),
        created_at=row.created_at,
    )


class PlatformStore(SessionScope):
    def create_platform(
        self, platform_id: str, name: str, callback_url: str | None, courses: list[str]
    ) -> PlatformRecord:
        """A new platform with a fresh random secret, shown to the caller once (in the record)."""
        with self.transaction(write=True) as session:
            if session.get(PlatformRow, platform_id) is not None:
                raise Conflict(f"a platform with id {platform_id!r} already exists")
            row = PlatformRow(
                id=platform_id,
                name=name,
                secret=secrets.token_urlsafe(SECRET_BYTES),
                callback_url=callback_url,
                courses=list(courses),
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return to_platform_record(row)

    def get_platform(self, platform_id: str) -> PlatformRecord:
        found = self.find_platform(platform_id)
        if found is None:
            raise NotFound(f"no platform with id {platform_id!r}")
        return found

    def find_platform(self, platform_id: str) -> PlatformRecord | None:
        with self.transaction() as session:
            row = session.get(PlatformRow, platform_id)
            return to_platform_record(row) if row else None

    def list_platforms(self) -> list[PlatformRecord]:
        with self.transaction() as session:
            return [
                to_platform_record(row)
                for row in session.scalars(select(PlatformRow).order_by(PlatformRow.id))
            ]
