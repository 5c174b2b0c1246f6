"""An LTI 1.3 platform for the tests, served over real HTTP in this process.

Built on joserfc, an independent JOSE library from PyPI, and on none of the tool's own LTI
code: what it signs and serves is what a real platform would, so the tool is checked
against the specification rather than against itself. It serves its key set (and counts
fetches), answers the authorisation redirect of the OIDC login, and mints ``id_token``s
with any claim changed or removed for the negative tests. For grade passback it runs an
OAuth 2 token endpoint (the client-credentials grant, checking the tool's signed assertion
against the tool's published keys) and line items' score endpoints, with a gradebook that
keeps the newest score by timestamp, and profiles for platforms' quirks: ``canvas`` shows a
0 that is not FullyGraded as "needs grading"; ``flaky`` answers 500 or 429 with
``Retry-After`` to one score request in three; ``openedx`` sends no names or e-mails
(launches and roster alike), makes one declarative line item per scored link (the AGS
claim's ``lineitem``, with the ``lineitem.readonly`` scope, never ``lineitem``), refuses a
tool that tries to create one (403, as its REST permissions do), takes scores for its own
line items only, and makes no line item from a deep linking answer (it keeps the content
item's link and custom parameters); ``brightspace`` stores a score only for a user enrolled
in a gradable (learner) role, and answers any other with 403 (D2L: "an error message is sent
to the submitting tool"). ``rotate_key`` publishes a new
signing key the way platforms rotate: new key signs, old key stays published for a while.

For Deep Linking it mints ``LtiDeepLinkingRequest`` launches and receives the tool's
``LtiDeepLinkingResponse`` at ``/deep_link_return``, verified with joserfc against the
tool's keys (issuer, audience, message type, deployment, ``data`` echoed): each
``ltiResourceLink`` item becomes a resource link, and each item's ``lineItem`` a new line
item at once, as Canvas and Moodle do: a tool that asks twice gets two columns. The line
item container (``GET /lineitems``) filters by ``resource_id``.

For Dynamic Registration it is the platform side of the spec: its OpenID configuration at
``/.well-known/openid-configuration`` (any field changed or dropped by
``openid_overrides``) and a registration endpoint at ``/register`` that checks the bearer
``registration_token``, checks the tool's client registration as a platform would (grant
and response types, auth method, redirect URIs, the LTI tool configuration with a deep
linking message) and answers ``client_id`` and, in the tool configuration claim,
``deployment_id``. ``config_fault`` and ``registration_fault`` make either answer a status,
non-JSON or too big a body.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LINE_ITEM_READ_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
PAGE_SIZE = 2
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
OBSERVER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
LINE_ITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
RESULT_READ_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
PII = ("name", "given_name", "family_name", "email", "picture", "middle_name")  # Open edX withholds them
DROP = object()  # a claim override that removes the claim
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
HUGE = 1024 * 1024  # bytes of a too-big answer
BRIGHTSPACE_AUDIENCE = "https://api.brightspace.com/auth/token"  # D2L's published OAuth2 audience
_kids = itertools.count(1)


# Making a 2048-bit RSA key takes about 40 ms, and every test's platform made at least one. A test
# process makes KEY_POOL of them and deals them out in turn, each under a kid of its own: any keys
# one test holds at once (a platform's, a rotation's, another platform's) are still different keys.
KEY_POOL = 8
_pool: list[rsa.RSAPrivateKey] = []
_dealt = itertools.count()


def new_key() -> RSAKey:
    turn = next(_dealt) % KEY_POOL
    if turn == len(_pool):
        _pool.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    raw = _pool[turn]
    return RSAKey(raw, raw, {"kid": f"platform-key-{next(_kids)}", "alg": "RS256", "use": "sig"})


class Platform:
    """One simulated LMS: ``issuer`` is its base URL; the tool is registered under ``client_id``."""

    def __init__(
        self, client_id: str = "tool-client-1", deployment_id: str = "deployment-1", profile: str = "standard"
    ) -> None:
        self.client_id = client_id
        self.deployment_id = deployment_id
        # standard, canvas (0 means needs grading unless FullyGraded), flaky (500/429 1 in 3),
        # openedx (declarative line items, no PII), brightspace (scores for gradable roles only)
        self.profile = profile
        self.enrolments: dict[str, list[str]] = {}  # user: their roles in the course, as launched or enrolled
        self.line_item_creations = 0  # POSTs to the line item container (a tool creating a column)
        self.tool_keys: dict[str, Any] | None = None  # the tool's published key set, to check its assertions
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.score_requests = 0
        self.scores: list[dict[str, Any]] = []  # every score accepted, in arrival order
        self.results: dict[tuple[str, str], dict[str, Any]] = {}  # (line item, user): the newest by timestamp
        self.refusing = False  # answer every score with 500 (a platform that is down)
        self.tool_url = ""  # where the tool runs, for the course page that frames it
        self.frame_src = ""  # a tool page the course page frames as is, instead of launching
        self.members: list[dict[str, Any]] = []  # the course roster (NRPS), served PAGE_SIZE at a time
        self.browser_launch: dict[str, Any] | None = None  # claims of the launch the auth endpoint answers
        self.browser_deep_link = False  # the auth endpoint answers with a deep linking request instead
        self.signing = new_key()
        self.published = [self.signing]
        self.jwks_fetches = 0
        self.auth_requests: list[dict[str, str]] = []
        self.line_items: dict[str, dict[str, Any]] = {}  # made from deep linking responses, by URL
        self.links: list[dict[str, Any]] = []  # resource links made from deep linking responses
        self.deep_link_data = f"dl-{uuid.uuid4().hex[:8]}"  # the opaque value the tool must echo
        self.deep_link_refusals: list[str] = []
        self.registration_token: str | None = None  # the bearer /register demands, when set
        self.openid_overrides: dict[str, Any] = {}  # configuration fields changed (DROP removes)
        self.config_fault: str | None = None  # "500", "not-json" or "huge": how the configuration fails
        self.registration_fault: str | None = None  # the same for /register, or "no-client-id"
        self.registration_answer_deployment: str | None = deployment_id  # None: the answer names none
        self.tool_registrations: list[dict[str, Any]] = []  # client registrations accepted
        self.registration_refusals: list[str] = []
        self.now: Callable[[], datetime] = lambda: datetime.now(
            UTC
        )  # the platform's clock, for the tool's JWTs
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        # stop() waits up to one poll interval: at the default 0.5 s that was most of an LTI test's
        # time, and at 0.05 s still 4 s of the web tests' (115 platforms).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def jwks_url(self) -> str:
        return self.issuer + "/jwks"

    @property
    def auth_login_url(self) -> str:
        return self.issuer + "/auth"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    @property
    def token_audience(self) -> str:
        """The ``aud`` its token endpoint demands of a client assertion: Brightspace names its own
        ("OAuth2 Audience" in its registration, not the token URL); the others take the token URL."""
        return BRIGHTSPACE_AUDIENCE if self.profile == "brightspace" else self.token_url

    def start(self) -> Platform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def registration(
        self, registration_id: str = "lms", courses: tuple[str, ...] = ("ds101",)
    ) -> dict[str, Any]:
        """The body an admin posts to register this platform with the tool (with Brightspace's
        OAuth2 audience copied from its registration page, as its docs tell the admin to)."""
        body = {
            "id": registration_id,
            "name": "Simulated LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": self.auth_login_url,
            "token_url": self.token_url,
            "jwks_url": self.jwks_url,
            "deployment_ids": [self.deployment_id],
            "courses": list(courses),
        }
        return {**body, "token_audience": self.token_audience} if self.profile == "brightspace" else body

    @property
    def openid_configuration_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def openid_configuration(self) -> dict[str, Any]:
        """What Moodle 4.x publishes (trimmed), with ``openid_overrides`` applied."""
        config: dict[str, Any] = {
            "issuer": self.issuer,
            "authorization_endpoint": self.auth_login_url,
            "token_endpoint": self.token_url,
            "jwks_uri": self.jwks_url,
            "registration_endpoint": self.issuer + "/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "scopes_supported": ["openid", SCORE_SCOPE, LINE_ITEM_READ_SCOPE, MEMBERSHIP_SCOPE],
            "claims_supported": ["iss", "sub", "aud", "name"],
            PLATFORM_CONFIGURATION: {
                "product_family_code": "simulator",
                "version": "1.0",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
        }
        if self.profile == "brightspace":
            config["authorization_server"] = self.token_audience
        for name, value in self.openid_overrides.items():
            if value is DROP:
                config.pop(name, None)
            else:
                config[name] = value
        return config

    def serve_configuration(self) -> Response:
        return self.faulty(self.config_fault) or answer_json(self.openid_configuration(), self.config_fault)

    def register_tool(self, request: Request) -> Response:
        """The registration endpoint: the bearer token, then the client registration, checked."""
        if self.registration_token is not None and request.headers.get("Authorization") != (
            f"Bearer {self.registration_token}"
        ):
            self.registration_refusals.append("bearer")
            return error(401, "invalid_token")
        try:
            body = json.loads(request.get_data())
        except ValueError:
            return error(400, "invalid_client_metadata: not JSON")
        problem = registration_problem(body)
        if problem:
            self.registration_refusals.append(problem)
            return error(400, f"invalid_client_metadata: {problem}")
        fault = self.faulty(self.registration_fault)
        if fault:
            return fault
        self.tool_registrations.append(body)
        tool_config = dict(body[TOOL_CONFIGURATION])
        if self.registration_answer_deployment is not None:
            tool_config["deployment_id"] = self.registration_answer_deployment
        answer = {**body, TOOL_CONFIGURATION: tool_config}
        if self.registration_fault != "no-client-id":
            answer["client_id"] = self.client_id
        return answer_json(answer, self.registration_fault)

    @staticmethod
    def faulty(fault: str | None) -> Response | None:
        if fault in (None, "no-client-id", "huge"):
            return None
        if fault == "not-json":
            return Response("<html>Moodle is in maintenance mode</html>", mimetype="text/html")
        return error(int(str(fault)), "server_error")

    def rotate_key(self, keep_old: bool = True) -> None:
        self.signing = new_key()
        self.published = [self.signing, *self.published] if keep_old else [self.signing]

    def login_params(self, target_link_uri: str = "http://tool/lti/launch", **extra: str) -> dict[str, str]:
        return {
            "iss": self.issuer,
            "login_hint": "hint-42",
            "target_link_uri": target_link_uri,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
            **extra,
        }

    def claims(self, nonce: str, now: datetime, /, **overrides: Any) -> dict[str, Any]:
        """A valid resource link launch of a learner, with ``overrides`` (``DROP`` removes a claim)."""
        at = int(now.timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "sub": "user-7",
            "exp": at + 300,
            "iat": at,
            "nonce": nonce,
            "name": "Ada Learner",
            CLAIM + "version": "1.3.0",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "roles": [LEARNER],
            CLAIM + "resource_link": {"id": "link-1", "title": "Homework 1"},
            CLAIM + "context": {"id": "course-ctx-1", "label": "DS101"},
            CLAIM + "target_link_uri": "http://tool/lti/launch",
            CLAIM + "custom": {},
        }
        for name, value in overrides.items():
            key = CLAIM + name if CLAIM + name in claims else name
            if value is DROP:
                claims.pop(key, None)
            else:
                claims[key] = value
        if self.profile == "openedx":
            for name in PII:
                claims.pop(name, None)
        roles = claims.get(CLAIM + "roles")
        if isinstance(claims.get("sub"), str) and isinstance(roles, list):
            self.enrolments[claims["sub"]] = list(roles)  # the platform launches people as they are enrolled
        return claims

    def enrol(self, user: str, *roles: str) -> None:
        """Enrol (or re-enrol) ``user`` in the course with ``roles``: the course's own record of them."""
        self.enrolments[user] = list(roles)

    def deep_linking_claims(self, nonce: str, now: datetime, /, **settings: Any) -> dict[str, Any]:
        """An instructor's deep linking request from the course, with ``settings`` changed (DROP removes one)."""
        dl_settings: dict[str, Any] = {
            "deep_link_return_url": self.issuer + "/deep_link_return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": False,
            "data": self.deep_link_data,
        }
        for name, value in settings.items():
            if value is DROP:
                dl_settings.pop(name, None)
            else:
                dl_settings[name] = value
        return self.claims(
            nonce,
            now,
            message_type="LtiDeepLinkingRequest",
            roles=[INSTRUCTOR],
            resource_link=DROP,
            sub="teacher-1",
            **{
                DL_CLAIM + "deep_linking_settings": dl_settings,
                AGS: {
                    "scope": [SCORE_SCOPE, LINE_ITEM_READ_SCOPE],
                    "lineitems": f"{self.issuer}/lineitems",
                },
                **self.nrps_claim(),
            },
        )

    def deep_link_return(self, request: Request) -> Response:
        """Where the tool's answer lands: checked like a platform would, then links and line items are made."""
        try:
            token = jwt.decode(
                request.form.get("JWT", ""), KeySet.import_key_set(self.tool_keys or {"keys": []})
            )
            jwt.JWTClaimsRegistry(
                now=lambda: int(self.now().timestamp()),
                iss={"essential": True, "value": self.client_id},
                aud={"essential": True, "value": self.issuer},
                exp={"essential": True},
                nonce={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            self.deep_link_refusals.append(str(exc))
            return error(400, f"the deep linking response does not verify: {exc}")
        claims = token.claims
        expected = {
            CLAIM + "message_type": "LtiDeepLinkingResponse",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            DL_CLAIM + "data": self.deep_link_data,
        }
        for name, value in expected.items():
            if claims.get(name) != value:
                self.deep_link_refusals.append(name)
                return error(400, f"{name} is {claims.get(name)!r}, not {value!r}")
        for item in claims.get(DL_CLAIM + "content_items", []):
            if item.get("type") != "ltiResourceLink":
                continue
            link = {**item, "id": f"link-dl-{len(self.links) + 1}"}
            if "lineItem" in item and self.profile != "openedx":  # Open edX keeps link and custom only
                url = f"{self.issuer}/lineitems/dl-{len(self.line_items) + 1}"
                self.line_items[url] = {**item["lineItem"], "id": url, "resourceLinkId": link["id"]}
                link["line_item"] = url
            self.links.append(link)
        return Response("<!doctype html><p>Saved.</p>", mimetype="text/html")

    def line_item_container(self, request: Request) -> Response:
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return error(401, "unknown access token")
        items = [
            item
            for item in self.line_items.values()
            if request.args.get("resource_id") in (None, item.get("resourceId"))
        ]
        return Response(json.dumps(items), mimetype="application/vnd.ims.lis.v2.lineitemcontainer+json")

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None, kid: str | None = None) -> str:
        key = key or self.signing
        return jwt.encode({"alg": "RS256", "kid": kid or key.kid, "typ": "JWT"}, claims, key)

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.route(request)
        return response(environ, start_response)

    def route(self, request: Request) -> Response:
        if request.path == "/jwks":
            self.jwks_fetches += 1
            keys = [key.as_dict(private=False) for key in self.published]
            return Response(json.dumps({"keys": keys}), mimetype="application/json")
        if request.path == "/token" and request.method == "POST":
            return self.token(request)
        if (
            request.path.startswith("/lineitems/")
            and request.path.endswith("/scores")
            and request.method == "POST"
        ):
            return self.score(request, request.path.removesuffix("/scores"))
        if (
            request.path == "/results" and request.method == "POST"
        ):  # a plain webhook receiver, for comparison
            self.scores.append({"callback": True})
            return Response("{}", mimetype="application/json")
        if request.path == "/deep_link_return" and request.method == "POST":
            return self.deep_link_return(request)
        if request.path == "/lineitems" and request.method == "GET":
            return self.line_item_container(request)
        if request.path == "/lineitems" and request.method == "POST":
            return self.create_line_item(request)
        if request.path == "/.well-known/openid-configuration":
            return self.serve_configuration()
        if request.path == "/register" and request.method == "POST":
            return self.register_tool(request)
        if request.path == "/memberships":
            return self.memberships(request)
        if request.path == "/auth":
            self.auth_requests.append(dict(request.args))
            if self.browser_launch is not None:
                return self.form_post(request.args)
            return Response(json.dumps({"received": dict(request.args)}), mimetype="application/json")
        if request.path == "/course" and self.tool_url:
            return self.course_page()
        return Response(json.dumps({"error": "not found"}), status=404, mimetype="application/json")

    def course_page(self) -> Response:
        """The LMS's course page: the tool in an iframe, started by a login form posted into it
        (or, with ``frame_src``, just that page of the tool in the iframe)."""
        if self.frame_src:
            frame = (
                f'<iframe name="tool" src="{html.escape(self.frame_src)}" width="900" height="700"></iframe>'
            )
            return Response(f"<!doctype html><title>Simulated LMS</title>{frame}", mimetype="text/html")
        fields = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in self.login_params(self.tool_url + "/lti/launch").items()
        )
        page = (
            "<!doctype html><title>Simulated LMS</title><h1>DS101 in the LMS</h1>"
            f'<form id="login" method="post" action="{self.tool_url}/lti/login" target="tool">{fields}</form>'
            '<iframe name="tool" id="tool" title="tool" width="900" height="700"></iframe>'
            "<script>document.getElementById('login').submit()</script>"
        )
        return Response(page, mimetype="text/html")

    def form_post(self, request: Any) -> Response:
        """The OIDC authorisation answer a browser carries: a form posting the id_token to the redirect URI."""
        if self.browser_deep_link:
            claims = self.deep_linking_claims(request["nonce"], self.now())
        else:
            claims = self.claims(request["nonce"], datetime.now(UTC), **(self.browser_launch or {}))
        fields = {"id_token": self.sign(claims), "state": request["state"]}
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        page = (
            f'<!doctype html><form id="launch" method="post" action="{html.escape(request["redirect_uri"])}">'
            f"{inputs}</form><script>document.getElementById('launch').submit()</script>"
        )
        return Response(page, mimetype="text/html")

    def nrps_claim(self) -> dict[str, Any]:
        return {NRPS: {"context_memberships_url": self.issuer + "/memberships", "service_versions": ["2.0"]}}

    def memberships(self, request: Request) -> Response:
        """The roster, a page at a time with a ``Link: rel="next"``; names and e-mails withheld as Open edX does."""
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return error(401, "unknown access token")
        page = int(request.args.get("page", "0"))
        chunk = self.members[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        if self.profile == "openedx":
            chunk = [{k: v for k, v in member.items() if k not in PII} for member in chunk]
        body = {"id": request.url, "context": {"id": "course-ctx-1"}, "members": chunk}
        headers = {}
        if (page + 1) * PAGE_SIZE < len(self.members):
            headers["Link"] = f'<{self.issuer}/memberships?page={page + 1}>; rel="next"'
        return Response(json.dumps(body), headers=headers, mimetype="application/json")

    def line_item(self, number: int = 1) -> str:
        return f"{self.issuer}/lineitems/{number}"

    def ags_claim(self, number: int = 1) -> dict[str, Any]:
        if self.profile == "openedx":
            return self.declarative_ags_claim(number)
        return {
            AGS: {
                "scope": [SCORE_SCOPE, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"],
                "lineitems": f"{self.issuer}/lineitems",
                "lineitem": self.line_item(number),
            }
        }

    def declarative_ags_claim(self, number: int) -> dict[str, Any]:
        """Open edX's claim for a scored component: its own line item, made with the component, and no
        scope to make others (xblock-lti-consumer's ``LtiAgs`` without ``allow_creating_lineitems``)."""
        url = self.line_item(number)
        self.line_items.setdefault(
            url,
            {
                "id": url,
                "label": f"Component {number}",
                "scoreMaximum": 1,
                "resourceLinkId": f"link-{number}",
            },
        )
        return {
            AGS: {
                "scope": [LINE_ITEM_READ_SCOPE, RESULT_READ_SCOPE, SCORE_SCOPE],
                "lineitems": f"{self.issuer}/lineitems",
                "lineitem": url,
            }
        }

    def create_line_item(self, request: Request) -> Response:
        """A tool creating a column (AGS line item service): Open edX's permissions refuse it."""
        self.line_item_creations += 1
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return error(401, "unknown access token")
        if self.profile == "openedx":
            body = {"detail": "You do not have permission to perform this action."}
            return Response(json.dumps(body), status=403, mimetype="application/json")
        url = f"{self.issuer}/lineitems/made-{len(self.line_items) + 1}"
        self.line_items[url] = {**json.loads(request.get_data() or b"{}"), "id": url}
        return Response(json.dumps(self.line_items[url]), status=201, mimetype="application/json")

    def token(self, request: Request) -> Response:
        """The client-credentials grant with a JWT assertion, checked with joserfc against the tool's keys."""
        self.token_requests += 1
        form = request.form
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("client_assertion_type") != ASSERTION_TYPE
        ):
            return error(400, "unsupported_grant_type")
        try:
            token = jwt.decode(
                form.get("client_assertion", ""), KeySet.import_key_set(self.tool_keys or {"keys": []})
            )
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.client_id},
                sub={"essential": True, "value": self.client_id},
                aud={"essential": True, "value": self.token_audience},
                exp={"essential": True},
                jti={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            return error(401, f"invalid_client: {exc}")
        if not {SCORE_SCOPE, MEMBERSHIP_SCOPE, LINE_ITEM_READ_SCOPE}.intersection(
            form.get("scope", "").split()
        ):
            return error(400, "invalid_scope")
        value = uuid.uuid4().hex
        self.tokens.add(value)
        body = {"access_token": value, "token_type": "Bearer", "expires_in": 3600, "scope": SCORE_SCOPE}
        return Response(json.dumps(body), mimetype="application/json")

    def score(self, request: Request, line_item_path: str) -> Response:
        self.score_requests += 1
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return error(401, "unknown access token")
        if request.mimetype != SCORE_MEDIA_TYPE:
            return error(415, f"scores are {SCORE_MEDIA_TYPE}")
        if self.refusing:
            return error(500, "down")
        if self.profile == "flaky" and self.score_requests % 3 == 1:
            if self.score_requests % 2:
                return error(500, "a bad moment")
            return Response("{}", status=429, headers={"Retry-After": "1"}, mimetype="application/json")
        score = json.loads(request.get_data())
        for name in ("userId", "timestamp", "activityProgress", "gradingProgress"):
            if name not in score:
                return error(400, f"a score needs {name}")
        line_item = self.issuer + line_item_path
        refusal = self.quirk_refusal(line_item, score["userId"])
        if refusal is not None:
            return refusal
        self.scores.append({**score, "line_item": line_item})
        key = (line_item, score["userId"])
        if key not in self.results or self.results[key]["timestamp"] <= score["timestamp"]:
            self.results[key] = score  # platforms keep the newest score, by its timestamp
        return Response("{}", mimetype="application/json")

    def quirk_refusal(self, line_item: str, user: str) -> Response | None:
        """A score this profile's platform will not store, however often it is sent."""
        if self.profile == "openedx" and line_item not in self.line_items:
            return error(404, "Not found.")  # only the components' own line items exist
        if self.profile != "brightspace":
            return None
        roles = self.enrolments.get(user)
        if roles is None:
            return error(403, "User in requested score is not enrolled in the org unit")
        if LEARNER not in roles or {INSTRUCTOR, TEACHING_ASSISTANT}.intersection(roles):
            return error(403, f"User in requested score is enrolled in a role that cannot be graded: {roles}")
        return None

    def gradebook(self, line_item: str, user: str) -> str:
        """What the platform's gradebook shows for the user, with its quirks."""
        score = self.results.get((line_item, user))
        if score is None:
            return "-"
        given, progress = score.get("scoreGiven"), score["gradingProgress"]
        if progress == "PendingManual" or (
            self.profile == "canvas" and not given and progress != "FullyGraded"
        ):
            return "needs grading"
        if given is None:
            return "not graded"
        return f"{given:g}/{score['scoreMaximum']:g}"


def answer_json(document: dict[str, Any], fault: str | None) -> Response:
    """The document, padded past any sane size when ``fault`` is "huge" (and otherwise valid)."""
    if fault == "huge":
        document = {**document, "padding": "x" * HUGE}
    return Response(json.dumps(document), mimetype="application/json")


def registration_problem(body: Any) -> str | None:
    """What a platform refuses in a tool's client registration (LTI-DR 1.0 section 3.3), or None."""
    if not isinstance(body, dict):
        return "not an object"
    expected = {
        "application_type": "web",
        "response_types": ["id_token"],
        "token_endpoint_auth_method": "private_key_jwt",
    }
    for name, value in expected.items():
        if body.get(name) != value:
            return f"{name} must be {value!r}"
    if not {"implicit", "client_credentials"} <= set(body.get("grant_types") or []):
        return "grant_types must include implicit and client_credentials"
    for name in ("initiate_login_uri", "jwks_uri"):
        if not str(body.get(name, "")).startswith(("http://", "https://")):
            return f"{name} must be a URL"
    if not body.get("redirect_uris"):
        return "redirect_uris must name a URL"
    tool = body.get(TOOL_CONFIGURATION)
    if not isinstance(tool, dict) or not tool.get("domain") or not tool.get("target_link_uri"):
        return f"{TOOL_CONFIGURATION} needs domain and target_link_uri"
    if "LtiDeepLinkingRequest" not in {message.get("type") for message in tool.get("messages", [])}:
        return "no LtiDeepLinkingRequest message"
    return None


def error(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json")


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


@contextmanager
def running_platform(**kwargs: Any) -> Iterator[Platform]:
    platform = Platform(**kwargs).start()
    try:
        yield platform
    finally:
        platform.stop()


def unique_subject() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"
