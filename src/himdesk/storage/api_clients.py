"""API clients, the bearer tokens issued to them (kept only as SHA-256 digests) and the ids
of the client assertions they already used."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from himdesk.domain.api_clients import ApiClient, ApiToken, Scope, parse_scopes
from himdesk.domain.client_keys import ClientKey, stored_key
from himdesk.storage import tables as t


def _scopes(stored: Any) -> tuple[Scope, ...]:
    return parse_scopes(str(s) for s in (stored or ()))


def _keys(stored: Any) -> tuple[ClientKey, ...]:
    return tuple(stored_key(jwk) for jwk in (stored or {}).get("keys", ()))


def _jwks(keys: Sequence[ClientKey]) -> dict[str, Any] | None:
    return {"keys": [key.jwk for key in keys]} if keys else None


def _client(m: Any) -> ApiClient:
    return ApiClient(
        id=m["id"],
        client_id=m["client_id"],
        name=m["name"],
        secret_hash=m["secret_hash"],
        scopes=_scopes(m["scopes"]),
        active=bool(m["active"]),
        created_at=m["created_at"],
        created_by=m["created_by"],
        keys=_keys(m["jwks"]),
    )


class SqlApiClientRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, client: ApiClient) -> ApiClient:
        new_id = self._db.execute(
            insert(t.api_clients)
            .values(
                client_id=client.client_id,
                name=client.name,
                secret_hash=client.secret_hash,
                jwks=_jwks(client.keys),
                scopes=[str(s) for s in client.scopes],
                active=client.active,
                created_at=client.created_at,
                created_by=client.created_by,
            )
            .returning(t.api_clients.c.id)
        ).scalar_one()
        return ApiClient(new_id, client.client_id, client.name, client.secret_hash,
                         client.scopes, client.active, client.created_at,
                         client.created_by, client.keys)  # fmt: skip

    def replace_keys(self, client_id: str, keys: Sequence[ClientKey]) -> bool:
        """Authenticate an active client by these keys from now on (its secret, if it had
        one, is forgotten); False when there is no such active client."""
        c = t.api_clients.c
        changed = self._db.execute(
            update(t.api_clients).where(c.client_id == client_id, c.active.is_(True))
            .values(jwks=_jwks(keys), secret_hash=None).returning(c.id)
        ).first()  # fmt: skip
        return changed is not None

    def record_assertion(
        self, client: ApiClient, jti: str, remembered_until: datetime, now: datetime
    ) -> bool:
        """Remember an assertion's id; False when this client already used it. Ids whose
        assertions have expired are forgotten first, so the table stays small."""
        a = t.api_client_assertions.c
        self._db.execute(delete(t.api_client_assertions).where(a.client_pk == client.id,
                                                               a.expires_at <= now))  # fmt: skip
        # ON CONFLICT DO NOTHING: a concurrent request with the same jti loses cleanly.
        dialect = postgresql if self._db.dialect.name == "postgresql" else sqlite
        added = self._db.execute(
            dialect.insert(t.api_client_assertions)
            .values(client_pk=client.id, jti=jti, expires_at=remembered_until)
            .on_conflict_do_nothing(index_elements=["client_pk", "jti"])
            .returning(a.id)
        ).first()
        return added is not None

    def find(self, client_id: str) -> ApiClient | None:
        row = self._db.execute(
            select(t.api_clients).where(t.api_clients.c.client_id == client_id)
        ).first()
        return _client(row._mapping) if row else None

    def list_all(self) -> Sequence[ApiClient]:
        rows = self._db.execute(select(t.api_clients).order_by(t.api_clients.c.id))
        return [_client(r._mapping) for r in rows]

    def deactivate(self, client_id: str) -> bool:
        """Deactivate and forget its tokens; False when there is no such active client."""
        c = t.api_clients.c
        changed = self._db.execute(
            update(t.api_clients).where(c.client_id == client_id, c.active.is_(True))
            .values(active=False).returning(c.id)
        ).first()  # fmt: skip
        if changed is None:
            return False
        self._db.execute(delete(t.api_tokens).where(t.api_tokens.c.client_pk == changed.id))
        return True

    def add_token(
        self,
        token_hash: str,
        client: ApiClient,
        scopes: Sequence[Scope],
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        # Expired tokens of this client go first, so the table stays small without a sweeper.
        k = t.api_tokens.c
        self._db.execute(delete(t.api_tokens).where(k.client_pk == client.id,
                                                    k.expires_at <= issued_at))  # fmt: skip
        self._db.execute(
            insert(t.api_tokens).values(
                token_hash=token_hash,
                client_pk=client.id,
                scopes=[str(s) for s in scopes],
                issued_at=issued_at,
                expires_at=expires_at,
            )
        )

    def find_token(self, token_hash: str) -> ApiToken | None:
        k = t.api_tokens.c
        query = (
            select(t.api_clients, k.scopes.label("token_scopes"), k.issued_at, k.expires_at)
            .select_from(t.api_tokens.join(t.api_clients, t.api_clients.c.id == k.client_pk))
            .where(k.token_hash == token_hash)
        )
        row = self._db.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        return ApiToken(_client(m), _scopes(m["token_scopes"]), m["issued_at"], m["expires_at"])
