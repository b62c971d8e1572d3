"""Every metric the chart's alerts (PrometheusRule) and Grafana dashboard query exists in the
/metrics output of a real seedgate: the binary is started in its no-key demo mode (it runs the
bundled emulator) on free loopback ports and scraped. Label names and the label values the
queries match on must exist too, so that a renamed metric or error type cannot leave an alert
that silently never fires."""

import json
import os
import re
import subprocess
import tempfile
import time
import unittest
import urllib.request

import chart
from chart import render

# Labels Prometheus adds from the scrape target (prometheus-operator), not seedgate.
TARGET_LABELS = {"namespace", "job", "pod", "instance", "service", "endpoint", "container"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
            "unless", "offset"}
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+')
LABEL_PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')


def run_seedgate(binary, args, scrape=False):
    """Starts seedgate with `args` (no EVOLINK_API_KEY), waits until it listens, returns its
    /metrics text when `scrape`, then stops it. Fails with its log when it does not start."""
    env = {k: v for k, v in os.environ.items() if k != "EVOLINK_API_KEY"}
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=log, env=env)
        try:
            port = None
            for _ in range(100):
                log.seek(0)
                found = re.search(r"listening on .*, metrics port (\d+) /metrics", log.read())
                if found:
                    port = int(found.group(1))
                    break
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
            log.seek(0)
            if port is None:
                raise AssertionError(f"seedgate {' '.join(args)} did not start:\n{log.read()}")
            if not scrape:
                return None
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                return r.read().decode()
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def has_client_auth(binary):
    """Whether this build has issue #7's client authentication (and refuses to start without)."""
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    return "--client_auth=" in help_text


def scrape_real_seedgate(binary):
    """{metric sample name: {label: set of values}} from a real seedgate's /metrics."""
    args = ["--listen", "127.0.0.1:0", "--metrics_listen", "127.0.0.1:0"]
    if has_client_auth(binary):
        args.append("--client_auth=none")
    text = run_seedgate(binary, args, scrape=True)
    series = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        m = SAMPLE.match(line)
        if not m:
            raise AssertionError(f"unparsable /metrics line: {line}")
        labels = series.setdefault(m.group(1), {})
        for name, value in LABEL_PAIR.findall(m.group(2) or ""):
            labels.setdefault(name, set()).add(value)
    return series


class Query:
    """The metric names, selectors and grouping labels of one PromQL expression."""

    def __init__(self, expr):
        self.expr = expr
        # Grafana's variables stand for a range or a label value.
        text = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
        self.selectors = []  # (metric or None, [(label, op, value)])

        def take_selector(m):
            self.selectors.append((m.group(1), MATCHER.findall(m.group(2))))
            rest = MATCHER.sub("", m.group(2)).replace(",", "").strip()
            if rest:
                raise AssertionError(f"unparsed matcher {rest!r} in {expr}")
            return m.group(1) or ""
        text = re.sub(r'([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}', take_selector, text)
        text = re.sub(r"\[[^\]]*\]", "", text)
        self.grouping = set()

        def take_grouping(m):
            self.grouping |= {l.strip() for l in m.group(2).split(",") if l.strip()}
            return m.group(1)
        text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", take_grouping, text)
        # Grafana's label_values(query, label): a label, not a metric, after the comma.
        text = re.sub(r"label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)",
                      lambda m: self.grouping.add(m.group(2)) or f"({m.group(1)})", text)
        names = set()
        for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
            word = m.group(0)
            if (word in KEYWORDS or re.search(r"[0-9.]$", text[:m.start()]) or
                    re.match(r"\s*(\(|by\b|without\b)", text[m.end():])):
                continue  # a keyword, part of a number, a function or an aggregation
            names.add(word)
        self.metrics = names | {metric for metric, _ in self.selectors if metric}


def rule_and_dashboard_queries():
    m = render({"metrics": {"serviceMonitor": {"enabled": True},
                            "prometheusRule": {"enabled": True},
                            "grafanaDashboard": {"enabled": True}}})
    [rule] = m.of_kind("PrometheusRule")
    alerts = {r["alert"]: r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]}
    [cm] = [d for d in m.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-dashboard")]
    dashboard = json.loads(cm["data"]["seedgate.json"])
    panels = {}
    for p in dashboard["panels"]:
        for t in p.get("targets", []):
            panels.setdefault(p["title"], []).append(t["expr"])
    variables = [v["query"]["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return m, alerts, panels, variables


class ChartMetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.series = scrape_real_seedgate(os.environ["SEEDGATE_BIN"])
        cls.manifests, cls.alerts, cls.panels, cls.variables = rule_and_dashboard_queries()

    def check_query(self, where, expr):
        q = Query(expr)
        self.assertTrue(q.metrics, f"{where}: no metric found in {expr}")
        known_labels = set(TARGET_LABELS) | {"le"}
        for metric in q.metrics:
            if metric not in self.series:
                self.fail(f"{where}: {metric} is not in seedgate's /metrics ({expr})")
            known_labels |= set(self.series[metric])
        for label in q.grouping:
            if label not in known_labels:
                self.fail(f"{where}: groups by unknown label {label} ({expr})")
        for metric, matchers in q.selectors:
            if metric is None:
                self.fail(f"{where}: a selector without a metric name: {expr}")
            labels = self.series[metric]
            for label, op, value in matchers:
                if label in TARGET_LABELS:
                    continue
                if label not in labels:
                    self.fail(f"{where}: {metric} has no label {label} ({expr})")
                if "$" in value:
                    continue
                wanted = value.split("|") if op in ("=~", "!~") else [value]
                for v in wanted:
                    self.assertRegex(v, r"^[A-Za-z0-9_.-]+$", f"{where}: complex regex {value}")
                    if v not in labels[label]:
                        self.fail(f"{where}: {metric}{{{label}{op}\"{value}\"}}: seedgate exports no "
                                  f"{label}=\"{v}\"")
        return q

    def test_scrape_has_seedgates_metrics(self):
        self.assertIn("seedgate_rpcs_total", self.series)
        self.assertIn("insufficient_quota_error", self.series["seedgate_errors_total"]["type"])

    def test_alert_queries_use_existing_metrics_and_labels(self):
        self.assertEqual(set(self.alerts), {
            "SeedgateErrorRatioHigh", "SeedgateUpstreamKeyRefused", "SeedgateUpstreamQuotaExhausted",
            "SeedgateUpstreamRateLimited", "SeedgateClientAuthFailures", "SeedgateSlowFirstToken",
            "SeedgateUpstreamUnavailable", "SeedgateNearConcurrencyLimit", "SeedgateOverloaded"})
        service = self.manifests.one("Service", f"{chart.RELEASE}-seedgate")["metadata"]["name"]
        for name, expr in self.alerts.items():
            with self.subTest(alert=name):
                q = self.check_query(name, expr)
                # The ServiceMonitor's job label is the Service name: the alerts select by it.
                for _, matchers in q.selectors:
                    found = {l: v for l, op, v in matchers if op == "="}
                    self.assertEqual(found.get("job"), service, expr)
                    self.assertEqual(found.get("namespace"), chart.NAMESPACE, expr)

    def test_dashboard_queries_use_existing_metrics_and_labels(self):
        used = set()
        for title, exprs in self.panels.items():
            for expr in exprs:
                with self.subTest(panel=title, expr=expr):
                    used |= self.check_query(title, expr).metrics
        for expr in self.variables:
            self.check_query("variable", expr)
        # Requests, errors by type, latency and TTFT, tokens by type, in-flight streams.
        for metric in ("seedgate_rpcs_total", "seedgate_errors_total", "seedgate_rpc_duration_seconds_bucket",
                       "seedgate_time_to_first_token_seconds_bucket", "seedgate_tokens_total",
                       "seedgate_rpcs_in_flight"):
            self.assertIn(metric, used)

    def test_chart_flags_start_seedgate(self):
        # The Deployment's args start the real binary (on loopback ports, with the mounted files
        # made here). A build with issue #7 (--client_auth in --help) also gets the chart's
        # client-auth and TLS flags, which it requires; an older one gets none of them.
        binary = os.environ["SEEDGATE_BIN"]
        security = has_client_auth(binary)
        cases = [{}, {"secret": {"existingSecret": "keys"}},
                 {"config": {"allowUnknownModels": True, "upstreamHttpVersion": "1.1",
                             "maxConnectionAge": "1h30m", "maxRequestBytes": "8MiB"},
                  "shutdown": {"graceSeconds": 45}}]
        if security:
            cases = [dict(c, clientAuth={"mode": "none"}) for c in cases]
            cases += [{"secret": {"existingSecret": "keys"}, "clientAuth": {"mode": "tokens"}},
                      {"secret": {"existingSecret": "keys"}, "clientAuth": {"mode": "mtls"},
                       "tls": {"enabled": True, "secretName": "tls",
                               "clientCa": {"secretName": "ca", "key": "ca.crt"}}}]
        with tempfile.TemporaryDirectory() as d:
            files = {"api-key": "sk-chart-test-key\n",
                     "client-tokens": "billing tok-chart-test-0123456789\n"}
            for name, text in files.items():
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            if security:
                subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                "-subj", "/CN=localhost", "-keyout", os.path.join(d, "tls.key"),
                                "-out", os.path.join(d, "tls.crt")], check=True, capture_output=True)
                with open(os.path.join(d, "tls.crt")) as src, open(os.path.join(d, "ca.crt"), "w") as dst:
                    dst.write(src.read())
            for values in cases:
                with self.subTest(values=values):
                    args = []
                    for arg in render(values).container()["args"]:
                        name, _, value = arg.partition("=")
                        if name in ("--listen", "--metrics_listen"):
                            value = "127.0.0.1:0"
                        elif value.startswith("/etc/seedgate/"):
                            value = os.path.join(d, os.path.basename(value))
                            self.assertTrue(os.path.exists(value), f"{arg}: no such test file")
                        args.append(f"{name}={value}")
                    run_seedgate(binary, args)

    def test_query_parser_finds_metrics_and_labels(self):
        q = Query('histogram_quantile(0.95, sum by (le, model) (rate(seedgate_time_to_first_token_seconds_bucket'
                  '{job="a", type=~"x|y"}[5m]))) / ignoring(type) group_left sum without (pod) '
                  '(seedgate_rpcs_in_flight) > 0.5 and on(job) up offset 5m')
        self.assertEqual(q.metrics, {"seedgate_time_to_first_token_seconds_bucket", "seedgate_rpcs_in_flight", "up"})
        self.assertEqual(q.grouping, {"le", "model", "type", "pod", "job"})
        self.assertEqual(q.selectors, [("seedgate_time_to_first_token_seconds_bucket",
                                        [("job", "=", "a"), ("type", "=~", "x|y")])])

    def test_query_parser_catches_unknown_names(self):
        # The checks above can fail: a misspelt metric, label or label value is caught.
        for expr in ('sum(rate(seedgate_request_total[5m]))',
                     'sum(rate(seedgate_errors_total{type="quota_error"}[5m]))',
                     'sum(rate(seedgate_errors_total{kind="validation"}[5m]))',
                     'sum by (tenant) (rate(seedgate_rpcs_total[5m]))',
                     'seedgate_rpcs_in_flight{method!~"ListModel"}'):
            with self.subTest(expr=expr):
                with self.assertRaises(AssertionError):
                    self.check_query("self-test", expr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
