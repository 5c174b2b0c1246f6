"""Sandbox images are checked by their environment digest, not their id: at start and for every container."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from grader.errors import InfrastructureError, SandboxImageMismatch
from sandboxes.docker_sandbox import DockerSandboxFactory
from sandboxes.environment import LABEL, environment_digest
from sandboxes.image_check import ImageVerifier
from sandboxes.limits import SandboxLimits
from tests.conftest import SANDBOX_IMAGE

pytestmark = pytest.mark.docker
OTHER = "sha256:" + "0" * 64  # what a host built from another lock or agent would carry


@pytest.fixture
def images(docker_client: Any) -> Iterator[dict[str, str]]:
    """The sandbox image relabelled (another environment, none) under test tags, removed afterwards."""
    run = secrets.token_hex(4)
    made = {}
    for name, label in (("other", OTHER), ("unlabelled", "")):
        tag = f"autograde-sandbox-test:{name}-{run}"
        recipe = f'FROM {SANDBOX_IMAGE}\nLABEL {LABEL}="{label}"\n'.encode()
        docker_client.images.build(fileobj=io.BytesIO(recipe), tag=tag, rm=True)
        made[name] = tag
    made["current"] = f"autograde-sandbox-test:current-{run}"  # moved between them by the tests
    docker_client.images.get(SANDBOX_IMAGE).tag(made["current"])
    yield made
    for tag in made.values():
        docker_client.images.remove(tag, force=True)  # untags even if a failed test left a container


def factory_on(docker_client: Any, image: str, verifier: ImageVerifier | None = None) -> DockerSandboxFactory:
    return DockerSandboxFactory(
        docker_client, SandboxLimits(image=image), worker="image-check-test", verifier=verifier
    )


def test_the_built_sandbox_image_carries_this_checkout_s_environment(docker_client: Any) -> None:
    assert ImageVerifier().check_image(docker_client, SANDBOX_IMAGE) == environment_digest()


@pytest.mark.parametrize("name", ["other", "unlabelled"])
def test_an_image_from_another_environment_is_refused_by_name(
    docker_client: Any, images: dict[str, str], name: str
) -> None:
    with pytest.raises(SandboxImageMismatch) as refused:
        ImageVerifier().check_image(docker_client, images[name])
    assert environment_digest() in refused.value.message and "build-sandbox-image.sh" in refused.value.message
    assert (OTHER if name == "other" else f"no {LABEL} label") in refused.value.message


def test_a_missing_image_is_refused_with_how_to_build_it(docker_client: Any) -> None:
    with pytest.raises(SandboxImageMismatch, match="not on this Docker engine: build it"):
        ImageVerifier().check_image(docker_client, f"autograde-sandbox-test:missing-{secrets.token_hex(4)}")


def test_a_tag_moved_to_another_environment_mid_run_fails_the_sandbox_as_our_fault(
    docker_client: Any, images: dict[str, str]
) -> None:
    factory = factory_on(docker_client, images["current"])
    with factory.open() as sandbox:
        assert sandbox.environment == environment_digest() and sandbox.image_id.startswith("sha256:")
    docker_client.images.get(images["other"]).tag(images["current"])  # retagged while the worker runs
    before = {
        c.id
        for c in docker_client.containers.list(
            all=True, filters={"label": "autograde.worker=image-check-test"}
        )
    }
    with pytest.raises(SandboxImageMismatch) as refused:
        factory.open()
    assert isinstance(refused.value, InfrastructureError)  # retried, never a learner's score
    left = {
        c.id
        for c in docker_client.containers.list(
            all=True, filters={"label": "autograde.worker=image-check-test"}
        )
    }
    assert left <= before, "the refused container was left behind"


def test_a_pinned_image_id_refuses_any_other_image(docker_client: Any, images: dict[str, str]) -> None:
    pinned = docker_client.images.get(SANDBOX_IMAGE).id
    assert ImageVerifier(pinned_id=pinned).check_image(docker_client, SANDBOX_IMAGE) == environment_digest()
    relabelled_alike = f'FROM {SANDBOX_IMAGE}\nLABEL {LABEL}="{environment_digest()}"\nENV SAME=1\n'.encode()
    tag = images["current"]
    docker_client.images.build(fileobj=io.BytesIO(relabelled_alike), tag=tag, rm=True)
    with pytest.raises(SandboxImageMismatch, match="not the pinned AUTOGRADE_SANDBOX_IMAGE_ID"):
        ImageVerifier(pinned_id=pinned).check_image(docker_client, tag)
    with pytest.raises(SandboxImageMismatch, match="not the pinned"):
        factory_on(docker_client, tag, ImageVerifier(pinned_id=pinned)).open()
