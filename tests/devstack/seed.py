"""Creates the devstack's Cognito User Pool in moto from devstack.toml and
writes .devstack/seed.json (the contract of tests/devstack/README.md).

    python tests/devstack/seed.py --endpoint http://127.0.0.1:PORT [--out .devstack/seed.json]

launch.py imports `seed()` instead of running this file.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tomllib
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config

HERE = Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "devstack.toml"


def load_world(path: Path | str = DEFAULT_CONFIG) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def role_arn(account_id: str, role: str) -> str:
    return f"arn:aws:iam::{account_id}:role/cognito-sigv4-{role}"


def jwt_payload(token: str) -> dict:
    """The payload of a JWT, not verified (seeding only needs to read `iss`)."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def idp_client(endpoint: str, region: str):
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def seed(endpoint: str, config_path: Path | str = DEFAULT_CONFIG) -> tuple[dict, dict]:
    """Creates the user pool described by `config_path` in the moto at `endpoint`.

    Returns (seed, facts): `seed` is the seed.json document, `facts` what was
    learnt about moto's tokens (claims present in an IdToken)."""
    endpoint = endpoint.rstrip("/")
    world = load_world(config_path)
    region = world["region"]
    account = str(world["account_id"])
    up = world["user_pool"]
    idp = idp_client(endpoint, region)

    pool = idp.create_user_pool(
        PoolName=up["name"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": False,
                "RequireLowercase": False,
                "RequireNumbers": False,
                "RequireSymbols": False,
            }
        },
    )["UserPool"]
    pool_id = pool["Id"]

    spa = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=up["client_name"],
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        # As new app clients can (2025): each refresh spends the refresh
        # token and gives a new one (moto_server.py), so several tabs must
        # share one refresh.
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
    )["UserPoolClient"]

    scope_name = up["scope"]
    identifier = up["resource_server"]
    idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier=identifier,
        Name=identifier,
        Scopes=[{"ScopeName": scope_name, "ScopeDescription": f"{scope_name} access"}],
    )
    full_scope = f"{identifier}/{scope_name}"

    m2m = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=up["m2m_client_name"],
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[full_scope],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]

    for precedence, group in enumerate(up.get("groups", [])):
        idp.create_group(
            UserPoolId=pool_id,
            GroupName=group["name"],
            RoleArn=role_arn(account, group["role"]),
            Precedence=precedence,
        )

    users = []
    for user in up.get("users", []):
        name, password = user["username"], user["password"]
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            UserAttributes=[
                {"Name": "email", "Value": name},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=name, Password=password, Permanent=True
        )
        for g in user.get("groups", []):
            idp.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName=g)
        users.append({"username": name, "password": password, "groups": list(user.get("groups", []))})

    # Sign one user in (one with groups, if any) to learn moto's real `iss`
    # and what its IdTokens carry.
    probe = next((u for u in users if u["groups"]), users[0])
    auth = idp.initiate_auth(
        ClientId=spa["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": probe["username"], "PASSWORD": probe["password"]},
    )["AuthenticationResult"]
    claims = jwt_payload(auth["IdToken"])

    with urllib.request.urlopen(f"{endpoint}/{pool_id}/.well-known/jwks.json", timeout=10) as r:
        jwks = json.loads(r.read())
    if not jwks.get("keys"):
        raise RuntimeError(f"moto's JWKS for {pool_id} has no keys: {jwks!r}")

    doc = {
        "region": region,
        "accountId": account,
        "userPoolId": pool_id,
        "userPoolEndpoint": endpoint,
        "issuer": claims["iss"],
        "clientId": spa["ClientId"],
        "m2mClientId": m2m["ClientId"],
        "m2mClientSecret": m2m["ClientSecret"],
        "m2mScope": full_scope,
        "jwks": jwks,
        "users": users,
    }
    facts = {
        "probeUser": probe["username"],
        "iss": claims["iss"],
        "hasCognitoGroups": "cognito:groups" in claims,
        "hasCognitoRoles": "cognito:roles" in claims,
        "hasPreferredRole": "cognito:preferred_role" in claims,
        "claims": sorted(claims),
    }
    return doc, facts


def write_json_atomic(path: Path | str, doc: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True, help="moto_server URL, e.g. http://127.0.0.1:5000")
    ap.add_argument("--config", default=str(DEFAULT_CONFIG))
    ap.add_argument("--out", default=".devstack/seed.json")
    args = ap.parse_args(argv)
    doc, facts = seed(args.endpoint, args.config)
    write_json_atomic(args.out, doc)
    print(json.dumps(facts, indent=2), file=sys.stderr)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
