"""moto's server, as the devstack's user pool, with Cognito's RevokeToken
and GetTokensFromRefreshToken (refresh token rotation), which moto 5.2.5
lacks. Revoking marks the refresh token revoked in moto's
own store (as its GlobalSignOut does for all of a user's tokens), so a
refresh with it then fails with moto's NotAuthorizedException "Refresh Token
has been revoked", as on AWS. (The access tokens it gave stay valid here.)

GetTokensFromRefreshToken is Cognito's refresh since 2025: new id and access
tokens, and where the app client has RefreshTokenRotation ENABLED, a new
refresh token too, the one given being spent once its RetryGracePeriodSeconds
(0-60) are over: using it again is then RefreshTokenReuseException, as on
AWS. (On AWS such a client also refuses REFRESH_TOKEN_AUTH; here InitiateAuth
is moto's own.)

Started by launch.py with moto_server's arguments."""

import json
import sys
import time

from moto.cognitoidp.exceptions import NotAuthorizedError
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import EmptyResult
from moto.server import main


def revoke_token(self):
    token = self._get_param("Token")
    client_id = self._get_param("ClientId")
    for pool in self.backend.user_pools.values():
        entry = pool.refresh_tokens.get(token)
        if entry is None:
            continue
        token_client, _, _ = entry
        if token_client != client_id:
            raise NotAuthorizedError("Invalid token for this client")
        pool.refresh_tokens[token] = None
        return EmptyResult()
    # AWS answers an unknown or already revoked token with success too.
    return EmptyResult()


# Rotated refresh tokens: usable until then (time.time()), the grace period;
# after it, spent.
SPENT_AFTER = {}


class RefreshTokenReuseError(JsonRESTError):
    def __init__(self):
        super().__init__("RefreshTokenReuseException",
                         "The refresh token has already been used to get new tokens (refresh token rotation)")


def get_tokens_from_refresh_token(self):
    token = self._get_param("RefreshToken")
    client_id = self._get_param("ClientId")
    for pool in self.backend.user_pools.values():
        if token not in pool.refresh_tokens:
            continue
        entry = pool.refresh_tokens[token]
        if entry is None:
            raise NotAuthorizedError("Refresh Token has been revoked")
        spent_after = SPENT_AFTER.get(token)
        if spent_after is not None and time.time() >= spent_after:
            raise RefreshTokenReuseError()
        token_client, username, _ = entry
        client = pool.clients.get(client_id)
        if token_client != client_id or client is None:
            raise NotAuthorizedError("Invalid token for this client")
        if client.generate_secret and self._get_param("ClientSecret") != client.secret:
            raise NotAuthorizedError("Unable to verify secret hash for client " + client_id)
        access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(token)
        result = {
            "IdToken": id_token,
            "AccessToken": access_token,
            "ExpiresIn": expires_in,
            "TokenType": "Bearer",
        }
        rotation = client.extended_config.get("RefreshTokenRotation") or {}
        if rotation.get("Feature") == "ENABLED":
            result["RefreshToken"], _ = pool.create_refresh_token(client_id, username)
            grace = int(rotation.get("RetryGracePeriodSeconds") or 0)
            SPENT_AFTER.setdefault(token, time.time() + grace)
        return json.dumps({"AuthenticationResult": result})
    raise NotAuthorizedError("Invalid Refresh Token")


CognitoIdpResponse.revoke_token = revoke_token
CognitoIdpResponse.get_tokens_from_refresh_token = get_tokens_from_refresh_token

if __name__ == "__main__":
    sys.exit(main())
