"""The Python scanner on fixtures/hf-finetune-lab: every call site, exactly.

Local training (transformers Trainer, TRL, PEFT, sentence-transformers .fit) is
capability "training"; loading a checkpoint with from_pretrained or pipeline()
is where a model is used. Expected tuples were worked out by reading the
fixture and confirmed with the scanner.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CallTuple, call_tuples, scan_fixture

from auditor.scanners.python import PythonFacts

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "hf-finetune-lab"


FILES = [
    "lab/__init__.py",
    "lab/classifier.py",
    "lab/config.py",
    "lab/data.py",
    "lab/embeddings.py",
    "lab/generate.py",
    "lab/sft.py",
]

CL = "lab/classifier.py"
EM = "lab/embeddings.py"
GE = "lab/generate.py"
SF = "lab/sft.py"

HF = "huggingface"
LLAMA = "meta-llama/Llama-3.1-8B"
BERT = "distilbert-base-uncased"
BGE = "BAAI/bge-small-en-v1.5"

# (path, line, provider, capability, api, model, fine_tuned)
# fmt: off
EXPECTED: list[CallTuple] = [
    # plain Trainer over a from_pretrained model object (loading it is no call
    # site: it is loaded to be trained): the trainer trains that model
    (CL, 39, HF, "training", "transformers.Trainer", BERT, False),
    (CL, 51, HF, "training", "transformers.Trainer.train", BERT, False),
    # sentence-transformers: the constructor names the model, methods are the calls
    (EM, 26, HF, "training", "sentence_transformers.SentenceTransformer.fit", BGE, False),
    (EM, 42, HF, "embedding", "sentence_transformers.SentenceTransformer.encode", BGE, False),
    (EM, 47, HF, "embedding", "sentence_transformers.SentenceTransformer.encode", BGE, False),
    # nearest neighbours over those embeddings (np.argsort of a dot product
    # with the encoded query, sliced to the top k) is a local retriever
    (EM, 48, HF, "retriever", "local:argsort", None, False),
    (EM, 50, HF, "rerank", "sentence_transformers.CrossEncoder.predict",
     "cross-encoder/ms-marco-MiniLM-L-6-v2", False),
    # pipeline(task, model=...): the task decides generation or embedding; a
    # text-generation pipeline given chat messages (line 25) is a chat model
    (GE, 18, HF, "chat", "transformers.pipeline", "meta-llama/Llama-3.1-8B-Instruct", False),
    (GE, 31, HF, "embedding", "transformers.pipeline(feature-extraction)",
     "sentence-transformers/all-MiniLM-L6-v2", False),
    (GE, 43, HF, "chat", "huggingface_hub.InferenceClient.chat_completion",
     "meta-llama/Llama-3.1-8B-Instruct", False),
    # PEFT / TRL
    (SF, 28, HF, "training", "peft.LoraConfig", None, False),
    (SF, 43, HF, "training", "peft.get_peft_model", LLAMA, False),
    (SF, 66, HF, "training", "trl.SFTTrainer", LLAMA, False),
    (SF, 74, HF, "training", "trl.SFTTrainer.train", LLAMA, False),
]
# fmt: on

_MODEL_OBJECT = (
    "scanner: a model argument that is an SDK object (`model = AutoModel...from_pretrained("
    "...)`, then `Trainer(model=model)` / `get_peft_model(base, ...)`) is not resolved to "
    "that object's model name"
)


@pytest.fixture(scope="module")
def facts() -> dict[str, PythonFacts]:
    return scan_fixture(ROOT)


def test_every_file_parsed_without_errors(facts: dict[str, PythonFacts]) -> None:
    assert sorted(facts) == FILES
    assert {p: f.errors for p, f in facts.items() if f.errors} == {}
    assert all(f.parsed for f in facts.values())


def test_call_sites_exact(facts: dict[str, PythonFacts]) -> None:
    assert call_tuples(facts) == sorted(EXPECTED)


def test_tokenizers_and_configs_are_not_call_sites(facts: dict[str, PythonFacts]) -> None:
    # AutoTokenizer.from_pretrained (classifier 29, sft 52), SFTConfig (sft 55),
    # SentenceTransformer/CrossEncoder constructors (embeddings 22, 35, 36)
    assert not [c for c in facts[CL].call_sites if c.line == 29]
    assert not [c for c in facts[SF].call_sites if c.line in {52, 55}]
    assert not [c for c in facts[EM].call_sites if c.line in {22, 35, 36}]


def test_style_prompt_is_a_system_prompt(facts: dict[str, PythonFacts]) -> None:
    (system,) = [p for p in facts[GE].prompts if p.role == "system"]
    assert (system.line, system.text) == (
        14,
        "You are Ava, Acme's support assistant. Be warm and brief.",
    )


def test_training_data_is_chat_format() -> None:
    lines = (ROOT / "data" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    assert len(records) == 4
    for record in records:
        roles = [m["role"] for m in record["messages"]]
        assert roles == ["system", "user", "assistant"]
