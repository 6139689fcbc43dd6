"""Acceptance tests of the devstack (tests/devstack/README.md), driven only by
independent clients: boto3/botocore from the venv and raw HTTP (urllib) —
never by this project's SDK.

Scenarios (the design's S1–S6): S1 per-group API access, S2 CustomRoleArn,
S3 per-identity S3 prefix, S4 JWT-authorized API, S5 client credentials,
S6 misconfiguration; plus every refusal with AWS's error: tampered signature,
wrong secret, wrong session token, expired credentials, wrong audience,
skewed clock.

Expired IdTokens: moto issues IdTokens valid 3600 s and has no setting to
shorten them, so an expired one is minted with moto's own signing key (moto
ships it: moto/cognitoidp/resources/jwks-private.json.gz, the key behind its
JWKS, kid "dummy"). A fresh token minted the same way is accepted, which proves
the expired one is refused for its `exp` alone.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import boto3
import botocore.auth
import pytest
from urllib.parse import quote_plus
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import CREDENTIAL_LIFETIME, START_BUDGET, start_launch, stop_launch

HERE = Path(__file__).resolve().parent
ORIGIN = "http://localhost:8080"  # "a page on another localhost port"

ADMIN, USER, BOTH, NOGROUP = "admin@example.com", "user@example.com", "both@example.com", "nogroup@example.com"

# API Gateway's words (IAM authorizer).
APIGW_MISSING_AUTH = "Missing Authentication Token"
APIGW_BAD_SIGNATURE = "The request signature we calculated does not match the signature you provided."
APIGW_BAD_TOKEN = "The security token included in the request is invalid."
APIGW_EXPIRED_TOKEN = "The security token included in the request is expired"
APIGW_NOT_AUTHORIZED = "is not authorized to perform: execute-api:Invoke on resource: "


# --------------------------------------------------------------------------
# raw HTTP

class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage: case-insensitive
        self.body = body

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return f"<{self.status} {dict(self.headers)} {self.body[:600]!r}>"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> Response:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _opener.open(req, timeout=15) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers, e.read())


def b64url_json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def claims(token: str) -> dict:
    return b64url_json(token.split(".")[1])


def flip(s: str, index: int) -> str:
    """`s` with the character at `index` replaced by a different one of the same alphabet."""
    c = s[index]
    return s[:index] + ("A" if c != "A" else "B") + s[index + 1:]


# --------------------------------------------------------------------------
# moto (the user pool)

def idp(stack, **kw):
    return boto3.client("cognito-idp", endpoint_url=stack["userPoolEndpoint"], region_name=stack["region"],
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}), **kw)


def password_of(stack, username: str) -> str:
    return next(u["password"] for u in stack["users"] if u["username"] == username)


@pytest.fixture(scope="session")
def tokens(devstack):
    """username -> AuthenticationResult (IdToken, AccessToken, RefreshToken), from moto."""
    cache: dict[str, dict] = {}

    def get(username: str) -> dict:
        if username not in cache:
            cache[username] = idp(devstack).initiate_auth(
                ClientId=devstack["clientId"], AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password_of(devstack, username)},
            )["AuthenticationResult"]
        return cache[username]

    return get


def moto_signing_key():
    import moto
    from joserfc.jwk import RSAKey
    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    with gzip.open(path) as f:
        return RSAKey.import_key(json.load(f))


def mint(payload: dict) -> str:
    """A JWT signed with moto's own user-pool key (kid "dummy", as moto's tokens)."""
    from joserfc import jwt
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, payload, moto_signing_key())


def reminted(token: str, **changes) -> str:
    """`token`'s claims with `changes`, signed again with moto's key."""
    c = claims(token)
    c.update(changes)
    return mint(c)


# --------------------------------------------------------------------------
# Cognito Identity (JSON 1.1, unsigned) and STS

def logins_key(stack) -> str:
    return f"cognito-idp.{stack['region']}.amazonaws.com/{stack['userPoolId']}"


def identity(stack, op: str, payload: dict, headers: dict | None = None) -> Response:
    h = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"AWSCognitoIdentityService.{op}"}
    h.update(headers or {})
    return http("POST", stack["identityEndpoint"], json.dumps(payload).encode(), h)


def error_type(r: Response) -> str:
    """The `__type` of a JSON 1.1 error, without a `prefix#`."""
    return r.json().get("__type", "").split("#")[-1]


def get_id(stack, id_token: str | None, pool: str | None = None) -> Response:
    body = {"IdentityPoolId": pool or stack["identityPoolId"]}
    if id_token is not None:
        body["Logins"] = {logins_key(stack): id_token}
    return identity(stack, "GetId", body)


def get_credentials(stack, identity_id: str, id_token: str | None, custom_role: str | None = None) -> Response:
    body = {"IdentityId": identity_id}
    if id_token is not None:
        body["Logins"] = {logins_key(stack): id_token}
    if custom_role:
        body["CustomRoleArn"] = custom_role
    return identity(stack, "GetCredentialsForIdentity", body)


def exchange(stack, id_token: str | None, custom_role: str | None = None, pool: str | None = None) -> Response:
    """GetId then GetCredentialsForIdentity; the first failing answer, or the credentials answer."""
    r = get_id(stack, id_token, pool)
    if r.status != 200:
        return r
    return get_credentials(stack, r.json()["IdentityId"], id_token, custom_role)


@pytest.fixture(scope="session")
def creds(devstack, tokens):
    """username -> fresh credentials {IdentityId, AccessKeyId, SecretKey, SessionToken, Expiration}."""

    def get(username: str | None, custom_role: str | None = None) -> dict:
        id_token = tokens(username)["IdToken"] if username else None
        r = exchange(devstack, id_token, custom_role)
        assert r.status == 200, r
        doc = r.json()
        return {"IdentityId": doc["IdentityId"], **doc["Credentials"]}

    return get


def assert_identity_error(r: Response, type_: str, status: int = 400):
    assert r.status == status and error_type(r) == type_, r
    assert isinstance(r.json().get("message", r.json().get("Message")), str), r


# --------------------------------------------------------------------------
# SigV4 with botocore

def botocreds(c: dict, **override) -> Credentials:
    c = {**c, **override}
    return Credentials(c["AccessKeyId"], c["SecretKey"], c.get("SessionToken"))


def signed(stack, method: str, url: str, c: dict | Credentials, service: str = "execute-api",
           body: bytes = b"", headers: dict | None = None) -> dict:
    """The headers botocore's SigV4Auth adds for this request."""
    cred = c if isinstance(c, Credentials) else botocreds(c)
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(cred, service, stack["region"]).add_auth(req)
    return dict(req.headers.items())


def api(stack, c, route: str, method: str = "GET", query: str = "", **kw) -> Response:
    url = f"{stack['apiUrl']}/{route}" + (f"?{query}" if query else "")
    return http(method, url, headers=signed(stack, method, url, c, **kw))


def tamper_signature(headers: dict) -> dict:
    h = dict(headers)
    auth = h["Authorization"]
    i = auth.index("Signature=") + len("Signature=")
    sig = auth[i:]
    h["Authorization"] = auth[:i] + ("0" if sig[0] != "0" else "1") + sig[1:]
    return h


def apigw_message(r: Response) -> str:
    doc = r.json()
    return doc.get("message", doc.get("Message", ""))


@pytest.fixture
def skewed_clock(monkeypatch):
    """botocore signs with a clock `minutes` off."""

    def skew(minutes: int):
        real = botocore.auth.get_current_datetime

        def fake(*a, **k):
            return real(*a, **k) + datetime.timedelta(minutes=minutes)

        monkeypatch.setattr(botocore.auth, "get_current_datetime", fake)

    return skew


# --------------------------------------------------------------------------
# S3 with boto3

S3_CONFIG = dict(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                 request_checksum_calculation="when_required", response_checksum_validation="when_required")


def s3(stack, c: dict, **config):
    return boto3.client("s3", endpoint_url=stack["s3Endpoint"], region_name=stack["region"],
                        aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretKey"],
                        aws_session_token=c.get("SessionToken"), config=Config(**{**S3_CONFIG, **config}))


def own_prefix(stack, c: dict) -> str:
    return f"{stack['s3Prefix']}/{c['IdentityId']}/"


def s3_error(excinfo) -> tuple[str, int]:
    e = excinfo.value
    return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]


def s3_xml_code(r: Response) -> str:
    m = re.search(rb"<Code>([^<]+)</Code>", r.body)
    return m.group(1).decode() if m else ""


# ==========================================================================
# The launcher and the contract files

def test_starts_in_under_10_seconds(devstack):
    assert devstack.startup_seconds < START_BUDGET, f"launch to config.json took {devstack.startup_seconds:.2f} s"


@pytest.fixture(scope="session")
def early_credentials(devstack, creds):
    return {u: creds(u) for u in (ADMIN, USER)}


def test_00_take_credentials_early(early_credentials):
    """Takes credentials at the start of the session for test_zz_expired_credentials."""
    assert early_credentials[ADMIN]["Expiration"] > time.time()


def test_launch_prints_summary_then_config_path(devstack):
    out = "\n".join(devstack.stdout_lines)
    assert devstack.stdout_lines[-1] == f"DEVSTACK_CONFIG {devstack.state_dir / 'config.json'}"
    for u in devstack["users"]:
        assert u["username"] in out and u["password"] in out
    assert devstack["apiUrl"] in out and devstack["s3Endpoint"] in out


def test_config_json_has_the_readme_keys(devstack):
    c = devstack.config
    for key in ("region", "accountId", "userPoolId", "clientId", "userPoolEndpoint", "identityPoolId",
                "misconfiguredIdentityPoolId", "identityEndpoint", "stsEndpoint", "apiUrl", "jwtApiUrl",
                "tokenEndpoint", "m2mClientId", "m2mClientSecret", "m2mScope", "s3Endpoint", "bucket",
                "s3Prefix", "roles", "users"):
        assert key in c, key
    assert c["region"] == "us-east-1" and c["accountId"] == "123456789012"
    assert c["apiUrl"].endswith("/v1")
    for role in ("admin", "user", "reader", "guest"):
        assert c["roles"][role] == f"arn:aws:iam::123456789012:role/cognito-sigv4-{role}"
    assert c["bucket"] == "cognito-sigv4-demo" and c["s3Prefix"] == "cognito-test"
    assert c["m2mScope"] == "https://api.example.com/read"
    assert re.fullmatch(r"us-east-1:[0-9a-f-]+", c["identityPoolId"])
    assert c["misconfiguredIdentityPoolId"] != c["identityPoolId"]
    for key in ("userPoolEndpoint", "identityEndpoint", "stsEndpoint", "apiUrl", "jwtApiUrl", "tokenEndpoint",
                "s3Endpoint"):
        assert c[key].startswith("http://127.0.0.1:"), (key, c[key])
    assert [(u["username"], u["groups"]) for u in c["users"]] == [
        (ADMIN, ["admin"]), (USER, ["user"]), (BOTH, ["admin", "user"]), (NOGROUP, [])]


def test_seed_json(devstack):
    seed = json.loads((devstack.state_dir / "seed.json").read_text())
    assert set(seed) == {"region", "accountId", "userPoolId", "userPoolEndpoint", "issuer", "clientId",
                         "m2mClientId", "m2mClientSecret", "m2mScope", "jwks", "users"}
    assert seed["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{seed['userPoolId']}"
    assert seed["jwks"]["keys"] and seed["jwks"]["keys"][0]["kty"] == "RSA"


def test_launch_stops_everything_on_sigint(tmp_path):
    proc, lines, elapsed, config_path = start_launch(tmp_path)
    try:
        assert elapsed is not None, (tmp_path / "launch.stderr").read_text()[-3000:]
        config = json.loads(Path(config_path).read_text())
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(timeout=15)
    finally:
        stop_launch(proc)
    assert rc == 0
    assert not Path(config_path).exists()
    for key in ("userPoolEndpoint", "identityEndpoint", "apiUrl", "s3Endpoint"):
        u = urllib.parse.urlsplit(config[key])
        with pytest.raises(OSError):
            socket.create_connection((u.hostname, u.port), timeout=1).close()


def test_launch_exits_nonzero_when_the_binary_dies(tmp_path):
    env = dict(os.environ, DEVSTACK_BIN="/bin/false")
    proc, lines, elapsed, _ = start_launch(tmp_path, env=env, timeout=30)
    try:
        rc = proc.wait(timeout=30)
    finally:
        stop_launch(proc)
    assert elapsed is None and rc != 0, lines
    assert not (tmp_path / "config.json").exists()


# ==========================================================================
# The user pool (moto), as seeded

@pytest.mark.parametrize("username", [ADMIN, USER, BOTH, NOGROUP])
def test_sign_in(devstack, tokens, username):
    result = tokens(username)
    c = claims(result["IdToken"])
    assert c["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{devstack['userPoolId']}"
    assert c["aud"] == devstack["clientId"] and c["token_use"] == "id"
    groups = next(u["groups"] for u in devstack["users"] if u["username"] == username)
    assert sorted(c.get("cognito:groups", [])) == sorted(groups)
    a = claims(result["AccessToken"])
    assert a["client_id"] == devstack["clientId"] and a["token_use"] == "access"


def test_wrong_password_is_refused_by_the_user_pool(devstack):
    with pytest.raises(ClientError) as e:
        idp(devstack).initiate_auth(ClientId=devstack["clientId"], AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": USER, "PASSWORD": "nope-Passw0rd!"})
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_refreshed_id_token_is_accepted_and_the_refresh_token_rotates(devstack):
    client = idp(devstack)
    signed_in = client.initiate_auth(
        ClientId=devstack["clientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USER, "PASSWORD": password_of(devstack, USER)})["AuthenticationResult"]
    old = signed_in["RefreshToken"]
    fresh = client.get_tokens_from_refresh_token(
        ClientId=devstack["clientId"], RefreshToken=old)["AuthenticationResult"]
    r = exchange(devstack, fresh["IdToken"])
    assert r.status == 200, r
    # The SPA client rotates: a new refresh token, and the old one is spent.
    assert fresh["RefreshToken"] != old
    with pytest.raises(ClientError) as e:
        client.get_tokens_from_refresh_token(ClientId=devstack["clientId"], RefreshToken=old)
    assert e.value.response["Error"]["Code"] == "RefreshTokenReuseException"
    # A revoked one (a sign-out) is NotAuthorized.
    client.revoke_token(ClientId=devstack["clientId"], Token=fresh["RefreshToken"])
    with pytest.raises(ClientError) as e:
        client.get_tokens_from_refresh_token(ClientId=devstack["clientId"], RefreshToken=fresh["RefreshToken"])
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"


# ==========================================================================
# Cognito Identity

def test_identity_ids_are_stable_per_user_and_distinct(devstack, tokens):
    a1 = get_id(devstack, tokens(ADMIN)["IdToken"])
    a2 = get_id(devstack, tokens(ADMIN)["IdToken"])
    u = get_id(devstack, tokens(USER)["IdToken"])
    assert a1.status == a2.status == u.status == 200, (a1, a2, u)
    assert a1.json()["IdentityId"] == a2.json()["IdentityId"] != u.json()["IdentityId"]
    assert re.fullmatch(r"us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                        a1.json()["IdentityId"])


def test_credentials_shape_and_lifetime(devstack, tokens):
    r = exchange(devstack, tokens(ADMIN)["IdToken"])
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/x-amz-json-1.1")
    doc = r.json()
    c = doc["Credentials"]
    assert re.fullmatch(r"us-east-1:[0-9a-f-]{36}", doc["IdentityId"])
    assert c["AccessKeyId"].startswith("ASIA") and len(c["SecretKey"]) >= 40 and c["SessionToken"]
    assert isinstance(c["Expiration"], (int, float))
    assert abs(c["Expiration"] - (time.time() + CREDENTIAL_LIFETIME)) < 5, c["Expiration"]
    again = exchange(devstack, tokens(ADMIN)["IdToken"]).json()["Credentials"]
    assert again["AccessKeyId"] != c["AccessKeyId"] and again["SecretKey"] != c["SecretKey"]


def test_boto3_cognito_identity_client(devstack, tokens):
    ci = boto3.client("cognito-identity", endpoint_url=devstack["identityEndpoint"], region_name=devstack["region"],
                      config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    logins = {logins_key(devstack): tokens(USER)["IdToken"]}
    iid = ci.get_id(IdentityPoolId=devstack["identityPoolId"], Logins=logins)["IdentityId"]
    out = ci.get_credentials_for_identity(IdentityId=iid, Logins=logins)
    assert out["IdentityId"] == iid
    assert isinstance(out["Credentials"]["Expiration"], datetime.datetime)
    with pytest.raises(ClientError) as e:
        ci.get_id(IdentityPoolId=devstack["identityPoolId"], Logins={logins_key(devstack): "garbage"})
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_guest_identity_gets_the_guest_role(devstack, creds):
    guest = creds(None)
    assert api(devstack, guest, "user").status == 403
    assert api(devstack, guest, "admin").status == 403
    with pytest.raises(ClientError) as e:
        s3(devstack, guest).put_object(Bucket=devstack["bucket"], Key=own_prefix(devstack, guest) + "x", Body=b"x")
    assert s3_error(e) == ("AccessDenied", 403)


def test_someone_elses_identity_is_refused(devstack, tokens):
    admin_id = get_id(devstack, tokens(ADMIN)["IdToken"]).json()["IdentityId"]
    r = get_credentials(devstack, admin_id, tokens(USER)["IdToken"])
    assert_identity_error(r, "NotAuthorizedException")


def test_unknown_identity_pool(devstack, tokens):
    r = get_id(devstack, tokens(USER)["IdToken"], pool=f"us-east-1:{uuid.uuid4()}")
    assert_identity_error(r, "ResourceNotFoundException")


def test_s6_misconfigured_pool(devstack, tokens):
    r = exchange(devstack, tokens(USER)["IdToken"], pool=devstack["misconfiguredIdentityPoolId"])
    assert_identity_error(r, "InvalidIdentityPoolConfigurationException")


@pytest.mark.parametrize("where", ["signature", "payload", "garbage"])
def test_tampered_id_token_is_refused(devstack, tokens, where):
    token = tokens(USER)["IdToken"]
    h, p, s = token.split(".")
    bad = {"signature": f"{h}.{p}.{flip(s, 10)}", "payload": f"{h}.{flip(p, 20)}.{s}",
           "garbage": "not-a-jwt"}[where]
    assert_identity_error(get_id(devstack, bad), "NotAuthorizedException")
    # and with a valid GetId, at the credentials step
    iid = get_id(devstack, token).json()["IdentityId"]
    assert_identity_error(get_credentials(devstack, iid, bad), "NotAuthorizedException")


def test_s6_expired_id_token_is_refused(devstack, tokens):
    token = tokens(USER)["IdToken"]
    now = int(time.time())
    fresh = reminted(token, iat=now - 60, auth_time=now - 60, exp=now + 3600)
    assert get_id(devstack, fresh).status == 200, "a token minted with moto's key must be accepted"
    expired = reminted(token, iat=now - 7200, auth_time=now - 7200, exp=now - 3600)
    assert_identity_error(get_id(devstack, expired), "NotAuthorizedException")
    iid = get_id(devstack, token).json()["IdentityId"]
    assert_identity_error(get_credentials(devstack, iid, expired), "NotAuthorizedException")


def stranger_sign_in(devstack):
    """Signs USER in through a new app client of the pool that the stack's
    identity pool and JWT authorizer do not list: (client id, moto's tokens)."""
    client = idp(devstack).create_user_pool_client(
        UserPoolId=devstack["userPoolId"], ClientName=f"stranger-{uuid.uuid4().hex[:6]}",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]
    auth = idp(devstack).initiate_auth(
        ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USER, "PASSWORD": password_of(devstack, USER)})["AuthenticationResult"]
    return client["ClientId"], auth


def test_wrong_audience_id_token_is_refused(devstack):
    # A real moto IdToken, but for an app client the identity pool does not list.
    client_id, auth = stranger_sign_in(devstack)
    token = auth["IdToken"]
    assert claims(token)["aud"] == client_id
    assert_identity_error(get_id(devstack, token), "NotAuthorizedException")


def test_access_token_where_an_id_token_is_required(devstack, tokens):
    assert_identity_error(get_id(devstack, tokens(USER)["AccessToken"]), "NotAuthorizedException")


def test_wrong_issuer_is_refused(devstack, tokens):
    token = tokens(USER)["IdToken"]
    other = reminted(token, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_someoneelse")
    assert_identity_error(get_id(devstack, other), "NotAuthorizedException")
    # the Logins key names another pool than the token's issuer
    r = identity(devstack, "GetId", {"IdentityPoolId": devstack["identityPoolId"],
                                     "Logins": {"cognito-idp.us-east-1.amazonaws.com/us-east-1_someoneelse": token}})
    assert r.status == 400 and error_type(r) in {"NotAuthorizedException", "InvalidParameterException"}, r


# ==========================================================================
# STS, classic flow

def sts(stack):
    return boto3.client("sts", endpoint_url=stack["stsEndpoint"], region_name=stack["region"],
                        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))


def open_id_token(stack, id_token: str) -> dict:
    iid = get_id(stack, id_token).json()["IdentityId"]
    r = identity(stack, "GetOpenIdToken", {"IdentityId": iid, "Logins": {logins_key(stack): id_token}})
    assert r.status == 200, r
    assert r.json()["IdentityId"] == iid
    return r.json()


@pytest.mark.parametrize("username,role,route", [(ADMIN, "admin", "admin"), (USER, "user", "user")])
def test_classic_flow(devstack, tokens, username, role, route):
    oid = open_id_token(devstack, tokens(username)["IdToken"])
    out = sts(devstack).assume_role_with_web_identity(
        RoleArn=devstack["roles"][role], RoleSessionName="classic", WebIdentityToken=oid["Token"])
    c = out["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA")
    assert out["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::123456789012:assumed-role/cognito-sigv4-{role}/")
    assert out["SubjectFromWebIdentityToken"] == oid["IdentityId"]
    cc = {"AccessKeyId": c["AccessKeyId"], "SecretKey": c["SecretAccessKey"], "SessionToken": c["SessionToken"]}
    assert api(devstack, cc, route).status == 200
    other = "user" if route == "admin" else "admin"
    assert api(devstack, cc, other).status == 403


def test_sts_refuses_a_bad_web_identity_token(devstack, tokens):
    with pytest.raises(ClientError) as e:
        sts(devstack).assume_role_with_web_identity(
            RoleArn=devstack["roles"]["user"], RoleSessionName="bad-token", WebIdentityToken="garbage")
    assert e.value.response["Error"]["Code"] in {"InvalidIdentityToken", "InvalidIdentityTokenException"}
    # raw form POST: XML error document
    form = urllib.parse.urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                                   "RoleArn": devstack["roles"]["user"], "RoleSessionName": "bad-token",
                                   "WebIdentityToken": "garbage"}).encode()
    r = http("POST", devstack["stsEndpoint"], form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400, r
    assert b"<ErrorResponse" in r.body and b"<Code>InvalidIdentityToken</Code>" in r.body, r
    # A user-pool IdToken is not an OpenID token of the identity pool.
    with pytest.raises(ClientError) as e:
        sts(devstack).assume_role_with_web_identity(
            RoleArn=devstack["roles"]["user"], RoleSessionName="bad-token", WebIdentityToken=tokens(USER)["IdToken"])
    assert e.value.response["Error"]["Code"] in {"InvalidIdentityToken", "AccessDenied"}


# ==========================================================================
# S1: per-group API access (IAM auth)

@pytest.mark.parametrize("username,route,status", [
    (ADMIN, "admin", 200), (ADMIN, "user", 403), (USER, "user", 200), (USER, "admin", 403),
    (NOGROUP, "admin", 403), (NOGROUP, "user", 403),
])
def test_s1_per_group_api_access(devstack, creds, username, route, status):
    c = creds(username)
    r = api(devstack, c, route)
    assert r.status == status, r
    if status == 200:
        doc = r.json()
        assert c["IdentityId"] in json.dumps(doc), doc
    else:
        msg = apigw_message(r)
        role = {ADMIN: "admin", USER: "user", NOGROUP: "reader"}[username]
        assert msg.startswith(f"User: arn:aws:sts::123456789012:assumed-role/cognito-sigv4-{role}/"), r
        assert APIGW_NOT_AUTHORIZED in msg and msg.endswith(f"devapi0001/v1/GET/{route}"), r
        assert r.headers.get("x-amzn-ErrorType") == "AccessDeniedException", r


def test_signed_query_string(devstack, creds):
    r = api(devstack, creds(USER), "user", query="b=2&a=1&c=hello%20world&d=%2F")
    assert r.status == 200, r


def test_unsigned_request_is_refused(devstack):
    r = http("GET", f"{devstack['apiUrl']}/user")
    assert r.status == 403 and apigw_message(r) == APIGW_MISSING_AUTH, r
    assert r.headers.get("x-amzn-ErrorType") == "MissingAuthenticationTokenException", r


def test_tampered_signature_is_refused(devstack, creds):
    url = f"{devstack['apiUrl']}/user"
    h = tamper_signature(signed(devstack, "GET", url, creds(USER)))
    r = http("GET", url, headers=h)
    assert r.status == 403 and apigw_message(r).startswith(APIGW_BAD_SIGNATURE), r
    assert r.headers.get("x-amzn-ErrorType") == "InvalidSignatureException", r


def test_tampered_request_is_refused(devstack, creds):
    # signed for /v1/user?x=1, sent with x=2
    url = f"{devstack['apiUrl']}/user"
    h = signed(devstack, "GET", url + "?x=1", creds(USER))
    r = http("GET", url + "?x=2", headers=h)
    assert r.status == 403 and apigw_message(r).startswith(APIGW_BAD_SIGNATURE), r


def test_wrong_secret_is_refused(devstack, creds):
    c = creds(USER)
    r = api(devstack, botocreds(c, SecretKey="x" * 40), "user")
    assert r.status == 403 and apigw_message(r).startswith(APIGW_BAD_SIGNATURE), r


@pytest.mark.parametrize("case", ["garbage", "other-credentials", "missing"])
def test_wrong_session_token_is_refused(devstack, creds, case):
    c, other = creds(USER), creds(ADMIN)
    token = {"garbage": "Zm9vYmFy" * 20, "other-credentials": other["SessionToken"], "missing": None}[case]
    r = api(devstack, botocreds(c, SessionToken=token), "user")
    assert r.status == 403 and apigw_message(r) == APIGW_BAD_TOKEN, r
    assert r.headers.get("x-amzn-ErrorType") == "UnrecognizedClientException", r


def test_unknown_access_key_is_refused(devstack):
    r = api(devstack, Credentials("ASIA" + "Q" * 16, "s" * 40, "t" * 100), "user")
    assert r.status == 403 and apigw_message(r) == APIGW_BAD_TOKEN, r


@pytest.mark.parametrize("minutes", [-10, 10])
def test_skewed_clock_is_refused(devstack, creds, skewed_clock, minutes):
    c = creds(USER)
    skewed_clock(minutes)
    r = api(devstack, c, "user")
    assert r.status == 403, r
    msg = apigw_message(r)
    assert msg.startswith("Signature expired:" if minutes < 0 else "Signature not yet current:"), r
    assert r.headers.get("x-amzn-ErrorType") == "InvalidSignatureException", r


def test_api_403_carries_cors_and_aws_error_type(devstack, creds):
    url = f"{devstack['apiUrl']}/admin"
    r = http("GET", url, headers={**signed(devstack, "GET", url, creds(USER)), "Origin": ORIGIN})
    assert r.status == 403
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", ORIGIN), r
    assert r.headers.get("Content-Type", "").startswith("application/json"), r


# ==========================================================================
# S2: several groups, CustomRoleArn

def test_s2_both_without_custom_role_gets_the_first_rule(devstack, creds):
    c = creds(BOTH)
    assert api(devstack, c, "admin").status == 200
    assert api(devstack, c, "user").status == 403


@pytest.mark.parametrize("role,allowed,denied", [("user", "user", "admin"), ("admin", "admin", "user")])
def test_s2_custom_role_arn(devstack, creds, role, allowed, denied):
    c = creds(BOTH, custom_role=devstack["roles"][role])
    assert api(devstack, c, allowed).status == 200
    assert api(devstack, c, denied).status == 403


@pytest.mark.parametrize("username,role", [(BOTH, "reader"), (BOTH, "guest"), (USER, "admin"), (NOGROUP, "user")])
def test_s2_custom_role_not_in_token_is_refused(devstack, tokens, username, role):
    r = exchange(devstack, tokens(username)["IdToken"], custom_role=devstack["roles"][role])
    assert r.status in (400, 403) and error_type(r) in {
        "NotAuthorizedException", "InvalidParameterException", "AccessDeniedException"}, r


# ==========================================================================
# S3: per-identity prefix

@pytest.mark.parametrize("username", [ADMIN, USER])
def test_s3_own_prefix_read_write_list_delete(devstack, creds, username):
    c = creds(username)
    client, bucket = s3(devstack, c), devstack["bucket"]
    key = own_prefix(devstack, c) + "data.txt"
    body = f"hello from {username}".encode()
    put = client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/plain")
    assert put["ETag"]
    got = client.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == body and got["ETag"] == put["ETag"]
    listed = client.list_objects_v2(Bucket=bucket, Prefix=own_prefix(devstack, c))
    assert [o["Key"] for o in listed.get("Contents", [])] == [key]
    assert client.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(body)
    client.delete_object(Bucket=bucket, Key=key)
    with pytest.raises(ClientError) as e:
        client.get_object(Bucket=bucket, Key=key)
    assert s3_error(e) == ("NoSuchKey", 404)


def test_s3_listing_url_encodes_keys_as_s3_does(devstack, creds):
    """botocore asks ListObjectsV2 for encoding-type=url and decodes what comes
    back: keys with a space, a plus, a percent sign or a control character
    round-trip only if the server encodes them (s3s-fs alone echoed the
    encoding type and sent keys raw)."""
    c = creds(USER)
    client, bucket = s3(devstack, c), devstack["bucket"]
    base = own_prefix(devstack, c) + "encoded/"
    keys = [base + k for k in ["a b", "c+d", "e%25f", "g\x01h", "ü/x"]]
    for key in keys:
        client.put_object(Bucket=bucket, Key=key, Body=b"x")
    listed = client.list_objects_v2(Bucket=bucket, Prefix=base)
    assert sorted(o["Key"] for o in listed["Contents"]) == sorted(keys)
    # Asked for explicitly, botocore leaves the answer as S3 encoded it.
    raw = client.list_objects_v2(Bucket=bucket, Prefix=base, Delimiter="/", EncodingType="url")
    assert [p["Prefix"] for p in raw.get("CommonPrefixes", [])] == [quote_plus(base + "ü/", safe="/")]
    for key in keys:
        client.delete_object(Bucket=bucket, Key=key)


def test_s3_multipart_as_aws_runs_it(devstack, creds):
    """Uploads belong to the object, not to the keys that began them; parts are
    listed with their ETags; completion checks them; unknown ids are NoSuchUpload."""
    c = creds(USER)
    client, bucket = s3(devstack, c), devstack["bucket"]
    key = own_prefix(devstack, c) + "multi.bin"
    first, last = b"a" * (5 * 1024 * 1024), b"tail"
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    e1 = client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=first)["ETag"]
    listed = client.list_multipart_uploads(Bucket=bucket, Prefix=own_prefix(devstack, c))
    assert [(u["Key"], u["UploadId"]) for u in listed["Uploads"]] == [(key, upload_id)]
    # Other keys of the same identity (a reload) continue it.
    again = s3(devstack, creds(USER))
    e2 = again.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=last)["ETag"]
    parts = again.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts] == [(1, e1, len(first)), (2, e2, len(last))]
    with pytest.raises(ClientError) as e:
        again.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": '"00000000000000000000000000000000"'}]})
    assert s3_error(e) == ("InvalidPart", 400)
    # Another identity can neither add to it nor abort it.
    other = s3(devstack, creds(ADMIN))
    for call in (lambda: other.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=3, Body=b"x"),
                 lambda: other.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id),
                 lambda: other.list_parts(Bucket=bucket, Key=key, UploadId=upload_id),
                 lambda: other.list_multipart_uploads(Bucket=bucket, Prefix=own_prefix(devstack, c))):
        with pytest.raises(ClientError) as e:
            call()
        assert s3_error(e) == ("AccessDenied", 403)
    done = again.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert done["ETag"].endswith('-2"')
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == first + last
    assert "Uploads" not in client.list_multipart_uploads(Bucket=bucket, Prefix=own_prefix(devstack, c))
    for call in (lambda: client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"x"),
                 lambda: client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id),
                 lambda: client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId="not-an-upload")):
        with pytest.raises(ClientError) as e:
            call()
        assert s3_error(e) == ("NoSuchUpload", 404)
    client.delete_object(Bucket=bucket, Key=key)


def test_s3_aborted_upload_leaves_no_parts(devstack, creds):
    c = creds(USER)
    client, bucket = s3(devstack, c), devstack["bucket"]
    key = own_prefix(devstack, c) + "aborted.bin"
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"x" * 1024)
    client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    with pytest.raises(ClientError) as e:
        client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert s3_error(e) == ("NoSuchUpload", 404)
    assert "Uploads" not in client.list_multipart_uploads(Bucket=bucket, Prefix=own_prefix(devstack, c))
    data_dir = devstack.state_dir / "s3"
    assert data_dir.is_dir()
    assert not [p for p in data_dir.rglob("*") if upload_id in p.name], "no part files left"


def test_s3_delete_objects_answers_each_key(devstack, creds):
    """As AWS: keys the role may not delete are errors of their own; the rest go."""
    admin, user = creds(ADMIN), creds(USER)
    bucket = devstack["bucket"]
    mine = [own_prefix(devstack, user) + f"batch/{n}" for n in range(3)]
    theirs = own_prefix(devstack, admin) + "batch/kept"
    for key in mine:
        s3(devstack, user).put_object(Bucket=bucket, Key=key, Body=b"x")
    s3(devstack, admin).put_object(Bucket=bucket, Key=theirs, Body=b"admin's")
    out = s3(devstack, user, request_checksum_calculation="when_supported").delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": k} for k in [*mine, theirs]]})
    assert sorted(d["Key"] for d in out["Deleted"]) == sorted(mine)
    assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [(theirs, "AccessDenied")]
    assert s3(devstack, admin).get_object(Bucket=bucket, Key=theirs)["Body"].read() == b"admin's"
    s3(devstack, admin).delete_object(Bucket=bucket, Key=theirs)


def test_s3_reader_role_own_prefix_but_no_list(devstack, creds):
    c = creds(NOGROUP)
    client, bucket = s3(devstack, c), devstack["bucket"]
    key = own_prefix(devstack, c) + "reader.txt"
    client.put_object(Bucket=bucket, Key=key, Body=b"r")
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == b"r"
    with pytest.raises(ClientError) as e:
        client.list_objects_v2(Bucket=bucket, Prefix=own_prefix(devstack, c))
    assert s3_error(e) == ("AccessDenied", 403)
    client.delete_object(Bucket=bucket, Key=key)


def test_s3_someone_elses_prefix_is_denied(devstack, creds):
    admin, user = creds(ADMIN), creds(USER)
    bucket = devstack["bucket"]
    theirs = own_prefix(devstack, admin) + "secret.txt"
    s3(devstack, admin).put_object(Bucket=bucket, Key=theirs, Body=b"admin's")
    client = s3(devstack, user)
    for call in (lambda: client.get_object(Bucket=bucket, Key=theirs),
                 lambda: client.put_object(Bucket=bucket, Key=theirs, Body=b"overwrite"),
                 lambda: client.delete_object(Bucket=bucket, Key=theirs),
                 lambda: client.list_objects_v2(Bucket=bucket, Prefix=own_prefix(devstack, admin))):
        with pytest.raises(ClientError) as e:
            call()
        assert s3_error(e) == ("AccessDenied", 403)
    assert s3(devstack, admin).get_object(Bucket=bucket, Key=theirs)["Body"].read() == b"admin's"
    s3(devstack, admin).delete_object(Bucket=bucket, Key=theirs)


@pytest.mark.parametrize("prefix", [None, "cognito-test/", "cognito-test/us-east-1:"])
def test_s3_list_outside_own_prefix_is_denied(devstack, creds, prefix):
    client = s3(devstack, creds(USER))
    kw = {"Prefix": prefix} if prefix is not None else {}
    with pytest.raises(ClientError) as e:
        client.list_objects_v2(Bucket=devstack["bucket"], **kw)
    assert s3_error(e) == ("AccessDenied", 403)


def test_s3_presigned_get_and_put(devstack, creds):
    c = creds(USER)
    client, bucket = s3(devstack, c), devstack["bucket"]
    key = own_prefix(devstack, c) + "presigned.txt"
    put_url = client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
    assert "X-Amz-Signature=" in put_url and "X-Amz-Security-Token=" in put_url
    r = http("PUT", put_url, b"via presigned PUT")
    assert r.status == 200, r
    get_url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
    r = http("GET", get_url)
    assert r.status == 200 and r.body == b"via presigned PUT", r
    assert r.headers.get("ETag")
    client.delete_object(Bucket=bucket, Key=key)


def test_s3_presigned_for_someone_elses_prefix_is_denied(devstack, creds):
    admin, user = creds(ADMIN), creds(USER)
    url = s3(devstack, user).generate_presigned_url(
        "get_object", Params={"Bucket": devstack["bucket"], "Key": own_prefix(devstack, admin) + "x"}, ExpiresIn=60)
    r = http("GET", url)
    assert r.status == 403 and s3_xml_code(r) == "AccessDenied", r


def test_s3_presigned_expired_is_refused(devstack, creds):
    c = creds(USER)
    client, bucket = s3(devstack, c), devstack["bucket"]
    key = own_prefix(devstack, c) + "expiring.txt"
    client.put_object(Bucket=bucket, Key=key, Body=b"soon gone")
    get_url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=1)
    put_url = client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=1)
    time.sleep(2.2)
    r = http("GET", get_url)
    assert r.status == 403 and s3_xml_code(r) == "AccessDenied" and b"Request has expired" in r.body, r
    r = http("PUT", put_url, b"too late")
    assert r.status == 403 and s3_xml_code(r) == "AccessDenied", r
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == b"soon gone"
    client.delete_object(Bucket=bucket, Key=key)


def test_s3_presigned_tampered_is_refused(devstack, creds):
    c = creds(USER)
    client, bucket = s3(devstack, c), devstack["bucket"]
    key = own_prefix(devstack, c) + "tampered.txt"
    client.put_object(Bucket=bucket, Key=key, Body=b"t")
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
    sig = re.search(r"X-Amz-Signature=([0-9a-f]+)", url).group(1)
    bad = url.replace(sig, ("0" if sig[0] != "0" else "1") + sig[1:])
    r = http("GET", bad)
    assert r.status == 403 and s3_xml_code(r) == "SignatureDoesNotMatch", r
    # a valid signature over another key
    r = http("GET", url.replace("tampered.txt", "other.txt"))
    assert r.status == 403 and s3_xml_code(r) == "SignatureDoesNotMatch", r
    client.delete_object(Bucket=bucket, Key=key)


def test_s3_wrong_secret_is_refused(devstack, creds):
    c = creds(USER)
    client = s3(devstack, {**c, "SecretKey": "x" * 40})
    with pytest.raises(ClientError) as e:
        client.put_object(Bucket=devstack["bucket"], Key=own_prefix(devstack, c) + "w", Body=b"w")
    assert s3_error(e) == ("SignatureDoesNotMatch", 403)


@pytest.mark.parametrize("case", ["garbage", "other-credentials", "missing"])
def test_s3_wrong_session_token_is_refused(devstack, creds, case):
    c, other = creds(USER), creds(ADMIN)
    token = {"garbage": "Zm9vYmFy" * 20, "other-credentials": other["SessionToken"], "missing": None}[case]
    client = s3(devstack, {**c, "SessionToken": token})
    with pytest.raises(ClientError) as e:
        client.get_object(Bucket=devstack["bucket"], Key=own_prefix(devstack, c) + "x")
    code, status = s3_error(e)
    # S3 says InvalidToken (400) for a bad session token, InvalidAccessKeyId (403) without one.
    assert (code, status) in {("InvalidToken", 400), ("InvalidAccessKeyId", 403)}, (code, status)


def test_s3_unknown_access_key_is_refused(devstack):
    client = s3(devstack, {"AccessKeyId": "AKIA" + "Q" * 16, "SecretKey": "s" * 40})
    with pytest.raises(ClientError) as e:
        client.get_object(Bucket=devstack["bucket"], Key="cognito-test/x")
    assert s3_error(e) == ("InvalidAccessKeyId", 403)


@pytest.mark.parametrize("minutes", [-20, 20])
def test_s3_skewed_clock_is_refused(devstack, creds, skewed_clock, minutes):
    c = creds(USER)
    client = s3(devstack, c)
    skewed_clock(minutes)
    with pytest.raises(ClientError) as e:
        client.get_object(Bucket=devstack["bucket"], Key=own_prefix(devstack, c) + "x")
    assert s3_error(e) == ("RequestTimeTooSkewed", 403)


def test_s3_tolerates_skew_within_15_minutes(devstack, creds, skewed_clock):
    c = creds(USER)
    client = s3(devstack, c)
    skewed_clock(-10)  # refused by API Gateway (5 min), accepted by S3 (15 min)
    key = own_prefix(devstack, c) + "skewed.txt"
    client.put_object(Bucket=devstack["bucket"], Key=key, Body=b"s")
    client.delete_object(Bucket=devstack["bucket"], Key=key)


def test_s3_default_boto3_checksums(devstack, creds):
    """boto3's defaults (CRC32 checksums, aws-chunked upload with a trailer)."""
    c = creds(USER)
    client = s3(devstack, c, request_checksum_calculation="when_supported",
                response_checksum_validation="when_supported")
    key = own_prefix(devstack, c) + "checksummed.txt"
    client.put_object(Bucket=devstack["bucket"], Key=key, Body=b"checksummed")
    assert client.get_object(Bucket=devstack["bucket"], Key=key)["Body"].read() == b"checksummed"
    client.delete_object(Bucket=devstack["bucket"], Key=key)


# ==========================================================================
# S4: JWT authorizer

def jwt_get(stack, route: str, authorization: str | None) -> Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return http("GET", f"{stack['jwtApiUrl']}/{route}", headers=headers)


def assert_unauthorized(r: Response):
    assert r.status == 401 and r.json() == {"message": "Unauthorized"}, r


@pytest.mark.parametrize("kind", ["IdToken", "AccessToken"])
@pytest.mark.parametrize("bearer", [False, True])
def test_s4_jwt_route_accepts_user_pool_tokens(devstack, tokens, kind, bearer):
    token = tokens(USER)[kind]
    r = jwt_get(devstack, "me", f"Bearer {token}" if bearer else token)
    assert r.status == 200, r
    assert claims(token)["sub"] in r.text


def test_s4_jwt_route_refusals(devstack, tokens):
    token = tokens(USER)["IdToken"]
    now = int(time.time())
    h, p, s = token.split(".")
    assert jwt_get(devstack, "me", reminted(token, exp=now + 600)).status == 200  # control: moto's key
    for bad in (None, "", "garbage", "Bearer garbage", f"{h}.{p}.{flip(s, 5)}", f"{h}.{flip(p, 30)}.{s}",
                reminted(token, exp=now - 60, iat=now - 3700),           # expired
                reminted(token, aud="not-an-app-client"),                # wrong audience
                reminted(token, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"),
                reminted(token, token_use="refresh")):
        assert_unauthorized(jwt_get(devstack, "me", bad))


def test_s4_wrong_audience_real_token(devstack):
    _, auth = stranger_sign_in(devstack)
    assert_unauthorized(jwt_get(devstack, "me", auth["IdToken"]))
    assert_unauthorized(jwt_get(devstack, "me", auth["AccessToken"]))


# ==========================================================================
# S5: machine to machine

def token_request(stack, client_id: str | None, secret: str | None, **form) -> Response:
    form = {"grant_type": "client_credentials", **form}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if client_id is not None:
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"
    return http("POST", stack["tokenEndpoint"], urllib.parse.urlencode(form).encode(), headers)


@pytest.mark.parametrize("explicit_scope", [False, True])
def test_s5_client_credentials(devstack, explicit_scope):
    extra = {"scope": devstack["m2mScope"]} if explicit_scope else {}
    r = token_request(devstack, devstack["m2mClientId"], devstack["m2mClientSecret"], **extra)
    assert r.status == 200, r
    doc = r.json()
    assert doc["token_type"] == "Bearer" and doc["expires_in"] == 3600, doc
    t = doc["access_token"]
    h = b64url_json(t.split(".")[0])
    c = claims(t)
    assert h["alg"] == "RS256"
    assert c["client_id"] == devstack["m2mClientId"] and c["token_use"] == "access"
    assert devstack["m2mScope"] in c["scope"].split()
    assert abs(c["exp"] - time.time() - 3600) < 10
    assert jwt_get(devstack, "m2m", f"Bearer {t}").status == 200
    assert jwt_get(devstack, "m2m", t).status == 200


@pytest.mark.parametrize("case", ["wrong-secret", "unknown-client", "no-auth", "spa-client"])
def test_s5_bad_client_is_invalid_client(devstack, case):
    cid, secret = {
        "wrong-secret": (devstack["m2mClientId"], "not-the-secret"),
        "unknown-client": ("nosuchclient", "x"),
        "no-auth": (None, None),
        "spa-client": (devstack["clientId"], ""),
    }[case]
    r = token_request(devstack, cid, secret)
    assert r.status in (400, 401) and r.json().get("error") in {"invalid_client", "unauthorized_client"}, r
    if case == "wrong-secret":
        assert r.status == 401 and r.json()["error"] == "invalid_client", r


def test_s5_bad_grant_and_scope(devstack):
    r = token_request(devstack, devstack["m2mClientId"], devstack["m2mClientSecret"], grant_type="password")
    assert r.status == 400 and r.json()["error"] == "unsupported_grant_type", r
    r = token_request(devstack, devstack["m2mClientId"], devstack["m2mClientSecret"],
                      scope="https://api.example.com/write")
    assert r.status == 400 and r.json()["error"] == "invalid_scope", r


def test_s5_m2m_route_requires_the_scope(devstack, tokens):
    # A valid token without the route's scope: HTTP API's JWT authorizer answers
    # 403 {"message":"Forbidden"} (with an insufficient_scope challenge); an
    # invalid or missing token 401 {"message":"Unauthorized"}.
    for token in (tokens(USER)["AccessToken"],  # scope aws.cognito.signin.user.admin
                  tokens(USER)["IdToken"]):     # no scope at all
        r = jwt_get(devstack, "m2m", token)
        assert r.status == 403 and r.json() == {"message": "Forbidden"}, r
        assert "insufficient_scope" in r.headers.get("WWW-Authenticate", ""), r
    assert_unauthorized(jwt_get(devstack, "m2m", None))
    t = token_request(devstack, devstack["m2mClientId"], devstack["m2mClientSecret"]).json()["access_token"]
    h, p, s = t.split(".")
    assert_unauthorized(jwt_get(devstack, "m2m", f"{h}.{p}.{flip(s, 7)}"))


# ==========================================================================
# CORS

# What AWS's SDKs ask of Cognito Identity, STS, the token endpoint and S3.
PREFLIGHT_HEADERS = ("authorization,content-type,x-amz-date,x-amz-security-token,x-amz-content-sha256,x-amz-target,"
                     "x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request")
# What a signed API Gateway call from a page asks for: API Gateway's default AllowHeaders cover it.
API_HEADERS = "authorization,content-type,x-amz-date,x-amz-security-token"


def preflight(url: str, method: str, asked: str = PREFLIGHT_HEADERS) -> Response:
    return http("OPTIONS", url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": asked})


def assert_preflight_ok(r: Response, method: str, asked: str = PREFLIGHT_HEADERS):
    assert r.status in (200, 204), r
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", ORIGIN), r
    methods = r.headers.get("Access-Control-Allow-Methods", "")
    assert methods.strip() == "*" or method in [m.strip().upper() for m in methods.split(",")], r
    allowed = r.headers.get("Access-Control-Allow-Headers", "")
    allowed_set = {h.strip().lower() for h in allowed.split(",")}
    assert allowed.strip() == "*" or set(asked.split(",")) <= allowed_set, r


def test_cors_preflights(devstack):
    c = devstack
    for url, method, asked in ((c["identityEndpoint"], "POST", PREFLIGHT_HEADERS), (c["stsEndpoint"], "POST", PREFLIGHT_HEADERS),
                               (f"{c['apiUrl']}/admin", "GET", API_HEADERS), (f"{c['apiUrl']}/user", "GET", API_HEADERS),
                               (f"{c['jwtApiUrl']}/me", "GET", API_HEADERS), (f"{c['jwtApiUrl']}/m2m", "GET", API_HEADERS),
                               (c["tokenEndpoint"], "POST", PREFLIGHT_HEADERS),
                               (f"{c['s3Endpoint']}/{c['bucket']}/cognito-test/x/y.txt", "PUT", PREFLIGHT_HEADERS),
                               (f"{c['s3Endpoint']}/{c['bucket']}/cognito-test/x/y.txt", "GET", PREFLIGHT_HEADERS),
                               (f"{c['s3Endpoint']}/{c['bucket']}", "GET", PREFLIGHT_HEADERS)):
        assert_preflight_ok(preflight(url, method, asked), method, asked)


def exposed(r: Response) -> set[str]:
    return {h.strip().lower() for h in r.headers.get("Access-Control-Expose-Headers", "").split(",") if h.strip()}


def test_cors_on_responses_exposes_etag_date_and_amz_headers(devstack, creds, tokens):
    c = creds(USER)
    client, bucket = s3(devstack, c), devstack["bucket"]
    key = own_prefix(devstack, c) + "cors.txt"
    client.put_object(Bucket=bucket, Key=key, Body=b"cors")
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
    r = http("GET", url, headers={"Origin": ORIGIN})
    assert r.status == 200 and r.headers.get("Access-Control-Allow-Origin") in ("*", ORIGIN), r
    ex = exposed(r)
    assert "*" in ex or {"etag", "date"} <= ex, r
    assert "*" in ex or any(h.startswith("x-amz-") for h in ex), r
    client.delete_object(Bucket=bucket, Key=key)

    api_url = f"{devstack['apiUrl']}/user"
    responses = [
        http("GET", api_url, headers={**signed(devstack, "GET", api_url, c), "Origin": ORIGIN}),
        identity(devstack, "GetId", {"IdentityPoolId": devstack["identityPoolId"],
                                     "Logins": {logins_key(devstack): tokens(USER)["IdToken"]}},
                 headers={"Origin": ORIGIN}),
        identity(devstack, "GetId", {"IdentityPoolId": devstack["identityPoolId"],
                                     "Logins": {logins_key(devstack): "garbage"}}, headers={"Origin": ORIGIN}),
        http("GET", f"{devstack['jwtApiUrl']}/me", headers={"Authorization": "garbage", "Origin": ORIGIN}),
    ]
    for r in responses:
        assert r.headers.get("Access-Control-Allow-Origin") in ("*", ORIGIN), r
        ex = exposed(r)
        assert "*" in ex or {"date"} <= ex, r
        assert "*" in ex or any(h.startswith("x-amz") for h in ex), r


# ==========================================================================
# Where the devstack was kinder than AWS (found by an outside review)

# API Gateway's console default AllowHeaders (devstack.toml [cors] api_allow_headers).
API_ALLOW_HEADERS = ["content-type", "x-amz-date", "authorization", "x-api-key", "x-amz-security-token"]
# What AWS's SDKs send to Cognito Identity, STS and the token endpoint.
AWS_SDK_HEADERS = {"content-type", "x-amz-target", "x-amz-user-agent", "x-amz-date", "x-amz-security-token",
                   "authorization", "amz-sdk-invocation-id", "amz-sdk-request"}
HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."


def allow_headers(r: Response) -> list[str]:
    return [h.strip().lower() for h in r.headers.get("Access-Control-Allow-Headers", "").split(",") if h.strip()]


def test_preflight_answers_configured_allow_headers_not_the_requested_ones(devstack):
    c = devstack
    asked = "authorization,x-amz-date,x-amz-security-token,x-amz-content-sha256"
    for url, method in ((f"{c['apiUrl']}/user", "POST"), (f"{c['jwtApiUrl']}/me", "GET")):
        r = preflight(url, method, asked)
        # Still a success, as API Gateway answers: the browser then refuses to
        # send x-amz-content-sha256, which the list lacks.
        assert r.status in (200, 204) and r.headers["Access-Control-Allow-Origin"] == ORIGIN, r
        assert allow_headers(r) == API_ALLOW_HEADERS, r
    # Cognito Identity, STS and the token endpoint: AWS's list, not what is asked.
    for url in (c["identityEndpoint"], c["stsEndpoint"], c["tokenEndpoint"]):
        r = preflight(url, "POST", "content-type,x-amz-target,x-made-up")
        assert r.status in (200, 204), r
        allowed = allow_headers(r)
        assert AWS_SDK_HEADERS <= set(allowed) and "x-made-up" not in allowed, (url, allowed)
    # S3, as a bucket CORS rule with AllowedHeaders ["*"]: whatever is asked.
    r = preflight(f"{c['s3Endpoint']}/{c['bucket']}/k", "PUT", asked + ",x-made-up")
    assert r.status in (200, 204) and r.headers["Access-Control-Allow-Headers"] == asked + ",x-made-up", r


def test_cors_allow_headers_come_from_devstack_toml(tmp_path):
    text = re.sub(r"(?ms)^\[cors\]\n.*?(?=^\[)", "", (HERE / "devstack.toml").read_text())
    assert "[cors]" not in text
    config = tmp_path / "devstack.toml"
    config.write_text(text + '\n[cors]\napi_allow_headers = ["Authorization", "X-Amz-Date", "X-Amz-Content-Sha256"]\n'
                             'aws_allow_headers = ["Content-Type", "X-Amz-Target"]\n'
                             's3_allowed_headers = ["authorization", "x-amz-*"]\n')
    state = tmp_path / "state"
    state.mkdir()
    proc, lines, elapsed, config_path = start_launch(state, "--config", str(config))
    try:
        assert elapsed is not None, (state / "launch.stderr").read_text()[-3000:]
        c = json.loads(Path(config_path).read_text())
        r = preflight(f"{c['apiUrl']}/user", "GET", "authorization,x-amz-security-token")
        assert r.status in (200, 204) and allow_headers(r) == ["authorization", "x-amz-date", "x-amz-content-sha256"], r
        r = preflight(c["identityEndpoint"], "POST", "content-type,x-amz-target,x-amz-user-agent")
        assert allow_headers(r) == ["content-type", "x-amz-target"], r
        obj = f"{c['s3Endpoint']}/{c['bucket']}/k"
        r = preflight(obj, "PUT", "authorization,x-amz-date,x-amz-meta-a")
        assert r.status in (200, 204) and r.headers["Access-Control-Allow-Headers"] == "authorization,x-amz-date,x-amz-meta-a", r
        # A header the rule does not cover: S3 refuses the preflight itself.
        r = preflight(obj, "PUT", "authorization,content-type")
        assert r.status == 403 and s3_xml_code(r) == "AccessForbidden", r
        assert "Access-Control-Allow-Origin" not in r.headers, r
    finally:
        stop_launch(proc)


def test_s3_presign_expires_over_a_week_is_refused(devstack, creds):
    c = creds(USER)
    client, bucket = s3(devstack, c), devstack["bucket"]
    key = own_prefix(devstack, c) + "week.txt"
    client.put_object(Bucket=bucket, Key=key, Body=b"seven days")
    ok = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=604800)
    assert http("GET", ok).status == 200
    # Validly signed, for a week and a second: S3 refuses them before anything else.
    for method, op, body in (("GET", "get_object", None), ("PUT", "put_object", b"overwritten")):
        url = client.generate_presigned_url(op, Params={"Bucket": bucket, "Key": key}, ExpiresIn=604801)
        r = http(method, url, body)
        assert r.status == 400 and s3_xml_code(r) == "AuthorizationQueryParametersError", (method, r)
        assert b"X-Amz-Expires must be less than a week (in seconds)" in r.body, r
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == b"seven days"
    for expires, words in [("604801", b"less than a week"), ("-5", b"non-negative"), ("soon", b"should be a number")]:
        url = re.sub(r"X-Amz-Expires=\d+", f"X-Amz-Expires={expires}", ok)
        r = http("GET", url)
        assert r.status == 400 and s3_xml_code(r) == "AuthorizationQueryParametersError" and words in r.body, (expires, r)
    client.delete_object(Bucket=bucket, Key=key)


class _WithoutHost:
    """A botocore signer that leaves `host` out of SignedHeaders, consistently
    (the signature is right for what it says it signed)."""

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        del headers["host"]
        return headers


class _SigV4AuthWithoutHost(_WithoutHost, SigV4Auth):
    pass


class _SigV4QueryAuthWithoutHost(_WithoutHost, botocore.auth.SigV4QueryAuth):
    pass


class _S3SigV4AuthWithoutHost(_WithoutHost, botocore.auth.S3SigV4Auth):
    pass


class _S3SigV4QueryAuthWithoutHost(_WithoutHost, botocore.auth.S3SigV4QueryAuth):
    pass


SIGNERS = {  # (service, form) -> (signer, the same without host)
    ("api", "header"): (SigV4Auth, _SigV4AuthWithoutHost),
    ("api", "presigned"): (botocore.auth.SigV4QueryAuth, _SigV4QueryAuthWithoutHost),
    ("s3", "header"): (botocore.auth.S3SigV4Auth, _S3SigV4AuthWithoutHost),
    ("s3", "presigned"): (botocore.auth.S3SigV4QueryAuth, _S3SigV4QueryAuthWithoutHost),
}


@pytest.mark.parametrize("service,form", list(SIGNERS))
def test_signed_headers_without_host_is_403_not_a_dropped_connection(devstack, creds, service, form):
    c = creds(ADMIN)
    if service == "api":
        url, name = f"{devstack['apiUrl']}/admin", "execute-api"
    else:
        key = own_prefix(devstack, c) + "nohost.txt"
        s3(devstack, c).put_object(Bucket=devstack["bucket"], Key=key, Body=b"h")
        url, name = f"{devstack['s3Endpoint']}/{devstack['bucket']}/{key}", "s3"

    def send(signer) -> tuple[Response, str]:
        req = AWSRequest(method="GET", url=url)
        kw = {"expires": 60} if form == "presigned" else {}
        signer(botocreds(c), name, devstack["region"], **kw).add_auth(req)
        headers = dict(req.headers.items())
        listed = (re.search(r"SignedHeaders=([^,&]*)", headers.get("Authorization", "")) or
                  re.search(r"X-Amz-SignedHeaders=([^&]*)", req.url)).group(1)
        return http("GET", req.url, headers=headers), urllib.parse.unquote(listed)

    with_host, without_host = SIGNERS[(service, form)]
    r, listed = send(without_host)
    assert "host" not in listed.split(";"), listed
    if service == "api":
        assert r.status == 403 and apigw_message(r) == HOST_NOT_SIGNED, r
        assert r.headers.get("x-amzn-ErrorType") == "InvalidSignatureException", r
    else:
        assert r.status == 403 and s3_xml_code(r) == "AccessDenied", r
        assert b"<HeadersNotSigned>host</HeadersNotSigned>" in r.body, r
    # Control, afterwards: the same signer with host is accepted (and the stack is still up).
    r, listed = send(with_host)
    assert "host" in listed.split(";") and r.status == 200, r


# ==========================================================================
# Expired credentials: last, so the wait overlaps the rest of the session.

def test_zz_expired_credentials_are_refused(devstack, creds, early_credentials):
    old = early_credentials[USER]
    wait = old["Expiration"] - time.time() + 1.5
    if wait > 0:
        time.sleep(wait)
    r = api(devstack, old, "user")
    assert r.status == 403 and apigw_message(r) == APIGW_EXPIRED_TOKEN, r
    assert r.headers.get("x-amzn-ErrorType") == "ExpiredTokenException", r
    with pytest.raises(ClientError) as e:
        s3(devstack, old).get_object(Bucket=devstack["bucket"], Key=own_prefix(devstack, old) + "x")
    assert s3_error(e) == ("ExpiredToken", 400)
    url = s3(devstack, old).generate_presigned_url(
        "get_object", Params={"Bucket": devstack["bucket"], "Key": own_prefix(devstack, old) + "x"}, ExpiresIn=600)
    r = http("GET", url)
    assert r.status == 400 and s3_xml_code(r) == "ExpiredToken", r
    # fresh credentials of the same identity still work
    fresh = creds(USER)
    assert fresh["IdentityId"] == old["IdentityId"]
    assert api(devstack, fresh, "user").status == 200



def test_header_values_with_tabs_verify_as_aws_folds_them(devstack, creds):
    # botocore (like AWS and @smithy/signature-v4) folds runs of spaces and tabs
    # inside a value to one space; aws-sigv4 alone folds only spaces.
    c = creds(ADMIN)
    url = f"{devstack['apiUrl']}/admin"
    r = http("GET", url, headers=signed(devstack, "GET", url, c, headers={"X-Custom": "a\t\tb \t c"}))
    assert r.status == 200, r
    key = own_prefix(devstack, c) + "tabs.txt"
    s3url = f"{devstack['s3Endpoint']}/{devstack['bucket']}/{key}"
    h = signed(devstack, "PUT", s3url, c, service="s3", body=b"tabs",
               headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-amz-meta-note": "one\ttwo  \t three"})
    r = http("PUT", s3url, b"tabs", headers=h)
    assert r.status == 200, r
