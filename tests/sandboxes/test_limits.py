"""Every sandbox's container options: no network, no root for the learner, read-only, capped everywhere."""

from __future__ import annotations

from sandboxes.limits import AGENT_CAPABILITIES, GVISOR_PIDS_HEADROOM, SANDBOX_UID, SandboxLimits


def test_the_container_has_no_network_no_extra_capability_and_a_read_only_root() -> None:
    options = SandboxLimits().container_options()
    assert options["network_mode"] == "none" and options["network_disabled"] is True
    assert options["cap_drop"] == ["ALL"] and set(options["cap_add"]) == set(AGENT_CAPABILITIES)
    assert options["read_only"] is True and options["security_opt"] == ["no-new-privileges"]
    assert options["user"] == f"0:{SANDBOX_UID}"


def test_every_writable_place_is_a_small_noexec_tmpfs() -> None:
    options = SandboxLimits(scratch_mb=7).container_options()
    assert set(options["tmpfs"]) == {"/tmp", "/home/learner", "/run/judge"}
    for mount in options["tmpfs"].values():
        assert {"size=7m", "nosuid", "nodev", "noexec"} <= set(mount.split(","))
    assert (
        f"uid={SANDBOX_UID}" not in options["tmpfs"]["/run/judge"]
    )  # the learner does not own the judge's home


def test_memory_swap_cpu_and_processes_are_capped_as_configured() -> None:
    options = SandboxLimits(memory_mb=256, cpus=0.5, pids=64, nofile=99).container_options()
    assert options["mem_limit"] == options["memswap_limit"] == "256m"  # no swap beyond the memory cap
    assert options["nano_cpus"] == 500_000_000 and options["pids_limit"] == 64
    assert [(u["Name"], u["Soft"], u["Hard"]) for u in options["ulimits"]] == [("nofile", 99, 99)]


def test_under_gvisor_the_learner_is_capped_by_nproc_and_the_cgroup_leaves_room_for_its_kernel() -> None:
    options = SandboxLimits(runtime="runsc", pids=64).container_options()
    assert options["runtime"] == "runsc" and options["pids_limit"] == 64 + GVISOR_PIDS_HEADROOM
    assert ("nproc", 64, 64) in [(u["Name"], u["Soft"], u["Hard"]) for u in options["ulimits"]]


def test_the_limits_recorded_with_a_grade_are_all_of_them() -> None:
    limits = SandboxLimits(image="img:1", output_limit_bytes=10)
    assert SandboxLimits(**limits.to_dict()) == limits
    assert limits.container_options()["environment"]["AUTOGRADE_OUTPUT_LIMIT"] == "10"
