"""Every vendor's own spec against what `balance` sends and what the sandbox
answers, through Prism's validating proxy (run by .ci/prism):

    balance check --> forwarder (strips the spec's server path) --> prism proxy
                  --> balance sandbox (the vendor's emulator)

For each of the nine vendors with a spec, every fixture the sandbox serves for
the REST balance call (asked for with a `fixture:NAME` credential), then the
healthy and low scenarios, one check at a time so that each of Prism's
findings belongs to one answer. A finding fails the run unless it is listed in
EXPECTED below with its reason, or the fixture's `# source:` line says that it
departs from the vendor's spec. A status the spec does not document is a note.

    python3 prism_vendors.py PRISM BALANCE SPECS PROVIDERS WORK
"""
import os
import re
import subprocess
import sys
import time

prism, balance, specs, providers, work = sys.argv[1:6]

# (fixtures dir, provider, spec, the spec's server path that Prism ignores)
VENDORS = [
    ("eight_by_eight", "8x8", "8x8-sms-api.json", ""),
    ("frontier", "frontier", "frontier-v0.90-apidocs.swagger.yaml", ""),
    ("twilio", "twilio", "twilio_api_v2010.json", ""),
    ("vonage", "vonage", "vonage-account.yml", ""),
    ("telnyx", "telnyx", "telnyx-spec3.json", "/v2"),
    ("clicksend", "clicksend", "clicksend-openapi.yaml", ""),
    ("textmagic", "textmagic", "textmagic-openapi.yaml", ""),
    ("seven", "seven", "seven-openapi.json", "/api"),
    ("brevo", "brevo", "brevo-swagger.yaml", "/v3"),
]

# Known conflicts between a vendor's spec and its current docs, where balance
# follows the docs: (provider, pattern of Prism's finding, reason).
EXPECTED = [
    ("vonage", r"^request\.query .*'(api_key|api_secret)'",
     "the 2020 spec declares api_key/api_secret query parameters; the vendor's current docs and SDKs "
     "use HTTP Basic (curl -u key:secret), which balance sends"),
    ("textmagic", r"^request Invalid security scheme used$",
     "the spec's machine-readable security is HTTP Basic only; its prose and the vendor's docs give "
     "the X-TM-Username/X-TM-Key headers, which balance sends"),
    ("seven", r"^request Invalid security scheme used$",
     "the spec declares OAuth2 only; the vendor's docs give the X-Api-Key header, which balance sends"),
]
# Prism's HTTP Basic check refuses a password with a ':' in it (RFC 7617 allows
# one), and the sandbox's `fixture:NAME` credential has one. For these
# credentials alone; the healthy and low checks send colon-free passwords and
# must pass the same check.
BASIC_FIXTURE = (r"^request Invalid security scheme used$",
                 "Prism refuses a Basic password holding ':' (RFC 7617 allows it): the `fixture:NAME` "
                 "credential only; the healthy and low requests pass this check")

EXIT = {"balance": {0, 9}, "auth": {4}, "not_prepaid": {6}, "rate_limited": {5}, "provider": {8}}
SANDBOX, FORWARD, PROXY = 24300, 24301, 24310


def start(name, argv, port):
    log = open(f"{work}/{name}.log", "w+")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"prism: {name} exited:\n" + open(f"{work}/{name}.log").read()[-2000:])
        if f"listening on http://127.0.0.1:{port}" in open(f"{work}/{name}.log").read():
            return proc
        time.sleep(0.2)
    proc.kill()
    sys.exit(f"prism: {name} not listening on {port} after 180 s")


def blocks(text):
    """The sandbox's printed config, by profile name."""
    out = {}
    for b in text.split("\n[profiles.")[1:]:
        name, body = b.split("]\n", 1)
        out[name] = body.split("\n\n")[0].split("\n# ")[0]
    return out


def fixture_meta(path):
    source = expect = ""
    for line in open(path):
        if line.startswith("# source:"):
            source = line[9:].strip()
        elif line.startswith("# expect:"):
            expect = line[9:].split()[0]
    return source, expect


procs = []
try:
    env = dict(os.environ, XDG_DATA_HOME=f"{work}/data", XDG_CACHE_HOME=f"{work}/cache")
    sandbox_log = f"{work}/sandbox-vendors.log"
    sandbox = subprocess.Popen([balance, "sandbox", "--port", str(SANDBOX)],
                               stdout=open(sandbox_log, "w"), stderr=subprocess.STDOUT)
    procs.append(sandbox)
    for _ in range(300):
        if "# Scenarios:" in open(sandbox_log).read():
            break
        time.sleep(0.1)
    profiles = blocks(open(sandbox_log).read())
    routes = [f"{p}={prefix}={PROXY + i}" for i, (_, p, _, prefix) in enumerate(VENDORS)]
    procs.append(start("forwarder", [sys.executable, os.path.join(os.path.dirname(__file__), "prism_forward.py"),
                                     str(FORWARD)] + routes, FORWARD))

    failures, notes, expected_seen, checked, departs = [], set(), set(), 0, {}
    for i, (dirname, provider, spec, prefix) in enumerate(VENDORS):
        port = PROXY + i
        template = profiles[provider]
        template = re.sub(r'base_url = "[^"]*"', f'base_url = "http://127.0.0.1:{FORWARD}/{provider}"', template)
        template = re.sub(r"\nmin_balance = .*", "", template)
        fixtures_dir = os.path.join(providers, dirname, "fixtures")
        # Vendors whose secret travels as the password of HTTP Basic.
        basic = provider in ("twilio", "vonage", "clicksend", "frontier")
        # The REST call only: Frontier's Connect RPC is not in its Swagger.
        # The balance endpoint only: `subaccounts.*` fixtures answer a second
        # endpoint (Vonage's Subaccounts API is not among these specs; Brevo's
        # reseller children are), which a profile reaches with `subaccounts`;
        # the conformance suite runs them through the binary.
        names = sorted(f[:-5] for f in os.listdir(fixtures_dir)
                       if f.endswith(".http") and not f.endswith(".connect.http")
                       and not f.startswith("subaccounts."))
        cases = [(f"fixture:{n}", n) for n in names] + [("healthy", None), ("low", None)]
        config = "[settings]\nretries = 0\ntimeout = 20\n"
        for n, (secret, _) in enumerate(cases):
            body = template.replace('{ command = ["echo", "healthy"] }', f'"{secret}"')
            config += f"[profiles.c{n}]\n{body}\nmin_balance = 10\n"
        path = f"{work}/{provider}.toml"
        open(path, "w").write(config)
        os.chmod(path, 0o600)
        proxy = start(f"prism-{provider}", [prism, "proxy", "-h", "127.0.0.1", "-p", str(port),
                                            os.path.join(specs, spec),
                                            f"http://127.0.0.1:{SANDBOX}/{provider}{prefix}"], port)
        procs.append(proxy)
        log_path = f"{work}/prism-{provider}.log"
        for n, (secret, fixture) in enumerate(cases):
            what = f"{provider} {fixture + '.http' if fixture else secret}"
            source, expect = (fixture_meta(os.path.join(fixtures_dir, fixture + ".http"))
                              if fixture else ("", "balance"))
            before = os.path.getsize(log_path)
            run = subprocess.run([balance, "--config", path, "check", f"c{n}", "--no-history", "--no-alerts"],
                                 capture_output=True, text=True, env=env, timeout=60)
            checked += 1
            if run.returncode not in EXIT.get(expect, {0}):
                failures.append(f"{what}: exit {run.returncode}, want {sorted(EXIT[expect])} ({expect}): "
                                + (run.stdout + run.stderr).strip().replace("\n", " / ")[:300])
            time.sleep(0.05)  # Prism logs as it answers; let it finish the line
            with open(log_path) as f:
                f.seek(before)
                new = f.read()
            for v in sorted(set(re.findall(r"Violation: (.*)", new))):
                v = re.sub(r"\x1b\[[0-9;]*m", "", v).strip()
                if "Unable to match the returned status code" in v:
                    notes.add(f"{provider}: {v}")
                    continue
                known = next((r for p, pat, r in EXPECTED if p == provider and re.search(pat, v)), None)
                if not known and fixture and re.search(BASIC_FIXTURE[0], v) and basic:
                    known = BASIC_FIXTURE[1]
                if known:
                    expected_seen.add((provider, v, known))
                elif fixture and re.search(r"departs from the vendor's spec", source):
                    departs.setdefault(what, []).append(v)
                else:
                    failures.append(f"{what}: {v}")
        proxy.terminate()
        proxy.wait(timeout=20)
        procs.remove(proxy)
        print(f"prism: {provider}: {len(cases)} answers ({len(names)} fixtures, healthy, low) "
              f"through {spec}" + (f" (server path {prefix} stripped)" if prefix else ""))

    for provider, v, reason in sorted(expected_seen):
        print(f"prism: expected warning: {provider}: {v}\n    because {reason}")
    for what, found in sorted(departs.items()):
        print(f"prism: departs on purpose, as its source line says: {what}: {len(found)} finding(s), "
              f"such as: {found[0]}")
    for n in sorted(notes):
        print(f"prism: note: {n}")
    # An expectation nothing needs any more is stale: say so by failing.
    for provider, pattern, _ in EXPECTED:
        if not any(p == provider and re.search(pattern, v) for p, v, _ in expected_seen):
            failures.append(f"{provider}: expected warning /{pattern}/ no longer seen: drop it from EXPECTED")
    if failures:
        print("prism: findings against the vendors' specs:")
        for f in failures:
            print("  " + f)
        sys.exit(1)
    print(f"prism: {checked} requests and answers of 9 vendors valid per their own specs")
finally:
    for p in procs:
        p.kill()
