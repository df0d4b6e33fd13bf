"""Training named outside Python calls: training configurations (LLaMA-Factory,
axolotl, torchtune, Hugging Face TrainingArguments as YAML or JSON), training
commands in shell scripts and Makefiles, and the training data they, or a
script's argument defaults, name.

A repository whose only trace of fine-tuning is ``lawllm_lora_sft.yaml``
(``stage: sft``, ``do_train: true``) trains a model all the same: such a
configuration is a ``training`` call site at its line, with the model it names.
Training data named anywhere (``--data_path ./data/train.json``, ``dataset:
org/name``, ``load_dataset("yahma/alpaca-cleaned")``, ``data_path: str =
field(default="alpaca_data.json")``, a URL) becomes a ``training`` data
reference with its source (``file``, ``hub`` or ``url``), so that the report can
list it even when the file is not in the repository.

Everything is read line by line with regular expressions (no YAML parser: a
configuration that does not parse still names what it names, and line numbers
are exact); files without a trigger word are skipped at once.
"""

from __future__ import annotations

import ast
import posixpath
import re

from auditor.model import CallSite, DataRef

MAX_REFS = 100

_TRIGGERS = ("train", "dataset", "data_path", "finetun", "fine_tun", "sft", "base_model")

# ---------------------------------------------------------------- configs

_LINE = re.compile(
    r"^[ \t]*(?:-[ \t]+)?[\"']?([A-Za-z_][\w./-]*)[\"']?[ \t]*[:=][ \t]*(.*?)[ \t,]*$"
)
_MODEL_KEYS = ("model_name_or_path", "base_model", "model_name", "pretrained_model_name_or_path")
_DATA_KEYS = frozenset(
    {
        "dataset",
        "datasets",
        "dataset_name",
        "dataset_path",
        "data_path",
        "train_file",
        "train_data",
        "training_data",
        "train_dataset",
        "data_files",
        "path",
        "dataset_dir",
    }
)
_MIXTURE_KEYS = ("dataset_mixture", "dataset_mixer", "datasets_mixer")


def _trained(text: str) -> str:
    lower = text.lower()
    if "reranker" in lower or "cross-encoder" in lower or "cross_encoder" in lower:
        return "reranker"
    if any(w in lower for w in ("flagembedding", "sentence_transformers", "retriever", "colbert")):
        return "embedding-model"
    return "llm"


def _config_kind(keys: dict[str, tuple[int, str]]) -> tuple[str, int] | None:
    """Which training framework a configuration is for, and the line to report."""
    stage = keys.get("stage")
    if stage and stage[1].strip("'\"").lower() in {"sft", "pt", "rm", "ppo", "dpo", "kto", "orpo"}:
        return "llama-factory", stage[0]
    do_train = keys.get("do_train")
    if do_train and do_train[1].strip("'\"").lower() == "true":
        return "transformers", do_train[0]
    if "base_model" in keys and any(
        k in keys for k in ("micro_batch_size", "adapter", "num_epochs", "sequence_len")
    ):
        return "axolotl", keys["base_model"][0]
    component = keys.get("_component_")
    if component and "torchtune" in component[1] and "optimizer" in keys:
        return "torchtune", component[0]
    model = next((keys[k] for k in _MODEL_KEYS if k in keys), None)
    if model and "learning_rate" in keys and ("num_train_epochs" in keys or "max_steps" in keys):
        return "transformers", model[0]
    return None


def scan_config(path: str, text: str) -> tuple[list[CallSite], list[DataRef]]:
    """A YAML or JSON training configuration: one ``training`` call site, and
    the training data it names."""
    if not any(t in text for t in _TRIGGERS):
        return [], []
    keys: dict[str, tuple[int, str]] = {}
    refs: list[DataRef] = []
    in_data = in_mixture = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0]
        indent = len(raw) - len(raw.lstrip())
        found = _LINE.match(line)
        if found is None:
            continue
        key, value = found.group(1), found.group(2).strip().strip("'\"")
        keys.setdefault(key, (number, value))
        if in_mixture and indent < in_mixture:
            in_mixture = 0
        elif in_mixture and "/" in key:
            _add(refs, path, number, key, "config")  # `org/name: 0.5` under dataset_mixer
        elif in_mixture and key in {"id", "path", "name", "dataset"} and value:
            _add(refs, path, number, value, "config")  # `- id: org/name` under datasets
        if key in _MIXTURE_KEYS:
            in_mixture = indent + 1
            continue
        if in_data and indent < in_data and key not in _DATA_KEYS:
            in_data = 0
        if key in {"datasets", "dataset"} and not value:
            in_data = indent + 1
            continue
        if key in _DATA_KEYS and value and (key != "path" or in_data):
            for item in value.strip("[]").split(","):
                _add(refs, path, number, item.strip().strip("'\""), "config")
    kind = _config_kind(keys)
    if kind is None:
        return [], []
    framework, where = kind
    model = next((keys[k][1] for k in _MODEL_KEYS if k in keys), None)
    site = CallSite(
        path=path,
        line=where,
        column=1,
        end_line=where,
        end_column=1,
        provider="huggingface",
        capability="training",
        api=f"config:{framework}",
        model=model or None,
        trained=_trained(text),
    )
    return [site], refs


# -------------------------------------------------------- shell, Makefile

_COMMANDS = re.compile(
    r"llamafactory-cli\s+train|llama_factory|axolotl(?:\.cli\.train|\s+train)|\btune\s+run\b|"
    r"\btrl\s+(?:sft|dpo|orpo|kto|grpo)\b|FlagEmbedding[\w.]*finetune|"
    r"--do_train\b|--num_train_epochs\b|--learning_rate\b"
)
_FLAG = re.compile(
    r"--(data_path|dataset_name|dataset|train_file|train_data|training_data|data_files|"
    r"dataset_path|train_dataset)[= ]+([\"']?)([^\s\"'\\]+)\2"
)
_SHELL_MODEL = re.compile(r"--(?:model_name_or_path|base_model|model_name)[= ]+[\"']?([^\s\"'\\]+)")


def scan_shell(path: str, text: str) -> tuple[list[CallSite], list[DataRef]]:
    """Training commands in a shell script or Makefile, and the data their
    flags name. A command continued over ``\\`` lines is read as one."""
    if not any(t in text for t in _TRIGGERS):
        return [], []
    sites: list[CallSite] = []
    refs: list[DataRef] = []
    start = 0
    joined = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if not joined:
            start = number
        joined += raw.rstrip("\\") + " "
        if raw.rstrip().endswith("\\"):
            continue
        command, joined = joined, ""
        if command.lstrip().startswith("#"):
            continue
        for flag in _FLAG.finditer(command):
            _add(refs, path, start, flag.group(3), "flag")
        if _COMMANDS.search(command):
            model = _SHELL_MODEL.search(command)
            sites.append(
                CallSite(
                    path=path,
                    line=start,
                    column=1,
                    end_line=number,
                    end_column=1,
                    provider="huggingface",
                    capability="training",
                    api="command:train",
                    model=model.group(1) if model and "$" not in model.group(1) else None,
                    trained=_trained(command),
                )
            )
    return sites, refs


# ------------------------------------------------------------------ Python

_DATA_NAME = re.compile(
    r"^(?:train(?:ing)?_)?(?:data|dataset)(?:_?(?:name|path|file|files|dir|set|id))?$|"
    r"^train(?:ing)?_(?:file|path|set)$",
    re.IGNORECASE,
)


_PYTHON_TRIGGERS = ("load_dataset", "data_path", "dataset", "train_file", "train_data", "data_file")


def python_training_data(path: str, tree: ast.Module, text: str) -> list[DataRef]:
    """Training data a Python file names: a Hub id given to ``load_dataset``,
    the default of a ``--data_path``-like argument, a dataclass field or a
    function parameter with such a name."""
    if not any(t in text for t in _PYTHON_TRIGGERS):
        return []
    refs: list[DataRef] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node.func)
            if name == "load_dataset":
                first = node.args[0] if node.args else _keyword(node, "path")
                value = _string(first)
                if value is not None and _source(value) == "hub":
                    _add(refs, path, node.lineno, value, "load_dataset")
            elif name == "add_argument" and node.args:
                flag = _string(node.args[0]) or ""
                default = _string(_keyword(node, "default"))
                if default and _DATA_NAME.match(flag.lstrip("-").replace("-", "_")):
                    _add(refs, path, node.lineno, default, "argument")
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if _DATA_NAME.match(node.target.id) and node.value is not None:
                value = _string(node.value) or _string(_keyword(node.value, "default"))
                if value:
                    _add(refs, path, node.lineno, value, "field")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            with_defaults = positional[len(positional) - len(args.defaults) :]
            pairs: list[tuple[ast.arg, ast.expr]] = list(
                zip(with_defaults, args.defaults, strict=True)
            )
            pairs += [
                (a, d)
                for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                if d is not None
            ]
            for arg, given in pairs:
                named = _string(given)
                if named and _DATA_NAME.match(arg.arg):
                    _add(refs, path, given.lineno, named, "default")
        if len(refs) >= MAX_REFS:
            break
    return refs


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _keyword(node: ast.expr | None, name: str) -> ast.expr | None:
    if isinstance(node, ast.Call):
        for keyword in node.keywords:
            if keyword.arg == name:
                return keyword.value
    return None


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


# ------------------------------------------------------------------ shared

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_FILE_SUFFIXES = (".json", ".jsonl", ".csv", ".parquet", ".txt", ".arrow", ".tsv", ".zip", ".gz")


def _source(value: str) -> str | None:
    """``url``, ``hub`` or ``file`` for a dataset named by ``value``; None for
    what names no dataset (a placeholder, a bare word such as ``true``)."""
    if (
        not value
        or "$" in value
        or "{" in value
        or value.lower() in {"none", "null", "true", "false"}
    ):
        return None
    if value.startswith(("http://", "https://", "s3://", "gs://", "hf://")):
        return "url"
    if value.lower().endswith(_FILE_SUFFIXES) or value.startswith(("./", "../", "/")):
        return "file"
    if _HUB_ID.match(value) and "." not in value.rsplit("/", 1)[-1][-6:]:
        return "hub"
    if "/" in value:
        return "file"
    return None


def _add(refs: list[DataRef], path: str, line: int, value: str, how: str) -> None:
    source = _source(value)
    if source is None or len(refs) >= MAX_REFS:
        return
    target = value
    if source == "file":
        if value.startswith("/"):
            return  # outside the repository
        target = posixpath.normpath(value)
        if target.startswith(".."):
            return
    refs.append(DataRef(path, line, "training", target, f"{source}:{how}"))
