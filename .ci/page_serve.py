"""The status page as `balance serve` serves it, opened in headless Chromium.

Called by .ci/page: python3 page_serve.py BIN BROWSER WORKDIR SHOTS

Starts `balance sandbox` and `balance serve` over every vendor (one low, one
failing, one with recorded spending so it has a forecast), waits for every
profile's first check, takes screenshots of http://ADDR/ at 375 and 1280 px,
light and dark, fails on a console error, and compares the page as the browser
parsed it with /api/v1/balances: same cards, same exact amounts, same statuses,
same days left. Then SIGTERM, which must end serve with 0.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser

bin_, browser, work, shots = sys.argv[1:5]
env = dict(os.environ, XDG_DATA_HOME=f"{work}/serve-data", XDG_CACHE_HOME=f"{work}/serve-cache")
failures = []


def fail(message):
    print(f"page (serve): {message}")
    failures.append(message)


sandbox = subprocess.Popen([bin_, "sandbox", "--port", "0"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, env=env)
snippet = []
for line in sandbox.stdout:
    snippet.append(line)
    if line.startswith("# Scenarios:"):
        break

# Profile blocks, with a scenario each: infobip low, twilio failing.
scenario = {"infobip": "low", "twilio": "bad-credentials"}
blocks = "".join(snippet).split("\n[profiles.")
config = ['[settings]\ntimeout = 5\n']
names = []
for block in blocks[1:]:
    name = block.split("]", 1)[0]
    names.append(name)
    block = block.replace('["echo", "healthy"]', f'["echo", "{scenario.get(name, "healthy")}"]')
    config.append("\n[profiles." + block.split("\n# ", 1)[0].rstrip() + "\n")
# A profile with recorded spending: the same vendor and key under another name.
seven = next(b for b in blocks[1:] if b.startswith("seven]"))
names.append("seven-spending")
config.append("\n[profiles.seven-spending" + seven[len("seven"):].split("\n# ", 1)[0].rstrip() + "\n")
config_path = f"{work}/serve.toml"
with open(config_path, "w") as f:
    f.write("".join(config))
os.chmod(config_path, 0o600)

# Five days of hourly balances spending 24 a day, down to the sandbox's 47.35.
now = int(time.time())
rows = ["checked_at,profile,provider,status,balance,currency,error_kind"]
for h in range(120, 0, -1):
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - h * 3600))
    rows.append(f"{at},seven-spending,seven,ok,{47.35 + h:.2f},EUR,")
with open(f"{work}/serve.csv", "w") as f:
    f.write("\r\n".join(rows) + "\r\n")
subprocess.run([bin_, "--config", config_path, "history", "import", f"{work}/serve.csv"],
               check=True, env=env, stdout=subprocess.DEVNULL)

serve = subprocess.Popen([bin_, "--config", config_path, "serve", "--listen", "127.0.0.1:0"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
addr = None
for line in serve.stderr:
    m = re.search(r"serving on (http://\S+)", line)
    if m:
        addr = m.group(1)
        break
if addr is None:
    print("page (serve): serve did not start")
    sys.exit(1)


def get(path):
    with urllib.request.urlopen(addr + path, timeout=10) as r:
        return r.read().decode()


def covered(api):
    """Every configured profile has its results: `p`, or `p/label` for a
    profile with several balances (DeepSeek's currencies)."""
    got = {row["profile"] for row in api}
    return all(any(g == n or g.startswith(n + "/") for g in got) for n in names)


# Every profile checked once (the slowest vendor answers within the timeout).
deadline = time.time() + 60
while True:
    api_text = get("/api/v1/balances")
    # Amounts as the exact text the API wrote.
    api = json.loads(api_text, parse_float=str, parse_int=str)
    if covered(api) or time.time() > deadline:
        break
    time.sleep(0.2)
if not covered(api):
    fail(f"{len(api)} results for {len(names)} profiles after 60 s")


def chromium(*args):
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-extensions", "--enable-logging=stderr", "--v=0",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", *args, addr + "/"],
        capture_output=True, text=True, timeout=60)


for name, width, height, extra in [
    ("serve-phone", 375, 5200, []),
    ("serve-phone-dark", 375, 5200, ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"]),
    ("serve-desktop", 1280, 1600, []),
]:
    run = chromium(f"--user-data-dir={work}/profile-{name}", f"--window-size={width},{height}",
                   f"--screenshot={shots}/{name}.png")
    if run.returncode != 0:
        fail(f"chromium failed at {name}: {run.stderr[-2000:]}")
    errors = [l for l in run.stderr.splitlines()
              if re.search(r"Uncaught|ERROR:CONSOLE|CONSOLE\(\d+\)|net::ERR_", l)]
    if errors:
        fail(f"console errors at {name}: {errors}")
    if not os.path.getsize(f"{shots}/{name}.png"):
        fail(f"no screenshot at {name}")

dom = chromium(f"--user-data-dir={work}/profile-serve-dom", "--dump-dom").stdout
with open(f"{shots}/serve-dom.html", "w") as f:
    f.write(dom)
if "<h1>Balances</h1>" not in dom:
    fail("the browser did not show the page (its error page instead?)")


class Cards(HTMLParser):
    """Each card: its class, heading text, amount and days left, as parsed."""

    def __init__(self):
        super().__init__()
        self.cards, self.field, self.dt = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "section" and "card" in cls:
            self.cards.append({"class": cls[1], "h2": "", "amount": None, "days": ""})
        elif self.cards and tag == "h2":
            self.field = "h2"
        elif self.cards and tag == "span" and "amount" in cls:
            self.field = "amount"
        elif self.cards and tag == "dd" and self.dt == "Days left":
            self.field = "days"
        elif tag == "dt":
            self.field = "dt"

    def handle_endtag(self, tag):
        if tag in ("h2", "span", "dd", "dt"):
            self.field = None

    def handle_data(self, data):
        if self.field == "dt":
            self.dt = data.strip()
        elif self.field == "h2":
            self.cards[-1]["h2"] += data
        elif self.field == "amount":
            self.cards[-1]["amount"] = data.strip()
        elif self.field == "days":
            self.cards[-1]["days"] += data


parser = Cards()
parser.feed(dom)
cards = {c["h2"].split()[0]: c for c in parser.cards if c["h2"].strip()}
results = {row["profile"] for row in api}
if set(cards) != results:
    fail(f"cards {sorted(cards)} != results {sorted(results)}")
order = [c["class"] for c in parser.cards]
rank = {"error": 0, "low": 1, "ok": 2}
if order != sorted(order, key=lambda c: rank.get(c, 3)):
    fail(f"cards not worst first: {order}")
compared = 0
for row in api:
    card = cards.get(row["profile"])
    if card is None:
        continue
    if card["class"] != row["status"]:
        fail(f"{row['profile']}: card says {card['class']}, the API {row['status']}")
    if card["amount"] != row["balance"]:
        fail(f"{row['profile']}: card shows {card['amount']!r}, the API {row['balance']!r}")
    forecast = row.get("forecast")
    if forecast:
        shown = float(card["days"].split()[0])
        if abs(shown - float(forecast["days_left"])) > 0.051:
            fail(f"{row['profile']}: {shown} days on the card, {forecast['days_left']} in the API")
        compared += 1
    if row["status"] == "error" and "Failing" not in dom.split(f">{row['profile']} ")[1].split("</section>")[0]:
        fail(f"{row['profile']}: failing card does not say so")
if compared == 0:
    fail("no profile had a forecast to compare")
if "healthy" in dom or "bad-credentials" in dom:
    fail("a secret is on the page")

serve.send_signal(signal.SIGTERM)
try:
    code = serve.wait(timeout=20)
    if code != 0:
        fail(f"serve exited {code} on SIGTERM")
except subprocess.TimeoutExpired:
    serve.kill()
    fail("serve still running 20 s after SIGTERM")
sandbox.kill()

if failures:
    sys.exit(1)
print(f"page (serve): {len(cards)} cards match /api/v1/balances (amounts, statuses, "
      f"{compared} forecast); screenshots at 375 and 1280 px")
