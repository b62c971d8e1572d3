"""Checks the Dockerfile without a Docker engine.

- The build stage runs exactly the README's build commands (those of scripts/run.sh), and runs
  them here too: scripts/install-deps.sh for real (it has nothing left to install once the test
  command ran it), and the binaries the image copies are the ones scripts/build.sh makes.
- The runtime stage installs every Debian package that provides a shared library `ldd` finds
  for the copied binaries (directly or as an apt dependency), and nothing else but
  ca-certificates: no -dev package, no tool.
- Lint: pinned base images, non-root numeric USER, EXPOSE 50051 9464 (seedgate's default ports,
  read from `seedgate --help`), ENTRYPOINT seedgate in exec form, OCI labels, apt hygiene,
  and a .dockerignore that keeps build outputs out but every source in.
"""

import os
import re
import shlex
import subprocess
import unittest

SOURCE = os.environ.get("SEEDGATE_SOURCE_DIR", "")
BINARIES = {"seedgate": os.environ.get("SEEDGATE_BIN", ""),
            "fake-upstream": os.environ.get("SEEDGATE_FAKE_UPSTREAM_BIN", "")}


def parse_dockerfile(path):
    """[(stage name, base image, [(instruction, arguments)])], continuation lines joined."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    logical, current = [], ""
    for line in lines:
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    stages = []
    for line in logical:
        instruction, _, args = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?$", args.strip(), re.I)
            stages.append((m.group(2), m.group(1), []))
        elif instruction == "ARG" and not stages:
            continue
        else:
            stages[-1][2].append((instruction, " ".join(args.split())))
    return stages


def script_commands(path):
    """The commands a shell script runs at top level, without set/cd/exec and comments."""
    commands = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line.startswith(("set ", "cd ", "exec ")):
                continue
            commands.append(line)
    return commands


def _usr_merged(path):
    """/lib/x and /usr/lib/x are one file on Debian 12 (merged /usr); dpkg knows one of them."""
    path = os.path.normpath(path)
    return path[4:] if path.startswith("/usr/") else path


_OWNERS = None


def dpkg_owner(path):
    """The Debian package that installed `path`, from dpkg's file lists (read once)."""
    global _OWNERS
    if _OWNERS is None:
        _OWNERS = {}
        info = "/var/lib/dpkg/info"
        for name in os.listdir(info):
            if not name.endswith(".list"):
                continue
            package = name[:-len(".list")].split(":")[0]
            with open(os.path.join(info, name), encoding="utf-8", errors="replace") as f:
                for line in f:
                    _OWNERS.setdefault(_usr_merged(line.rstrip("\n")), package)
    for p in (path, os.path.realpath(path)):
        owner = _OWNERS.get(_usr_merged(p))
        if owner:
            return owner
    raise AssertionError(f"no Debian package owns {path}")


def installed_packages():
    """{package: set of packages it depends on} for every package installed here."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Status}\t${Depends}, ${Pre-Depends}\n"],
                         capture_output=True, text=True, check=True).stdout
    packages = {}
    for line in out.splitlines():
        name, status, depends = line.split("\t")
        if "install ok installed" not in status:
            continue
        deps = packages.setdefault(name, set())
        for clause in depends.split(","):
            for alternative in clause.split("|"):
                dep = alternative.strip().split(" ")[0].split(":")[0]
                if dep:
                    deps.add(dep)
    return packages


def dependency_closure(roots):
    installed = installed_packages()
    for p in roots:
        if p not in installed:
            raise AssertionError(f"{p} is not a Debian 12 package installed here")
    seen, todo = set(), list(roots)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo.extend(installed.get(p, set()) - seen)  # a virtual package has no entry
    return seen


class DockerfileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stages = parse_dockerfile(os.path.join(SOURCE, "Dockerfile"))
        cls.build_name, cls.build_base, cls.build = cls.stages[0]
        _, cls.runtime_base, cls.runtime = cls.stages[-1]

    def instructions(self, stage, name):
        return [args for instruction, args in stage if instruction == name]

    def runtime_packages(self):
        packages = []
        for run in self.instructions(self.runtime, "RUN"):
            for command in run.split("&&"):
                words = shlex.split(command)
                if "apt-get" in words and "install" in words:
                    self.assertIn("--no-install-recommends", words)
                    self.assertIn("-y", words)
                    packages += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
        return packages

    def test_two_stages_on_debian_12(self):
        self.assertEqual(len(self.stages), 2)
        self.assertEqual((self.build_name, self.build_base), ("build", "debian:bookworm"))
        self.assertEqual(self.runtime_base, "debian:bookworm-slim")

    def test_build_stage_runs_the_readme_commands(self):
        # README: `scripts/run.sh` installs what is missing and builds; the image does the same.
        with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
            self.assertIn("scripts/run.sh", f.read())
        runs = self.instructions(self.build, "RUN")
        # The install and build steps; what run.sh does after them (choosing the
        # demo's flags, starting seedgate) is the image's ENTRYPOINT's job.
        steps = [c for c in script_commands(os.path.join(SOURCE, "scripts/run.sh"))
                 if c.startswith("scripts/")]
        self.assertEqual(runs, steps)
        workdir = self.instructions(self.build, "WORKDIR")[-1]
        # COPY the dependency script before the sources (layer caching), then everything.
        copies = self.instructions(self.build, "COPY")
        self.assertEqual(copies, ["scripts/install-deps.sh scripts/", ". ."])
        # Run the same commands here: install-deps.sh finds nothing missing (or installs it).
        for run in runs:
            argv = shlex.split(run)
            script = os.path.join(SOURCE, argv[0])
            self.assertTrue(os.access(script, os.X_OK), f"{argv[0]} is not executable")
            subprocess.run(["bash", "-n", script], check=True)
            if argv[0] == "scripts/install-deps.sh":
                proc = subprocess.run(argv, cwd=SOURCE, capture_output=True, text=True, timeout=600)
                self.assertEqual(proc.returncode, 0, proc.stderr)
        # What the runtime stage copies out of build/ is what scripts/build.sh makes here.
        [copy] = [c for c in self.instructions(self.runtime, "COPY") if c.startswith("--from=build")]
        sources = copy.split()[1:-1]
        for src in sources:
            rel = os.path.relpath(src, workdir)
            self.assertTrue(rel.startswith("build/bin/"), src)
            name = os.path.basename(rel)
            self.assertIn(name, BINARIES)
            self.assertEqual(os.path.realpath(os.path.join(SOURCE, rel)), os.path.realpath(BINARIES[name]))
        self.assertEqual(sorted(os.path.basename(s) for s in sources), sorted(BINARIES))

    def test_runtime_packages_provide_every_library_ldd_finds(self):
        listed = self.runtime_packages()
        self.assertEqual(len(listed), len(set(listed)), "a package is listed twice")
        closure = dependency_closure(listed)
        direct = set()
        for name, binary in BINARIES.items():
            ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
            self.assertNotIn("not found", ldd)
            resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, re.M))
            for soname, path in resolved.items():
                package = dpkg_owner(path)
                self.assertIn(package, closure, f"{name} needs {soname} from {package}: not in the image")
            needed = re.findall(r"NEEDED\s+(\S+)",
                                subprocess.run(["objdump", "-p", binary], capture_output=True, text=True,
                                               check=True).stdout)
            for soname in needed:
                direct.add(dpkg_owner(resolved[soname]))
        # Only runtime libraries: the packages of the libraries the binaries link, and the CA bundle.
        self.assertEqual(set(listed), direct | {"ca-certificates"})
        for p in listed:
            self.assertFalse(p.endswith("-dev"), p)

    def test_runtime_stage_lint(self):
        runs = " ".join(self.instructions(self.runtime, "RUN"))
        self.assertIn("rm -rf /var/lib/apt/lists/*", runs)
        self.assertIn("apt-get update", runs)
        self.assertNotIn("sudo", runs)
        # Non-root, by number, and no instruction after USER that would run as root.
        users = self.instructions(self.runtime, "USER")
        self.assertEqual(len(users), 1)
        uid = users[0].split(":")[0]
        self.assertRegex(uid, r"^[1-9][0-9]*$")
        kinds = [i for i, _ in self.runtime]
        self.assertNotIn("RUN", kinds[kinds.index("USER"):])
        self.assertIn(f"--uid {uid}", runs)
        # The ports are seedgate's defaults.
        help_text = subprocess.run([BINARIES["seedgate"], "--help"], capture_output=True, text=True).stdout
        grpc = re.search(r"--listen=VALUE\n.*default [^\n]*:(\d+)", help_text).group(1)
        metrics = re.search(r"--metrics_listen=VALUE\n.*default [^\n]*:(\d+)", help_text).group(1)
        self.assertEqual(self.instructions(self.runtime, "EXPOSE"), [f"{grpc} {metrics}"])
        self.assertEqual((grpc, metrics), ("50051", "9464"))
        # seedgate is the entrypoint, in exec form (signals reach it: SIGTERM starts the grace).
        [entrypoint] = self.instructions(self.runtime, "ENTRYPOINT")
        self.assertEqual(entrypoint, '["/usr/local/bin/seedgate"]')
        self.assertIn("/usr/local/bin/", self.instructions(self.runtime, "COPY")[0])
        self.assertEqual(self.instructions(self.runtime, "CMD"), [])
        labels = " ".join(self.instructions(self.runtime, "LABEL"))
        for key in ("title", "description", "version", "revision"):
            self.assertIn(f"org.opencontainers.image.{key}=", labels)
        for _, base, stage in self.stages:
            self.assertNotIn(":latest", base)
            self.assertEqual(self.instructions(stage, "ADD"), [], "ADD fetches URLs and unpacks: use COPY")
            for env in self.instructions(stage, "ENV"):
                self.assertNotRegex(env, r"(?i)key|token|secret|password")

    def test_dockerignore_keeps_outputs_out_and_sources_in(self):
        with open(os.path.join(SOURCE, ".dockerignore"), encoding="utf-8") as f:
            patterns = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        for out in (".git", ".cache", "build"):
            self.assertIn(out, patterns)
        tracked = subprocess.run(["git", "ls-files"], cwd=SOURCE, capture_output=True, text=True,
                                 check=True).stdout.split()
        needed = [f for f in tracked if f.endswith(("CMakeLists.txt", ".cc", ".h", ".proto", ".cmake"))
                  or f.startswith("scripts/")]
        self.assertTrue(needed)
        for f in needed:
            for p in patterns:
                pattern = p.rstrip("/")
                prefix = pattern.replace("**/", "")
                hit = f == pattern or f.startswith(pattern + "/") or \
                    ("*" not in prefix and f"/{prefix}/" in f"/{f}")
                self.assertFalse(hit, f".dockerignore pattern {p} drops {f}, which the build needs")


if __name__ == "__main__":
    unittest.main(verbosity=2)
