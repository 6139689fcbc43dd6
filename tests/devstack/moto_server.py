"""moto's server, as the devstack's user pool, with Cognito's RevokeToken,
which moto 5.2.5 lacks. Revoking marks the refresh token revoked in moto's
own store (as its GlobalSignOut does for all of a user's tokens), so a
refresh with it then fails with moto's NotAuthorizedException "Refresh Token
has been revoked", as on AWS. (The access tokens it gave stay valid here.)
Started by launch.py with moto_server's arguments."""

import sys

from moto.cognitoidp.exceptions import NotAuthorizedError
from moto.cognitoidp.responses import CognitoIdpResponse
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


CognitoIdpResponse.revoke_token = revoke_token

if __name__ == "__main__":
    sys.exit(main())
