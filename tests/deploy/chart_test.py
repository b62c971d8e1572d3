"""The Helm chart (helm/seedgate) under `helm lint` and `helm template`, with the default values
and the value sets platform teams use (TLS, an existing Secret, a chart-made Secret, autoscaling,
monitoring, a NetworkPolicy, other ports). Each rendering is parsed and checked: probes, ports,
security, graceful shutdown, secrets. values.schema.json must refuse wrong values."""

import base64
import concurrent.futures
import os
import re
import unittest

import yaml

import chart
from chart import RenderError, render, render_text

API_KEY = "sk-upstream-PLAINTEXT-9f3c1e"
TOKENS = [{"name": "billing", "token": "tok-billing-PLAINTEXT-4d2a9b", "requestsPerMinute": 600},
          {"name": "search", "token": "tok-search-PLAINTEXT-7e1f0c"}]

VALUE_SETS = {
    "default": {},
    "tls_mtls": {"tls": {"enabled": True, "secretName": "seedgate-tls",
                         "clientCa": {"secretName": "client-ca", "key": "ca.crt"}},
                 "clientAuth": {"mode": "mtls"},
                 "secret": {"existingSecret": "upstream"}},
    "existing_secret_tokens": {"secret": {"existingSecret": "seedgate-keys", "apiKeyKey": "key",
                                          "clientTokensKey": "tokens.txt"},
                               "clientAuth": {"mode": "tokens"}},
    "chart_secret_tokens": {"secret": {"apiKey": API_KEY, "clientTokens": TOKENS},
                            "clientAuth": {"mode": "tokens"}},
    "autoscaling": {"autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 30,
                                    "inFlight": {"enabled": True, "averageValue": "4000"}}},
    "monitoring": {"metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "kps"}},
                               "prometheusRule": {"enabled": True},
                               "grafanaDashboard": {"enabled": True}}},
    "network_policy": {"networkPolicy": {"enabled": True, "restrictEgress": True,
                                         "grpcFrom": [{"namespaceSelector": {"matchLabels": {"team": "apps"}}}]}},
    "other_ports_and_grace": {"ports": {"grpc": 6000, "metrics": 9100},
                              "service": {"grpcPort": 443, "metricsPort": 9000, "type": "LoadBalancer"},
                              "shutdown": {"graceSeconds": 120, "preStopSleepSeconds": 5},
                              "metrics": {"serviceMonitor": {"enabled": True}},
                              "networkPolicy": {"enabled": True}},
    "everything": {"secret": {"apiKey": API_KEY, "clientTokens": TOKENS},
                   "clientAuth": {"mode": "tokens"},
                   "tls": {"enabled": True, "secretName": "seedgate-tls"},
                   "config": {"upstreamCa": {"configMapName": "corp-ca", "key": "bundle.pem"},
                              "extraArgs": ["--client_requests_per_minute=600"]},
                   "autoscaling": {"enabled": True, "inFlight": {"enabled": True}},
                   "networkPolicy": {"enabled": True, "restrictEgress": True},
                   "terminationGracePeriodSeconds": 700,
                   "metrics": {"serviceMonitor": {"enabled": True},
                               "prometheusRule": {"enabled": True},
                               "grafanaDashboard": {"enabled": True}}},
}


def seconds(duration):
    """A Go/absl duration as seedgate's flags take it ("600s", "10m", "90") in seconds."""
    if duration.isdigit():
        return int(duration)
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    total = 0.0
    for number, unit in re.findall(r"([0-9.]+)(ms|h|m|s)", duration):
        total += float(number) * units[unit]
    return total


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def in_parallel(function, items):
    """{item: function(item) or the exception it raised}; helm runs are mostly waiting."""
    def call(item):
        try:
            return function(item)
        except Exception as e:  # noqa: BLE001 - handed to the test that asked
            return e
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(items, pool.map(call, items)))


class ChartTest(unittest.TestCase):
    maxDiff = None

    def test_lint_default_and_every_value_set(self):
        results = in_parallel(lambda name: chart.lint(VALUE_SETS[name]), list(VALUE_SETS))
        for name, (code, out, err) in results.items():
            with self.subTest(values=name):
                self.assertEqual(code, 0, f"helm lint --strict failed for {name}:\n{out}\n{err}")

    def test_every_value_set_renders_consistent_manifests(self):
        rendered = in_parallel(lambda name: render(VALUE_SETS[name]), list(VALUE_SETS))
        for name, manifests in rendered.items():
            with self.subTest(values=name):
                if isinstance(manifests, Exception):
                    raise manifests
                self.check_manifests(manifests, VALUE_SETS[name])

    def check_manifests(self, m, values):
        dep = m.deployment()
        pod = dep["spec"]["template"]
        spec = pod["spec"]
        c = m.container()
        args = m.args()
        pod_labels = pod["metadata"]["labels"]
        self.assertTrue(matches(dep["spec"]["selector"]["matchLabels"], pod_labels))

        # Ports: the flags, the container, the Services and the ServiceMonitor agree.
        cports = {p["name"]: p["containerPort"] for p in c["ports"]}
        self.assertEqual(set(cports), {"grpc", "metrics"})
        self.assertEqual(args["listen"], f"0.0.0.0:{cports['grpc']}")
        self.assertEqual(args["metrics_listen"], f"0.0.0.0:{cports['metrics']}")
        want = values.get("ports", {})
        self.assertEqual(cports["grpc"], want.get("grpc", 50051))
        self.assertEqual(cports["metrics"], want.get("metrics", 9464))

        def target(port):
            t = port["targetPort"]
            return cports[t] if isinstance(t, str) else t

        services = m.of_kind("Service")
        main = m.one("Service", f"{chart.RELEASE}-seedgate")
        for svc in services:
            self.assertTrue(matches(svc["spec"]["selector"], pod_labels), svc["metadata"]["name"])
        sports = {p["name"]: p for p in main["spec"]["ports"]}
        self.assertEqual(target(sports["grpc"]), cports["grpc"])
        self.assertEqual(target(sports["metrics"]), cports["metrics"])
        headless = m.one("Service", "-headless")
        self.assertEqual(headless["spec"]["clusterIP"], "None")
        self.assertFalse(headless["spec"].get("publishNotReadyAddresses", False))
        self.assertEqual([target(p) for p in headless["spec"]["ports"]], [cports["grpc"]])
        for sm in m.of_kind("ServiceMonitor"):
            sel = sm["spec"]["selector"]["matchLabels"]
            picked = [s for s in services if matches(sel, s["metadata"]["labels"])]
            self.assertEqual(picked, [main], "the ServiceMonitor must scrape the main Service only")
            self.assertEqual(sm["spec"]["namespaceSelector"]["matchNames"], [chart.NAMESPACE])
            for ep in sm["spec"]["endpoints"]:
                self.assertIn(ep["port"], sports)
                self.assertEqual(target(sports[ep["port"]]), cports["metrics"])
                self.assertEqual(ep["path"], "/metrics")
        for np in m.of_kind("NetworkPolicy"):
            self.assertTrue(matches(np["spec"]["podSelector"]["matchLabels"], pod_labels))
            ingress_ports = {p["port"] for rule in np["spec"]["ingress"] for p in rule["ports"]}
            self.assertEqual(ingress_ports, {"grpc", "metrics"})

        # Probes: the standard gRPC health service on the gRPC port (the kubelet's gRPC probe is
        # plaintext only, so with TLS a TCP connect to the same port).
        tls = values.get("tls", {}).get("enabled", False)
        for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
            probe = c[kind]
            if tls:
                self.assertEqual(probe["tcpSocket"]["port"], "grpc", kind)
                self.assertNotIn("grpc", probe)
            else:
                self.assertEqual(probe["grpc"], {"port": cports["grpc"]}, kind)
                self.assertEqual(set(probe) & {"httpGet", "tcpSocket", "exec"}, set(), kind)

        # Graceful shutdown: the kubelet waits longer than preStop + --shutdown_grace.
        prestop = c["lifecycle"]["preStop"]["exec"]["command"]
        self.assertEqual(prestop[0], "sleep")
        grace = seconds(args["shutdown_grace"])
        self.assertEqual(grace, values.get("shutdown", {}).get("graceSeconds", 600))
        self.assertGreater(spec["terminationGracePeriodSeconds"], grace + int(prestop[1]))
        if "terminationGracePeriodSeconds" in values:
            self.assertEqual(spec["terminationGracePeriodSeconds"], values["terminationGracePeriodSeconds"])

        # Hardening.
        self.assertTrue(spec["securityContext"]["runAsNonRoot"])
        self.assertEqual(spec["securityContext"]["seccompProfile"]["type"], "RuntimeDefault")
        sc = c["securityContext"]
        self.assertIs(sc["allowPrivilegeEscalation"], False)
        self.assertIs(sc["readOnlyRootFilesystem"], True)
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        self.assertIs(spec["automountServiceAccountToken"], False)
        for part in ("requests", "limits"):
            self.assertEqual(set(c["resources"][part]), {"cpu", "memory"}, part)
        self.assertEqual(dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0)
        spread = {t["topologyKey"]: t for t in spec["topologySpreadConstraints"]}
        self.assertEqual(set(spread), {"kubernetes.io/hostname", "topology.kubernetes.io/zone"})
        for t in spread.values():
            self.assertTrue(matches(t["labelSelector"]["matchLabels"], pod_labels))
        self.assertRegex(pod["metadata"]["annotations"]["checksum/config"], "^[0-9a-f]{64}$")
        for pdb in m.of_kind("PodDisruptionBudget"):
            self.assertTrue(matches(pdb["spec"]["selector"]["matchLabels"], pod_labels))

        # Replicas: fixed, or left to the HPA.
        hpas = m.of_kind("HorizontalPodAutoscaler")
        if values.get("autoscaling", {}).get("enabled"):
            self.assertNotIn("replicas", dep["spec"])
            self.assertEqual(len(hpas), 1)
            ref = hpas[0]["spec"]["scaleTargetRef"]
            self.assertEqual((ref["kind"], ref["name"]), ("Deployment", dep["metadata"]["name"]))
        else:
            self.assertEqual(dep["spec"]["replicas"], values.get("replicaCount", 2))
            self.assertEqual(hpas, [])

        # Files mounted from Secrets are where the flags point.
        mounts = {vm["name"]: vm["mountPath"] for vm in c["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        for flag in ("api_key_file", "client_tokens_file", "tls_cert", "tls_key", "tls_client_ca",
                     "upstream_ca_file"):
            if flag not in args:
                continue
            path = args[flag]
            owner = [n for n, p in mounts.items() if path.startswith(p + "/")]
            self.assertEqual(len(owner), 1, f"--{flag}={path} is on no mounted volume")
            vol = volumes[owner[0]]
            source = vol.get("secret") or vol.get("configMap")
            self.assertIn(os.path.basename(path), [i["path"] for i in source["items"]], flag)
        self.assertNotIn("EVOLINK_API_KEY", [e["name"] for e in c.get("env", [])])

    def test_default_values_run_with_todays_flags_only(self):
        # The security flags of issue #7 appear only when asked for: older builds refuse them.
        args = render().args()
        self.assertEqual(set(args) & {"client_auth", "client_tokens_file", "tls_cert", "tls_key",
                                      "tls_client_ca"}, set())
        # No key: the emulator runs, and the chart does not ask for a key.
        self.assertNotIn("api_key_file", args)
        self.assertNotIn("require_api_key", args)

    def test_security_flags_when_asked_for(self):
        args = render(VALUE_SETS["tls_mtls"]).args()
        self.assertEqual(args["client_auth"], "mtls")
        self.assertEqual(args["tls_cert"], "/etc/seedgate/tls/tls.crt")
        self.assertEqual(args["tls_key"], "/etc/seedgate/tls/tls.key")
        self.assertEqual(args["tls_client_ca"], "/etc/seedgate/client-ca/ca.crt")
        self.assertEqual(args["require_api_key"], "true")
        args = render(VALUE_SETS["existing_secret_tokens"]).args()
        self.assertEqual(args["client_tokens_file"], "/etc/seedgate/secret/tokens.txt")
        self.assertEqual(args["api_key_file"], "/etc/seedgate/secret/key")

    def test_secrets_never_appear_in_plain_text(self):
        for name in ("chart_secret_tokens", "everything"):
            with self.subTest(values=name):
                text = render_text(VALUE_SETS[name])
                secrets = [API_KEY] + [t["token"] for t in TOKENS]
                for s in secrets:
                    self.assertNotIn(s, text)
                m = Manifests_of(text)
                [secret] = m.of_kind("Secret")
                self.assertNotIn("stringData", secret)
                self.assertEqual(base64.b64decode(secret["data"]["api-key"]).decode(), API_KEY)
                tokens_file = base64.b64decode(secret["data"]["client-tokens"]).decode()
                self.assertEqual(tokens_file, "billing tok-billing-PLAINTEXT-4d2a9b requests_per_minute=600\n"
                                              "search tok-search-PLAINTEXT-7e1f0c\n")
                # Nothing but the Secret's data holds them, base64 or not.
                encoded = [base64.b64encode(s.encode()).decode() for s in secrets]
                for doc in m:
                    if doc is secret:
                        continue
                    dumped = yaml.safe_dump(doc)
                    for e in encoded + secrets:
                        self.assertNotIn(e, dumped, f"{doc['kind']} holds a secret")
                # A new key rolls the pods.
                before = m.deployment()["spec"]["template"]["metadata"]["annotations"]["checksum/secret"]
                values = dict(VALUE_SETS[name], secret=dict(VALUE_SETS[name]["secret"], apiKey="sk-rotated-key"))
                after = render(values).deployment()["spec"]["template"]["metadata"]["annotations"]["checksum/secret"]
                self.assertNotEqual(before, after)

    def test_config_change_rolls_the_pods(self):
        before = render().deployment()["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        after = render(sets=["config.maxConcurrentRpcs=5000"]).deployment()["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        self.assertNotEqual(before, after)

    def test_autoscaling_on_cpu_and_in_flight_rpcs(self):
        [hpa] = render(VALUE_SETS["autoscaling"]).of_kind("HorizontalPodAutoscaler")
        self.assertEqual((hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]), (3, 30))
        metrics = {m["type"]: m for m in hpa["spec"]["metrics"]}
        self.assertEqual(metrics["Resource"]["resource"]["name"], "cpu")
        self.assertEqual(metrics["Pods"]["pods"]["metric"]["name"], "seedgate_rpcs_in_flight")
        self.assertEqual(metrics["Pods"]["pods"]["target"]["averageValue"], "4000")

    def test_optional_resources_are_off_by_default(self):
        kinds = sorted(d["kind"] for d in render())
        self.assertEqual(kinds, ["Deployment", "PodDisruptionBudget", "Service", "Service",
                                 "ServiceAccount"])

    def test_wrong_values_fail_at_install_time(self):
        bad = {
            "replicaCount=-1": "replicaCount",
            "config.maxConnectionAge=forever": "maxConnectionAge",
            "config.connectTimeout=10 seconds": "connectTimeout",
            "clientAuth.mode=password": "mode",
            "ports.grpc=70000": "grpc",
            "config.upstreamBaseUrls[0]=ftp://upstream.example": "upstreamBaseUrls",
            "config.upstreamBaseUrls[0]=https://user:pw@upstream.example": "upstreamBaseUrls",
            "config.upstreamHttpVersion=3": "upstreamHttpVersion",
            "config.maxConcurrentRpcs=0": "maxConcurrentRpcs",
            "image.pullPolicy=Sometimes": "pullPolicy",
            "replicaCont=3": "replicaCont",
            "service.type=Ingress": "type",
            "extraEnv[0].name=EVOLINK_API_KEY": "extraEnv",
            "config.extraArgs[0]=--api_key=sk-123": "extraArgs",
            "updateStrategy.rollingUpdate.maxUnavailable=1": "maxUnavailable",
            "metrics.prometheusRule.errorRatioThreshold=5": "errorRatioThreshold",
            # Across values (template checks).
            "terminationGracePeriodSeconds=60": "terminationGracePeriodSeconds",
            "clientAuth.mode=tokens": "clientAuth.mode=tokens",
            "clientAuth.mode=mtls": "clientAuth.mode=mtls",
            "tls.enabled=true": "tls.secretName",
        }
        results = in_parallel(lambda s: render(sets=[s]), list(bad))
        for s, mention in bad.items():
            with self.subTest(set=s):
                self.assertIsInstance(results[s], RenderError, "helm accepted it")
                self.assertIn(mention, str(results[s]))
        # Errors about secret values never show the value.
        for values, mention, secret in (
                ({"secret": {"existingSecret": "keys", "apiKey": "sk-1"}}, "existingSecret", "sk-1"),
                ({"secret": {"apiKey": "sk-with space-PLAINTEXT"}}, "secret.apiKey", "PLAINTEXT"),
                ({"secret": {"clientTokens": [{"name": "billing", "token": "short-PLAINTEXT"}]},
                  "clientAuth": {"mode": "tokens"}}, "clientTokens[0].token (client billing)", "PLAINTEXT"),
                ({"secret": {"clientTokens": [{"name": "billing", "token": "tok#-PLAINTEXT-0123456789"}]},
                  "clientAuth": {"mode": "tokens"}}, "clientTokens[0].token", "PLAINTEXT")):
            with self.subTest(values=values):
                with self.assertRaises(RenderError) as cm:
                    render(values)
                self.assertIn(mention, str(cm.exception))
                self.assertNotIn(secret, str(cm.exception))

    def test_readme_commands_render(self):
        # Every `helm install/upgrade ... --set k=v` of the README's "Deploy to Kubernetes" renders.
        with open(os.environ["SEEDGATE_README"], encoding="utf-8") as f:
            readme = f.read()
        section = readme.split("## Deploy to Kubernetes", 1)[1].split("\n## ", 1)[0]
        commands = re.findall(r"^helm (?:install|upgrade)[^\n]*(?:\\\n[^\n]*)*", section, re.M)
        self.assertGreaterEqual(len(commands), 2, "the README shows how to install and scale")
        for command in commands:
            sets = re.findall(r"--set(?:-string)? ([^\s\\]+)", command)
            with self.subTest(command=command):
                render(sets=sets)

    def test_notes_tell_how_to_call_it(self):
        code, out, err = chart.helm("install", "prod", chart.CHART, "--dry-run=client", "--namespace",
                                    chart.NAMESPACE, "--set", "secret.existingSecret=keys")
        self.assertEqual(code, 0, err)
        notes = out.split("NOTES:", 1)[1]
        self.assertIn("dns:///prod-seedgate-headless.llm.svc.cluster.local:50051", notes)
        self.assertIn("port-forward service/prod-seedgate", notes)
        self.assertNotIn("EMULATOR", notes)
        code, out, err = chart.helm("install", "prod", chart.CHART, "--dry-run=client")
        self.assertIn("EMULATOR", out.split("NOTES:", 1)[1])


def Manifests_of(text):
    return chart.Manifests([d for d in yaml.safe_load_all(text) if d])


if __name__ == "__main__":
    unittest.main(verbosity=2)
