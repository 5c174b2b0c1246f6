"""The long-running and admin subcommands: serve, worker, tokens, accounts, platforms, programmes, records, migrate, demo."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from service.settings import Settings
from worker.queue_names import QUEUE_NAMES

if TYPE_CHECKING:
    from store.db import Store

ROLES = ("instructor", "learner", "platform", "admin")
PERSON_ROLES = ("instructor", "learner", "admin")


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = commands.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=run_serve)

    worker = commands.add_parser("worker", help="run a grading worker (RQ)")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.add_argument("--name", help="worker name (default: host-pid)")
    worker.add_argument(
        "--queues",
        nargs="+",
        choices=QUEUE_NAMES,
        default=None,
        help="serve only these queues (default: all, exams first); `--queues exams` is an exam lane, "
        "`--queues callbacks` a worker that only sends results to platforms",
    )
    worker.add_argument(
        "--nice",
        type=int,
        default=0,
        help="lower this worker's CPU priority by N (e.g. 10 for general workers next to an exam lane)",
    )
    worker.set_defaults(handler=run_worker)

    token = commands.add_parser("token", help="API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="mint a token and print it once")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", required=True, help="who holds it (for a learner: their learner id)")
    create.add_argument("--course", action="append", default=None, help="a course it may act on (repeatable)")
    create.set_defaults(handler=run_token_create)
    listing = token_commands.add_parser(
        "list", help="list tokens (never their secrets), one JSON object a line"
    )
    listing.add_argument("--name", default=None, help="only this owner's tokens")
    listing.set_defaults(handler=run_token_list)
    revoke = token_commands.add_parser(
        "revoke", help="revoke a token: every later request with it is refused"
    )
    revoke.add_argument("id", type=int, help="the token's id (from `token list`)")
    revoke.set_defaults(handler=run_token_revoke)

    account = commands.add_parser("account", help="accounts of people who log in to the web pages")
    account_commands = account.add_subparsers(dest="account_command", required=True)
    new_account = account_commands.add_parser("create", help="create an account; asks for its password")
    new_account.add_argument("--role", required=True, choices=PERSON_ROLES)
    new_account.add_argument(
        "--name", required=True, help="the login name and identity (for a learner: their learner id)"
    )
    new_account.add_argument(
        "--course", action="append", default=None, help="a course it may act on (repeatable)"
    )
    new_account.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    new_account.set_defaults(handler=run_account_create)
    password = account_commands.add_parser("password", help="set an account's password; ends its sessions")
    password.add_argument("--name", required=True)
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    password.set_defaults(handler=run_account_password)
    disable = account_commands.add_parser(
        "disable", help="disable an account; ends its sessions, revokes its tokens, keeps its name taken"
    )
    disable.add_argument("--name", required=True)
    disable.set_defaults(handler=run_account_disable)

    platform = commands.add_parser("platform", help="course platforms that use the signed webhook")
    platform_commands = platform.add_subparsers(dest="platform_command", required=True)
    register = platform_commands.add_parser(
        "create", help="register a platform; prints its secret and token once"
    )
    register.add_argument("--id", required=True, help="a-z, 0-9, '-' and '_'; part of the webhook URL")
    register.add_argument("--name", default=None)
    register.add_argument("--callback-url", default=None, help="where signed results are sent")
    register.add_argument(
        "--course", action="append", required=True, help="a course it may submit to (repeatable)"
    )
    register.set_defaults(handler=run_platform_create)

    programme = commands.add_parser("programme", help="programmes whose records are kept")
    programme_commands = programme.add_subparsers(dest="programme_command", required=True)
    new_programme = programme_commands.add_parser(
        "create", help="store a programme spec (.yaml, .yml or .json); every problem of a bad one is listed"
    )
    new_programme.add_argument("spec", type=Path, help="the programme spec")
    new_programme.set_defaults(handler=run_programme_create)

    records = commands.add_parser("records", help="signed programme records")
    records_commands = records.add_subparsers(dest="records_command", required=True)
    verify = records_commands.add_parser(
        "verify",
        help="check a record offline: a CLR 2.0 / OB 3.0 credential (Data Integrity proof or VC-JWT), "
        "its issuer's key, its status; or a legacy signed record",
    )
    verify.add_argument("file", type=Path, help="the credential (JSON or VC-JWT) or legacy signed record")
    verify.add_argument(
        "--did-document",
        type=Path,
        action="append",
        default=[],
        help="the issuer's DID document (did:web: saved from https://HOST/.well-known/did.json); repeatable",
    )
    verify.add_argument(
        "--status-list",
        type=Path,
        action="append",
        default=[],
        help="a status list the credential names (saved from its statusListCredential URL); repeatable",
    )
    verify.add_argument(
        "--skip-status", action="store_true", help="do not check revocation and suspension (says so)"
    )
    key_source = verify.add_mutually_exclusive_group()
    key_source.add_argument(
        "--public-key", type=Path, help="the service's public key: a JWK, a JWK set or PEM"
    )
    key_source.add_argument("--key-url", help="where the service publishes its public key (JWK or JWK set)")
    verify.set_defaults(handler=run_records_verify)
    keygen = records_commands.add_parser(
        "keygen", help="make a signing key (PEM, mode 0600); prints its public JWK"
    )
    keygen.add_argument("--out", type=Path, required=True, help="the private key file; never overwritten")
    keygen.set_defaults(handler=run_records_keygen)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(handler=run_migrate)

    demo = commands.add_parser(
        "demo", help="start the service and grade the bundled example course end to end"
    )
    demo.add_argument("--course", type=Path, default=None, help="course folder with course.json")
    demo.add_argument("--port", type=int, default=8765)
    demo.set_defaults(handler=run_demo)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.server import serve

    serve(settings, args.host, args.port)
    return 0


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    from worker.run import run_worker as start

    start(settings, burst=args.burst, name=args.name, queues=args.queues, nice=args.nice)
    return 0


def migrated_store(settings: Settings, announce: bool = False) -> Store:
    """The database, its schema brought up to date first: an admin command may be the first to touch it.

    Alembic logs at INFO on every run; only ``migrate``, whose job it is, lets those lines through,
    so the other commands print their one JSON line and nothing else.
    """
    import logging

    if not announce:  # before the store's first import, which imports alembic
        logging.getLogger("alembic").setLevel(logging.WARNING)

    from store.db import Store

    store = Store.from_url(settings.database_url, settings.password_hash_method)
    store.migrate()
    return store


def run_token_create(args: argparse.Namespace, settings: Settings) -> int:
    store = migrated_store(settings)
    plaintext, record = store.create_token(args.role, args.name, args.course)
    print(
        json.dumps(
            {
                "token": plaintext,
                "id": record.id,
                "role": record.role,
                "name": record.name,
                "courses": record.courses,
            }
        )
    )
    return 0


def run_token_list(args: argparse.Namespace, settings: Settings) -> int:
    from web.api.tokens import token_json

    for record in migrated_store(settings).list_tokens(name=args.name):
        print(json.dumps(token_json(record)))
    return 0


def run_token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from web.api.tokens import token_json

    print(json.dumps(token_json(migrated_store(settings).revoke_token(args.id))))
    return 0


def read_new_password(from_stdin: bool) -> str:
    """The password never goes on the command line, where ``ps`` and shell history would keep it."""
    import getpass
    import sys

    from grader.errors import BadInput

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("password: ")
    if getpass.getpass("again: ") != password:
        raise BadInput("the two passwords differ")
    return password


def run_account_create(args: argparse.Namespace, settings: Settings) -> int:
    password = read_new_password(args.password_stdin)
    store = migrated_store(settings)
    record = store.create_account(args.role, args.name, password, args.course)
    print(json.dumps({"id": record.id, "role": record.role, "name": record.name, "courses": record.courses}))
    return 0


def run_account_password(args: argparse.Namespace, settings: Settings) -> int:
    password = read_new_password(args.password_stdin)
    store = migrated_store(settings)
    store.set_password(args.name, password)
    print(json.dumps({"name": args.name, "password": "set", "other_sessions": "ended"}))
    return 0


def run_account_disable(args: argparse.Namespace, settings: Settings) -> int:
    store = migrated_store(settings)
    revoked = store.disable_account(args.name)
    print(json.dumps({"name": args.name, "disabled": True, "tokens_revoked": revoked}))
    return 0


def run_platform_create(args: argparse.Namespace, settings: Settings) -> int:
    from grader.errors import BadInput
    from web.api.platforms import PLATFORM_ID
    from web.callback_urls import check_url

    if not PLATFORM_ID.fullmatch(args.id):
        raise BadInput(
            "--id must be 1-64 characters of a-z, 0-9, '-' and '_', starting with a letter or digit"
        )
    callback_url = check_url(args.callback_url, "--callback-url") if args.callback_url else None
    store = migrated_store(settings)
    record = store.create_platform(args.id, args.name or args.id, callback_url, args.course)
    token, _ = store.create_token("platform", record.id, args.course)
    print(
        json.dumps(
            {
                "id": record.id,
                "secret": record.secret,
                "token": token,
                "callback_url": callback_url,
                "courses": list(record.courses),
                "webhook_path": f"/api/v1/platforms/{record.id}/submissions",
            }
        )
    )
    return 0


def run_programme_create(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.cli import read_file
    from service.programmes import create_programme
    from web.api.records import programme_json

    data = read_file(args.spec)
    print(json.dumps(programme_json(create_programme(migrated_store(settings), args.spec.name, data))))
    return 0


def run_records_verify(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.cli import read_file
    from records.signing import is_legacy

    data = read_file(args.file)
    if not is_legacy(data):
        return verify_standard(args, data)
    return verify_legacy(args, data)


def verify_standard(args: argparse.Namespace, data: bytes) -> int:
    """A credential by the standards: proof, issuer's key, embedded credentials, status; all from files."""
    from autograde.cli import read_file
    from credentials.verify import verify_credential
    from grader.errors import BadInput, RecordVerificationFailed

    documents = {}
    for path in args.did_document:
        try:
            document = json.loads(read_file(path))
        except ValueError as exc:
            raise BadInput(f"{path} is not JSON: {exc}") from exc
        if not isinstance(document, dict) or not isinstance(document.get("id"), str):
            raise BadInput(f"{path} is not a DID document (a JSON object with an id)")
        documents[document["id"]] = document
    lists = [read_file(path) for path in args.status_list]
    verified = verify_credential(data, documents, lists, check_status=not args.skip_status)
    if verified.statuses:
        raise RecordVerificationFailed(
            f"the issuer has marked this credential: {', '.join(verified.statuses)}"
        )
    credential = verified.credential
    kind = next((t for t in credential.get("type", []) if t != "VerifiableCredential"), "credential")
    status = "status not checked (--skip-status)" if args.skip_status else "neither revoked nor suspended"
    print(
        f"valid: {kind} {credential.get('id')} by {verified.verification_method} ({verified.proof_format}), "
        f"{verified.embedded} embedded credentials checked, {status}"
    )
    return 0


def verify_legacy(args: argparse.Namespace, data: bytes) -> int:
    """Our own signature of the last release, still verifiable for one more."""
    from grader.errors import BadInput
    from records.export import record_of
    from records.signing import decode_signed, public_keys_from, verify_document

    if not args.public_key and not args.key_url:
        raise BadInput("a legacy signed record needs --public-key or --key-url")
    from autograde.cli import read_file

    keys = public_keys_from(read_file(args.public_key) if args.public_key else fetch_key(args.key_url))
    envelope = decode_signed(data)
    verify_document(envelope, keys)
    record, proof = record_of(envelope["document"]), envelope["proof"]
    print(
        f"valid: {record['learner']} {record['programme_id']} signed by {proof['verificationMethod']} "
        f"at {proof['created']}"
    )
    return 0


def fetch_key(url: str) -> bytes:
    import requests

    from grader.errors import BadInput

    if not url.startswith(("https://", "http://")):
        raise BadInput("--key-url must be an http:// or https:// URL")
    try:
        response = requests.get(url, timeout=10)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise BadInput(f"cannot fetch the public key from {url}: {exc}") from exc
    return response.content


def run_records_keygen(args: argparse.Namespace, settings: Settings) -> int:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from records.signing import private_key_pem, public_key_jwk, public_key_of
    from service.key_files import write_new

    private = Ed25519PrivateKey.generate().private_bytes_raw()
    write_new(args.out, private_key_pem(private), "signing key")
    print(json.dumps(public_key_jwk(public_key_of(private))))
    return 0


def run_migrate(args: argparse.Namespace, settings: Settings) -> int:
    migrated_store(settings, announce=True)
    print("database is at the latest schema")
    return 0


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.demo import run

    return run(settings, args.course, args.port)
