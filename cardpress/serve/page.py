"""What ``cardpress serve`` adds to a page it serves, and only there: a small script that
asks the server for its status, held until something changes (so a page reloads as soon
as its rebuild is written), shows the build's problems, and announces the outputs made
after the page (the deck, the printouts) as each is ready.

The built file never holds it. The page's own Content-Security-Policy admits the script
by its hash and lets it talk to the server that served it (``connect-src 'self'``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from cardpress.renderers.html.assets import csp_hash

STATUS_PATH = "/__cardpress/status"
PROBLEMS_ID = "cardpress-live-problems"
NOTICE_ID = "cardpress-live-ready"  # announces the outputs made after the page

RELOAD_SCRIPT = """(() => {
  "use strict";
  const seen = __BUILD__;  // the build this page was served at
  let version = -1;  // the status version last heard; the server holds the next request
  let round = __ROUND__;  // the round of builds the page was served in
  let announced = __READY__;  // the outputs made after the page, ready when it was served
  const box = (id, role, colour, edge) => {
    let element = document.getElementById(id);
    if (!element) {
      element = document.createElement("div");
      element.id = id;
      element.setAttribute("role", role);
      const s = element.style;
      s.position = "fixed"; s.left = "0"; s.right = "0"; s[edge] = "0"; s.zIndex = "2147483647";
      s.maxHeight = "50vh"; s.overflow = "auto"; s.margin = "0"; s.padding = "0.8rem 1rem";
      s.background = colour; s.color = "#fff"; s.font = "13px/1.4 monospace";
      s.whiteSpace = "pre-wrap"; s.border = "0 solid #f55";
      s[edge === "top" ? "borderBottomWidth" : "borderTopWidth"] = "3px";
      document.body.appendChild(element);
    }
    return element;
  };
  const show = (status) => {
    const problems = document.getElementById("__ID__");
    if (status.ok) {
      if (problems) problems.remove();
    } else {
      box("__ID__", "alert", "#3b0d0d", "bottom").textContent =
        "cardpress: the last build failed; this page shows the build before it.\\n\\n"
        + status.problems.join("\\n");
    }
    const later = status.printouts;
    if (!status.ok || later.build !== seen) return;
    if (later.round !== round) {  // a newer round that left this page as it is
      round = later.round;
      announced = [];
    }
    const fresh = later.ready.filter((name) => !announced.includes(name));
    if (!fresh.length && !later.problems.length) return;
    announced = later.ready.slice();
    const failed = later.problems.length > 0;
    const notice = box("__NOTICE__", "status", failed ? "#3b0d0d" : "#0d3b1a", "top");
    notice.textContent = failed
      ? "cardpress: an output besides this page failed:\\n\\n" + later.problems.join("\\n")
      : "cardpress: ready: " + fresh.join(", ") + (later.busy ? " (more to come)" : "");
  };
  const poll = async () => {
    let wait = 0;
    try {
      const response = await fetch("__STATUS__?after=" + version, { cache: "no-store" });
      const status = await response.json();
      if (status.build !== seen && status.ok) {
        location.reload();
        return;
      }
      version = status.version;
      show(status);
    } catch (error) {
      wait = 1000;  // the server stopped, or is busy: the page stays as it is
    }
    setTimeout(poll, wait);
  };
  poll();
})();
""".replace("__ID__", PROBLEMS_ID)
RELOAD_SCRIPT = RELOAD_SCRIPT.replace("__STATUS__", STATUS_PATH).replace("__NOTICE__", NOTICE_ID)

_CSP_RE = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(">)')


def with_live_reload(page: str, build: int, ready: Sequence[str] = (), round_: int = 0) -> str:
    """The page as served after build number ``build`` (in round ``round_``), when the
    outputs ``ready`` of it were made: the reload script before ``</body>``, admitted by
    the CSP."""
    made = json.dumps(list(ready)).replace("<", "\\u003c")
    code = RELOAD_SCRIPT.replace("__BUILD__", str(build)).replace("__READY__", made)
    code = code.replace("__ROUND__", str(round_))
    script = f"<script>{code}</script>\n"
    allowed = csp_hash(code)

    def widen(match: re.Match[str]) -> str:
        policy = match.group(2)
        if "script-src" in policy:
            policy = policy.replace("script-src", f"script-src {allowed}", 1)
        else:
            policy += f"; script-src {allowed}"
        return f"{match.group(1)}{policy}; connect-src 'self'{match.group(3)}"

    page = _CSP_RE.sub(widen, page, count=1)
    at = page.rfind("</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]
