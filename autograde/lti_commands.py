"""``autograde lti``: register LTI 1.3 platforms, their deployments and token audience, list them, make a tool key."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from service.settings import Settings


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    lti = commands.add_parser("lti", help="LTI 1.3 platforms (Open edX, Canvas, Moodle, Brightspace)")
    lti_commands = lti.add_subparsers(dest="lti_command", required=True)
    register = lti_commands.add_parser("register", help="register a platform: its issuer, client id and URLs")
    register.add_argument("--id", required=True, help="a-z, 0-9, '-' and '_': our name for the platform")
    register.add_argument("--name", default=None)
    register.add_argument(
        "--issuer", required=True, help="the platform's issuer (iss), e.g. https://canvas.instructure.com"
    )
    register.add_argument("--client-id", required=True, help="the client id the platform gave the tool")
    register.add_argument(
        "--auth-login-url", required=True, help="the platform's OIDC authorisation endpoint"
    )
    register.add_argument("--token-url", required=True, help="the platform's OAuth 2 token endpoint")
    register.add_argument(
        "--token-audience",
        help="the audience the token endpoint expects, if not its URL (Brightspace: its OAuth2 Audience)",
    )
    register.add_argument("--jwks-url", required=True, help="where the platform publishes its keys")
    register.add_argument("--deployment", action="append", required=True, help="a deployment id (repeatable)")
    register.add_argument(
        "--course", action="append", required=True, help="a course its launches may open (repeatable)"
    )
    register.set_defaults(handler=run_register)
    deployment = lti_commands.add_parser("deployment", help="add a deployment id to a registered platform")
    deployment.add_argument("--id", required=True, help="the registration's id")
    deployment.add_argument("--deployment", required=True)
    deployment.set_defaults(handler=run_deployment)
    audience = lti_commands.add_parser(
        "token-audience", help="set or clear a registered platform's token audience (Brightspace)"
    )
    audience.add_argument("--id", required=True, help="the registration's id")
    choice = audience.add_mutually_exclusive_group(required=True)
    choice.add_argument("--audience", help="the audience its token endpoint expects (its OAuth2 Audience)")
    choice.add_argument("--clear", action="store_true", help="use the token URL again")
    audience.set_defaults(handler=run_token_audience)
    listing = lti_commands.add_parser("list", help="the registered platforms, one JSON line each")
    listing.set_defaults(handler=run_list)
    invite = lti_commands.add_parser(
        "invite", help="make a one-time link a platform registers itself with (LTI Dynamic Registration)"
    )
    invite.add_argument(
        "--course", action="append", required=True, help="a course its launches may open (repeatable)"
    )
    invite.add_argument("--label", default=None, help="the registration's name")
    invite.add_argument("--registration-id", default=None, help="the id to register it under")
    invite.add_argument("--hours", type=int, default=None, help="how long the link works (default 24)")
    invite.set_defaults(handler=run_invite)
    invitations = lti_commands.add_parser("invitations", help="the registration links, one JSON line each")
    invitations.set_defaults(handler=run_invitations)
    revoke = lti_commands.add_parser("revoke-invitation", help="make an open registration link unusable")
    revoke.add_argument("--id", required=True, help="the invitation's id")
    revoke.set_defaults(handler=run_revoke_invitation)
    roster = lti_commands.add_parser(
        "roster", help="sync a platform course's learners into ours (Names and Role Provisioning)"
    )
    roster.add_argument("--id", required=True, help="the registration's id")
    roster.add_argument("--context", required=True, help="the platform course's context id (from a launch)")
    roster.set_defaults(handler=run_roster)
    keygen = lti_commands.add_parser(
        "keygen", help="make a tool key (RSA, PEM, mode 0600); prints its public JWK"
    )
    keygen.add_argument("--out", type=Path, required=True, help="the private key file; never overwritten")
    keygen.set_defaults(handler=run_keygen)


def run_register(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.commands import migrated_store
    from service.lti_registrations import register_platform, registration_fields

    fields = {
        "id": args.id,
        "name": args.name,
        "issuer": args.issuer,
        "client_id": args.client_id,
        "auth_login_url": args.auth_login_url,
        "token_url": args.token_url,
        "token_audience": args.token_audience,
        "jwks_url": args.jwks_url,
        "deployment_ids": args.deployment,
        "courses": args.course,
    }
    print(json.dumps(registration_fields(register_platform(migrated_store(settings), fields))))
    return 0


def run_deployment(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.commands import migrated_store
    from service.lti_registrations import add_deployment, registration_fields

    record = add_deployment(migrated_store(settings), args.id, {"deployment_id": args.deployment})
    print(json.dumps(registration_fields(record)))
    return 0


def run_token_audience(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.commands import migrated_store
    from service.lti_registrations import change_registration, registration_fields

    fields = {"token_audience": None if args.clear else args.audience}
    print(json.dumps(registration_fields(change_registration(migrated_store(settings), args.id, fields))))
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.commands import migrated_store
    from service.lti_registrations import registration_fields

    for record in migrated_store(settings).list_lti_registrations():
        print(json.dumps(registration_fields(record)))
    return 0


def run_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Prints the invitation with its link, the only time the link is shown."""
    import sys

    from autograde.commands import migrated_store
    from service.clock import host_now
    from service.lti_invitations import create_invitation, invitation_fields, invitation_url

    fields = {
        "courses": args.course,
        "label": args.label,
        "registration_id": args.registration_id,
        "expires_in_hours": args.hours,
    }
    now = host_now()
    made = create_invitation(migrated_store(settings), fields, "cli", now)
    if not settings.public_url:
        print(
            "AUTOGRADE_PUBLIC_URL is not set: prefix the link with the service's https address",
            file=sys.stderr,
        )
    url = invitation_url(settings.public_url, made.token)
    print(json.dumps({**invitation_fields(made.invitation, now), "url": url}))
    return 0


def run_invitations(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.commands import migrated_store
    from service.clock import host_now
    from service.lti_invitations import invitation_fields

    now = host_now()
    for record in migrated_store(settings).list_lti_invitations():
        print(json.dumps(invitation_fields(record, now)))
    return 0


def run_revoke_invitation(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.commands import migrated_store
    from service.clock import host_now
    from service.lti_invitations import invitation_fields

    now = host_now()
    print(json.dumps(invitation_fields(migrated_store(settings).revoke_lti_invitation(args.id, now), now)))
    return 0


def run_roster(args: argparse.Namespace, settings: Settings) -> int:
    from autograde.commands import migrated_store
    from service.lti_keys import ToolKeyring
    from service.lti_roster import sync_roster
    from worker.lti_roster import PlatformRoster
    from worker.lti_scores import ScoreSender

    roster = PlatformRoster(ScoreSender(ToolKeyring(settings)), settings.callback_timeout)
    print(json.dumps(sync_roster(migrated_store(settings), roster, args.id, args.context)))
    return 0


def run_keygen(args: argparse.Namespace, settings: Settings) -> int:
    from integrations.lti_keys import new_private_key_pem, private_key_from_pem, public_jwk
    from service.key_files import write_new

    pem = new_private_key_pem()
    write_new(args.out, pem, "tool key")
    print(json.dumps(public_jwk(private_key_from_pem(pem).public_key())))
    return 0
