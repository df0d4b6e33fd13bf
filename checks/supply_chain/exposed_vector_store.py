"""SC010 exposed-vector-store."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, Severity, StoreExposure, normalise_name
from auditor.rules import Example, Rule
from auditor.scanners.stores import store_specs
from auditor.verdict.profile import is_test_path
from auditor.verdict.stage import Verdict

_VECTOR_CAPABILITIES = frozenset({"vector-store", "retriever"})


def _subject(store: StoreExposure) -> str:
    if store.origin == "compose":
        return f"{store.title} (compose service `{store.name}`)"
    if store.origin == "kubernetes":
        return f"{store.title} (Kubernetes {store.name})"
    if store.origin == "helm":
        return f"{store.title} (Helm chart `{store.name}`)"
    if store.origin == "dockerfile":
        return f"{store.title} (an image built FROM `{store.name}`)"
    return f"{store.title} client `{store.name}`"


class ExposedVectorStore(Rule):
    """
    ## What it does
    Finds vector stores that the repository starts with their data port open
    to the network and authentication off, and code that connects to a store
    on another machine over plain HTTP or without credentials. The message
    names the setting that turns authentication on.

    It reads compose files, Kubernetes workloads (published by a
    `LoadBalancer`/`NodePort` Service, `hostPort` or `hostNetwork`), Helm
    values and Dockerfiles: Qdrant without an API key, Chroma without its auth
    provider, Weaviate with anonymous access, Milvus without authorization,
    Redis Stack without a password, Postgres with `trust` or a default
    password, MongoDB without `--auth`, Elasticsearch/OpenSearch with security
    disabled.

    Plain Redis, Postgres, MongoDB, Elasticsearch and OpenSearch count only in
    repositories that use them as a vector store (a vector integration among
    the dependencies, or a vector-store call site). A port published on
    `127.0.0.1` only, a store reached on the compose network or inside the
    cluster, and services whose `env_file` or mounted configuration could set
    authentication are not reported.

    ## Why is this bad?
    A RAG system's vector store holds the documents it retrieves from, often
    the company's internal knowledge, in plain text beside their embeddings.
    Self-hosted stores start with no authentication, and a published port is
    reachable by anyone who can reach the host: scanners find open Qdrant,
    Chroma, Elasticsearch and MongoDB instances within hours and copy or wipe
    them. Without TLS, the documents and any key cross the network in clear.

    ## Example
    ```yaml
    services:
      qdrant:
        image: qdrant/qdrant:v1.12.4
        ports:
          - "6333:6333"
    ```

    Use instead:
    ```yaml
    services:
      qdrant:
        image: qdrant/qdrant:v1.12.4
        environment:
          QDRANT__SERVICE__API_KEY: ${QDRANT_API_KEY}
        ports:
          - "127.0.0.1:6333:6333"
    ```

    ## How to fix
    Turn the store's authentication on with the setting the message names,
    keep the key in a secret, and publish the port only where it is needed
    (`127.0.0.1:6333:6333`, a `ClusterIP` Service, a private network). In
    code, connect over https and pass the key or password.
    """

    id = "SC010"
    name = "exposed-vector-store"
    severity = Severity.WARNING
    message = "{subject} {reach} {auth}: {fix}"
    tags = ("security", "rag", "external/cwe/cwe-306")
    precision = "medium"  # authentication read from configuration the store may override
    security_severity = 6.5  # a warning: GitHub reads 7.0 and up as high
    valid = (
        Example(
            {
                "docker-compose.yml": (
                    "services:\n"
                    "  qdrant:\n"
                    "    image: qdrant/qdrant:v1.12.4\n"
                    "    environment:\n"
                    "      QDRANT__SERVICE__API_KEY: ${QDRANT_API_KEY}\n"
                    "    ports:\n"
                    '      - "6333:6333"\n'
                    "  chroma:\n"
                    "    image: chromadb/chroma:0.5.20\n"
                    "    ports:\n"
                    '      - "127.0.0.1:8000:8000"\n'
                )
            }
        ),
        Example(
            {
                "app.py": (
                    "from qdrant_client import QdrantClient\n"
                    'client = QdrantClient(url="http://qdrant:6333")\n'
                    'cloud = QdrantClient(url="https://xyz.cloud.qdrant.io", api_key=KEY)\n'
                )
            }
        ),
    )
    invalid = (
        Example(
            {
                "docker-compose.yml": (
                    "services:\n"
                    "  qdrant:\n"
                    "    image: qdrant/qdrant:v1.12.4\n"
                    "    ports:\n"
                    '      - "6333:6333"\n'
                )
            },
            expect=("docker-compose.yml:5",),
        ),
        Example(
            {
                "rag.py": (
                    "import weaviate\n"
                    "client = weaviate.connect_to_custom(\n"
                    '    http_host="weaviate.prod.example.net", http_port=8080,\n'
                    '    grpc_host="weaviate.prod.example.net", grpc_port=50051,\n'
                    ")\n"
                )
            },
            expect=("rag.py:3",),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        services = [s for s in facts.stores if s.origin == "service"]
        used = _used_as_vector_store(facts)
        for store in facts.stores:
            if store.origin == "service":
                continue
            if store.origin == "client" and is_test_path(store.path):
                continue
            if store.general and store.store not in used:
                continue
            reach = store.reach
            if not reach:  # a Kubernetes workload: is a public Service selecting its pods?
                labels = set(store.labels)
                service = next((s for s in services if set(s.labels) <= labels), None)
                if service is None:
                    continue
                reach = service.reach
            yield self.finding(
                Location(store.path, store.line, store.column),
                properties={
                    "store": store.store,
                    "origin": store.origin,
                    "name": store.name,
                    "reach": reach,
                    "auth": store.auth,
                    "fix": store.fix,
                },
                fingerprint_key=f"{store.origin}|{store.name}|{store.store}",
                subject=_subject(store),
                reach=reach,
                auth=store.auth,
                fix=store.fix,
            )


def _used_as_vector_store(facts: RepoFacts) -> frozenset[str]:
    """Stores the repository uses for vectors: a vector integration among its
    dependencies, or a vector-store or retriever call site of that provider."""
    used = {s.provider for s in facts.call_sites if s.capability in _VECTOR_CAPABILITIES}
    names = {normalise_name(d.name) for d in facts.dependencies}
    specs, _ = store_specs()
    for spec in specs:
        if spec.vector_packages and names & {normalise_name(p) for p in spec.vector_packages}:
            used.add(spec.name)
    return frozenset(used)
