"""Code that connects to a vector store on another machine without credentials or
over plain HTTP (rule SC010): a small ``ast`` pass of its own.

``find_store_clients(path, tree)`` looks at calls whose callee, after the
file's imports, is a store client or a framework's store class (table
``_CLIENTS``) and whose address is a literal: a URL (``url=``, ``uri=``,
``hosts=``, ``es_url=``, ``redis_url=``, a first positional argument) or a
host name (``host=``, ``http_host=``). An address is *local* when it is a
loopback or unspecified address, ``localhost``, ``host.docker.internal``, a
name without a dot (a compose service on the same network) or a cluster name
(``*.svc``, ``*.svc.cluster.local``, ``*.local``). For any other address the
call is reported when it:

- speaks plain HTTP (``http://``, ``redis://``, ``https=False``,
  ``http_secure=False``, ``ssl=False``, a host with no TLS option for a client
  whose default is plain text), or
- passes no credentials: none of the client's credential arguments
  (``api_key``, ``token``, ``password``, ``auth_credentials``,
  ``basic_auth``, ``http_auth``, ``headers``, ``settings`` ...) is given, and
  the URL holds no ``user:password@``.

Calls with ``**kwargs`` are not judged (credentials may be in them); neither
are addresses that are not literals (read from the environment). Managed
services' own connectors (Weaviate Cloud, Qdrant Cloud's URL with an API key,
Pinecone) need a key to work at all and are not in the table.
"""

from __future__ import annotations

import ast
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.model import StoreExposure

__all__ = ["STORE_CLIENT_TOKENS", "find_store_clients"]


@dataclass(frozen=True)
class _Client:
    store: str
    title: str
    # Keywords that hold the address, in order; "0" is the first positional argument.
    address: tuple[str, ...]
    credentials: frozenset[str]
    # Keywords that turn TLS on or off; ``plain_default``: no such keyword means plain text.
    tls: tuple[str, ...] = ()
    plain_default: bool = False
    fix: str = ""


_QDRANT = _Client(
    "qdrant",
    "Qdrant",
    ("url", "location", "0", "host"),
    frozenset({"api_key"}),
    ("https",),
    True,
    "pass api_key and connect over https",
)
_CHROMA = _Client(
    "chroma",
    "Chroma",
    ("host", "0"),
    frozenset({"headers", "settings"}),
    ("ssl",),
    True,
    "pass the token in settings (chroma_client_auth_credentials) or headers and set ssl=True",
)
_WEAVIATE_CUSTOM = _Client(
    "weaviate",
    "Weaviate",
    ("http_host",),
    frozenset({"auth_credentials"}),
    ("http_secure",),
    True,
    "pass auth_credentials (an API key) and http_secure=True",
)
_WEAVIATE_LOCAL = _Client(
    "weaviate",
    "Weaviate",
    ("host",),
    frozenset({"auth_credentials"}),
    (),
    True,
    "use connect_to_custom with auth_credentials and http_secure=True",
)
_WEAVIATE_V3 = _Client(
    "weaviate",
    "Weaviate",
    ("url", "0"),
    frozenset({"auth_client_secret", "auth_credentials"}),
    fix="pass auth_client_secret (an API key) and use https",
)
_MILVUS = _Client(
    "milvus",
    "Milvus",
    ("uri", "host", "0"),
    frozenset({"token", "password", "user"}),
    ("secure",),
    False,
    "pass token (user:password) and enable TLS",
)
_MILVUS_ARGS = _Client(
    "milvus",
    "Milvus",
    ("connection_args",),
    frozenset({"token", "password", "user"}),
    fix="put token (user:password) in connection_args and use https",
)
_ELASTIC = _Client(
    "elasticsearch",
    "Elasticsearch",
    ("hosts", "0", "es_url"),
    frozenset(
        {"basic_auth", "api_key", "http_auth", "bearer_auth", "cloud_id", "es_user", "es_api_key"}
    ),
    fix="pass api_key or basic_auth and use https",
)
_OPENSEARCH = _Client(
    "opensearch",
    "OpenSearch",
    ("hosts", "0", "opensearch_url"),
    frozenset({"http_auth", "auth", "api_key"}),
    ("use_ssl",),
    False,
    "pass http_auth and set use_ssl=True",
)
_REDIS = _Client(
    "redis",
    "Redis",
    ("host", "url", "0", "redis_url"),
    frozenset({"password", "username", "credential_provider"}),
    ("ssl",),
    True,
    "put a password in the URL (rediss://:password@host) or pass password=",
)
_MONGO = _Client(
    "mongodb",
    "MongoDB",
    ("host", "0"),
    frozenset({"username", "password", "authMechanism"}),
    ("tls", "ssl"),
    True,
    "put credentials in the connection string and enable tls",
)

# Qualified callee -> client. Framework classes are keyed by their class name
# after the import (``langchain_qdrant.QdrantVectorStore.from_documents``).
_CLIENTS: dict[str, _Client] = {
    "qdrant_client.QdrantClient": _QDRANT,
    "qdrant_client.AsyncQdrantClient": _QDRANT,
    "chromadb.HttpClient": _CHROMA,
    "chromadb.AsyncHttpClient": _CHROMA,
    "weaviate.connect_to_custom": _WEAVIATE_CUSTOM,
    "weaviate.connect_to_local": _WEAVIATE_LOCAL,
    "weaviate.use_async_with_custom": _WEAVIATE_CUSTOM,
    "weaviate.Client": _WEAVIATE_V3,
    "pymilvus.MilvusClient": _MILVUS,
    "pymilvus.connections.connect": _MILVUS,
    "elasticsearch.Elasticsearch": _ELASTIC,
    "elasticsearch.AsyncElasticsearch": _ELASTIC,
    "opensearchpy.OpenSearch": _OPENSEARCH,
    "opensearchpy.AsyncOpenSearch": _OPENSEARCH,
    "redis.Redis": _REDIS,
    "redis.StrictRedis": _REDIS,
    "redis.from_url": _REDIS,
    "redis.Redis.from_url": _REDIS,
    "redis.asyncio.Redis": _REDIS,
    "redis.asyncio.from_url": _REDIS,
    "pymongo.MongoClient": _MONGO,
    "motor.motor_asyncio.AsyncIOMotorClient": _MONGO,
}
# Framework store classes: any of these methods (or the constructor) with a URL.
_FRAMEWORK: dict[str, _Client] = {
    "Qdrant": _QDRANT,
    "QdrantVectorStore": _QDRANT,
    "Milvus": _MILVUS_ARGS,
    "ElasticsearchStore": _ELASTIC,
    "ElasticVectorSearch": _ELASTIC,
    "OpenSearchVectorSearch": _OPENSEARCH,
    "Redis": _REDIS,
    "RedisVectorStore": _REDIS,
}
_FRAMEWORK_METHODS = frozenset(
    {"", "from_documents", "from_texts", "from_existing_collection", "from_existing_index"}
)
_FRAMEWORK_ROOTS = ("langchain", "llama_index", "haystack")
# Bytes that a file must hold for the pass to run at all.
STORE_CLIENT_TOKENS = (
    b"qdrant",
    b"chromadb",
    b"weaviate",
    b"milvus",
    b"elasticsearch",
    b"opensearch",
    b"redis",
    b"pymongo",
    b"motor",
    b"Qdrant",
    b"Milvus",
    b"Redis",
    b"Elasticsearch",
    b"OpenSearch",
)
# General-purpose databases: reported only where the repository uses them as a vector store.
_GENERAL = frozenset({"redis", "mongodb", "elasticsearch", "opensearch"})
_PLAIN_SCHEMES = frozenset({"http", "redis", "mongodb", "tcp", "grpc"})
_LOCAL_NAMES = frozenset({"localhost", "host.docker.internal", "0.0.0.0", "::", "::1"})


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name, from the module's imports."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _client_for(qualified: str) -> _Client | None:
    if qualified in _CLIENTS:
        return _CLIENTS[qualified]
    if not qualified.startswith(_FRAMEWORK_ROOTS):
        return None
    parts = qualified.split(".")
    for index in range(len(parts) - 1, 0, -1):
        name, method = parts[index], ".".join(parts[index + 1 :])
        if name in _FRAMEWORK and method in _FRAMEWORK_METHODS:
            return _FRAMEWORK[name]
    return None


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_local(host: str) -> bool:
    host = host.strip("[]").lower().rstrip(".")
    if not host or host in _LOCAL_NAMES or ("." not in host and ":" not in host):
        return True
    if host.endswith((".svc", ".svc.cluster.local", ".local", ".localhost", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@dataclass(frozen=True)
class _Address:
    host: str
    scheme: str | None  # None for a bare host name
    has_credentials: bool


def _address(value: str) -> _Address | None:
    text = value.strip()
    if "://" not in text:
        host = text.split("/", 1)[0].rsplit(":", 1)[0] if text.count(":") <= 1 else text
        return _Address(host, None, False) if host else None
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return None
    return _Address(host, parts.scheme.lower(), parts.password is not None)


def _address_of(call: ast.Call, client: _Client) -> tuple[ast.expr, _Address] | None:
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    for name in client.address:
        node = (call.args[0] if call.args else None) if name == "0" else keywords.get(name)
        if node is None:
            continue
        if name == "connection_args" and isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if _literal(key) in {"uri", "host"}:
                    text = _literal(value)
                    found = _address(text) if text else None
                    return (value, found) if found else None
            return None
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            node = node.elts[0]
        if isinstance(node, ast.Dict):  # opensearch hosts=[{"host": ..., "port": ...}]
            for key, value in zip(node.keys, node.values, strict=True):
                if _literal(key) == "host":
                    node = value
                    break
        text = _literal(node)
        if text is None:
            return None  # from the environment or a variable: not judged
        found = _address(text)
        return (node, found) if found is not None else None
    return None


def _has_credentials(call: ast.Call, client: _Client) -> bool:
    for keyword in call.keywords:
        if keyword.arg is None:
            return True  # **kwargs: may hold them
        if keyword.arg in client.credentials and not (
            isinstance(keyword.value, ast.Constant) and keyword.value.value in (None, "")
        ):
            return True
        if keyword.arg == "connection_args" and isinstance(keyword.value, ast.Dict):
            keys = {_literal(k) for k in keyword.value.keys if k is not None}
            if keys & client.credentials:
                return True
    return False


def _plain(call: ast.Call, client: _Client, address: _Address) -> bool:
    if address.scheme is not None:
        return address.scheme in _PLAIN_SCHEMES
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    for name in client.tls:
        if name in keywords:
            value = keywords[name]
            return isinstance(value, ast.Constant) and value.value is False
    return client.plain_default


def find_store_clients(path: str, tree: ast.Module) -> list[StoreExposure]:
    """Calls that connect to a non-local store without credentials or in clear text."""
    try:
        return list(_find(path, tree))
    except Exception:  # bad input never stops a scan
        return []


def _find(path: str, tree: ast.Module) -> Iterator[StoreExposure]:
    imports = _imports(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        dotted = _dotted(node.func)
        if dotted is None:
            continue
        head, _, rest = dotted.partition(".")
        qualified = imports.get(head)
        if qualified is None:
            continue
        client = _client_for(f"{qualified}.{rest}" if rest else qualified)
        if client is None or any(k.arg is None for k in node.keywords):
            continue  # not a store client, or **kwargs that may hold anything
        found = _address_of(node, client)
        if found is None:
            continue
        where, address = found
        if _is_local(address.host):
            continue
        plain = _plain(node, client, address)
        credentials = address.has_credentials or _has_credentials(node, client)
        if credentials and not plain:
            continue
        if plain and not credentials:
            problem = "over plain text with no credentials"
        elif plain:
            problem = "over plain text (its credentials travel unencrypted)"
        else:
            problem = "with no credentials"
        yield StoreExposure(
            path=path,
            line=where.lineno,
            column=where.col_offset + 1,
            store=client.store,
            title=client.title,
            origin="client",
            name=dotted,
            reach=f"connects to {address.host}",
            auth=problem,
            fix=client.fix,
            general=client.store in _GENERAL,
        )
