"""hubtest.py — shared harness for the hub end-to-end tests: temporary key
pairs, a hub config on free loopback ports, and the real programs
(mamori-hub, mamori-sub, the hub_sender test sensor) as child processes.
Standard library only."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)
    print("ok -", what, flush=True)


class Harness:
    """One hub with its keys and config under a temporary directory."""

    def __init__(self, hub_bin, sub_bin, sender_bin, raw_bin=None, privacy=None):
        self.hub_bin, self.sub_bin, self.sender_bin, self.raw_bin = hub_bin, sub_bin, sender_bin, raw_bin
        self.tmp = tempfile.TemporaryDirectory(prefix="mamori-hub-test-")
        self.dir = self.tmp.name
        self.procs = []
        self.hub = None
        for name in ["hub", "rail-sensor", "grid-sensor", "stranger", "rail-isac", "grid-sub", "national-isac"]:
            self.run([hub_bin, "keygen", name, "-d", self.dir])
        self.sensors_ep = "tcp://127.0.0.1:%d" % free_port()
        self.subs_ep = "tcp://127.0.0.1:%d" % free_port()
        self.config = os.path.join(self.dir, "hub.yaml")
        with open(self.config, "w") as f:
            f.write(f"""# written by tests/hub/hubtest.py
listen:
  sensors: {self.sensors_ep}
  subscribers: {self.subs_ep}
  control: ipc://{self.dir}/control
secret_key_file: hub.key
store: hub.db
sectors:
  electric-power:
    privacy: {privacy or 'none'}
sensors:
  - name: rail-sensor
    public_key_file: rail-sensor.pub
    organisation: rail-co
    site: depot-north
    sectors: [railways]
  - name: grid-sensor
    public_key_file: grid-sensor.pub
    organisation: grid-co
    site: substation-7
    sectors: [electric-power]
subscribers:
  - name: rail-isac
    public_key_file: rail-isac.pub
    organisation: rail-isac
    sectors: [railways]
  - name: grid-sub
    public_key_file: grid-sub.pub
    organisation: grid-co
    sectors: [electric-power]
  - name: national-isac
    public_key_file: national-isac.pub
    organisation: national-isac
    sectors: ["*"]
""")

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, argv, **kw):
        return subprocess.run(argv, capture_output=True, text=True, timeout=kw.pop("timeout", 60), **kw)

    def start_hub(self):
        log = open(self.path("hub.log"), "a")
        self.hub = subprocess.Popen([self.hub_bin, "-c", self.config], stdout=log, stderr=log)
        self.procs.append(self.hub)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.run([self.hub_bin, "health", "-c", self.config], timeout=10).returncode == 0:
                return
            time.sleep(0.1)
        raise Fail("hub did not become healthy: " + open(self.path("hub.log")).read())

    def kill_hub(self, sig=signal.SIGKILL):
        self.hub.send_signal(sig)
        self.hub.wait(timeout=10)

    def stats(self):
        r = self.run([self.hub_bin, "stats", "-c", self.config], timeout=10)
        if r.returncode != 0:
            raise Fail("stats failed: " + r.stderr)
        return json.loads(r.stdout)

    def subscriber(self, key, name, *extra):
        out = self.path(name + ".out")
        err = open(self.path(name + ".err"), "w")
        argv = [self.sub_bin, "--hub", self.subs_ep, "--key", self.path(key + ".key"), "--hub-key",
                self.path("hub.pub"), "-o", out] + list(extra)
        p = subprocess.Popen(argv, stderr=err)
        self.procs.append(p)
        return p, out

    def wait_subscribed(self, name, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "subscribed to" in open(self.path(name + ".err")).read():
                return
            time.sleep(0.05)
        raise Fail(name + " did not subscribe: " + open(self.path(name + ".err")).read())

    def sender_argv(self, key, spool, *extra):
        return [self.sender_bin, "--hub", self.sensors_ep, "--key", self.path(key + ".key"), "--hub-key",
                self.path("hub.pub"), "--spool", self.path(spool)] + list(extra)

    def send(self, key, spool, *extra, timeout=60):
        r = self.run(self.sender_argv(key, spool, *extra), timeout=timeout)
        ids = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("ID ")]
        return r, ids

    def raw(self, key, sector, mode):
        r = self.run([self.raw_bin, self.sensors_ep, self.path(key + ".key"), self.path("hub.pub"), sector, mode])
        return r.stdout.strip()

    def stop_and_check_logs(self):
        """Stops every child with SIGTERM (so sanitizers report leaks) and fails
        when any log mentions a sanitizer report."""
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                raise Fail("a child did not stop on SIGTERM: %s" % p.args)
        for name in os.listdir(self.dir):
            if name.endswith((".log", ".err")):
                text = open(self.path(name), errors="replace").read()
                if "Sanitizer" in text or "runtime error:" in text:
                    raise Fail("sanitizer report in %s:\n%s" % (name, text[-3000:]))

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.tmp.cleanup()


def alerts_in(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def wait_for(fn, timeout=20, step=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


def main(test):
    """Runs test(harness_factory) and maps Fail to exit status 1."""
    hub_bin, sub_bin, sender_bin, raw_bin = sys.argv[1:5]
    made = []

    def factory(**kw):
        h = Harness(hub_bin, sub_bin, sender_bin, raw_bin, **kw)
        made.append(h)
        return h

    try:
        test(factory)
        for h in made:
            h.stop_and_check_logs()
        check(True, "no sanitizer report from any child, and every child stopped on SIGTERM")
    except Fail as e:
        print("not ok -", e, flush=True)
        for h in made:
            for name in os.listdir(h.dir):
                if name.endswith((".log", ".err")):
                    print("--- " + name + "\n" + open(h.path(name)).read()[-3000:])
        sys.exit(1)
    finally:
        for h in made:
            h.close()
