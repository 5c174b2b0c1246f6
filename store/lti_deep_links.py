"""Items placed into platform courses by LTI deep linking: the first placement asks for a line item, no later one does."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.errors import Conflict
from integrations.lti_scores import line_item_query
from store.models import LtiDeepLinkRow, LtiExamLineItemRow, LtiLineItemRow
from store.sessions import SessionScope


def placed_line_items(session: Session, registration_id: str, kind: str, target: str) -> dict[str, str]:
    """Per platform course the item was placed in, where its line item is found (by ``resourceId``).

    The platform made the line item from the deep-link answer, so its URL is not known here:
    the sender asks the course's container for it (integrations/lti_scores.py).
    """
    placed = session.execute(
        select(LtiDeepLinkRow.context_id, LtiDeepLinkRow.resource_id, LtiDeepLinkRow.line_items_url).where(
            LtiDeepLinkRow.registration_id == registration_id,
            LtiDeepLinkRow.kind == kind,
            LtiDeepLinkRow.target == target,
        )
    )
    return {
        context: line_item_query(container, resource) for context, resource, container in placed if container
    }


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
        item's line item there; of two placements racing, the primary key lets one win.
        """
        try:
            with self.transaction(write=True) as session:
                if session.get(LtiDeepLinkRow, (registration_id, context_id, resource_id)) is not None:
                    return False
                launched = LtiLineItemRow if kind == "assignment" else LtiExamLineItemRow
                if session.get(launched, (registration_id, context_id, target)) is not None:
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
