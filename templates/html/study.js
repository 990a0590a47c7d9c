/* Studying from the page: answers graded Again, Hard, Good or Easy; each card's state kept
   in localStorage under the deck's key and the card's id; a Due today filter; a summary
   at the end of a session; progress moved between browsers as a JSON file; type-in
   answers compared with the expected text. Called by app.js with what it needs. */
function cardpressStudy(page) {
  "use strict";

  var sched = cardpressScheduler;
  var doc = document;
  var byId = function (id) { return doc.getElementById(id); };
  var FORMAT = "cardpress-progress";
  var VERSION = 1;
  var KEY = "cardpress-progress:" + page.deck;
  var QUEUES = ["learn", "review", "relearn"];
  var GRADE_NAMES = ["Again", "Hard", "Good", "Easy"];
  var CARD_ID = /^[a-z0-9][a-z0-9._-]{0,99}$/; /* as the format allows (docs/format.md) */
  var MAX_COMPARE = 250000; /* characters typed x expected beyond which no diff is sought */

  var cards = page.cards;
  var cardById = new Map(cards.map(function (card) { return [card.id, card]; }));
  var gradeBar = byId("grade-bar");
  var gradeButtons = Array.prototype.slice.call(gradeBar.querySelectorAll("[data-grade]"));
  var studyFilter = byId("study-filter");
  var storageNote = byId("storage-note");
  var progressMessage = byId("progress-message");
  var importFile = byId("import-file");
  var summary = byId("session-summary");
  var summaryList = byId("summary-list");

  var storage = openStorage();
  var storedText = null; /* what this tab last read or wrote under KEY */
  var states = storage ? loadStored() : {};
  var active = null;
  var session = null;

  function now() {
    return Date.now();
  }

  /* ---- Storage: one entry per deck, the same document as an exported file ---- */

  function openStorage() {
    try {
      var store = window.localStorage;
      store.setItem(KEY + ":probe", "1");
      store.removeItem(KEY + ":probe");
      return store;
    } catch (error) {
      return null;
    }
  }

  function loadStored() {
    var text = null;
    try {
      text = storage.getItem(KEY);
    } catch (error) {
      return {};
    }
    storedText = text;
    if (!text) return {};
    try {
      return readProgress(JSON.parse(text), true).cards;
    } catch (error) {
      return {}; /* unreadable: start afresh rather than break the page */
    }
  }

  function progressDocument() {
    var ids = Object.keys(states).sort();
    var out = {};
    ids.forEach(function (id) { out[id] = states[id]; });
    return { format: FORMAT, version: VERSION, deck: page.deck, cards: out };
  }

  function save() {
    if (!storage) return;
    try {
      if (Object.keys(states).length) {
        var text = JSON.stringify(progressDocument());
        storage.setItem(KEY, text);
        storedText = text;
      } else {
        storage.removeItem(KEY);
        storedText = null;
      }
    } catch (error) {
      showMessage("Progress could not be saved: the browser's storage for this page is full or blocked.");
    }
  }

  /* ---- Reading progress, from storage or from a file someone hands us ---- */

  function isInt(value, low, high) {
    return typeof value === "number" && Math.floor(value) === value && value >= low && value <= high;
  }

  function isTime(value) {
    return typeof value === "number" && isFinite(value) && value >= 0 && value < 1e14;
  }

  /* Why a stored card state cannot be used, or "" when it can. */
  function stateProblem(raw) {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return "not a card state";
    if (QUEUES.indexOf(raw.queue) === -1) return "unknown queue";
    if (!isInt(raw.step, 0, 99)) return "bad step";
    if (!isInt(raw.ivl, 0, sched.OPTIONS.maximumInterval)) return "bad interval";
    if (typeof raw.ease !== "number" || !(raw.ease >= sched.OPTIONS.minimumEase && raw.ease <= 10)) return "bad ease";
    if (!isTime(raw.due) || !isTime(raw.last)) return "bad date";
    if (!isInt(raw.lapses, 0, 1e6) || !isInt(raw.reps, 1, 1e7)) return "bad count";
    if (typeof raw.fp !== "string" || !/^[0-9a-f]{1,64}$/.test(raw.fp)) return "bad fingerprint";
    return "";
  }

  function cleanState(raw) {
    return {
      queue: raw.queue, step: raw.step, ivl: raw.ivl, ease: raw.ease, due: raw.due,
      lapses: raw.lapses, reps: raw.reps, last: raw.last, fp: raw.fp
    };
  }

  /* The usable card states of a progress document, what was skipped and why, or an
     error when the document as a whole is not this deck's progress. Stored progress
     keeps cards this page does not have (they may come back); an import skips them. */
  function readProgress(data, keepUnknown) {
    var result = { cards: {}, skipped: [], error: "" };
    if (!data || typeof data !== "object" || Array.isArray(data) || data.format !== FORMAT) {
      result.error = "This is not a cardpress progress file.";
    } else if (typeof data.version !== "number") {
      result.error = "This progress file has no version number.";
    } else if (data.version !== VERSION) {
      result.error = "This progress file has version " + String(data.version) +
        "; this page reads version " + VERSION + ".";
    } else if (typeof data.deck !== "string") {
      result.error = "This progress file names no deck.";
    } else if (data.deck !== page.deck) {
      result.error = "This file holds progress for the deck \u201c" + data.deck.slice(0, 100) +
        "\u201d, not for \u201c" + page.deck + "\u201d.";
    } else if (!data.cards || typeof data.cards !== "object" || Array.isArray(data.cards)) {
      result.error = "This progress file has no cards.";
    }
    if (result.error) return result;
    Object.keys(data.cards).forEach(function (id) {
      var problem = CARD_ID.test(id) ? stateProblem(data.cards[id]) : "not a card id";
      if (!problem && !keepUnknown && !cardById.has(id)) problem = "not in this deck";
      if (problem) {
        result.skipped.push(id.slice(0, 100) + " (" + problem + ")");
      } else {
        result.cards[id] = cleanState(data.cards[id]);
      }
    });
    return result;
  }

  /* ---- What the page shows about each card ---- */

  function stateOf(card) {
    return Object.prototype.hasOwnProperty.call(states, card.id) ? states[card.id] : null;
  }

  function isChanged(card) {
    var state = stateOf(card);
    return Boolean(state && state.fp !== card.fp);
  }

  function matches(card, filter) {
    var state = stateOf(card);
    if (filter === "due") return Boolean(state && sched.isDue(state, now()));
    if (filter === "new") return !state;
    if (filter === "changed") return isChanged(card);
    return true;
  }

  function dueText(state) {
    var wait = state.due - now();
    if (sched.isDue(state, now())) {
      return wait > 0 ? "Due today, in " + sched.describe(wait) : "Due";
    }
    return "Next review in " + sched.describe(wait);
  }

  /* The line under a card's question: changed or not, and when it is due. Written only
     when it differs, since it is refreshed for every card every minute; a card not
     rendered yet gets it when it is (app.js). */
  function showCardStatus(card) {
    if (!card.el) return;
    var state = stateOf(card);
    var line = card.el.querySelector(".card-study");
    if (!state) {
      if (line) line.remove();
      card.shown = "";
      return;
    }
    var changed = isChanged(card);
    var due = sched.isDue(state, now());
    var text = dueText(state);
    var key = (changed ? "changed|" : "|") + due + "|" + text;
    if (line && card.shown === key) return;
    if (!line) {
      line = doc.createElement("p");
      line.className = "card-study";
      card.el.querySelector(".card-head").after(line);
    }
    card.shown = key;
    line.textContent = "";
    if (changed) {
      var mark = doc.createElement("span");
      mark.className = "card-changed";
      mark.textContent = "Changed since you last saw it";
      line.append(mark, " ");
    }
    var when = doc.createElement("span");
    when.className = due ? "card-due is-due" : "card-due";
    when.textContent = text;
    line.append(when);
  }

  function counts() {
    var result = { due: 0, fresh: 0, changed: 0 };
    cards.forEach(function (card) {
      var state = stateOf(card);
      if (!state) result.fresh += 1;
      else if (sched.isDue(state, now())) result.due += 1;
      if (isChanged(card)) result.changed += 1;
    });
    return result;
  }

  function updateCounts() {
    var n = counts();
    var labels = { due: "Due today (" + n.due + ")", "new": "New (" + n.fresh + ")", changed: "Changed (" + n.changed + ")" };
    Array.prototype.forEach.call(studyFilter.options, function (option) {
      if (labels[option.value] && option.textContent !== labels[option.value]) option.textContent = labels[option.value];
    });
    byId("due-count").textContent = String(n.due);
  }

  function refreshAll() {
    cards.forEach(showCardStatus);
    updateCounts();
  }

  /* ---- Grading ---- */

  function reveal(card) {
    if (!page.isQuiz()) return;
    active = card;
    var state = stateOf(card) || sched.newState();
    var waits = sched.preview(state, now());
    /* The button's name is its visible text ("Again <1m"), so speech and voice control
       use the words on the screen. */
    gradeButtons.forEach(function (button, i) {
      button.querySelector(".grade-ivl").textContent = sched.buttonLabel(waits[i]);
    });
    byId("grade-question").textContent = card.el.querySelector(".card-question").textContent.trim();
    gradeBar.hidden = false;
  }

  function hidden(card) {
    if (active === card) {
      active = null;
      gradeBar.hidden = true;
    }
    resetTyped(card);
  }

  function grade(value) {
    var card = active;
    if (!card) return;
    var time = now();
    var next = sched.answer(stateOf(card) || sched.newState(), value, time);
    next.fp = card.fp;
    states[card.id] = next;
    save();
    if (!session) session = { answers: 0, cards: new Set(), grades: [0, 0, 0, 0] };
    session.answers += 1;
    session.cards.add(card.id);
    session.grades[value - 1] += 1;
    summary.hidden = true;
    page.setOpen(card, false);
    hidden(card);
    refreshAll();
    byId("study-announce").textContent = GRADE_NAMES[value - 1] + ". " + dueText(next) + ".";
    if (studyFilter.value) page.applyFilters();
    var at = cards.indexOf(card);
    var following = cards.slice(at + 1).find(function (c) { return c.visible && !c.open; });
    if (following) {
      page.focusCard(following);
    } else {
      endSession();
    }
  }

  function endSession() {
    if (!session) return;
    var n = counts();
    var soonest = null;
    Object.keys(states).forEach(function (id) {
      if (cardById.has(id) && (soonest === null || states[id].due < soonest)) soonest = states[id].due;
    });
    var rows = [
      ["Reviewed", session.cards.size + (session.cards.size === 1 ? " card, " : " cards, ") +
        session.answers + (session.answers === 1 ? " answer" : " answers")],
      ["Again", String(session.grades[0])],
      ["Hard, Good, Easy", session.grades.slice(1).join(", ")],
      ["Still due today", String(n.due)],
      ["Next due", soonest === null ? "nothing scheduled"
        : soonest <= now() ? "now" : "in " + sched.describe(soonest - now())]
    ];
    summaryList.textContent = "";
    rows.forEach(function (row) {
      var term = doc.createElement("dt");
      var value = doc.createElement("dd");
      term.textContent = row[0];
      value.textContent = row[1];
      summaryList.append(term, value);
    });
    session = null;
    summary.hidden = false;
    summary.focus();
  }

  /* ---- Type-in answers ---- */

  function normalizeTyped(text) {
    return text.normalize("NFC").replace(/\s+/g, " ").trim();
  }

  /* Which characters of each text belong to their longest common subsequence. */
  function commonMarks(a, b) {
    var n = a.length;
    var m = b.length;
    var inA = new Array(n).fill(false);
    var inB = new Array(m).fill(false);
    if (!n || !m || n * m > MAX_COMPARE) return [inA, inB];
    var table = new Uint16Array((n + 1) * (m + 1));
    for (var i = n - 1; i >= 0; i--) {
      for (var j = m - 1; j >= 0; j--) {
        table[i * (m + 1) + j] = a[i] === b[j]
          ? table[(i + 1) * (m + 1) + j + 1] + 1
          : Math.max(table[(i + 1) * (m + 1) + j], table[i * (m + 1) + j + 1]);
      }
    }
    for (var x = 0, y = 0; x < n && y < m;) {
      if (a[x] === b[y]) {
        inA[x++] = true;
        inB[y++] = true;
      } else if (table[(x + 1) * (m + 1) + y] >= table[x * (m + 1) + y + 1]) {
        x++;
      } else {
        y++;
      }
    }
    return [inA, inB];
  }

  /* A line of runs: characters in common get ``good``, the others ``other``. */
  function diffLine(chars, marks, other) {
    var line = doc.createElement("span");
    line.className = "type-line";
    var run = "";
    var runClass = "";
    function flush() {
      if (!run) return;
      var span = doc.createElement("span");
      span.className = runClass;
      span.textContent = run;
      line.append(span);
      run = "";
    }
    chars.forEach(function (ch, i) {
      var cls = marks[i] ? "type-good" : other;
      if (cls !== runClass) flush();
      runClass = cls;
      run += ch;
    });
    flush();
    return line;
  }

  function check(card) {
    var zone = card.el.querySelector(".type-answer");
    var input = zone.querySelector(".type-input");
    var result = card.el.querySelector(".type-result");
    var typed = Array.from(normalizeTyped(input.value));
    var expected = Array.from(normalizeTyped(card.expect));
    var marks = commonMarks(typed, expected);
    var same = typed.join("") === expected.join("");
    var code = doc.createElement("code");
    code.className = "type-compare";
    if (typed.length) code.append(diffLine(typed, marks[0], "type-bad"));
    if (!same) {
      if (typed.length) {
        var arrow = doc.createElement("span");
        arrow.className = "type-arrow";
        arrow.setAttribute("aria-label", "expected");
        arrow.textContent = "\u2193";
        code.append(arrow);
      }
      code.append(diffLine(expected, marks[1], "type-missed"));
    }
    var verdict = doc.createElement("p");
    verdict.className = same ? "type-verdict is-right" : "type-verdict";
    verdict.textContent = same ? "Correct" : typed.length ? "Not quite: the differences are marked" : "Nothing typed: the expected answer";
    result.textContent = "";
    result.append(verdict, code);
    result.hidden = false;
    input.readOnly = true;
    page.setOpen(card, true);
    reveal(card);
    card.el.focus({ preventScroll: true });
  }

  function resetTyped(card) {
    if (card.expect === undefined || !card.el) return;
    var input = card.el.querySelector(".type-input");
    var result = card.el.querySelector(".type-result");
    input.value = "";
    input.readOnly = false;
    result.hidden = true;
    result.textContent = "";
  }

  /* Space or Enter on a closed type-in card in quiz mode goes to its field. */
  function focusTyping(card) {
    if (card.expect === undefined || card.open || !page.isQuiz()) return false;
    card.el.querySelector(".type-input").focus();
    return true;
  }

  /* ---- Moving progress: export, import, reset ---- */

  function showMessage(text) {
    progressMessage.textContent = text;
    progressMessage.hidden = !text;
  }

  function exportProgress() {
    var data = progressDocument();
    data.exported = new Date(now()).toISOString();
    var blob = new Blob([JSON.stringify(data, null, 1) + "\n"], { type: "application/json" });
    var link = doc.createElement("a");
    var url = URL.createObjectURL(blob);
    link.href = url;
    link.download = page.deck + "-progress.json";
    doc.body.append(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    var n = Object.keys(data.cards).length;
    showMessage("Exported the progress of " + n + (n === 1 ? " card." : " cards."));
  }

  function importText(text) {
    var data;
    try {
      data = JSON.parse(text);
    } catch (error) {
      showMessage("Not imported: the file is not JSON. Nothing was changed.");
      return;
    }
    var read;
    try {
      read = readProgress(data, false);
    } catch (error) { /* a shape no check above foresaw: refused all the same */
      read = { error: "This progress file cannot be read." };
    }
    if (read.error) {
      showMessage("Not imported: " + read.error + " Nothing was changed.");
      return;
    }
    var taken = 0;
    var kept = 0;
    Object.keys(read.cards).forEach(function (id) {
      var mine = states[id];
      if (mine && mine.last > read.cards[id].last) {
        kept += 1;
      } else {
        states[id] = read.cards[id];
        taken += 1;
      }
    });
    save();
    refreshAll();
    page.applyFilters();
    var report = "Imported the progress of " + taken + (taken === 1 ? " card." : " cards.");
    if (kept) report += " Kept " + kept + " reviewed more recently here.";
    if (read.skipped.length) report += " Skipped " + read.skipped.length + ": " + read.skipped.join(", ") + ".";
    showMessage(report);
  }

  function resetProgress() {
    var n = Object.keys(states).length;
    if (!n) {
      showMessage("There is no progress to reset.");
      return;
    }
    if (!window.confirm("Erase the progress of " + n + (n === 1 ? " card" : " cards") +
        " in this browser? Export it first to keep a copy.")) return;
    states = {};
    session = null;
    save();
    refreshAll();
    page.applyFilters();
    showMessage("Progress reset: every card is new again.");
  }

  /* ---- Events ---- */

  gradeButtons.forEach(function (button) {
    button.addEventListener("click", function () { grade(Number(button.getAttribute("data-grade"))); });
  });
  byId("summary-close").addEventListener("click", function () {
    summary.hidden = true;
    page.focusMain();
  });
  byId("export-progress").addEventListener("click", exportProgress);
  byId("import-progress").addEventListener("click", function () { importFile.click(); });
  importFile.addEventListener("change", function () {
    var file = importFile.files && importFile.files[0];
    importFile.value = "";
    if (!file) return;
    if (file.size > 5e6) {
      showMessage("Not imported: the file is too large for a progress file. Nothing was changed.");
      return;
    }
    file.text().then(importText, function () {
      showMessage("Not imported: the file could not be read. Nothing was changed.");
    });
  });
  byId("reset-progress").addEventListener("click", resetProgress);

  doc.addEventListener("click", function (event) {
    var button = event.target.closest(".type-check");
    if (button) check(cardById.get(button.getAttribute("data-card")));
  });
  doc.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("type-input")) return;
    var card = cardById.get(target.getAttribute("data-card"));
    if (event.key === "Enter" && !target.readOnly) {
      event.preventDefault();
      check(card);
    } else if (event.key === "Escape") {
      event.preventDefault();
      card.el.focus();
    }
  });

  /* Keys 1 to 4 grade the answer shown in quiz mode. */
  function handleKey(event) {
    if (!active || !page.isQuiz() || !/^[1-4]$/.test(event.key)) return false;
    event.preventDefault();
    grade(Number(event.key));
    return true;
  }

  /* The answer being graded was filtered out of the list: it is hidden again, ungraded. */
  function filtered() {
    if (active && !active.visible) page.setOpen(active, false);
  }

  function quizChanged(on) {
    if (!on) {
      if (active) hidden(active);
      endSession();
    }
    cards.forEach(function (card) { if (!on) resetTyped(card); });
  }

  /* The same deck open in another tab or window: take its answers as they are saved, and
     look again when this tab comes back into view, since a tab the browser froze in the
     background or kept in its back-forward cache hears no storage events. */
  function takeStored() {
    var text;
    try {
      text = storage.getItem(KEY);
    } catch (error) {
      return;
    }
    if (text === storedText) return;
    states = loadStored();
    refreshAll();
    page.applyFilters();
  }
  window.addEventListener("storage", function (event) {
    if (storage && event.key === KEY) takeStored();
  });
  doc.addEventListener("visibilitychange", function () {
    if (storage && !doc.hidden) takeStored();
  });
  window.addEventListener("pageshow", function (event) {
    if (storage && event.persisted) takeStored();
  });

  if (!storage) storageNote.hidden = false;
  refreshAll();
  /* Cards fall due while the page stays open: keep what it says about them current. */
  setInterval(refreshAll, sched.MINUTE);

  return {
    matches: matches,
    show: showCardStatus,
    revealed: reveal,
    hidden: hidden,
    handleKey: handleKey,
    focusTyping: focusTyping,
    quizChanged: quizChanged,
    filtered: filtered
  };
}
