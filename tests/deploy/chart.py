"""Renders the Helm chart with a real helm binary and gives the manifests as parsed YAML.

Shared by the chart tests (tests/deploy/*_test.py). Paths come from the environment that
tests/deploy/CMakeLists.txt sets: SEEDGATE_HELM (helm binary), SEEDGATE_CHART (helm/seedgate).
"""

import atexit
import os
import shutil
import subprocess
import tempfile

import yaml

HELM = os.environ.get("SEEDGATE_HELM", "")
CHART = os.environ.get("SEEDGATE_CHART", "")
RELEASE = "prod"
NAMESPACE = "llm"


# helm keeps caches and settings under $HOME; the tests use a directory of their own.
_HELM_HOME = tempfile.mkdtemp(prefix="seedgate-helm-")
_HELM_ENV = dict(os.environ,
                 HELM_CACHE_HOME=os.path.join(_HELM_HOME, "cache"),
                 HELM_CONFIG_HOME=os.path.join(_HELM_HOME, "config"),
                 HELM_DATA_HOME=os.path.join(_HELM_HOME, "data"))
atexit.register(shutil.rmtree, _HELM_HOME, ignore_errors=True)


class RenderError(Exception):
    """helm refused the values; str() is helm's message."""


def helm(*args):
    """Runs helm; returns (exit code, stdout, stderr)."""
    if not os.access(HELM, os.X_OK):
        raise RuntimeError(f"helm not found at {HELM!r} (scripts/install-deps.sh --test installs it)")
    proc = subprocess.run([HELM, *args], capture_output=True, text=True, timeout=60, env=_HELM_ENV)
    return proc.returncode, proc.stdout, proc.stderr


def _values_args(values, sets):
    args, files = [], []
    if values is not None:
        f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        yaml.safe_dump(values, f)
        f.close()
        files.append(f.name)
        args += ["-f", f.name]
    for s in sets or ():
        args += ["--set", s]
    return args, files


def render_text(values=None, sets=None):
    """`helm template` output as text; raises RenderError when helm refuses."""
    args, files = _values_args(values, sets)
    try:
        code, out, err = helm("template", RELEASE, CHART, "--namespace", NAMESPACE, *args)
    finally:
        for f in files:
            os.unlink(f)
    if code != 0:
        raise RenderError(err.strip())
    return out


def render(values=None, sets=None):
    """The rendered manifests, parsed."""
    return Manifests([d for d in yaml.safe_load_all(render_text(values, sets)) if d])


def lint(values=None, sets=None):
    args, files = _values_args(values, sets)
    try:
        return helm("lint", "--strict", CHART, "--namespace", NAMESPACE, *args)
    finally:
        for f in files:
            os.unlink(f)


class Manifests(list):
    def of_kind(self, kind):
        return [d for d in self if d["kind"] == kind]

    def one(self, kind, name_suffix=None):
        docs = [d for d in self.of_kind(kind)
                if name_suffix is None or d["metadata"]["name"].endswith(name_suffix)]
        if len(docs) != 1:
            raise AssertionError(f"expected one {kind} (suffix {name_suffix!r}), got {len(docs)}")
        return docs[0]

    def deployment(self):
        return self.one("Deployment")

    def container(self):
        containers = self.deployment()["spec"]["template"]["spec"]["containers"]
        return next(c for c in containers if c["name"] == "seedgate")

    def args(self):
        """seedgate's flags as {name: value}."""
        flags = {}
        for arg in self.container()["args"]:
            name, _, value = arg[2:].partition("=")
            flags[name] = value
        return flags
