"""The example alert rules of the operations guide: they load as Prometheus rules (by
`promtool` where it is installed, else by their YAML shape), every metric they name is one
that /metrics serves, and the guide's table lists exactly them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Client

DOCS = Path(__file__).resolve().parents[2] / "docs"
RULES = DOCS / "prometheus" / "alerts.yml"
GUIDE = DOCS / "operations.md"
_SUFFIXES = ("_bucket", "_count", "_sum", "_total")


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert set(document) == {"groups"}
    rules: list[dict[str, Any]] = []
    for group in document["groups"]:
        assert set(group) == {"name", "rules"}
        assert group["rules"]
        rules.extend(group["rules"])
    return rules


def test_each_rule_has_the_shape_prometheus_loads() -> None:
    names = [rule["alert"] for rule in _rules()]
    assert len(names) == len(set(names))
    for rule in _rules():
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert re.fullmatch(r"Yimen[A-Z][A-Za-z]+", rule["alert"])
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["description"]
        expr = rule["expr"]
        assert expr.count("(") == expr.count(")")
        assert expr.count("{") == expr.count("}")


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules() -> None:
    checked = subprocess.run(
        ["promtool", "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_every_metric_a_rule_names_is_served(client: Client) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    served = {family.name for family in text_string_to_metric_families(response.text)}
    for rule in _rules():
        for named in re.findall(r"\byimen_[a-z_]+", rule["expr"]):
            family = named
            for suffix in _SUFFIXES:
                family = family.removesuffix(suffix)
            assert family in served, f"{rule['alert']} names {named}, which /metrics lacks"


def test_the_guide_lists_exactly_the_rules() -> None:
    listed = set(re.findall(r"^\| `(Yimen[A-Za-z]+)` \|", GUIDE.read_text(), flags=re.M))
    assert listed == {rule["alert"] for rule in _rules()}
