"""A small OpenID Connect provider on loopback, for the sign-in tests.

Speaks the authorization-code flow as Microsoft Entra ID and the other providers do:
``GET /.well-known/openid-configuration`` (discovery), ``GET /authorize`` (redirects back with
``code`` and ``state``; whoever ``person`` holds has signed in), ``POST /token`` (client secret,
PKCE S256, one use per code; an RS256-signed ID token with the nonce), ``GET /jwks`` and
``GET /userinfo`` (bearer access token). As Entra ID, the groups are only in the ID token.

Faults for the refusal tests, in ``tamper``: ``bad_signature`` (signed by a key not in the
JWKS, under the published key's id), ``wrong_audience``, ``expired``, ``other_subject`` (the
userinfo answer is about somebody else).

    with OIDCFake() as provider:
        provider.person = {"sub": "...", "groups": [...]}
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from email.message import Message
from functools import cache
from typing import Any, Self
from urllib.parse import parse_qs, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.fakes import Query, Reply, _Handler, _Server, json_reply

CLIENT_ID = "bluelamp-test"
CLIENT_SECRET = "fake-oidc-client-secret-0123456789"
KEY_ID = "fake-key-1"


@cache
def _keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """The provider's signing key and a stranger's (made once: 2048-bit keys take a while)."""
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


class OIDCFake:
    def __init__(self, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.key, self.stranger_key = _keys()
        self.person: dict[str, Any] = {}
        self.tamper: set[str] = set()
        self.token_requests = 0
        self._lock = threading.Lock()
        self._codes: dict[str, dict[str, Any]] = {}
        self._access: dict[str, dict[str, Any]] = {}
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[assignment]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Self:
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    # Requests (called by tests.fakes._Handler on the server's threads)

    def dispatch(
        self, method: str, path: str, query: Query, headers: Message, body: bytes
    ) -> Reply:
        if method == "GET" and path == "/.well-known/openid-configuration":
            return json_reply(200, self.discovery())
        if method == "GET" and path == "/authorize":
            return self._authorize({k: v[0] for k, v in query.items()})
        if method == "POST" and path == "/token":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            return self._token(form, headers)
        if method == "GET" and path == "/jwks":
            public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            return json_reply(200, {"keys": [public | {"kid": KEY_ID, "alg": "RS256"}]})
        if method == "GET" and path == "/userinfo":
            return self._userinfo(headers)
        return json_reply(404, {"error": "not_found"})

    def _authorize(self, params: dict[str, str]) -> Reply:
        if params.get("client_id") != self.client_id or params.get("response_type") != "code":
            return json_reply(400, {"error": "invalid_request"})
        if "openid" not in params.get("scope", "").split() or not params.get("redirect_uri"):
            return json_reply(400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = {
                "person": dict(self.person),
                "nonce": params.get("nonce"),
                "redirect_uri": params["redirect_uri"],
                "challenge": params.get("code_challenge"),
            }
        back = urlencode({"code": code, "state": params.get("state", "")})
        return Reply(302, headers={"Location": f"{params['redirect_uri']}?{back}"})

    def _client_authenticated(self, form: dict[str, str], headers: Message) -> bool:
        basic = headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        else:
            client, secret = form.get("client_id", ""), form.get("client_secret", "")
        return client == self.client_id and secrets.compare_digest(secret, self.client_secret)

    def _token(self, form: dict[str, str], headers: Message) -> Reply:
        with self._lock:
            self.token_requests += 1
            grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if not self._client_authenticated(form, headers):
            return json_reply(401, {"error": "invalid_client"})
        if grant is None or form.get("grant_type") != "authorization_code":
            return json_reply(400, {"error": "invalid_grant"})
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return json_reply(400, {"error": "invalid_grant"})
        if grant["challenge"] is not None:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                return json_reply(400, {"error": "invalid_grant"})
        person = grant["person"]
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": "someone-else" if "wrong_audience" in self.tamper else self.client_id,
            "iat": now - 7200 if "expired" in self.tamper else now,
            "exp": now - 3600 if "expired" in self.tamper else now + 600,
            "nonce": grant["nonce"],
            **person,
        }
        key = self.stranger_key if "bad_signature" in self.tamper else self.key
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access_token] = person
        return json_reply(
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 600,
                "id_token": id_token,
            },
        )

    def _userinfo(self, headers: Message) -> Reply:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            person = self._access.get(token)
        if person is None:
            return json_reply(401, {"error": "invalid_token"})
        info = {k: v for k, v in person.items() if k != "groups"}
        if "other_subject" in self.tamper:
            info["sub"] = "somebody-else"
        return json_reply(200, info)
