#!/usr/bin/env python3
"""Checks the monitoring files Ferry ships, without a server.

    python3 deploy/check_deploy.py

1. `promtool check rules` and `promtool test rules` on
   deploy/prometheus/ferry-rules.yml and its tests.
2. deploy/grafana/ferry-dashboard.json parses, every panel has a target,
   and every metric an expression (dashboard or alert rule) names is one
   Ferry exports: src/metrics/metric_names.txt, the list the metrics unit
   test holds the exporter to (a histogram's _bucket, _sum and _count
   count as its name), or Prometheus's own `up`.

ctest runs it as `deploy_monitoring` (label unit). Exit status: 0 pass,
1 fail, 77 skip (no promtool on this machine).
"""

import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, "deploy", "prometheus", "ferry-rules.yml")
RULES_TEST = os.path.join(ROOT, "deploy", "prometheus", "ferry-rules.test.yml")
DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "ferry-dashboard.json")
NAMES = os.path.join(ROOT, "src", "metrics", "metric_names.txt")

# Keywords of PromQL that look like metric names (label lists of by, on and
# the like are removed before names are looked for).
PROMQL_WORDS = {"and", "or", "unless", "bool", "offset", "group_left", "group_right"}
PROMETHEUS_OWN = {"up"}


def metric_names(expr):
    """The identifiers of an expression that stand for series: not inside
    braces, strings or ranges, not functions or keywords."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\$\w+", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr):
        word = m.group(0)
        rest = expr[m.end():].lstrip()
        if rest.startswith("("):
            continue  # a function or an aggregation
        if word in PROMQL_WORDS or re.fullmatch(r"\d.*", word):
            continue
        names.add(word)
    return names


def known(name, exported):
    if name in exported or name in PROMETHEUS_OWN:
        return True
    base = re.sub(r"_(bucket|sum|count)$", "", name)
    return base in exported


def main():
    promtool = shutil.which("promtool")
    if promtool is None:
        print("SKIP: promtool not found (apt-get install prometheus)")
        return 77
    failures = []
    for args in (["check", "rules", RULES], ["test", "rules", RULES_TEST]):
        run = subprocess.run([promtool] + args, capture_output=True, text=True,
                             cwd=os.path.dirname(RULES))
        print("promtool %s: exit %d" % (" ".join(args[:2]), run.returncode))
        if run.returncode != 0:
            failures.append("promtool %s:\n%s%s" % (" ".join(args), run.stdout, run.stderr))

    exported = set(open(NAMES).read().split())
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    exprs = []
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            continue
        targets = panel.get("targets") or []
        if not targets:
            failures.append("panel %r has no targets" % panel.get("title"))
        for t in targets:
            if not t.get("expr"):
                failures.append("panel %r has a target without expr" % panel.get("title"))
            exprs.append(("dashboard panel %r" % panel.get("title"), t.get("expr", "")))
    for var in dashboard.get("templating", {}).get("list", []):
        query = var.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        if var.get("type") == "query" and query:
            # label_values(<series selector>, <label>): the label is no metric.
            m = re.fullmatch(r"\s*label_values\((.*),\s*\w+\)\s*", query)
            if m:
                query = m.group(1)
            exprs.append(("dashboard variable %r" % var.get("name"), query))
    rule_exprs = re.findall(r"expr: *\|?\n?((?:.+\n)+?)\s*(?:for|labels):", open(RULES).read())
    if not rule_exprs:
        failures.append("no alert expressions found in %s" % RULES)
    exprs += [("alert rule", e) for e in rule_exprs]
    checked = set()
    for where, expr in exprs:
        for name in metric_names(expr):
            checked.add(name)
            if not known(name, exported):
                failures.append("%s names %s, which Ferry does not export" % (where, name))
    print("dashboard: %d panels; %d expressions name %d metrics"
          % (len(dashboard.get("panels", [])), len(exprs), len(checked)))
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
