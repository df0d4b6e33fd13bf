"""SC010: vector stores started with their port open and authentication off, in
compose files, Kubernetes manifests, Helm values and Dockerfiles, and code that
connects to a remote store without credentials or in clear text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, MakeRepo

from auditor.config import Config
from auditor.engine import Options, audit
from auditor.model import FileFacts
from auditor.scanners.stores import find_stores


def sc010(root: Path) -> list[tuple[str, int, str]]:
    report = audit(root, Config(select=("SC010",)), Options(use_cache=False, jobs=1))
    assert report.errors == ()
    return [(f.location.path, f.location.line, f.message) for f in report.findings]


def where(root: Path) -> list[str]:
    return [f"{path}:{line}" for path, line, _ in sc010(root)]


def compose(service: str) -> dict[str, str]:
    return {"docker-compose.yml": "services:\n" + service}


QDRANT = "  qdrant:\n    image: qdrant/qdrant:v1.12.4\n"


@pytest.mark.parametrize(
    ("ports", "exposed"),
    [
        ('    ports:\n      - "6333:6333"\n', True),
        ('    ports:\n      - "0.0.0.0:6333:6333"\n', True),
        ("    ports:\n      - 6333\n", True),  # a random host port, on all interfaces
        ('    ports:\n      - "6333-6334:6333-6334"\n', True),
        ('    ports:\n      - "${QDRANT_PORT:-6333}:6333/tcp"\n', True),
        ("    ports:\n      - target: 6333\n        published: 6333\n", True),
        ("    network_mode: host\n", True),
        ('    ports:\n      - "127.0.0.1:6333:6333"\n', False),
        ('    ports:\n      - "[::1]:6333:6333"\n', False),
        (
            "    ports:\n      - target: 6333\n        published: 6333\n"
            "        host_ip: 127.0.0.1\n",
            False,
        ),
        ('    expose:\n      - "6333"\n', False),
        ('    ports:\n      - "9000:9000"\n', False),  # not a data port of Qdrant
        ("", False),
    ],
)
def test_compose_ports(make_repo: MakeRepo, ports: str, exposed: bool) -> None:
    root = make_repo(compose(QDRANT + ports))
    assert bool(where(root)) is exposed


@pytest.mark.parametrize(
    ("service", "exposed"),
    [
        (QDRANT + "    environment:\n      - QDRANT__SERVICE__API_KEY\n", False),
        (QDRANT + "    environment:\n      QDRANT__SERVICE__API_KEY: ${KEY}\n", False),
        (QDRANT + '    environment:\n      QDRANT__SERVICE__API_KEY: ""\n', True),
        (QDRANT + "    env_file: .env\n", False),  # the key may be there
        (QDRANT + "    volumes:\n      - ./qdrant.yaml:/qdrant/config/production.yaml\n", False),
        (
            "  es:\n    image: elasticsearch:7.17.25\n",
            True,  # security off by default before 8.0
        ),
        ("  es:\n    image: elasticsearch:8.15.3\n", False),
        (
            "  es:\n    image: elasticsearch:7.17.25\n    environment:\n"
            "      - xpack.security.enabled=true\n",
            False,
        ),
        (
            "  os:\n    image: opensearchproject/opensearch:2.18.0\n    environment:\n"
            '      plugins.security.disabled: "true"\n',
            True,
        ),
        ("  mongo:\n    image: mongo:7\n    command: mongod --auth\n", False),
        (
            "  mongo:\n    image: mongo:7\n    environment:\n"
            "      MONGO_INITDB_ROOT_USERNAME: rag\n      MONGO_INITDB_ROOT_PASSWORD: admin\n",
            True,  # a default password
        ),
        ("  r:\n    image: redis/redis-stack-server\n    command: --requirepass s3cr3t\n", False),
        (
            "  r:\n    image: redis/redis-stack\n    environment:\n"
            '      REDIS_ARGS: "--requirepass ${REDIS_PASSWORD}"\n',
            False,
        ),
        (
            "  pg:\n    image: pgvector/pgvector:pg16\n    environment:\n"
            "      POSTGRES_HOST_AUTH_METHOD: trust\n",
            True,
        ),
        (
            "  pg:\n    image: pgvector/pgvector:pg16\n    environment:\n"
            "      POSTGRES_PASSWORD: ${PG_PASSWORD:-password}\n",
            True,
        ),
        (
            "  pg:\n    image: pgvector/pgvector:pg16\n    environment:\n"
            "      POSTGRES_PASSWORD: ${PG_PASSWORD}\n",
            False,
        ),
        (
            "  w:\n    image: semitechnologies/weaviate:1.27.2\n    environment:\n"
            "      AUTHENTICATION_APIKEY_ENABLED: 'true'\n",
            False,
        ),
        ("  w:\n    image: semitechnologies/weaviate:1.27.2\n", True),
        ("  m:\n    image: milvusdb/milvus:v2.4.15\n", True),
    ],
)
def test_compose_authentication(make_repo: MakeRepo, service: str, exposed: bool) -> None:
    ports = '    ports:\n      - "6333:6333"\n      - "9200:9200"\n      - "27017:27017"\n'
    ports += (
        '      - "6379:6379"\n      - "5432:5432"\n      - "8080:8080"\n      - "19530:19530"\n'
    )
    files = compose(service + ports)
    # General-purpose databases count where the repository uses them for vectors.
    files["requirements.txt"] = (
        "langchain-elasticsearch\nlangchain-opensearch\nlangchain-mongodb\nredisvl\n"
    )
    root = make_repo(files)
    assert bool(where(root)) is exposed


def test_general_databases_count_only_when_used_as_vector_stores(make_repo: MakeRepo) -> None:
    service = '  cache:\n    image: redis:7.4\n    ports:\n      - "6379:6379"\n'
    plain = make_repo(compose(service) | {"requirements.txt": "celery[redis]\n"})
    assert where(plain) == []
    vectors = make_repo(compose(service) | {"requirements.txt": "redisvl==0.3.5\n"})
    assert where(vectors) == ["docker-compose.yml:5"]
    # A dedicated vector image needs no such signal.
    stack = make_repo(
        compose('  r:\n    image: redis/redis-stack:7.4.0-v1\n    ports:\n      - "6379:6379"\n')
    )
    assert where(stack) == ["docker-compose.yml:5"]


MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: qdrant
spec:
  template:
    metadata:
      labels:
        app: qdrant
    spec:
      containers:
        - name: qdrant
          image: qdrant/qdrant:v1.12.4
"""


@pytest.mark.parametrize(
    ("service_type", "exposed"),
    [("LoadBalancer", True), ("NodePort", True), ("ClusterIP", False)],
)
def test_kubernetes_service_in_another_file_publishes_the_pods(
    make_repo: MakeRepo, service_type: str, exposed: bool
) -> None:
    service = (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: q\nspec:\n"
        f"  type: {service_type}\n  selector:\n    app: qdrant\n"
    )
    root = make_repo({"k8s/deploy.yaml": MANIFEST, "k8s/svc.yaml": service})
    assert where(root) == (["k8s/deploy.yaml:13"] if exposed else [])


def test_kubernetes_host_network_and_secrets(make_repo: MakeRepo) -> None:
    host = MANIFEST.replace(
        "    spec:\n      containers", "    spec:\n      hostNetwork: true\n      containers"
    )
    keyed = MANIFEST + (
        "          env:\n            - name: QDRANT__SERVICE__API_KEY\n"
        "              valueFrom:\n                secretKeyRef: {name: q, key: k}\n"
    )
    root = make_repo({"a/host.yaml": host, "b/keyed.yaml": keyed})
    assert where(root) == ["a/host.yaml:14"]
    templated = make_repo(
        {"chart/templates/d.yaml": MANIFEST.replace("v1.12.4", "{{ .Values.tag }}")}
    )
    assert where(templated) == []


@pytest.mark.parametrize(
    ("values", "exposed"),
    [
        ("qdrant:\n  service:\n    type: LoadBalancer\n", True),
        ("qdrant:\n  apiKey: true\n  service:\n    type: LoadBalancer\n", False),
        ("qdrant:\n  service:\n    type: ClusterIP\n", False),
        ("weaviate:\n  replicas: 1\n", True),  # the chart's default Service is a LoadBalancer
        ("weaviate:\n  service:\n    type: ClusterIP\n", False),
        (
            "weaviate:\n  authentication:\n    anonymous_access:\n      enabled: false\n",
            False,
        ),
        ("milvus:\n  service:\n    type: NodePort\n", True),
        (
            "milvus:\n  service:\n    type: NodePort\n  extraConfigFiles:\n    user.yaml: |+\n"
            "      common:\n        security:\n          authorizationEnabled: true\n",
            False,
        ),
    ],
)
def test_helm_values(make_repo: MakeRepo, values: str, exposed: bool) -> None:
    root = make_repo({"deploy/values.yaml": values})
    assert bool(where(root)) is exposed


def test_dockerfile_needs_an_exposed_data_port_and_no_key(make_repo: MakeRepo) -> None:
    base = "FROM qdrant/qdrant:v1.12.4\n"
    root = make_repo(
        {
            "a/Dockerfile": base + "EXPOSE 6333\n",
            "b/Dockerfile": base + "ENV QDRANT__SERVICE__API_KEY=${KEY}\nEXPOSE 6333\n",
            "c/Dockerfile": base,
            "d/Dockerfile": base + "EXPOSE 6333\nFROM python:3.12-slim\nEXPOSE 8000\n",
        }
    )
    assert where(root) == ["a/Dockerfile:2"]


CLIENTS = [
    ('QdrantClient(url="http://localhost:6333")', False),
    ('QdrantClient(host="qdrant", port=6333)', False),  # the compose network
    ('QdrantClient(url="http://qdrant.default.svc.cluster.local:6333")', False),
    ('QdrantClient(url="http://203.0.113.7:6333")', True),
    ('QdrantClient(url="https://q.example.net", api_key=KEY)', False),
    ('QdrantClient(url="https://q.example.net")', True),
    ('QdrantClient(url="http://q.example.net", api_key=KEY)', True),  # key in clear text
    ("QdrantClient(url=os.environ['QDRANT_URL'])", False),
    ('QdrantClient(url="http://q.example.net", **settings)', False),
]


@pytest.mark.parametrize(("call", "exposed"), CLIENTS)
def test_client_connections(make_repo: MakeRepo, call: str, exposed: bool) -> None:
    code = f"import os\nfrom qdrant_client import QdrantClient\nclient = {call}\n"
    root = make_repo({"app/store.py": code})
    assert bool(where(root)) is exposed


def test_client_messages_name_the_problem(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "rag.py": (
                "from langchain_qdrant import QdrantVectorStore\n"
                "from pymongo import MongoClient\n"
                'db = QdrantVectorStore.from_documents(docs, emb, url="https://q.example.net")\n'
                'mongo = MongoClient("mongodb://user:pw@mongo.example.net:27017")\n'
            ),
            "requirements.txt": "langchain-mongodb\n",
            "tests/test_rag.py": (
                'from qdrant_client import QdrantClient\nQdrantClient(url="http://q.example.net")\n'
            ),
        }
    )
    assert sc010(root) == [
        (
            "rag.py",
            3,
            "Qdrant client `QdrantVectorStore.from_documents` connects to q.example.net with no "
            "credentials: pass api_key and connect over https",
        ),
        (
            "rag.py",
            4,
            "MongoDB client `MongoClient` connects to mongo.example.net over plain text (its "
            "credentials travel unencrypted): put credentials in the connection string and "
            "enable tls",
        ),
    ]


def test_store_facts_survive_the_cache_round_trip() -> None:
    text = "services:\n" + QDRANT + '    ports:\n      - "6333:6333"\n'
    (store,) = find_stores("compose", "docker-compose.yml", text)
    facts = FileFacts("docker-compose.yml", stores=(store,))
    assert FileFacts.from_dict(facts.to_dict()) == facts


def test_bad_yaml_yields_nothing() -> None:
    assert find_stores("compose", "docker-compose.yml", "services: [\n  qdrant") == []
    assert find_stores("text", "k8s/x.yaml", "apiVersion: v1\nkind: Service\nspec: {{\n") == []


FIXTURE = [
    (
        "app/clients.py",
        14,
        "Qdrant client `QdrantClient` connects to qdrant.staging.docsearch.io over plain "
        "text with no credentials: pass api_key and connect over https",
    ),
    (
        "app/clients.py",
        20,
        "Chroma client `chromadb.HttpClient` connects to chroma.staging.docsearch.io over "
        "plain text with no credentials: pass the token in settings "
        "(chroma_client_auth_credentials) or headers and set ssl=True",
    ),
    (
        "app/clients.py",
        23,
        "Weaviate client `weaviate.connect_to_custom` connects to 10.20.0.15 with no "
        "credentials: pass auth_credentials (an API key) and http_secure=True",
    ),
    (
        "app/clients.py",
        35,
        "Redis client `redis.Redis` connects to redis.staging.docsearch.io over plain text "
        "with no credentials: put a password in the URL (rediss://:password@host) or pass "
        "password=",
    ),
    (
        "deploy/qdrant.Dockerfile",
        5,
        "Qdrant (an image built FROM `qdrant/qdrant:v1.12.4`) EXPOSEs port 6333 to whatever "
        "runs the image without authentication: set QDRANT__SERVICE__API_KEY (service.api_key)",
    ),
    (
        "docker-compose.yml",
        6,
        "Qdrant (compose service `qdrant`) publishes port 6333 on all interfaces without "
        "authentication: set QDRANT__SERVICE__API_KEY (service.api_key), or publish the port "
        "on 127.0.0.1 only",
    ),
    (
        "docker-compose.yml",
        16,
        "Chroma (compose service `chroma`) publishes port 8000 on all interfaces without "
        "authentication: set CHROMA_SERVER_AUTHN_PROVIDER and CHROMA_SERVER_AUTHN_CREDENTIALS "
        "(Chroma 1.x: an authenticating proxy in front), or publish the port on 127.0.0.1 only",
    ),
    (
        "docker-compose.yml",
        25,
        "Weaviate (compose service `weaviate`) publishes port 8080 on all interfaces with "
        "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true: set "
        "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=false and AUTHENTICATION_APIKEY_ENABLED=true "
        "with AUTHENTICATION_APIKEY_ALLOWED_KEYS, or publish the port on 127.0.0.1 only",
    ),
    (
        "docker-compose.yml",
        37,
        "Milvus (compose service `milvus`) publishes port 19530 on all interfaces without "
        "authentication: set common.security.authorizationEnabled: true in milvus.yaml and "
        "change the root password, or publish the port on 127.0.0.1 only",
    ),
    (
        "docker-compose.yml",
        43,
        "Redis Stack (compose service `redis`) publishes port 6379 on all interfaces without "
        'authentication: set REDIS_ARGS="--requirepass ..." (or an ACL file), or publish the '
        "port on 127.0.0.1 only",
    ),
    (
        "docker-compose.yml",
        52,
        "Postgres with pgvector (compose service `pgvector`) publishes port 5432 on all "
        "interfaces with a default password in POSTGRES_PASSWORD: set a strong "
        "POSTGRES_PASSWORD from a secret and remove POSTGRES_HOST_AUTH_METHOD=trust, or "
        "publish the port on 127.0.0.1 only",
    ),
    (
        "docker-compose.yml",
        57,
        "MongoDB (compose service `mongo`) publishes port 27017 on all interfaces without "
        "authentication: set MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD "
        "(mongod then runs with --auth), or publish the port on 127.0.0.1 only",
    ),
    (
        "docker-compose.yml",
        65,
        "Elasticsearch (compose service `elasticsearch`) publishes port 9200 on all "
        "interfaces with xpack.security.enabled=false: set xpack.security.enabled=true and "
        "ELASTIC_PASSWORD, or publish the port on 127.0.0.1 only",
    ),
    (
        "docker-compose.yml",
        73,
        "OpenSearch (compose service `opensearch`) publishes port 9200 on all interfaces "
        "with DISABLE_SECURITY_PLUGIN=true: remove DISABLE_SECURITY_PLUGIN (the security "
        "plugin needs OPENSEARCH_INITIAL_ADMIN_PASSWORD), or publish the port on 127.0.0.1 only",
    ),
    (
        "helm/weaviate/values.yaml",
        1,
        "Weaviate (Helm chart `weaviate`) is published by the chart's Service of type "
        "LoadBalancer with anonymous access on: set authentication.anonymous_access.enabled: "
        "false and authentication.apikey in the chart's values",
    ),
    (
        "k8s/milvus.yaml",
        10,
        "Milvus (Kubernetes Pod milvus-standalone) binds hostPort 19530 on its node without "
        "authentication: set common.security.authorizationEnabled: true in milvus.yaml and "
        "change the root password",
    ),
    (
        "k8s/qdrant.yaml",
        19,
        "Qdrant (Kubernetes StatefulSet qdrant) is published by Service qdrant-public of type "
        "LoadBalancer without authentication: set QDRANT__SERVICE__API_KEY (service.api_key)",
    ),
]


def test_vector_store_stack_fixture_exact_findings(tmp_path: Path) -> None:
    repo = tmp_path / "stack"
    shutil.copytree(FIXTURES / "vector-store-stack", repo)
    assert sc010(repo) == FIXTURE
    report = audit(repo, Config(select=("SC010",)), Options(use_cache=False, jobs=1))
    first = report.findings[5]
    assert dict(first.properties) == {
        "store": "qdrant",
        "origin": "compose",
        "name": "qdrant",
        "reach": "publishes port 6333 on all interfaces",
        "auth": "without authentication",
        "fix": "set QDRANT__SERVICE__API_KEY (service.api_key), or publish the port on "
        "127.0.0.1 only",
    }
    assert (first.location.column, first.severity.label) == (9, "warning")
