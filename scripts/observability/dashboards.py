"""Static checks of dashboards/*.json, and the PromQL they hold."""

import json
import re
from pathlib import Path

DATASOURCE_REF = "${datasource}"
# $var, ${var}, ${var:format} and the deprecated [[var]].
VAR_REF = re.compile(r"\$(\w+)|\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]")
# Grafana's built-in interval variables, and what the check puts in their place.
BUILTINS = {
    "__rate_interval": "1m",
    "__interval": "1m",
    "__range": "1m",
    "__range_s": "60",
    "__range_ms": "60000",
    "__interval_ms": "60000",
}
METRIC = re.compile(r"\b((?:souk|process)_[a-z0-9_]+)\b")
INSTANCE_FILTER = 'instance=~"$instance"'
LABEL_VALUES = re.compile(r"^\s*label_values\(\s*([a-zA-Z_:][\w:]*(?:\{[^}]*\})?)\s*,\s*(\w+)\s*\)\s*$")


class Query:
    """One PromQL expression and where it is used."""

    def __init__(self, expr, where):
        self.expr = expr
        self.where = where


def panels_of(panels):
    """Every panel, including those nested in (collapsed) rows."""
    for panel in panels or []:
        yield panel
        yield from panels_of(panel.get("panels"))


def refs(text):
    return {a or b or c for a, b, c in VAR_REF.findall(text or "")}


def datasource_ok(ds):
    if isinstance(ds, str):
        return ds == DATASOURCE_REF
    return isinstance(ds, dict) and ds.get("uid") == DATASOURCE_REF


def check_all(folder, report):
    """Validates every dashboard; returns the queries to evaluate."""
    files = sorted(Path(folder).glob("*.json"))
    if not report.check(files, f"no dashboards in {folder}"):
        return []
    queries, uids = [], {}
    for path in files:
        try:
            board = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            report.fail(f"{path.name}: not valid JSON: {e}")
            continue
        uid = board.get("uid")
        if not uid:
            report.fail(f"{path.name}: no uid")
        elif uid in uids:
            report.fail(f"{path.name}: uid {uid!r} is also used by {uids[uid]}")
        else:
            uids[uid] = path.name
        errors = []
        queries += check_board(path.name, board, errors)
        for error in errors:
            report.fail(f"{path.name}: {error}")
        if not errors:
            report.ok(f"{path.name}: {sum(1 for _ in panels_of(board.get('panels')))} panels")
    return queries


def check_board(name, board, errors):
    variables = {v.get("name"): v for v in board.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        errors.append("no `datasource` variable of type datasource with query prometheus")
    instance = variables.get("instance")
    if not instance or not (instance.get("multi") and instance.get("includeAll")):
        errors.append("no multi-value `instance` variable that includes All")
    queries = []
    for var_name, var in variables.items():
        if var.get("type") != "query":
            continue
        if not datasource_ok(var.get("datasource")):
            errors.append(f"variable {var_name}: its datasource is not {DATASOURCE_REF}")
        text = variable_text(var.get("query"), f"variable {var_name}", errors)
        undefined(text, variables, f"variable {var_name}", errors)
        queries.append(Query(variable_promql(text), f"{name}: variable {var_name} ({text})"))
    seen = {}
    for panel in panels_of(board.get("panels")):
        title = panel.get("title", "?")
        pid = panel.get("id")
        if not isinstance(pid, int):
            errors.append(f"panel {title!r}: no numeric id")
        elif pid in seen:
            errors.append(f"panel id {pid} is used by {seen[pid]!r} and {title!r}")
        else:
            seen[pid] = title
        if panel.get("type") == "row":
            continue
        if not datasource_ok(panel.get("datasource")):
            errors.append(f"panel {title!r}: datasource is not {DATASOURCE_REF}")
        targets = panel.get("targets") or []
        if not targets:
            errors.append(f"panel {title!r}: no targets")
        for target in targets:
            where = f"{name}: {title} [{target.get('refId', '?')}]"
            expr = (target.get("expr") or "").strip()
            if not expr:
                errors.append(f"panel {title!r} target {target.get('refId')}: no expr")
                continue
            if "datasource" in target and not datasource_ok(target["datasource"]):
                errors.append(f"panel {title!r}: a target's datasource is not {DATASOURCE_REF}")
            undefined(expr, variables, f"panel {title!r}", errors)
            unfiltered(expr, f"panel {title!r}", errors)
            queries.append(Query(expr, where))
    return queries


def undefined(text, variables, what, errors):
    for ref in sorted(refs(text)):
        if ref.startswith("__"):
            if ref not in BUILTINS:
                errors.append(f"{what}: unknown built-in variable ${ref}")
        elif ref not in variables:
            errors.append(f"{what}: ${ref} is not defined in templating.list")


def unfiltered(expr, what, errors):
    """Every metric selector must carry the instance filter."""
    for match in METRIC.finditer(expr):
        rest = expr[match.end():].lstrip()
        if not rest.startswith("{") or INSTANCE_FILTER not in rest[: rest.find("}") + 1]:
            errors.append(f"{what}: {match.group(1)} is not filtered by {INSTANCE_FILTER}")


def variable_text(query, what, errors):
    """The query Grafana runs for a variable. A structured label-values query
    (qryType 1) is rebuilt from its metric and label; its `query` is ignored."""
    if not isinstance(query, dict):
        return query or ""
    if query.get("qryType") == 1:
        if not query.get("label"):
            errors.append(f"{what}: a label-values query (qryType 1) without a label")
            return ""
        metric = query.get("metric")
        return f"label_values({metric}, {query['label']})" if metric else f"label_values({query['label']})"
    return query.get("query", "")


def variable_promql(text):
    """label_values(metric, label) -> a PromQL query returning the same label values."""
    match = LABEL_VALUES.match(text)
    if match:
        return f"count by ({match.group(2)}) ({match.group(1)})"
    return text


def to_promql(expr):
    """Grafana variables replaced as the check evaluates them: $instance matches any node."""

    def substitute(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name in BUILTINS:
            return BUILTINS[name]
        if name == "instance":
            return ".*"
        return match.group(0)

    return VAR_REF.sub(substitute, expr)
