"""The LTI job tests run the real app (tests/web's fixtures) beside the job, against the simulated platform."""

from __future__ import annotations

from tests.web.conftest import (  # noqa: F401  (fixtures)
    app,
    assignment,
    client,
    clock,
    enqueuer,
    instructor,
    migrated_template,
    post_assignment,
    reused_app,
    settings,
    store,
    token,
)
from tests.web.lti.conftest import launch, platform, registered  # noqa: F401  (fixtures)
