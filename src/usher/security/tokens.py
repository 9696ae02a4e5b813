"""PyJwtCodec: the JwtCodec port over PyJWT and cryptography (RS256, ES256, EdDSA), with parsed keys cached.

Verification trusts nothing in the token's header: the key is chosen by the caller (by `kid`) and the only
algorithm accepted is that key's own. Times (exp, iat, nbf) are checked against the injected clock. Parsing a
PEM or JWK costs far more than checking a signature, so the parsed key objects are kept per `kid` (a `kid` is
the thumbprint of its public key, so it never names another).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import AllowedPrivateKeys, AllowedPublicKeys

from usher.core.errors import InvalidToken
from usher.core.models import KeyMaterial, SigningKey
from usher.core.ports import Clock

REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub")
# The members RFC 7638 hashes, per key type, in lexicographic order.
_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}
_CACHE_LIMIT = 1024  # keys, far above any real deployment's; the cache is cleared when it is reached


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(value: int) -> str:
    return b64url(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def _number(value: object) -> float:
    """A NumericDate claim (RFC 7519 §2); anything else makes the token invalid."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken()
    return float(value)


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: base64url(SHA-256(canonical JSON of the required members))."""
    members = _THUMBPRINT_MEMBERS[str(jwk["kty"])]
    canonical = json.dumps({name: jwk[name] for name in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def _new_private_key(alg: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey:
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(f"unsupported signing algorithm {alg!r}")


def public_jwk(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> dict[str, Any]:
    """The public half as a JWK with only its defining members (no kid, alg or use)."""
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.public_key().public_numbers()
        return {"kty": "RSA", "n": _uint(numbers.n), "e": _uint(numbers.e)}
    if isinstance(key, ec.EllipticCurvePrivateKey):
        point = key.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url(point.x.to_bytes(32, "big")),
            "y": b64url(point.y.to_bytes(32, "big")),
        }
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


class PyJwtCodec:
    """Signs and verifies compact JWS tokens; see the module docstring for the rules it keeps."""

    def __init__(self, clock: Clock | None = None) -> None:
        # Times are checked here against the injected clock, not by PyJWT against the system's.
        self._jwt = jwt.PyJWT(
            options={"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False, "verify_nbf": False}
        )
        self._clock = clock
        self._private: dict[str, AllowedPrivateKeys] = {}
        self._public: dict[tuple[str, str], AllowedPublicKeys] = {}

    def generate(self, alg: str) -> KeyMaterial:
        private = _new_private_key(alg)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        jwk = public_jwk(private)
        return KeyMaterial(kid=thumbprint(jwk), alg=alg, private_pem=pem, public_jwk=jwk)

    def sign(self, claims: dict[str, Any], key: SigningKey) -> str:
        headers = {"alg": key.alg, "kid": key.kid, "typ": "JWT"}
        return jwt.encode(claims, self._private_key(key), algorithm=key.alg, headers=headers)

    def unverified_kid(self, token: str) -> str | None:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except Exception:  # any malformation at all: there is simply no usable kid
            return None
        return kid if isinstance(kid, str) and kid else None

    def verify(self, token: str, key: SigningKey, *, audience: str, issuer: str, leeway: int) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = self._jwt.decode(
                token,
                self._public_key(key),
                algorithms=[key.alg],
                audience=audience,
                issuer=issuer,
                leeway=leeway,
            )
        except jwt.PyJWTError:
            raise InvalidToken() from None
        self._check_times(claims, leeway)
        return claims

    def _check_times(self, claims: dict[str, Any], leeway: int) -> None:
        """exp in the past, or iat / nbf in the future, beyond `leeway` seconds (RFC 7519 §4.1.4, §4.1.5)."""
        now = (self._clock.now() if self._clock else datetime.now(UTC)).timestamp()
        exp, iat = _number(claims.get("exp")), _number(claims.get("iat"))
        nbf = _number(claims.get("nbf", iat))
        if exp <= now - leeway:
            raise InvalidToken("token has expired", expired=True)
        if max(iat, nbf) > now + leeway:
            raise InvalidToken("token is not valid yet")

    def _private_key(self, key: SigningKey) -> AllowedPrivateKeys:
        cached = self._private.get(key.kid)
        if cached is not None:
            return cached
        if not key.private_pem:
            raise ValueError(f"signing key {key.kid} was loaded without its private part")
        loaded = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
            raise ValueError(f"signing key {key.kid} is of an unsupported type")
        if thumbprint(public_jwk(loaded)) != key.kid:
            raise ValueError(f"the private key stored for {key.kid} does not match its kid")
        self._remember(self._private, key.kid, loaded)
        return loaded

    def _public_key(self, key: SigningKey) -> AllowedPublicKeys:
        cached = self._public.get((key.kid, key.alg))
        if cached is not None:
            return cached
        try:
            loaded: AllowedPublicKeys = jwt.PyJWK({**key.public_jwk, "alg": key.alg}, algorithm=key.alg).key
        except jwt.PyJWTError as error:
            raise InvalidToken() from error
        self._remember(self._public, (key.kid, key.alg), loaded)
        return loaded

    @staticmethod
    def _remember(cache: dict[Any, Any], name: Any, value: Any) -> None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[name] = value
