"""Change machinery: jobs a repository schedules, found in its files' text.

``find_schedules(path, text)`` decides from the path and a cheap look at the
text which of these to read, and returns each scheduled job with its exact
1-based line, its timing (the cron expression as written, when there is one,
and an approximate period in days), what it runs when that is visible, and its
purpose (``retrain``, ``ingest`` or ``other``):

- ``workflow``: GitHub (and Gitea/Forgejo) workflows, ``on: schedule: - cron:``;
  ``runs`` from the jobs' ``run:`` steps.
- ``cron-file``: crontabs (``crontab``, ``*.cron``, ``cron.d/*``, ``etc/crontab``,
  user or system format) and scripts in ``cron.daily/`` and friends.
- ``k8s-cronjob``: Kubernetes ``kind: CronJob`` (``spec.schedule``; container
  ``command``/``args``), Helm templates included.
- ``systemd-timer``: ``*.timer`` units (``OnCalendar=``, ``OnUnitActiveSec=``).
- Python, read with ``ast`` (the code is never imported): ``airflow`` DAGs
  (``DAG(schedule=...)``, ``schedule_interval=``, ``@dag``), ``apscheduler``
  (``add_job``, ``@scheduled_job``, triggers), ``celery-beat`` (``beat_schedule``,
  ``add_periodic_task``) and the ``schedule-lib`` (``every(...).do(job)``).

Nothing raises: malformed YAML gives one ``parse-error``; Python that does not
parse gives nothing (the Python scanner reports it); an unreadable timing gives
``period_days=None``.
"""

from __future__ import annotations

import ast
import itertools
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping

import yaml
from yaml.nodes import Node, SequenceNode

from auditor.model import ScanError, Schedule
from auditor.scanners.text import LINE_BREAK
from auditor.scanners.yamlnodes import Once, compose_all, mapping, node_line, scalar, yaml_error

__all__ = [
    "KINDS",
    "PURPOSES",
    "Schedule",
    "cron_period_days",
    "find_schedules",
    "purpose_of",
]

KINDS = (
    "workflow",
    "cron-file",
    "k8s-cronjob",
    "airflow",
    "apscheduler",
    "celery-beat",
    "schedule-lib",
    "systemd-timer",
)
PURPOSES = ("retrain", "ingest", "other")

MAX_RUNS = 20
_MONTH = 365.25 / 12


Result = tuple[list[Schedule], list[ScanError]]
# A timing: (cron as written, period in days).
_Timing = tuple["str | None", "float | None"]


# --- purpose -----------------------------------------------------------------------

_RETRAIN_STEMS = ("train", "retrain", "finetun", "fine-tun")
# Single words that mean ingestion. "index", "sync" and "refresh" alone do not:
# `pip --index-url`, `uv sync` and "refresh the cache" are in most CI jobs.
_INGEST_STEMS = (
    "ingest",
    "reindex",
    "embedding",
    "crawl",
    "scrap",
    "upsert",
    "vectoriz",
    "vectoris",
)
# Word pairs that do: "build index", "sync docs", "index catalog".
_INGEST_PAIRS = (
    "load-doc",
    "load-data",
    "build-index",
    "update-index",
    "refresh-index",
    "rebuild-index",
    "sync-doc",
    "sync-knowledge",
    "sync-source",
    "sync-content",
    "update-embed",
    "refresh-embed",
    "refresh-doc",
    "refresh-knowledge",
    "refresh-corpus",
)
_NOT_INGEST_PAIRS = frozenset({"index-url", "index-html", "index-js", "index-ts", "index-md"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[A-Za-z]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(_CAMEL.sub(" ", text))]


def purpose_of(texts: Iterable[str]) -> str:
    """``retrain``, ``ingest`` or ``other`` from the words of names and commands."""
    words: list[str] = []
    for text in texts:
        words.extend(_words(text))
    pairs = {f"{a}-{b}" for a, b in itertools.pairwise(words)}
    if any(w.startswith(_RETRAIN_STEMS) for w in words) or any(
        p.startswith("fine-tun") for p in pairs
    ):
        return "retrain"
    if any(w.startswith(_INGEST_STEMS) or w in {"embed", "embeds"} for w in words) or any(
        p.startswith(_INGEST_PAIRS) or (p.startswith("index-") and p not in _NOT_INGEST_PAIRS)
        for p in pairs
    ):
        return "ingest"
    return "other"


# --- cron expressions --------------------------------------------------------------

_MACROS: dict[str, float | None] = {
    "@yearly": 365.25,
    "@annually": 365.25,
    "@quarterly": 365.25 / 4,
    "@monthly": _MONTH,
    "@weekly": 7.0,
    "@daily": 1.0,
    "@midnight": 1.0,
    "@hourly": 1 / 24,
    "@reboot": None,
}
_MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DAY_NAMES = {
    name: number for number, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))
}
# (low, high, names) of minute, hour, day of month, month, day of week.
_FIELDS: tuple[tuple[int, int, Mapping[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTH_NAMES),
    (0, 7, _DAY_NAMES),
)
_CRON_CHARS = re.compile(r"[0-9A-Za-z*?/,\-]+\Z")


def _round(value: float) -> float:
    return float(f"{value:.3g}")


def _value(text: str, names: Mapping[str, int]) -> int | None:
    if text.isdigit():
        return int(text)
    return names.get(text.lower())


def _field(text: str, low: int, high: int, names: Mapping[str, int]) -> set[int] | None:
    """The values a cron field allows, ``None`` when unreadable."""
    values: set[int] = set()
    for item in text.split(","):
        body, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                return None
            step = int(step_text)
        if body in ("*", "?"):
            start, end = low, high
        elif "-" in body:
            first, _, last = body.partition("-")
            a, b = _value(first, names), _value(last, names)
            if a is None or b is None:
                return None
            start, end = a, b
        else:
            a = _value(body, names)
            if a is None:
                return None
            start, end = a, (high if slash else a)
        if not low <= start <= end <= high:
            return None
        values.update(range(start, end + 1, step))
    return values


def _period(fields: list[str], per_minute: float = 1.0) -> float | None:
    """Mean interval in days of a five-field cron schedule (``per_minute`` runs in
    each matching minute)."""
    sets = [_field(text, *spec) for text, spec in zip(fields, _FIELDS, strict=True)]
    minutes, hours, days, months, weekdays = sets
    if minutes is None or hours is None or days is None or months is None or weekdays is None:
        return None
    weekdays = {0 if d == 7 else d for d in weekdays}
    p_day = 1.0 if len(days) == 31 else min(1.0, len(days) / _MONTH)
    p_week = len(weekdays) / 7
    day_star, week_star = fields[2][:1] in ("*", "?"), fields[4][:1] in ("*", "?")
    # Both restricted: cron runs on a day that matches either.
    p = p_day * p_week if day_star or week_star else 1 - (1 - p_day) * (1 - p_week)
    per_day = len(minutes) * len(hours) * per_minute * p * len(months) / 12
    return _round(1 / per_day) if per_day > 0 else None


def cron_period_days(expr: str) -> float | None:
    """Approximate interval in days of a five-field cron expression or a macro
    (``@daily``...); ``None`` when unreadable (or ``@reboot``)."""
    if not isinstance(expr, str):
        return None
    text = expr.strip()
    if text.startswith("@"):
        period = _MACROS.get(text.lower())
        return None if period is None else _round(period)
    fields = text.split()
    if len(fields) != 5 or not all(_CRON_CHARS.match(f) for f in fields):
        return None
    return _period(fields)


# --- commands ------------------------------------------------------------------------

_MODULE_RUN = re.compile(r"\bpython[0-9.]*\s+(?:-[A-Za-z]+\s+)*-m\s+([A-Za-z_][\w.]*)")
_SCRIPT = re.compile(r"[\w./~-]*[\w-]\.(?:py|sh|bash|ipynb|js|mjs|ts|rb|pl|R)\Z")
_TARGET_RUN = re.compile(
    r"\b(make|just|npm run|pnpm run|yarn run|invoke|nox -s|tox -e)\s+([\w:.-]+)"
)
_COMMENT = re.compile(r"\s+#.*\Z")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_ASSIGNMENTS = re.compile(r"\A(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+(?=\S)")
_COMPLEX_ASSIGNMENT = re.compile(r"(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=[\"'`$(]")
_TOOL_MODULES = frozenset({"pip", "ensurepip", "venv", "virtualenv", "pipx"})
_SEGMENTS = re.compile(r"&&|\|\||;|\|")
_REDIRECT = re.compile(r"\s*(?:[0-9]?>>?|<)\s*(?:&[0-9]|\S+)")
# Setup and shell plumbing: not what a scheduled job is for.
_SETUP = re.compile(
    r"(?:sudo\s+)?(?:pip[0-9.]*|python[0-9.]* -m pip|uv (?:pip|sync|venv)|poetry install|"
    r"npm (?:ci|install)|yarn install|pnpm install|apt(?:-get)?|echo|printf|cd|export|set|"
    r"source|\.|git|mkdir|ls|cat|rm|cp|mv|chmod|chown|touch|sleep|if|then|else|elif|fi|"
    r"for|while|do|done|case|esac|exit|true|false|test|tee|grep|head|tail|wc|sed|awk)(?:\s|\Z)"
)
# A program name (not shell syntax such as ``$(``, ``}}``, ``)``).
_PROGRAM = re.compile(r"[\w./~][\w./~:+-]*")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return tuple(seen)[:MAX_RUNS]


def _commands(script: str, fallback: bool) -> list[str]:
    """What a shell snippet runs: ``python -m`` modules, script paths, make
    targets; with ``fallback``, any other plain command (setup commands, shell
    syntax and variable assignments left out)."""
    found: list[str] = []
    for raw in script.replace("\\\n", " ").splitlines():
        line = _COMMENT.sub("", raw).strip()
        if not line or line.startswith("#") or _COMPLEX_ASSIGNMENT.match(line):
            continue
        for segment in _SEGMENTS.split(line):
            command = _ASSIGNMENTS.sub("", " ".join(_REDIRECT.sub(" ", segment).split()))
            if not command or _ASSIGNMENT.match(command):
                continue
            modules = _MODULE_RUN.findall(command)
            hits = [f"python -m {m}" for m in modules if m.split(".")[0] not in _TOOL_MODULES]
            hits += [f"{a} {b}" for a, b in _TARGET_RUN.findall(command)]
            if not hits and not modules:
                for word in command.split():
                    token = word.strip("\"'")
                    if _SCRIPT.match(token) and not token.startswith("-"):
                        hits.append(token[2:] if token.startswith("./") else token)
            if hits:
                found.extend(hits)
            elif (
                fallback
                and not modules
                and _PROGRAM.fullmatch(command.split()[0])
                and not _SETUP.match(command)
            ):
                found.append(command[:120])
    return found


# --- YAML helpers ---------------------------------------------------------------------


class _Errors:
    def __init__(self, path: str) -> None:
        self.path = path
        self.entries: list[ScanError] = []

    def add(self, message: str) -> None:
        if not self.entries:  # one per file
            self.entries.append(ScanError(self.path, "parse-error", message))


def _documents(text: str, errors: _Errors, quiet: bool = False) -> list[Node]:
    """The YAML documents of ``text`` that could be read (an error ends the list)."""
    found: list[Node] = []
    try:
        found = compose_all(text)
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        if not quiet:
            errors.add(yaml_error(exc))
    return found


def _get(node: Node | None, *keys: str) -> Node | None:
    for key in keys:
        entry = mapping(node).get(key)
        if entry is None:
            return None
        node = entry[1]
    return node


def _items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def _schedule(
    where: tuple[str, int, str], timing: _Timing, runs: Iterable[str], names: Iterable[str]
) -> Schedule:
    """A ``Schedule`` at ``(path, line, kind)``; its purpose from ``names`` and ``runs``."""
    ran = _unique(runs)
    path, line, kind = where
    cron, period = timing
    return Schedule(path, line, kind, cron, period, ran, purpose_of([*names, *ran]))


# --- GitHub workflows ---------------------------------------------------------------------


def _workflow(path: str, text: str) -> Result:
    errors = _Errors(path)
    found: list[Schedule] = []
    for root in _documents(text, errors)[:1]:
        fields = mapping(root)
        on = next((value for name, (_, value) in fields.items() if name == "on"), None)
        crons = [
            (key, value)
            for entry in _items(_get(on, "schedule"))
            for name, (key, value) in mapping(entry).items()
            if name == "cron"
        ]
        if not crons:
            continue
        names = [scalar(_get(root, "name")) or ""]
        scripts: list[str] = []
        once = Once()  # a job or steps aliased many times is read once
        for job_id, (_, job) in mapping(_get(root, "jobs")).items():
            if not once.first(job):
                continue
            names += [job_id, scalar(_get(job, "name")) or ""]
            uses = scalar(_get(job, "uses"))
            if uses and uses.startswith("./"):
                scripts.append(uses[2:])
            steps = _get(job, "steps")
            if steps is None or not once.first(steps):
                continue
            for step in _items(steps):
                if not once.first(step):
                    continue
                names.append(scalar(_get(step, "name")) or "")
                run = scalar(_get(step, "run"))
                if run:
                    names.append(run)
                    scripts += _commands(run, fallback=True)
        for key, value in crons:
            cron = scalar(value)
            period = cron_period_days(cron) if cron else None
            found.append(
                _schedule((path, node_line(key), "workflow"), (cron, period), scripts, names)
            )
    return found, errors.entries


# --- Kubernetes CronJob -----------------------------------------------------------------------

_TEMPLATE = re.compile(r"\{\{.*?\}\}")


def _k8s(path: str, text: str) -> Result:
    errors = _Errors(path)
    found: list[Schedule] = []
    templated = "{{" in text
    if templated:  # Helm: template actions out, lines kept
        text = _TEMPLATE.sub("", text)
    for document in _documents(text, errors, quiet=templated):
        if scalar(_get(document, "kind")) != "CronJob":
            continue
        entry = mapping(_get(document, "spec")).get("schedule")
        if entry is None:
            continue
        key, value = entry
        cron = scalar(value)
        names = [scalar(_get(document, "metadata", "name")) or ""]
        runs: list[str] = []
        pod = _get(document, "spec", "jobTemplate", "spec", "template", "spec")
        once = Once()
        for container in _items(_get(pod, "containers")):
            if not once.first(container):
                continue
            names.append(scalar(_get(container, "name")) or "")
            words: list[str] = []
            for part in ("command", "args"):
                node = _get(container, part)
                words += [t for t in (scalar(n) for n in _items(node)) if t is not None]
                words += [t for t in [scalar(node)] if t is not None]
            if words:
                shell = len(words) >= 2 and words[0].endswith("sh") and words[1] == "-c"
                command = " ".join(words[2:]) if shell else " ".join(words)
                names.append(command)
                runs += _commands(command, fallback=True)
        period = cron_period_days(cron) if cron else None
        found.append(_schedule((path, node_line(key), "k8s-cronjob"), (cron, period), runs, names))
    return found, errors.entries


# --- crontab files ------------------------------------------------------------------------------

_ENV_LINE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\s*=")
_USERS = frozenset(
    {"root", "www-data", "nobody", "app", "appuser", "ubuntu", "airflow", "daemon", "cron"}
)
_PERIODIC_DIRS = {
    "cron.hourly": 1 / 24,
    "cron.daily": 1.0,
    "cron.weekly": 7.0,
    "cron.monthly": _MONTH,
    "15min": 15 / 1440,
    "hourly": 1 / 24,
    "daily": 1.0,
    "weekly": 7.0,
    "monthly": _MONTH,
}
_NOT_CRONTAB = (
    ".py",
    ".md",
    ".rst",
    ".js",
    ".ts",
    ".go",
    ".rs",
    ".java",
    ".json",
    ".yml",
    ".yaml",
    ".toml",
    ".html",
    ".ipynb",
)


def _cron_kind(path: str) -> str | None:
    """``crontab`` (entries), ``periodic`` (a script run by ``cron.daily`` and
    friends) or ``None``."""
    lower = path.lower()
    parts = lower.split("/")
    name = parts[-1]
    parent = parts[-2] if len(parts) > 1 else ""
    if parent in ("cron.hourly", "cron.daily", "cron.weekly", "cron.monthly") or (
        len(parts) > 2 and parts[-3] == "periodic" and parent in _PERIODIC_DIRS
    ):
        return "periodic"
    if name.endswith(_NOT_CRONTAB):
        return None
    if (
        name == "crontab"
        or name.startswith("crontab.")
        or name.endswith((".cron", ".crontab"))
        or parent == "cron.d"
    ):
        return "crontab"
    return None


def _cron_like(field: str) -> bool:
    """A crontab field: digits, ``*``, ``?``, ``,-/`` and month or day names."""
    if not _CRON_CHARS.match(field):
        return False
    names = re.findall(r"[A-Za-z]+", field)
    return all(n.lower() in _MONTH_NAMES or n.lower() in _DAY_NAMES for n in names)


def _crontab(path: str, text: str) -> Result:
    found: list[Schedule] = []
    lower = path.lower()
    system = "cron.d/" in lower or lower.endswith("etc/crontab")
    for number, raw in enumerate(LINE_BREAK.split(text), 1):
        line = raw.strip()
        if not line or line.startswith("#") or _ENV_LINE.match(line):
            continue
        if line.startswith("@"):
            macro, _, command = line.partition(" ")
            cron: str = macro
            period = cron_period_days(macro)
            if macro.lower() not in _MACROS:
                continue
        else:
            parts = line.split(None, 5)
            if len(parts) < 6 or not all(_cron_like(p) for p in parts[:5]):
                continue
            cron = " ".join(parts[:5])
            period = cron_period_days(cron)
            command = parts[5]
        words = command.split(None, 1)
        if len(words) == 2 and (system or words[0] in _USERS):
            command = words[1]
        command = re.split(r"(?<!\\)%", command, maxsplit=1)[0].strip()
        runs = _commands(command, fallback=True)
        found.append(_schedule((path, number, "cron-file"), (cron, period), runs, [command]))
    return found, []


def _periodic_script(path: str, text: str) -> Result:
    parts = path.split("/")
    period = _round(_PERIODIC_DIRS[parts[-2].lower()])
    names = [parts[-1], *_commands(text, fallback=False)]
    return [_schedule((path, 1, "cron-file"), (None, period), [path], names)], []


# --- systemd timers ---------------------------------------------------------------------------

_SPAN = re.compile(r"([0-9.]+)\s*([a-z]*)")
_SPAN_UNITS = {
    unit: seconds
    for units, seconds in (
        (" s sec second seconds", 1.0),
        ("m min minute minutes", 60.0),
        ("h hr hour hours", 3600.0),
        ("d day days", 86400.0),
        ("w week weeks", 604800.0),
        ("month months", 86400 * _MONTH),
        ("y year years", 86400 * 365.25),
    )
    for unit in units.split(" ")
}
_CALENDAR_WORDS = {
    "minutely": 1 / 1440,
    "hourly": 1 / 24,
    "daily": 1.0,
    "weekly": 7.0,
    "monthly": _MONTH,
    "quarterly": 365.25 / 4,
    "semiannually": 365.25 / 2,
    "yearly": 365.25,
    "annually": 365.25,
}
_WEEKDAY = re.compile(r"[A-Za-z]{3}")


def _timespan_days(text: str) -> float | None:
    """A systemd time span (``6h``, ``1d 12h``, ``30min``) in days."""
    seconds = 0.0
    position = 0
    compact = text.strip().lower()
    if not compact:
        return None
    for match in _SPAN.finditer(compact):
        if compact[position : match.start()].strip():
            return None
        unit = _SPAN_UNITS.get(match.group(2))
        if unit is None:
            return None
        seconds += float(match.group(1)) * unit
        position = match.end()
    if compact[position:].strip() or seconds <= 0:
        return None
    return _round(seconds / 86400)


def _calendar_field(text: str) -> str:
    """A systemd calendar component in cron syntax (``..`` ranges)."""
    return text.replace("..", "-")


def _calendar_days(text: str) -> float | None:
    """Approximate interval of a systemd ``OnCalendar=`` value."""
    words = text.strip().split()
    if len(words) == 1 and words[0].lower() in _CALENDAR_WORDS:
        return _round(_CALENDAR_WORDS[words[0].lower()])
    weekdays, date, time = "*", "*-*-*", "00:00:00"
    for word in words:
        if ":" in word:
            time = word
        elif "-" in word and not _WEEKDAY.match(word):
            date = word
        elif _WEEKDAY.match(word) and all(
            p[:3].lower() in _DAY_NAMES for p in re.split(r"\.\.|,|-", word) if p
        ):
            names = re.split(r"(\.\.|,|-)", word)
            weekdays = "".join(n[:3].lower() if n[:3].lower() in _DAY_NAMES else n for n in names)
        elif word is words[-1] and re.fullmatch(r"[A-Za-z][\w/+-]*", word):
            continue  # a time zone
        else:
            return None
    date_parts = date.split("-")
    if len(date_parts) == 2:
        date_parts = ["*", *date_parts]
    time_parts = time.split(":")
    if len(date_parts) != 3 or len(time_parts) not in (2, 3) or "~" in date:
        return None
    seconds = time_parts[2] if len(time_parts) == 3 else "00"
    second_set = _field(_calendar_field(seconds.split(".")[0]), 0, 59, {})
    if second_set is None:
        return None
    fields = [_calendar_field(p) for p in (time_parts[1], time_parts[0], date_parts[2])]
    fields += [_calendar_field(date_parts[1]), _calendar_field(weekdays).replace("..", "-")]
    return _period(fields, per_minute=len(second_set))


def _timer(path: str, text: str) -> Result:
    found: list[Schedule] = []
    section = ""
    unit: str | None = None
    names: list[str] = [posixpath.basename(path).rsplit(".", 1)[0]]
    entries: list[tuple[int, str | None, float | None]] = []
    for number, raw in enumerate(LINE_BREAK.split(text), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        key, eq, value = line.partition("=")
        if not eq:
            continue
        key, value = key.strip(), value.strip()
        if section == "unit" and key == "Description":
            names.append(value)
        elif section == "timer" and key == "Unit":
            unit = value
        elif section == "timer" and key == "OnCalendar" and value:
            entries.append((number, value, _calendar_days(value)))
        elif section == "timer" and key in ("OnUnitActiveSec", "OnUnitInactiveSec") and value:
            entries.append((number, None, _timespan_days(value)))
    service = unit or f"{names[0]}.service"
    for number, cron, period in entries:
        found.append(_schedule((path, number, "systemd-timer"), (cron, period), [service], names))
    return found, []


# --- Python ---------------------------------------------------------------------------------------

_PY_TRIGGER = re.compile(
    r"schedul|DAG|dag\(|add_job|crontab|every\(|periodic_task|CELERYBEAT|CronTrigger|"
    r"IntervalTrigger|repeat\("
)
_CRON_KWARGS = ("year", "month", "day", "week", "day_of_week", "hour", "minute", "second")
_CRON_DEFAULTS = {"month": "1", "day": "1", "hour": "0", "minute": "0", "second": "0"}
_INTERVAL_UNITS = {
    "weeks": 7.0,
    "days": 1.0,
    "hours": 1 / 24,
    "minutes": 1 / 1440,
    "seconds": 1 / 86400,
    "milliseconds": 1 / 86400000,
    "microseconds": 1 / 86400000000,
}
_TIMEDELTA_POSITIONAL = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours")
_EVERY_UNITS = {
    unit: days
    for units, days in (
        ("second seconds", 1 / 86400),
        ("minute minutes", 1 / 1440),
        ("hour hours", 1 / 24),
        ("day days", 1.0),
        ("week weeks monday tuesday wednesday thursday friday saturday sunday", 7.0),
    )
    for unit in units.split()
}
_AIRFLOW_KEYWORDS = ("schedule", "schedule_interval", "timetable")
_NOT_SCHEDULED = ("@once", "@continuous", "none")


def _name(node: ast.expr) -> str:
    """The last name of ``a.b.c`` / ``c`` / ``c(...)``, else ``""``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg is not None}


class _Python:
    """Scheduled jobs of one module."""

    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.tree = tree
        self.found: list[Schedule] = []
        self.constants: dict[str, ast.expr] = {}
        self.decorated: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.with_bodies: dict[int, list[ast.stmt]] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name):
                    self.constants[target.id] = statement.value
            elif (
                isinstance(statement, ast.AnnAssign)
                and statement.value is not None
                and isinstance(statement.target, ast.Name)
            ):
                self.constants[statement.target.id] = statement.value
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    self.decorated[id(decorator)] = node
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    self.with_bodies[id(item.context_expr)] = node.body

    # values

    def resolve(self, node: ast.expr, depth: int = 0) -> ast.expr:
        if isinstance(node, ast.Name) and node.id in self.constants and depth < 5:
            return self.resolve(self.constants[node.id], depth + 1)
        return node

    def string(self, node: ast.expr | None) -> str | None:
        if node is None:
            return None
        node = self.resolve(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    def number(self, node: ast.expr | None, depth: int = 0) -> float | None:
        if node is None or depth > 20:
            return None
        node = self.resolve(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return None if isinstance(node.value, bool) else float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value = self.number(node.operand, depth + 1)
            return None if value is None else -value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult, ast.Sub)):
            left, right = self.number(node.left, depth + 1), self.number(node.right, depth + 1)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            return left * right if abs(left * right) < 1e15 else None
        return None

    def field(self, node: ast.expr | None) -> str | None:
        """A cron field given as a string or a number."""
        text = self.string(node)
        if text is not None:
            return text.strip()
        value = self.number(node)
        return str(int(value)) if value is not None and value == int(value) else None

    def interval(self, values: Mapping[str, ast.expr], positional: list[ast.expr]) -> float | None:
        """``timedelta``/``IntervalTrigger`` arguments in days."""
        total = 0.0
        given = False
        for name, value in zip(_TIMEDELTA_POSITIONAL, positional, strict=False):
            number = self.number(value)
            if number is None:
                return None
            total += number * _INTERVAL_UNITS[name]
            given = True
        for name, unit in _INTERVAL_UNITS.items():
            if name in values:
                number = self.number(values[name])
                if number is None:
                    return None
                total += number * unit
                given = True
        return _round(total) if given and total > 0 else None

    def timing(self, node: ast.expr, seconds: bool = False) -> _Timing | None:
        """The timing an expression sets; ``None`` when it sets no schedule."""
        node = self.resolve(node)
        text = self.string(node)
        if text is not None:
            if text.strip().lower() in _NOT_SCHEDULED:
                return None
            return text, cron_period_days(text)
        if isinstance(node, ast.Constant):
            if node.value is None:
                return None
            number = self.number(node)
            if seconds and number is not None and number > 0:
                return None, _round(number / 86400)
            return None, None
        if not isinstance(node, ast.Call):
            return None, None
        name = _name(node)
        arguments = _keywords(node)
        if name == "timedelta":
            return None, self.interval(arguments, list(node.args))
        if name in ("IntervalTrigger", "schedule") and "run_every" not in arguments:
            return None, self.interval(arguments, [])
        if name == "schedule":
            inner = self.timing(arguments["run_every"], seconds=True)
            return inner or (None, None)
        if name in ("from_crontab", "CronTriggerTimetable", "CronDataIntervalTimetable"):
            cron = self.string(node.args[0]) if node.args else self.string(arguments.get("cron"))
            return cron, cron_period_days(cron) if cron else None
        if name == "crontab":
            return None, self.celery_crontab(node)
        if name == "CronTrigger":
            return None, self.apscheduler_cron(arguments)
        return None, None

    def celery_crontab(self, call: ast.Call) -> float | None:
        order = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")
        values = dict(zip(order, call.args, strict=False))
        values.update({k: v for k, v in _keywords(call).items() if k in order})
        fields: dict[str, str] = {}
        for name in order:
            text = self.field(values[name]) if name in values else "*"
            if text is None:
                return None
            fields[name] = text
        cron = [fields[n] for n in ("minute", "hour", "day_of_month", "month_of_year")]
        return _period([*cron, fields["day_of_week"]])

    def apscheduler_cron(self, arguments: Mapping[str, ast.expr]) -> float | None:
        given = {k: arguments[k] for k in _CRON_KWARGS if k in arguments}
        remaining = set(given)
        fields: dict[str, str] = {}
        for name in _CRON_KWARGS:
            if name in given:
                text = self.field(given[name])
                if text is None:
                    return None
                fields[name] = text
                remaining.discard(name)
            elif remaining:
                fields[name] = "*"
            else:
                fields[name] = _CRON_DEFAULTS.get(name, "*")
        seconds = _field(fields["second"], 0, 59, {})
        if seconds is None:
            return None
        cron = [fields[n] for n in ("minute", "hour", "day", "month", "day_of_week")]
        cron[4] = _apscheduler_weekdays(cron[4])
        return _period(cron, per_minute=len(seconds))

    # finders

    def add(
        self, node: ast.AST, kind: str, timing: _Timing, runs: list[str], names: list[str]
    ) -> None:
        line = int(getattr(node, "lineno", 1))
        cron, period = timing
        self.found.append(_schedule((self.path, line, kind), (cron, period), runs, names))

    def run(self) -> list[Schedule]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self.call(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                self.beat_assignment(node)
        self.found.sort(key=lambda s: s.line)
        return self.found

    def call(self, call: ast.Call) -> None:
        name = _name(call)
        arguments = _keywords(call)
        if name in ("DAG", "dag"):
            self.airflow(call, name, arguments)
        elif name in ("add_job", "scheduled_job"):
            self.apscheduler(call, name, arguments)
        elif name == "add_periodic_task" and call.args:
            timing = self.timing(call.args[0], seconds=True)
            task = call.args[1] if len(call.args) > 1 else arguments.get("sig")
            runs = (
                [_dotted(task.func.value)]
                if isinstance(task, ast.Call) and isinstance(task.func, ast.Attribute)
                else []
            )
            label = self.string(arguments.get("name")) or ""
            if timing is not None:
                self.add(call.args[0], "celery-beat", timing, runs, [label])
        elif name == "do":
            period = self.every_chain(call.func)
            if period is not False and call.args:
                self.add(call, "schedule-lib", (None, period), [_dotted(call.args[0])], [])
        elif name == "repeat" and call.args and id(call) in self.decorated:
            period = self.every_chain(call.args[0])
            if period is not False:
                runs = [self.decorated[id(call)].name]
                self.add(call, "schedule-lib", (None, period), runs, [])
        elif name in ("update", "dict"):
            for keyword in call.keywords:
                if keyword.arg and keyword.arg.lower().endswith("beat_schedule"):
                    self.beat_table(keyword.value)

    def airflow(self, call: ast.Call, name: str, arguments: Mapping[str, ast.expr]) -> None:
        keyword = next((k for k in call.keywords if k.arg in _AIRFLOW_KEYWORDS), None)
        if keyword is None:
            return
        timing = self.timing(keyword.value)
        if timing is None:
            return
        dag_id = self.string(arguments.get("dag_id")) or (
            self.string(call.args[0]) if call.args and name == "DAG" else None
        )
        function = self.decorated.get(id(call))
        scope: list[ast.stmt] = self.tree.body
        if function is not None:
            scope = function.body
            dag_id = dag_id or function.name
        elif id(call) in self.with_bodies:
            scope = self.with_bodies[id(call)]
        self.add(keyword, "airflow", timing, self.tasks(scope), [dag_id or ""])

    def tasks(self, scope: list[ast.stmt]) -> list[str]:
        runs: list[str] = []
        for statement in scope:
            for node in ast.walk(statement):
                if isinstance(node, ast.Call):
                    arguments = _keywords(node)
                    task_id = self.string(arguments.get("task_id"))
                    callable_ = arguments.get("python_callable")
                    command = self.string(arguments.get("bash_command"))
                    if callable_ is not None and _dotted(callable_):
                        runs.append(_dotted(callable_))
                    elif task_id:
                        runs.append(task_id)
                    if command:
                        runs += _commands(command, fallback=True)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    _dotted(d).split(".")[0] == "task" or _name(d) == "task"
                    for d in node.decorator_list
                ):
                    runs.append(node.name)
        return runs

    def apscheduler(self, call: ast.Call, name: str, arguments: Mapping[str, ast.expr]) -> None:
        positional = list(call.args)
        runs: list[str] = []
        if name == "add_job":
            func = arguments.get("func") or (positional.pop(0) if positional else None)
            if func is not None:
                runs.append(self.string(func) or _dotted(func))
        else:
            function = self.decorated.get(id(call))
            if function is not None:
                runs.append(function.name)
        trigger = arguments.get("trigger") or (positional[0] if positional else None)
        if trigger is None:
            return
        kind = self.string(trigger)
        if kind == "cron":
            timing: _Timing | None = (None, self.apscheduler_cron(arguments))
        elif kind == "interval":
            timing = (None, self.interval(arguments, []))
        elif kind is None and isinstance(self.resolve(trigger), ast.Call):
            timing = self.timing(trigger)
        else:  # "date": runs once
            return
        if timing is None:
            return
        names = [self.string(arguments.get(k)) or "" for k in ("id", "name")]
        self.add(call, "apscheduler", timing, runs, names)

    def every_chain(self, node: ast.expr) -> float | bool | None:
        """Period of ``every(n).unit[.at(...)]``; ``False`` when it is not one."""
        unit: str | None = None
        count = 1.0
        while True:
            if isinstance(node, ast.Attribute):
                if node.attr in _EVERY_UNITS and unit is None:
                    unit = node.attr
                node = node.value
            elif isinstance(node, ast.Call):
                if _name(node) == "every":
                    if node.args:
                        value = self.number(node.args[0])
                        if value is None:
                            return None if unit else False
                        count = value
                    break
                if not isinstance(node.func, ast.Attribute):
                    return False
                node = node.func.value
            else:
                return False
        if unit is None:
            return False
        return _round(count * _EVERY_UNITS[unit])

    def beat_assignment(self, node: ast.Assign | ast.AnnAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript):
                holder = _dotted(target.value) if isinstance(target.value, ast.expr) else ""
                key = target.slice
                if holder.lower().endswith("beat_schedule") and node.value is not None:
                    self.beat_entry(self.string(key) or "", node.value)
            elif _dotted(target).lower().endswith("beat_schedule") and node.value is not None:
                self.beat_table(node.value)

    def beat_table(self, node: ast.expr) -> None:
        node = self.resolve(node)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                self.beat_entry(self.string(key) if key is not None else "", value)
        elif isinstance(node, ast.Call) and _name(node) == "dict":
            for keyword in node.keywords:
                if keyword.arg is not None:
                    self.beat_entry(keyword.arg, keyword.value)

    def beat_entry(self, label: str | None, node: ast.expr) -> None:
        node = self.resolve(node)
        fields: dict[str, ast.expr] = {}
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                text = self.string(key) if key is not None else None
                if text is not None:
                    fields[text] = value
        elif isinstance(node, ast.Call) and _name(node) == "dict":
            fields = _keywords(node)
        schedule = fields.get("schedule")
        if schedule is None:
            return
        timing = self.timing(schedule, seconds=True)
        if timing is None:
            return
        task = self.string(fields.get("task"))
        self.add(schedule, "celery-beat", timing, [task] if task else [], [label or ""])


_APSCHEDULER_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _apscheduler_weekdays(text: str) -> str:
    """APScheduler weekdays (``mon``..``sun`` or 0 = Monday .. 6) as numbers 0..6:
    ranges stay in order, and only how many days match counts for the period."""

    def number(match: re.Match[str]) -> str:
        name = match.group(0).lower()
        return str(_APSCHEDULER_DAYS.index(name)) if name in _APSCHEDULER_DAYS else name

    return re.sub(r"[A-Za-z]+", number, text)


def _python(path: str, text: str) -> Result:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], []  # the Python scanner reports code that does not parse
    return _Python(path, tree).run(), []


# --- dispatch -----------------------------------------------------------------------------------

_WORKFLOW = re.compile(r"(?:^|/)\.(?:github|gitea|forgejo)/workflows/[^/]+\.ya?ml\Z")


def _reader(path: str, text: str) -> Callable[[str, str], Result] | None:
    lower = path.lower()
    if _WORKFLOW.search(path):
        return _workflow if "schedule" in text else None
    if lower.endswith((".yml", ".yaml")):
        return _k8s if "CronJob" in text else None
    if lower.endswith(".timer"):
        return _timer if "OnCalendar" in text or "OnUnit" in text else None
    if lower.endswith(".py"):
        return _python if _PY_TRIGGER.search(text) else None
    cron = _cron_kind(path)
    if cron == "periodic":
        return _periodic_script
    if cron == "crontab":
        return _crontab
    return None


def find_schedules(path: str, text: str, *, tree: ast.Module | None = None) -> Result:
    """The scheduled jobs of one file (``path`` relative, POSIX) and its parse
    errors; fast and empty for files with nothing to look for. Never raises.
    ``tree``: a Python file's ``ast`` module when the caller has parsed it."""
    try:
        path = path.replace("\\", "/")
        reader = _reader(path, text)
        if reader is None:
            return [], []
        if reader is _python and tree is not None:
            return _Python(path, tree).run(), []
        found, errors = reader(path, text)
        return list(found), list(errors)
    except Exception as exc:  # bad input never stops a scan
        return [], [
            ScanError(path, "parse-error", f"could not read schedules ({type(exc).__name__})")
        ]
