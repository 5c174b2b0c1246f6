"""The tool's LTI keys (service/lti_keys.py): made once on one machine, only read with many hosts, refused when unusable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from grader.errors import InfrastructureError
from integrations.lti_keys import key_id, new_private_key_pem, private_key_from_pem
from service.lti_keys import ToolKeyring, load_tool_keys
from service.settings import Settings

DISTRIBUTED = {
    "deployment_mode": "distributed",
    "deployment_id": "grades-prod",
    "database_url": "postgresql+psycopg://autograde@db.internal:5432/autograde",
    "secret_key_file": "/run/secrets/session-secret",
    "records_key_file": "/run/secrets/records-signing-key.pem",
}


def embedded(tmp_path: Path, **changes: str) -> Settings:
    return Settings(
        **{"data_dir": str(tmp_path), "lti_key_file": str(tmp_path / "keys" / "lti.pem"), **changes}
    )


def test_on_one_machine_the_key_is_made_on_first_use_private_and_then_kept(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    first = load_tool_keys(settings)
    path = Path(settings.lti_key_file)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.kid == key_id(private_key_from_pem(path.read_bytes()).public_key())
    assert load_tool_keys(settings).kid == first.kid  # read again, not made again
    published = first.published["keys"]
    assert [key["kid"] for key in published] == [first.kid] and "d" not in published[0]


def test_with_many_hosts_a_missing_key_is_refused_not_made(tmp_path: Path) -> None:
    path = tmp_path / "lti.pem"
    settings = Settings(**DISTRIBUTED, lti_key_file=str(path))
    with pytest.raises(InfrastructureError, match="cannot be read.*autograde lti keygen"):
        load_tool_keys(settings)
    assert not path.exists()


def test_with_many_hosts_the_configured_key_is_the_one_used(tmp_path: Path) -> None:
    path = tmp_path / "lti.pem"
    path.write_bytes(new_private_key_pem())
    keys = load_tool_keys(Settings(**DISTRIBUTED, lti_key_file=str(path)))
    assert keys.kid == key_id(private_key_from_pem(path.read_bytes()).public_key())


def ed25519_pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize("content", [b"not a key", b"", "ed25519"], ids=["garbage", "empty", "ed25519"])
def test_an_unusable_signing_key_is_refused_naming_the_file(tmp_path: Path, content: bytes | str) -> None:
    path = tmp_path / "lti.pem"
    original = ed25519_pem() if content == "ed25519" else content
    path.write_bytes(original)  # type: ignore[arg-type]
    with pytest.raises(InfrastructureError, match="not usable") as refused:
        load_tool_keys(embedded(tmp_path, lti_key_file=str(path)))
    assert str(path) in refused.value.message
    assert path.read_bytes() == original  # never replaced by a new key


def test_retired_keys_are_published_after_the_signing_key_as_public_halves(tmp_path: Path) -> None:
    old_private, older = tmp_path / "old.pem", tmp_path / "older.pub.pem"
    old_private.write_bytes(new_private_key_pem())
    older_key = private_key_from_pem(new_private_key_pem()).public_key()
    older.write_bytes(
        older_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    keys = load_tool_keys(embedded(tmp_path, lti_previous_keys=f"{old_private}, {older}"))
    kids = [key["kid"] for key in keys.published["keys"]]
    old_kid = key_id(private_key_from_pem(old_private.read_bytes()).public_key())
    assert kids == [keys.kid, old_kid, key_id(older_key)]
    assert all("d" not in key for key in keys.published["keys"])


def test_a_retired_key_that_is_missing_or_broken_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InfrastructureError, match="cannot be read"):
        load_tool_keys(embedded(tmp_path, lti_previous_keys=str(tmp_path / "gone.pem")))
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")
    with pytest.raises(InfrastructureError, match="not usable"):
        load_tool_keys(embedded(tmp_path, lti_previous_keys=str(broken)))


def test_the_keyring_reads_the_files_once_per_process(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    keyring = ToolKeyring(settings)
    first = keyring.keys()
    Path(settings.lti_key_file).write_bytes(new_private_key_pem())  # replaced on disk after the first read
    assert keyring.keys() is first
    assert ToolKeyring(settings).keys().kid != first.kid  # a new process reads the new file
