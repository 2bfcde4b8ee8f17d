#!/usr/bin/env python3
"""containerfiles_test.py -- the container definitions checked without a builder: each program's
Containerfile is multi-stage on debian:bookworm-slim, builds the Debian package and installs it, runs
as the numeric user Kubernetes names, exposes the ports the manifests use, and its HEALTHCHECK probe
(run here against the real program on a free port) passes on /live and fails on a closed port."""
import json, os, re, shlex, signal, socket, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from suite import BG, NODE, REPO, Results, free_port
import yaml

R = Results()
W = tempfile.mkdtemp(prefix="containerfiles.")
# program -> (package, Kubernetes base, the port its health check and liveness probe use)
PROGRAMS = {"edgenode": ("edgenode", "deploy/kubernetes/edgenode/base/deployment.yaml", 9000),
            "bundlegen": ("bundlegen", "deploy/kubernetes/bundlegen/base/deployment.yaml", 8080)}


def instructions(path):
    """[(INSTRUCTION, arguments)] with continuation lines joined and comments dropped."""
    out, cur = [], ""
    for line in open(path):
        s = line.rstrip("\n")
        if not cur and (not s.strip() or s.lstrip().startswith("#")):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        cur += s
        word, _, rest = cur.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        cur = ""
    return out


def wait_port(port, proc, seconds=15):
    end = time.monotonic() + seconds
    while time.monotonic() < end and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close(); return True
        except OSError:
            time.sleep(0.1)
    return False


def probe(cmd, port, real_port):
    """Runs the HEALTHCHECK command with its port moved to PORT; its exit status."""
    argv = [a.replace(f"/{port}", f"/{real_port}") for a in cmd]
    return subprocess.run(argv, capture_output=True, timeout=10).returncode


def check_program(prog):
    pkg, k8s_path, port = PROGRAMS[prog]
    path = os.path.join(REPO, "containers", f"{prog}.Containerfile")
    if not R.check(os.path.isfile(path), f"{prog}: containers/{prog}.Containerfile exists"):
        return
    ins = instructions(path)
    args = {a.split("=", 1)[0]: (a.split("=", 1) + [""])[1] for w, a in ins if w == "ARG"}
    froms = [a for w, a in ins if w == "FROM"]
    R.check(len(froms) >= 2, f"{prog}: multi-stage ({len(froms)} stages)", froms)
    bases = {re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), f.split()[0]) for f in froms}
    R.check(bases == {"debian:bookworm-slim"}, f"{prog}: every stage is on debian:bookworm-slim", bases)
    last = max(i for i, (w, _) in enumerate(ins) if w == "FROM")
    build, final = ins[:last], ins[last:]
    R.check(any(w == "RUN" and "scripts/make-deb.sh" in a for w, a in build), f"{prog}: the build stage runs make-deb")
    R.check(any(w == "RUN" and "apt-get build-dep" in a for w, a in build), f"{prog}: and installs debian/control's Build-Depends")
    R.check(any(w == "COPY" and a.startswith("--from=build") and f"/{pkg}_*.deb" in a for w, a in final),
            f"{prog}: the final stage takes the {pkg} package from the build stage")
    R.check(any(w == "RUN" and f"apt-get install -y --no-install-recommends /tmp/{pkg}_*.deb" in a for w, a in final),
            f"{prog}: and installs it with apt (its dependencies from Debian)")
    for w, a in ins:
        if w == "COPY" and not a.startswith("--from"):
            src = shlex.split(a)[:-1]
            R.check(all(s == "." or os.path.exists(os.path.join(REPO, s)) for s in src), f"{prog}: COPY {a}: its sources exist")
    users = [a for w, a in final if w == "USER"]
    m = re.fullmatch(r"(\d+):(\d+)", users[-1]) if users else None
    if R.check(m and int(m.group(1)) > 0, f"{prog}: runs as a numeric non-root user", users):
        uid, gid = int(m.group(1)), int(m.group(2))
        run = " ".join(a for w, a in final if w == "RUN")
        R.check(f"--uid {uid}" in run and f"--gid {gid}" in run, f"{prog}: the image creates that user ({uid}:{gid})")
        R.check(100 <= uid <= 999, f"{prog}: in the system range, so the package's adduser --system keeps it")
        dep = yaml.safe_load(open(os.path.join(REPO, k8s_path)))
        sc = dep["spec"]["template"]["spec"]["securityContext"]
        R.check((sc.get("runAsUser"), sc.get("runAsGroup")) == (uid, gid), f"{prog}: Kubernetes runs it as the same {uid}:{gid}", sc)
        c = dep["spec"]["template"]["spec"]["containers"][0]
        liveness = c["livenessProbe"]["httpGet"]
        lport = next((p["containerPort"] for p in c["ports"] if p["name"] == liveness["port"]), None)
        R.check((liveness["path"], lport) == ("/live", port), f"{prog}: Kubernetes' liveness probe is /live on {port} too", liveness)
    exposed = {int(p) for w, a in final if w == "EXPOSE" for p in a.split()}
    R.check(port in exposed, f"{prog}: exposes {port}", exposed)
    R.check(any(w == "ENTRYPOINT" and json.loads(a) == [f"/usr/bin/{prog}"] for w, a in final), f"{prog}: the entry point is /usr/bin/{prog}")
    R.check(f"usr/bin/{prog}" in open(os.path.join(REPO, "debian", f"{pkg}.install")).read(), f"{prog}: which the {pkg} package installs")
    R.check(any(w == "LABEL" and "org.opencontainers.image.version=\"${VERSION}\"" in a for w, a in final), f"{prog}: labelled with VERSION")
    hc = [a for w, a in final if w == "HEALTHCHECK"]
    if not R.check(len(hc) == 1 and " CMD " in f" {hc[0]} ", f"{prog}: one HEALTHCHECK", hc):
        return
    cmd = json.loads(hc[0].split(" CMD ", 1)[1] if " CMD " in hc[0] else hc[0].split("CMD ", 1)[1])
    R.check(f"/{port}" in " ".join(cmd) and "/live" in " ".join(cmd), f"{prog}: the health check asks /live on {port}", cmd)
    # The probe itself, against the real program.
    p = free_port()
    if prog == "edgenode":
        cfg = os.path.join(W, "edgenode.yaml")
        with open(cfg, "w") as f:
            f.write(f"listen: 127.0.0.1:{free_port()}\nadmin_listen: 127.0.0.1:{p}\nrules: {REPO}/node/rules.yaml\n")
        argv = [NODE, "--config", cfg]
    else:
        argv = [BG, "serve", "--listen", f"127.0.0.1:{p}", "--root", REPO, "--access-log", "off"]
    log = open(os.path.join(W, prog + ".log"), "wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        if R.check(wait_port(p, proc), f"{prog}: the program listens for the probe"):
            R.check(probe(cmd, port, p) == 0, f"{prog}: the HEALTHCHECK command passes against the running {prog}")
    finally:
        proc.send_signal(signal.SIGTERM); proc.wait(timeout=20)
    R.check(probe(cmd, port, p) != 0, f"{prog}: and fails once it has stopped")


for b in (NODE, BG):
    if not os.access(b, os.X_OK):
        R.check(False, f"{b} is built (make test-build)"); R.end()
for prog in PROGRAMS:
    check_program(prog)
ign = open(os.path.join(REPO, ".containerignore")).read().split()
R.check({"build/", "node_modules/", ".git"} <= set(ign), ".containerignore keeps build/, node_modules/ and .git out of the context", ign)
conf = subprocess.run([NODE, "--check-config", os.path.join(REPO, "containers/edgenode.yaml")], capture_output=True, text=True)
R.check(conf.returncode == 0, "the image's edgenode.yaml passes edgenode --check-config", conf.stdout + conf.stderr)
subprocess.run(["rm", "-rf", W])
R.end()
