"""Checking that a sandbox image carries this worker's environment digest (``sandboxes.environment``).

A worker checks its engine's image once at start and refuses to run on another; every
sandbox checks the image its container really got, since the tag may be moved to another
image while the worker runs. Optionally the image id itself is pinned
(``AUTOGRADE_SANDBOX_IMAGE_ID``), for deployments that pull one image from a registry.
"""

from __future__ import annotations

import threading
from typing import Any

from docker.errors import DockerException, ImageNotFound

from grader.errors import SandboxError, SandboxImageMismatch
from sandboxes.environment import LABEL, environment_digest

REBUILD = "build it from this checkout with scripts/build-sandbox-image.sh"


class ImageVerifier:
    """Knows the environment this worker's sources need, and each image id's label once read.

    An image id is the hash of the image's configuration, labels included, so the label
    read once for an id holds for as long as the id exists: one inspection per image, not
    per sandbox.
    """

    def __init__(self, expected: str | None = None, pinned_id: str = "") -> None:
        self.expected = expected if expected is not None else environment_digest()
        self.pinned_id = pinned_id
        self._labels: dict[str, str] = {}
        self._lock = threading.Lock()

    def check_image(self, client: Any, reference: str) -> str:
        """At start: the image ``reference`` names on this engine must be this worker's; returns its digest."""
        try:
            image_id = str(client.images.get(reference).id)
        except ImageNotFound:
            raise SandboxImageMismatch(
                f"the sandbox image {reference} is not on this Docker engine: {REBUILD}"
            ) from None
        except DockerException as exc:
            raise SandboxError(f"could not inspect the sandbox image {reference}: {exc}") from exc
        return self.confirm(client, image_id, reference)

    def confirm(self, client: Any, image_id: str, reference: str = "") -> str:
        """The environment digest of the image ``image_id``; raises ``SandboxImageMismatch`` unless it is ours."""
        named = f"{reference} ({image_id})" if reference else image_id
        if self.pinned_id and image_id != self.pinned_id:
            raise SandboxImageMismatch(
                f"the sandbox image {named} is not the pinned AUTOGRADE_SANDBOX_IMAGE_ID {self.pinned_id}"
            )
        found = self._label(client, image_id)
        if found != self.expected:
            carried = f"environment {found}" if found else f"no {LABEL} label"
            raise SandboxImageMismatch(
                f"the sandbox image {named} carries {carried}, but this worker's libraries and agent "
                f"need {self.expected}: every host must grade in the same environment; {REBUILD}"
            )
        return found

    def _label(self, client: Any, image_id: str) -> str:
        with self._lock:
            if image_id in self._labels:
                return self._labels[image_id]
        try:
            labels = client.images.get(image_id).labels or {}
        except DockerException as exc:
            raise SandboxError(f"could not inspect the sandbox image {image_id}: {exc}") from exc
        found = str(labels.get(LABEL, ""))
        with self._lock:
            self._labels[image_id] = found
        return found
