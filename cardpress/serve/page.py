"""What ``cardpress serve`` adds to a page it serves, and only there: a small script that
asks the server after each rebuild whether to reload, and shows the build's problems.

The built file never holds it. The page's own Content-Security-Policy admits the script
by its hash and lets it talk to the server that served it (``connect-src 'self'``).
"""

from __future__ import annotations

import re

from cardpress.renderers.html.assets import csp_hash

STATUS_PATH = "/__cardpress/status"
PROBLEMS_ID = "cardpress-live-problems"

RELOAD_SCRIPT = """(() => {
  "use strict";
  let seen = __BUILD__;  // the build this page was served at
  const show = (status) => {
    let box = document.getElementById("__ID__");
    if (status.ok) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "__ID__";
      box.setAttribute("role", "alert");
      const s = box.style;
      s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.zIndex = "2147483647";
      s.maxHeight = "50vh"; s.overflow = "auto"; s.margin = "0"; s.padding = "0.8rem 1rem";
      s.background = "#3b0d0d"; s.color = "#fff"; s.font = "13px/1.4 monospace";
      s.whiteSpace = "pre-wrap"; s.borderTop = "3px solid #f55";
      document.body.appendChild(box);
    }
    box.textContent = "cardpress: the last build failed; this page shows the build before it.\\n\\n"
      + status.problems.join("\\n");
  };
  const poll = async () => {
    try {
      const response = await fetch("__STATUS__", { cache: "no-store" });
      const status = await response.json();
      if (status.build !== seen && status.ok) {
        location.reload();
        return;
      }
      seen = status.build;
      show(status);
    } catch (error) {
      // The server stopped: the page stays as it is.
    }
    setTimeout(poll, 400);
  };
  poll();
})();
""".replace("__ID__", PROBLEMS_ID).replace("__STATUS__", STATUS_PATH)

_CSP_RE = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(">)')


def with_live_reload(page: str, build: int) -> str:
    """The page as served after build number ``build``: the reload script before
    ``</body>``, admitted by the CSP."""
    code = RELOAD_SCRIPT.replace("__BUILD__", str(build))
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
