"""The Kubernetes example (deploy/k8s/) agrees with the code (issue 19): every manifest parses, every
variable is a real setting, every command one the CLI accepts, and the keys are mounted where
the settings say. No cluster is needed: the manifests are plain YAML, read as ``kubectl`` would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.deploy.checks import key_files, option, parsed_command, settings_from, unknown_variables

K8S = ROOT / "deploy" / "k8s"
EXAMPLE_SECRETS = "secrets.example.yaml"  # the shape of the secrets an operator creates; never applied
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job")
ENGINE_SOCKET = PurePosixPath("/var/run/docker.sock")  # where the engine image listens


def load(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


@pytest.fixture(scope="module")
def kustomization() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return found


@pytest.fixture(scope="module")
def manifests(kustomization: dict[str, Any]) -> list[dict[str, Any]]:
    return [document for name in kustomization["resources"] for document in load(K8S / name)]


@pytest.fixture(scope="module")
def secrets() -> dict[str, dict[str, str]]:
    """``{secret name: {key: example value}}``."""
    return {
        doc["metadata"]["name"]: doc["stringData"]
        for doc in load(K8S / EXAMPLE_SECRETS)
        if doc["kind"] == "Secret"
    }


@pytest.fixture(scope="module")
def config_maps(manifests: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {doc["metadata"]["name"]: doc["data"] for doc in manifests if doc["kind"] == "ConfigMap"}


def pod_specs(manifests: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in manifests:
        if doc["kind"] in WORKLOADS:
            yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def is_autograde(container: dict[str, Any]) -> bool:
    return PurePosixPath(container["image"].split("@")[0].rsplit(":", 1)[0]).name == "autograde"


def argv(container: dict[str, Any]) -> list[str]:
    return [*container.get("command", []), *container.get("args", [])]


def environment(
    container: dict[str, Any], config_maps: dict[str, Any], secrets: dict[str, Any]
) -> dict[str, str]:
    """What the container's process sees, with the example secrets' values."""
    seen: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            seen.update(config_maps[source["configMapRef"]["name"]])
        else:
            seen.update(secrets[source["secretRef"]["name"]])
    for variable in container.get("env", []):
        if "value" in variable:
            seen[variable["name"]] = str(variable["value"])
        else:
            ref = variable["valueFrom"]["secretKeyRef"]
            seen[variable["name"]] = secrets[ref["name"]][ref["key"]]
    return seen


def test_the_kustomization_lists_every_manifest_but_the_example_secrets(
    kustomization: dict[str, Any],
) -> None:
    files = sorted(
        path.name for path in K8S.glob("*.yaml") if path.name not in ("kustomization.yaml", EXAMPLE_SECRETS)
    )
    assert sorted(kustomization["resources"]) == files


def test_every_document_is_a_named_kubernetes_object(manifests: list[dict[str, Any]]) -> None:
    assert manifests
    for doc in manifests:
        assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"], doc
        assert doc["kind"] != "Secret", "secrets are made by the operator, never applied from the repository"


def test_every_variable_a_container_sees_is_a_real_setting(
    manifests: list[dict[str, Any]], config_maps: dict[str, Any], secrets: dict[str, Any]
) -> None:
    for name, spec in pod_specs(manifests):
        for container in containers(spec):
            assert unknown_variables(environment(container, config_maps, secrets)) == [], (
                name,
                container["name"],
            )


def test_every_autograde_container_runs_a_command_the_cli_accepts_and_passes_the_distributed_checks(
    manifests: list[dict[str, Any]], config_maps: dict[str, Any], secrets: dict[str, Any]
) -> None:
    commands = []
    for _, spec in pod_specs(manifests):
        for container in filter(is_autograde, containers(spec)):
            commands.append(parsed_command(argv(container)))
            settings = settings_from(environment(container, config_maps, secrets))
            assert settings.distributed and settings.database_url.startswith("postgresql"), container["name"]
    assert {"serve", "worker", "migrate"} <= set(commands)


def test_web_containers_find_their_keys_where_the_settings_say(
    manifests: list[dict[str, Any]], config_maps: dict[str, Any], secrets: dict[str, Any]
) -> None:
    webs = 0
    for _, spec in pod_specs(manifests):
        volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
        for container in filter(is_autograde, containers(spec)):
            if parsed_command(argv(container)) != "serve":
                continue
            webs += 1
            mounts = {
                PurePosixPath(mount["mountPath"]): mount["name"]
                for mount in container.get("volumeMounts", [])
            }
            paths = key_files(settings_from(environment(container, config_maps, secrets)))
            assert paths
            for path in map(PurePosixPath, paths):
                volume = volumes[mounts[path.parent]]["secret"]
                items = {item["path"]: item["key"] for item in volume["items"]}
                assert path.name in items, f"{path} is not one of the mounted keys {sorted(items)}"
                assert items[path.name] in secrets[volume["secretName"]], (
                    f"no key {items[path.name]} in the secret"
                )
    assert webs == 1


def test_grading_workers_reach_their_own_engine_and_the_delivery_worker_none(
    manifests: list[dict[str, Any]], config_maps: dict[str, Any], secrets: dict[str, Any]
) -> None:
    for name, spec in pod_specs(manifests):
        for container in filter(is_autograde, containers(spec)):
            command = argv(container)
            if parsed_command(command) != "worker":
                continue
            docker_host = environment(container, config_maps, secrets).get("DOCKER_HOST", "")
            if "--queues" in command and option(command, "--queues") == "callbacks":
                assert not docker_host, name
                continue
            socket = PurePosixPath(docker_host.removeprefix("unix://"))
            volume = {PurePosixPath(m["mountPath"]): m["name"] for m in container["volumeMounts"]}[
                socket.parent
            ]
            engines = [c for c in containers(spec) if "dind" in c["image"]]
            assert len(engines) == 1, f"{name}: a grading worker has its own engine beside it"
            engine_mounts = {m["name"]: PurePosixPath(m["mountPath"]) for m in engines[0]["volumeMounts"]}
            assert engine_mounts[volume] / socket.name == ENGINE_SOCKET, (
                f"{name}: the worker's socket is not the engine's"
            )


def test_services_and_the_ingress_reach_the_pods_and_ports_they_name(manifests: list[dict[str, Any]]) -> None:
    workloads = {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] in WORKLOADS}
    services = {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] == "Service"}
    assert services
    for service in services.values():
        selector = service["spec"]["selector"].items()
        chosen = [
            w for w in workloads.values() if selector <= w["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(chosen) == 1, service["metadata"]["name"]
        ports = {
            port["name"]
            for c in chosen[0]["spec"]["template"]["spec"]["containers"]
            for port in c.get("ports", [])
        }
        assert {port["targetPort"] for port in service["spec"]["ports"]} <= ports
    for workload in workloads.values():
        if workload["kind"] != "Job":
            labels = workload["spec"]["template"]["metadata"]["labels"]
            assert workload["spec"]["selector"]["matchLabels"].items() <= labels.items(), workload[
                "metadata"
            ]["name"]
    for ingress in (doc for doc in manifests if doc["kind"] == "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                names = {port["name"] for port in services[backend["name"]]["spec"]["ports"]}
                assert backend["port"]["name"] in names


def test_probes_ask_endpoints_the_app_has(manifests: list[dict[str, Any]]) -> None:
    routes = set(re.findall(r'@health\.get\("([^"]+)"\)', (ROOT / "web" / "health.py").read_text()))
    probes = [
        c[kind]["httpGet"]["path"]
        for _, spec in pod_specs(manifests)
        for c in spec["containers"]
        for kind in ("livenessProbe", "readinessProbe")
        if "httpGet" in c.get(kind, {})
    ]
    assert probes and set(probes) <= routes


def test_every_secret_a_pod_names_exists_in_the_example_with_its_keys(
    manifests: list[dict[str, Any]], secrets: dict[str, Any]
) -> None:
    for _, spec in pod_specs(manifests):
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                assert {item["key"] for item in volume["secret"]["items"]} <= secrets[
                    volume["secret"]["secretName"]
                ].keys()
        for container in containers(spec):
            for source in container.get("envFrom", []):
                assert "configMapRef" in source or source["secretRef"]["name"] in secrets
