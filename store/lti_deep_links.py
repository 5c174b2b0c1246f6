"""Items placed into platform courses by LTI deep linking: the first placement asks for a line item, no later one does."""

from __future__ import annotations

from datetime import datetime

from grader.errors import Conflict
from store.models import LtiDeepLinkRow, LtiLineItemRow
from store.sessions import SessionScope


class LtiDeepLinkStore(SessionScope):
    def place_deep_link(
        self,
        registration_id: str,
        context_id: str,
        kind: str,
        target: str,
        resource_id: str,
        line_items_url: str | None,
        now: datetime,
    ) -> bool:
        """Record that ``target`` is placed into the platform course; True only if it has no line item yet.

        False when an earlier placement asked for one, or a launch already named this
        assignment's line item there; of two placements racing, the primary key lets one win.
        """
        try:
            with self.transaction(write=True) as session:
                if session.get(LtiDeepLinkRow, (registration_id, context_id, resource_id)) is not None:
                    return False
                launched = session.get(LtiLineItemRow, (registration_id, context_id, target))
                if kind == "assignment" and launched is not None:
                    return False
                session.add(
                    LtiDeepLinkRow(
                        registration_id=registration_id,
                        context_id=context_id,
                        resource_id=resource_id,
                        kind=kind,
                        target=target,
                        line_items_url=line_items_url,
                        created_at=now,
                    )
                )
                session.flush()
                return True
        except Conflict:
            return False
