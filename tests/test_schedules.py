"""Change machinery: scheduled jobs found in workflows, crontabs, CronJobs,
systemd timers and Python schedulers, with exact lines, periods and purposes."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.model import ScanError
from auditor.scanners.schedules import (
    Schedule,
    cron_period_days,
    find_schedules,
    purpose_of,
)


def found(path: str, text: str) -> list[tuple[int, str, str | None, float | None, str]]:
    """(line, kind, cron, period, purpose) of each schedule; no errors allowed."""
    schedules, errors = find_schedules(path, text)
    assert errors == []
    return [(s.line, s.kind, s.cron, s.period_days, s.purpose) for s in schedules]


def runs(path: str, text: str) -> list[tuple[str, ...]]:
    return [s.runs for s in find_schedules(path, text)[0]]


@pytest.mark.parametrize(
    ("expr", "days"),
    [
        ("0 3 * * *", 1.0),
        ("0 3 * * 1", 7.0),
        ("30 2 * * sun", 7.0),
        ("*/15 * * * *", 0.0104),
        ("0 */6 * * *", 0.25),
        ("0 0,12 * * *", 0.5),
        ("0 3 * * 1-5", 1.4),
        ("0 3 1 * *", 30.4),
        ("0 0 1 1 *", 365.0),
        ("0 0 1 jan,jul *", 183.0),
        ("@hourly", 0.0417),
        ("@daily", 1.0),
        ("@midnight", 1.0),
        ("@weekly", 7.0),
        ("@monthly", 30.4),
        ("@yearly", 365.0),
        ("  0 3 * * *  ", 1.0),
        ("0 3 * * 7", 7.0),  # 7 is Sunday too
        ("@reboot", None),
        ("61 * * * *", None),
        ("0 3 * * 8", None),
        ("H 3 * * *", None),  # Jenkins hash
        ("0 3 * *", None),  # four fields
        ("0 0 3 * * *", None),  # six fields (seconds): not cron
        ("0 3 L * *", None),
        ("*/0 * * * *", None),
        ("5-1 * * * *", None),
        ("", None),
        ("@fortnightly", None),
    ],
)
def test_cron_period_days(expr: str, days: float | None) -> None:
    assert cron_period_days(expr) == days


def test_cron_period_of_non_text_is_none() -> None:
    assert cron_period_days(None) is None  # type: ignore[arg-type]


# --- GitHub workflows ------------------------------------------------------------

WORKFLOW = """\
name: Refresh knowledge base
on:
  push:
    branches: [main]
  schedule:
    # every night, and every half hour on weekdays
    - cron: '0 3 * * *'
    - cron: "*/30 * * * 1-5"
  workflow_dispatch:

jobs:
  ingest:
    name: Ingest documents
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install -r requirements.txt
      - name: Crawl and embed
        run: |
          cd backend && python scripts/crawl_site.py --out data/ 2>&1 | tee log.txt
          python -m app.index.rebuild --full
          ./tools/upload.sh
      - run: make publish
"""


def test_scheduled_workflow() -> None:
    path = ".github/workflows/refresh.yml"
    assert found(path, WORKFLOW) == [
        (7, "workflow", "0 3 * * *", 1.0, "ingest"),
        (8, "workflow", "*/30 * * * 1-5", 0.0292, "ingest"),
    ]
    assert runs(path, WORKFLOW)[0] == (
        "scripts/crawl_site.py",
        "python -m app.index.rebuild",
        "tools/upload.sh",
        "make publish",
    )


def test_workflow_on_push_only_has_no_schedule() -> None:
    text = "on: [push]\njobs:\n  test:\n    steps:\n      - run: python train.py\n"
    assert found(".github/workflows/ci.yml", text) == []
    text = "on:\n  push:\n  pull_request:\njobs: {}\n# the schedule is set elsewhere\n"
    assert found(".github/workflows/ci.yaml", text) == []


def test_workflow_flow_style_and_retrain_job() -> None:
    text = """\
name: weekly
on: {schedule: [{cron: "0 4 * * 0"}], workflow_dispatch: {}}
jobs:
  retrain-model:
    runs-on: [self-hosted, gpu]
    steps:
      - run: uv run python -m trainer.finetune --config configs/sft.yaml
"""
    assert found(".github/workflows/weekly.yaml", text) == [
        (2, "workflow", "0 4 * * 0", 7.0, "retrain")
    ]
    assert runs(".github/workflows/weekly.yaml", text) == [("python -m trainer.finetune",)]


def test_workflow_with_anchors_and_merge_keys() -> None:
    text = """\
name: docs sync
on:
  schedule:
    - cron: &nightly "15 1 * * *"
    - cron: *nightly
x-steps: &steps
  runs-on: ubuntu-latest
  steps:
    - run: python sync_docs.py
jobs:
  sync:
    <<: *steps
    timeout-minutes: 10
"""
    assert found(".github/workflows/sync.yml", text) == [
        (4, "workflow", "15 1 * * *", 1.0, "ingest"),
        (5, "workflow", "15 1 * * *", 1.0, "ingest"),
    ]
    assert runs(".github/workflows/sync.yml", text)[0] == ("sync_docs.py",)


def test_workflow_of_other_purpose_and_odd_shapes() -> None:
    text = """\
name: Close stale issues
"on":
  schedule:
    - cron: "30 1 * * *"
    - cron:
    - not-a-mapping
    - cron: "every day"
jobs:
  stale:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/stale@v9
      - run: echo "constraint check"
"""
    assert found(".github/workflows/stale.yml", text) == [
        (4, "workflow", "30 1 * * *", 1.0, "other"),
        (5, "workflow", None, None, "other"),
        (7, "workflow", "every day", None, "other"),
    ]
    assert runs(".github/workflows/stale.yml", text)[0] == ()
    reusable = (
        "on:\n  schedule:\n    - cron: '0 5 * * 1'\n"
        "jobs:\n  call:\n    uses: ./.github/workflows/reindex.yml\n"
    )
    assert found(".github/workflows/call.yml", reusable) == [
        (3, "workflow", "0 5 * * 1", 7.0, "ingest")
    ]


def test_malformed_workflow_is_one_error() -> None:
    text = "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  a: [unclosed\n"
    schedules, errors = find_schedules(".github/workflows/bad.yml", text)
    assert schedules == []
    assert len(errors) == 1
    assert errors[0].path == ".github/workflows/bad.yml" and errors[0].kind == "parse-error"
    assert errors[0].message.startswith("invalid YAML:") and "(line " in errors[0].message


def test_workflow_elsewhere_is_not_a_workflow() -> None:
    text = "on:\n  schedule:\n    - cron: '0 3 * * *'\n"
    assert found("docs/example-workflow.yml", text) == []
    assert found("services/api/.github/workflows/x.yml", text) == [
        (3, "workflow", "0 3 * * *", 1.0, "other")
    ]
    assert found(".gitea/workflows/x.yaml", text) == [(3, "workflow", "0 3 * * *", 1.0, "other")]


# --- crontab files ---------------------------------------------------------------------

CRONTAB = """\
# m h dom mon dow command
SHELL=/bin/bash
MAILTO=""
PATH = /usr/local/bin:/usr/bin

0 3 * * 1 cd /app && python scripts/reindex.py >> /var/log/reindex.log 2>&1
@hourly /usr/local/bin/sync-docs.sh
*/15 * * * * curl -fsS http://localhost:8000/health > /dev/null
0 2 1 * * /opt/venv/bin/python -m ml.retrain --since "$(date +\\%F)" % input
not a cron line at all
61 * * * * python broken.py
"""


def test_user_crontab() -> None:
    assert found("deploy/crontab", CRONTAB) == [
        (6, "cron-file", "0 3 * * 1", 7.0, "ingest"),
        (7, "cron-file", "@hourly", 0.0417, "ingest"),
        (8, "cron-file", "*/15 * * * *", 0.0104, "other"),
        (9, "cron-file", "0 2 1 * *", 30.4, "retrain"),
        (11, "cron-file", "61 * * * *", None, "other"),
    ]
    assert runs("deploy/crontab", CRONTAB) == [
        ("scripts/reindex.py",),
        ("/usr/local/bin/sync-docs.sh",),
        ("curl -fsS http://localhost:8000/health",),
        ("python -m ml.retrain",),
        ("broken.py",),
    ]


def test_system_crontab_has_a_user_field() -> None:
    text = "# /etc/cron.d/ingest\n30 4 * * * root /usr/bin/python3 /srv/app/ingest.py\n"
    text += "@daily www-data php /srv/app/scrape.php\n"
    assert found("etc/cron.d/ingest", text) == [
        (2, "cron-file", "30 4 * * *", 1.0, "ingest"),
        (3, "cron-file", "@daily", 1.0, "ingest"),
    ]
    assert runs("etc/cron.d/ingest", text) == [
        ("/srv/app/ingest.py",),
        ("php /srv/app/scrape.php",),
    ]
    # A crontab copied into /etc/cron.d by a Dockerfile: the user is recognised.
    assert runs("docker/app.cron", "0 1 * * * root python train.py\n") == [("train.py",)]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("crontab", True),
        ("ops/crontab.txt", True),
        ("jobs.cron", True),
        ("ops/refresh.crontab", True),
        ("etc/crontab", True),
        ("etc/cron.d/app", True),
        ("crontab.py", False),
        ("docs/cron.md", False),
        ("cron.d/README.md", False),
        ("cronjobs/notes.txt", False),
    ],
)
def test_which_files_are_crontabs(path: str, kind: bool) -> None:
    assert bool(find_schedules(path, "0 3 * * * python ingest.py\n")[0]) is kind


def test_periodic_script_folders() -> None:
    script = "#!/bin/sh\nexec /usr/bin/python3 /srv/app/rebuild_index.py\n"
    assert found("etc/cron.daily/rebuild-index", script) == [(1, "cron-file", None, 1.0, "ingest")]
    assert runs("etc/cron.weekly/backup", "#!/bin/sh\ntar czf /b.tgz /srv\n") == [
        ("etc/cron.weekly/backup",)
    ]
    # "sync" alone is every CI job's `uv sync`: not ingestion by itself.
    assert found("etc/periodic/15min/sync", "#!/bin/sh\n") == [
        (1, "cron-file", None, 0.0104, "other")
    ]


# --- Kubernetes CronJob ---------------------------------------------------------------------

CRONJOB = """\
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  ports: [{port: 80}]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly-embeddings
spec:
  schedule: "0 2 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: worker
              image: ghcr.io/acme/rag:1.4
              command: ["python", "-m", "rag.jobs.embed_all"]
              args: ["--batch", "64"]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: weekly
spec:
  schedule: '@weekly'
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: alpine
              command:
                - /bin/sh
                - -c
                - python /app/train.py && echo done
"""


def test_kubernetes_cronjobs() -> None:
    assert found("deploy/k8s/jobs.yaml", CRONJOB) == [
        (13, "k8s-cronjob", "0 2 * * *", 1.0, "ingest"),
        (31, "k8s-cronjob", "@weekly", 7.0, "retrain"),
    ]
    assert runs("deploy/k8s/jobs.yaml", CRONJOB) == [
        ("python -m rag.jobs.embed_all",),
        ("/app/train.py",),
    ]


def test_helm_template_cronjob() -> None:
    text = """\
{{- if .Values.reindex.enabled }}
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ include "app.fullname" . }}-reindex
spec:
  schedule: {{ .Values.reindex.schedule | quote }}
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: reindex
              command: ["python", "scripts/reindex.py"]
{{- end }}
"""
    assert found("chart/templates/cronjob.yaml", text) == [(7, "k8s-cronjob", None, None, "ingest")]
    broken = "kind: CronJob\nspec:\n  schedule: {{ .Values.s }}\n  x: [\n"
    assert find_schedules("chart/templates/c.yaml", broken) == ([], [])  # templates: no error


def test_malformed_kubernetes_yaml() -> None:
    text = "kind: CronJob\nspec:\n  schedule: '0 1 * * *'\n  bad: : :\n"
    schedules, errors = find_schedules("k8s/job.yml", text)
    assert schedules == [] and len(errors) == 1 and errors[0].kind == "parse-error"
    assert found("k8s/deploy.yaml", "kind: Deployment\nspec: {}\n") == []


# --- systemd timers ------------------------------------------------------------------------


def test_systemd_timers() -> None:
    text = """\
[Unit]
Description=Re-embed the document store

[Timer]
OnCalendar=Mon *-*-* 03:00:00
OnCalendar=daily
OnCalendar=*-*-* *:0/15
OnBootSec=5min
OnUnitActiveSec=6h
Persistent=true

[Install]
WantedBy=timers.target
"""
    assert found("deploy/systemd/embed.timer", text) == [
        (5, "systemd-timer", "Mon *-*-* 03:00:00", 7.0, "ingest"),
        (6, "systemd-timer", "daily", 1.0, "ingest"),
        (7, "systemd-timer", "*-*-* *:0/15", 0.0104, "ingest"),
        (9, "systemd-timer", None, 0.25, "ingest"),
    ]
    assert runs("deploy/systemd/embed.timer", text)[0] == ("embed.service",)
    other = "[Timer]\nOnCalendar=Mon..Fri 08:00\nOnCalendar=*-*-01 04:00 UTC\nUnit=report.service\n"
    assert found("report.timer", other) == [
        (2, "systemd-timer", "Mon..Fri 08:00", 1.4, "other"),
        (3, "systemd-timer", "*-*-01 04:00 UTC", 30.4, "other"),
    ]
    assert runs("report.timer", other)[0] == ("report.service",)
    odd = "[Timer]\nOnCalendar=*-*~03\nOnUnitActiveSec=soon\nOnCalendar=\n"
    assert found("odd.timer", odd) == [
        (2, "systemd-timer", "*-*~03", None, "other"),
        (3, "systemd-timer", None, None, "other"),
    ]


# --- Airflow ---------------------------------------------------------------------------------

AIRFLOW = """\
from datetime import datetime, timedelta

from airflow import DAG
from airflow.decorators import dag, task
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

SIX_HOURS = timedelta(hours=6)


def load_docs():
    ...


with DAG(
    "knowledge_refresh",
    start_date=datetime(2024, 1, 1),
    schedule_interval="@daily",
    catchup=False,
) as refresh:
    fetch = PythonOperator(task_id="fetch", python_callable=load_docs)
    build = BashOperator(task_id="build", bash_command="python /opt/jobs/build_index.py ")


@dag(schedule=SIX_HOURS, start_date=datetime(2024, 1, 1), catchup=False)
def report():
    @task
    def summarise():
        ...

    summarise()


manual = DAG("manual_backfill", schedule=None)
weekly = DAG(dag_id="weekly_finetune", schedule="0 4 * * 0")
"""


def test_airflow_dags() -> None:
    assert found("dags/knowledge.py", AIRFLOW) == [
        (18, "airflow", "@daily", 1.0, "ingest"),
        (25, "airflow", None, 0.25, "other"),
        (35, "airflow", "0 4 * * 0", 7.0, "retrain"),
    ]
    assert runs("dags/knowledge.py", AIRFLOW)[:2] == [
        ("load_docs", "build", "/opt/jobs/build_index.py"),
        ("summarise",),
    ]


def test_airflow_timetables() -> None:
    text = """\
from airflow import DAG
from airflow.timetables.trigger import CronTriggerTimetable
with DAG("crawl", timetable=CronTriggerTimetable("0 */2 * * *", timezone="UTC")):
    pass
DAG("once", schedule="@once")
"""
    assert found("dags/crawl.py", text) == [(3, "airflow", "0 */2 * * *", 0.0833, "ingest")]


# --- APScheduler -------------------------------------------------------------------------------

APSCHEDULER = """\
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app import jobs

scheduler = BlockingScheduler()
scheduler.add_job(jobs.retrain_model, "cron", day_of_week="mon", hour=3)
scheduler.add_job(refresh_index, "interval", hours=6, id="refresh")
scheduler.add_job(
    func=send_digest,
    trigger="cron",
    day_of_week="mon-fri",
    hour=8,
    minute=30,
)
scheduler.add_job(one_off, "date", run_date="2025-01-01")
scheduler.add_job(rebuild, CronTrigger.from_crontab("0 4 * * *"))
scheduler.add_job(poll, IntervalTrigger(minutes=10), name="crawl feeds")
scheduler.add_job(weekend, "cron", day_of_week="sat-sun", hour=1)
scheduler.add_job(monthly, "cron", day=1)


@scheduler.scheduled_job("cron", minute="*/15")
def sync_sources():
    ...


@scheduler.scheduled_job("interval", days=1)
async def embed_new_documents():
    ...
"""


def test_apscheduler() -> None:
    assert found("app/scheduler.py", APSCHEDULER) == [
        (8, "apscheduler", None, 7.0, "retrain"),
        (9, "apscheduler", None, 0.25, "ingest"),
        (10, "apscheduler", None, 1.4, "other"),
        (18, "apscheduler", "0 4 * * *", 1.0, "other"),
        (19, "apscheduler", None, 0.00694, "ingest"),
        (20, "apscheduler", None, 3.5, "other"),
        (21, "apscheduler", None, 30.4, "other"),
        (24, "apscheduler", None, 0.0104, "ingest"),
        (29, "apscheduler", None, 1.0, "ingest"),
    ]
    assert runs("app/scheduler.py", APSCHEDULER) == [
        ("jobs.retrain_model",),
        ("refresh_index",),
        ("send_digest",),
        ("rebuild",),
        ("poll",),
        ("weekend",),
        ("monthly",),
        ("sync_sources",),
        ("embed_new_documents",),
    ]


# --- Celery beat ------------------------------------------------------------------------------

CELERY = """\
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

app = Celery("rag")

app.conf.beat_schedule = {
    "reindex-nightly": {
        "task": "rag.tasks.reindex_documents",
        "schedule": crontab(minute=0, hour=3),
    },
    "cleanup": {"task": "rag.tasks.cleanup", "schedule": 300.0},
    "hourly": {
        "task": "rag.tasks.pull_feeds",
        "schedule": timedelta(hours=1),
        "args": (16, 16),
    },
    "mondays": {"task": "rag.tasks.report", "schedule": crontab(0, 7, day_of_week="mon")},
}
app.conf.beat_schedule["every-minute-in-hour-5"] = {
    "task": "rag.tasks.warm",
    "schedule": crontab(hour=5),
}


@app.on_after_configure.connect
def setup_periodic_tasks(sender, **kwargs):
    sender.add_periodic_task(
        crontab(hour=7, minute=30, day_of_week=1), fine_tune.s("weekly"), name="weekly tune"
    )
    sender.add_periodic_task(10.0, ping.s(), name="ping")
"""


def test_celery_beat() -> None:
    assert found("rag/celery.py", CELERY) == [
        (11, "celery-beat", None, 1.0, "ingest"),
        (13, "celery-beat", None, 0.00347, "other"),
        (16, "celery-beat", None, 0.0417, "other"),
        (19, "celery-beat", None, 7.0, "other"),
        (23, "celery-beat", None, 0.0167, "other"),
        (30, "celery-beat", None, 7.0, "retrain"),
        (32, "celery-beat", None, 0.000116, "other"),
    ]
    assert runs("rag/celery.py", CELERY) == [
        ("rag.tasks.reindex_documents",),
        ("rag.tasks.cleanup",),
        ("rag.tasks.pull_feeds",),
        ("rag.tasks.report",),
        ("rag.tasks.warm",),
        ("fine_tune",),
        ("ping",),
    ]


def test_celery_settings_module_and_update() -> None:
    text = """\
CELERYBEAT_SCHEDULE = {
    "scrape": {"task": "tasks.scrape", "schedule": crontab(minute="*/30")},
}
app.conf.update(
    beat_schedule={"embed": dict(task="tasks.embed", schedule=crontab(minute=0, hour="*/4"))},
)
"""
    assert found("settings.py", text) == [
        (2, "celery-beat", None, 0.0208, "ingest"),
        (5, "celery-beat", None, 0.167, "ingest"),
    ]


# --- the schedule library ----------------------------------------------------------------------

SCHEDULE_LIB = """\
import time

import schedule
from schedule import every, repeat


def job():
    print("working")


schedule.every().day.at("03:00").do(job)
schedule.every(6).hours.do(refresh_index)
schedule.every().monday.at("02:30", "Europe/Amsterdam").do(retrain, model="small")
every(10).minutes.do(lambda: None)
schedule.every(2).to(5).hours.do(job)


@repeat(every(2).hours)
def crawl_site():
    ...


while True:
    schedule.run_pending()
    time.sleep(1)
"""


def test_schedule_library() -> None:
    assert found("worker.py", SCHEDULE_LIB) == [
        (11, "schedule-lib", None, 1.0, "other"),
        (12, "schedule-lib", None, 0.25, "ingest"),
        (13, "schedule-lib", None, 7.0, "retrain"),
        (14, "schedule-lib", None, 0.00694, "other"),
        (15, "schedule-lib", None, 0.0833, "other"),
        (18, "schedule-lib", None, 0.0833, "ingest"),
    ]
    assert runs("worker.py", SCHEDULE_LIB)[:3] == [("job",), ("refresh_index",), ("retrain",)]


def test_python_that_only_talks_about_schedules() -> None:
    text = """\
# Run this from cron: 0 3 * * * python ingest.py
# (we used a crontab and a schedule before; see docs/DAG.md)
def main():
    \"\"\"scheduler.add_job(x, "cron", hour=3) in a docstring\"\"\"
    items = {"schedule": "daily"}
    todo.do(task)
    return every
"""
    assert found("ingest.py", text) == []
    assert found("plain.py", "print('hello')\n") == []


def test_python_that_does_not_parse() -> None:
    assert find_schedules("dags/bad.py", "with DAG(schedule='@daily' as d:\n") == ([], [])
    assert find_schedules("dags/py2.py", "print 'schedule'\n") == ([], [])


# --- the data class, purposes and robustness --------------------------------------------------


def test_schedule_round_trips_through_a_dict() -> None:
    schedule = Schedule("a.yml", 3, "workflow", "0 3 * * *", 1.0, ("scripts/ingest.py",), "ingest")
    data = schedule.to_dict()
    assert data == {
        "path": "a.yml",
        "line": 3,
        "kind": "workflow",
        "cron": "0 3 * * *",
        "period_days": 1.0,
        "runs": ["scripts/ingest.py"],
        "purpose": "ingest",
    }
    assert Schedule.from_dict(data) == schedule
    assert Schedule.from_dict({**data, "period_days": 7}).period_days == 7.0
    assert Schedule.from_dict({**data, "cron": None, "period_days": None}).cron is None


@pytest.mark.parametrize(
    "change",
    [
        {"line": "3"},
        {"line": True},
        {"period_days": "1"},
        {"period_days": False},
        {"runs": "scripts/ingest.py"},
        {"runs": [1]},
        {"cron": 5},
        {"path": None},
        {"kind": 1},
        {"purpose": None},
    ],
)
def test_schedule_from_bad_dict(change: dict[str, Any]) -> None:
    data = Schedule("a", 1, "workflow", None, None, (), "other").to_dict()
    with pytest.raises(TypeError):
        Schedule.from_dict({**data, **change})


def test_schedule_from_non_mapping() -> None:
    with pytest.raises(TypeError):
        Schedule.from_dict(["a"])
    with pytest.raises(TypeError):
        Schedule.from_dict({"path": "a"})


@pytest.mark.parametrize(
    ("texts", "purpose"),
    [
        (["retrain-model"], "retrain"),
        (["python train.py"], "retrain"),
        (["FineTuneJob"], "retrain"),
        (["fine-tune weekly"], "retrain"),
        (["fine_tune"], "retrain"),
        (["tasks.finetune_adapter"], "retrain"),
        (["load_docs"], "ingest"),
        (["reindexDocs"], "ingest"),
        (["Ingestion"], "ingest"),
        (["embeddings refresh"], "ingest"),
        (["scraper"], "ingest"),
        (["upsert_vectors"], "ingest"),
        (["crawl", "train"], "retrain"),
        (["constraint check"], "other"),
        (["asyncio cleanup"], "other"),
        (["stale issues"], "other"),
        ([], "other"),
    ],
)
def test_purpose_of(texts: list[str], purpose: str) -> None:
    assert purpose_of(texts) == purpose


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (".github/workflows/x.yml", "schedule: [" * 2000),
        (".github/workflows/x.yml", "- schedule\n- 1\n"),
        (".github/workflows/x.yml", "on: schedule\n"),
        (".github/workflows/x.yml", "on:\n  schedule: {cron: 1}\njobs: [1, 2]\n"),
        (".github/workflows/x.yml", "on:\n  schedule:\n    - cron: [1]\n"),
        ("k8s/x.yaml", "kind: CronJob\n"),
        ("k8s/x.yaml", "- kind: CronJob\n"),
        ("k8s/x.yaml", "kind: CronJob\nspec:\n  schedule: 1\n  jobTemplate: []\n"),
        ("x.py", "schedule = " + "(" * 500 + ")" * 500),
        ("x.py", "DAG(schedule=" + "1+" * 3000 + "1)\n"),
        ("x.py", "app.conf.beat_schedule = {**other, 'a': {'schedule': crontab(minute=x)}}\n"),
        ("x.py", "s.add_job()\ns.add_job(f)\ns.add_job(f, trigger=make())\n"),
        ("x.py", "every(n).hours.do(job)\nevery().do(job)\nx.every(1).do()\n"),
        ("x.py", "sender.add_periodic_task(crontab(hour='x'), t.s())\n"),
        ("crontab", "\x00\x01 binary \xff\n@ \n* * * * *\n"),
        ("a.timer", "[Timer]\nOnCalendar=Mon..Xyz 1:2\nOnUnitActiveSec=1x\n"),
        ("a.timer", "[Timer]\nOnCalendar=1-2-3-4 1:2:3:4\n"),
    ],
)
def test_bad_input_never_raises(path: str, text: str) -> None:
    schedules, errors = find_schedules(path, text)
    assert all(isinstance(s, Schedule) for s in schedules)
    assert all(isinstance(e, ScanError) for e in errors) and len(errors) <= 1


def test_unrelated_files_are_skipped_fast() -> None:
    assert find_schedules("README.md", "Set a cron schedule: 0 3 * * *") == ([], [])
    assert find_schedules("docker-compose.yml", "services: {a: {image: x}}") == ([], [])
    assert find_schedules("src\\crontab", "0 3 * * * python ingest.py\n")[0][0].path == (
        "src/crontab"
    )


def test_a_tree_the_caller_parsed_gives_the_same_schedules() -> None:
    import ast

    source = (
        "from apscheduler.schedulers.blocking import BlockingScheduler\n"
        "scheduler = BlockingScheduler()\n"
        'scheduler.add_job(reindex_documents, "interval", hours=6)\n'
    )
    assert find_schedules("jobs.py", source) == find_schedules(
        "jobs.py", source, tree=ast.parse(source)
    )
    assert find_schedules("jobs.py", source)[0][0].period_days == 0.25
