/* Reading features of the one-pager: search, filters, quiz mode, keyboard use and themes;
   studying (grades, progress, type-in answers) is in study.js, scheduling in scheduler.js.
   Progressive enhancement: without this script the page shows every answer. */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  var byId = function (id) { return doc.getElementById(id); };

  var search = byId("search");
  var tagFilter = byId("tag-filter");
  var studyFilter = byId("study-filter");
  var sectionFilter = byId("section-filter");
  var quizToggle = byId("quiz-toggle");
  var expandAll = byId("expand-all");
  var collapseAll = byId("collapse-all");
  var statusLine = byId("status");
  var noResults = byId("no-results");
  var toolbar = byId("toolbar");
  var themeToggle = byId("theme-toggle");
  var tocDetails = byId("toc-details");

  var index = JSON.parse(byId("search-index").textContent);
  var quiz = false;
  var study = null;

  function normalize(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var cards = index.cards.map(function (entry) {
    var el = byId(entry.id);
    return {
      el: el,
      id: entry.id.slice("card-".length),
      fp: entry.fp,
      expect: entry.expect,
      section: entry.section,
      tags: entry.tags,
      text: normalize(entry.text),
      toggle: el.querySelector(".card-toggle"),
      open: true
    };
  });
  var cardOf = new Map(cards.map(function (card) { return [card.el, card]; }));

  var sections = Array.prototype.map.call(doc.querySelectorAll("section.section"), function (el) {
    var link = doc.querySelector('.toc a[data-section="' + el.getAttribute("data-section") + '"]');
    return {
      el: el,
      key: el.getAttribute("data-section"),
      link: link,
      count: link && link.querySelector(".toc-n")
    };
  });

  /* ---- Showing and hiding answers ---- */

  function setOpen(card, open) {
    card.open = open;
    card.el.classList.toggle("is-open", open);
    card.toggle.setAttribute("aria-expanded", String(open));
    card.toggle.setAttribute("aria-label", open ? "Hide the answer" : "Show the answer");
    if (study && !open) study.hidden(card);
  }

  /* Opens a card the reader asked to see: in quiz mode that is an answer to grade. */
  function reveal(card) {
    setOpen(card, true);
    if (quiz) study.revealed(card);
    updateStatus();
  }

  function visibleCards() {
    return cards.filter(function (card) { return !card.el.hidden; });
  }

  function setAllOpen(open) {
    visibleCards().forEach(function (card) { setOpen(card, open); });
    updateStatus();
  }

  function setQuiz(on) {
    quiz = on;
    root.classList.toggle("quiz", on);
    quizToggle.setAttribute("aria-pressed", String(on));
    cards.forEach(function (card) { setOpen(card, !on); });
    study.quizChanged(on);
    expandAll.textContent = on ? "Reveal all" : "Expand all";
    collapseAll.textContent = on ? "Hide all" : "Collapse all";
    updateStatus();
  }

  /* ---- Search and filters ---- */

  function hasTag(card, tag) {
    return card.tags.some(function (t) { return t === tag || t.indexOf(tag + "::") === 0; });
  }

  function searchTerms() {
    return normalize(search.value).split(/\s+/).filter(Boolean);
  }

  function applyFilters() {
    var terms = searchTerms();
    var tag = tagFilter.value;
    var section = sectionFilter.value;
    var progress = studyFilter.value;
    var perSection = new Map();
    cards.forEach(function (card) {
      var shown = (!section || card.section === section) &&
        (!tag || hasTag(card, tag)) &&
        (!progress || study.matches(card, progress)) &&
        terms.every(function (term) { return card.text.indexOf(term) !== -1; });
      card.el.hidden = !shown;
      if (shown) perSection.set(card.section, (perSection.get(card.section) || 0) + 1);
    });
    var filtering = terms.length > 0 || tag !== "" || section !== "" || progress !== "";
    sections.forEach(function (s) {
      var n = perSection.get(s.key) || 0;
      s.el.hidden = filtering && n === 0; /* a section of intro text alone stays */
      if (s.count) s.count.textContent = String(n);
      if (s.link) s.link.classList.toggle("is-empty", filtering && n === 0);
    });
    root.classList.toggle("is-filtered", terms.length > 0 || tag !== "" || progress !== "");
    noResults.hidden = visibleCards().length > 0;
    study.filtered();
    highlight(terms);
    updateStatus();
    updateCurrentSection();
  }

  function clearFilters() {
    search.value = "";
    tagFilter.value = "";
    sectionFilter.value = "";
    studyFilter.value = "";
    replaceHash("");
    applyFilters();
  }

  function updateStatus() {
    var shown = visibleCards();
    var text = shown.length === cards.length
      ? cards.length + (cards.length === 1 ? " card" : " cards")
      : "Showing " + shown.length + " of " + cards.length + " cards";
    if (quiz) {
      var revealed = shown.filter(function (card) { return card.open; }).length;
      text += " · " + revealed + " revealed";
    }
    if (statusLine.textContent !== text) statusLine.textContent = text;
  }

  /* Marks the search terms with the CSS Custom Highlight API, which leaves the DOM alone. */
  function highlight(terms) {
    if (!window.CSS || !CSS.highlights || typeof Highlight !== "function") return;
    CSS.highlights.delete("cardpress-search");
    if (!terms.length) return;
    var ranges = [];
    visibleCards().forEach(function (card) {
      var walker = doc.createTreeWalker(card.el, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node && ranges.length < 2000; node = walker.nextNode()) {
        var text = node.data.toLowerCase();
        if (text.length !== node.data.length) continue;
        terms.forEach(function (term) {
          for (var at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + term.length)) {
            var range = new Range();
            range.setStart(node, at);
            range.setEnd(node, at + term.length);
            ranges.push(range);
          }
        });
      }
    });
    CSS.highlights.set("cardpress-search", new Highlight(...ranges));
  }

  function selectValue(select, value) {
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    if (known) select.value = value;
    return known;
  }

  function replaceHash(hash) {
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (error) {
      /* Some browsers refuse history changes on file:// pages; the filter still applies. */
    }
  }

  function onFilterChange(select, name) {
    replaceHash(select.value ? name + "=" + encodeURIComponent(select.value) : "");
    applyFilters();
  }

  /* #tag=x and #section=x filter the list; any other fragment is a card or section anchor. */
  function followHash() {
    var hash;
    try {
      hash = decodeURIComponent(location.hash.slice(1));
    } catch (error) {
      return;
    }
    var match = /^(tag|section|study)=(.*)$/.exec(hash);
    if (match) {
      var select = { tag: tagFilter, section: sectionFilter, study: studyFilter }[match[1]];
      if (selectValue(select, match[2])) {
        applyFilters();
        toolbar.scrollIntoView({ block: "start" });
      }
      return;
    }
    var target = hash && byId(hash);
    if (!target) return;
    if (target.closest("[hidden]")) {
      clearFilters();
      replaceHash(hash);
    }
    var card = cardOf.get(target);
    if (card && !quiz && !card.open) setOpen(card, true);
    target.scrollIntoView({ block: "start" });
  }

  /* ---- Keyboard ---- */

  function currentCardIndex(list) {
    var active = doc.activeElement;
    var el = active && active.closest ? active.closest(".card") : null;
    if (el) return list.findIndex(function (card) { return card.el === el; });
    return -1;
  }

  function stickyOffset() {
    return parseFloat(getComputedStyle(root).getPropertyValue("--sticky-offset")) || 0;
  }

  function moveFocus(step) {
    var list = visibleCards();
    if (!list.length) return;
    var at = currentCardIndex(list);
    var next;
    if (at === -1) {
      var top = stickyOffset();
      var first = list.findIndex(function (card) {
        return card.el.getBoundingClientRect().bottom > top + 1;
      });
      next = first === -1 ? list.length - 1 : step > 0 ? first : Math.max(first - 1, 0);
    } else {
      next = Math.min(Math.max(at + step, 0), list.length - 1);
    }
    list[next].el.focus({ preventScroll: true });
    list[next].el.scrollIntoView({ block: "nearest" });
  }

  function isTyping(target) {
    return target.closest && target.closest("input, select, textarea, [contenteditable]");
  }

  doc.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target === search && event.key === "Escape") {
      if (search.value) {
        search.value = "";
        applyFilters();
      } else {
        search.blur();
      }
      return;
    }
    if (isTyping(target) || study.handleKey(event)) return;
    var card = cardOf.get(target);
    if (card && (event.key === " " || event.key === "Enter")) {
      event.preventDefault();
      if (card.open) {
        setOpen(card, false);
        updateStatus();
      } else if (!study.focusTyping(card)) {
        reveal(card);
      }
    } else if (event.key === "/") {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      moveFocus(event.key === "j" ? 1 : -1);
    } else if (event.key === "q") {
      event.preventDefault();
      setQuiz(!quiz);
    }
  });

  /* ---- Clicks ---- */

  doc.addEventListener("click", function (event) {
    var target = event.target;
    var toggle = target.closest(".card-toggle");
    if (toggle) {
      var owner = cardOf.get(toggle.closest(".card"));
      if (owner.open) {
        setOpen(owner, false);
        updateStatus();
      } else {
        reveal(owner);
      }
      return;
    }
    var el = target.closest(".card");
    if (!el || target.closest("a, button, input, select, summary, label, .type-answer")) return;
    var card = cardOf.get(el);
    var selection = window.getSelection();
    if (card && !card.open && !(selection && String(selection).length)) reveal(card);
  });

  search.addEventListener("input", applyFilters);
  tagFilter.addEventListener("change", function () { onFilterChange(tagFilter, "tag"); });
  sectionFilter.addEventListener("change", function () { onFilterChange(sectionFilter, "section"); });
  studyFilter.addEventListener("change", function () { onFilterChange(studyFilter, "study"); });
  quizToggle.addEventListener("click", function () { setQuiz(!quiz); });
  expandAll.addEventListener("click", function () { setAllOpen(true); });
  collapseAll.addEventListener("click", function () { setAllOpen(false); });
  byId("clear-filters").addEventListener("click", function () {
    clearFilters();
    search.focus();
  });
  window.addEventListener("hashchange", followHash);

  /* ---- Studying: grades, progress, type-in answers (study.js) ---- */

  study = cardpressStudy({
    deck: index.deck,
    cards: cards,
    isQuiz: function () { return quiz; },
    setOpen: function (card, open) {
      setOpen(card, open);
      updateStatus();
    },
    applyFilters: applyFilters,
    focusCard: function (card) {
      card.el.focus({ preventScroll: true });
      card.el.scrollIntoView({ block: "nearest" });
    },
    focusMain: function () { byId("main").focus(); }
  });

  /* ---- Theme: follows the system until the reader picks the other one ---- */

  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");

  function effectiveTheme() {
    return root.getAttribute("data-theme") || (systemDark.matches ? "dark" : "light");
  }

  function updateThemeToggle() {
    var dark = effectiveTheme() === "dark";
    themeToggle.setAttribute("aria-pressed", String(dark));
  }

  themeToggle.addEventListener("click", function () {
    var next = effectiveTheme() === "dark" ? "light" : "dark";
    var system = systemDark.matches ? "dark" : "light";
    try {
      if (next === system) {
        root.removeAttribute("data-theme");
        localStorage.removeItem("cardpress-theme");
      } else {
        root.setAttribute("data-theme", next);
        localStorage.setItem("cardpress-theme", next);
      }
    } catch (error) {
      root.setAttribute("data-theme", next);
    }
    updateThemeToggle();
  });
  systemDark.addEventListener("change", updateThemeToggle);

  /* ---- Layout helpers ---- */

  function updateStickyOffset() {
    var sticky = getComputedStyle(toolbar).position === "sticky";
    root.style.setProperty("--sticky-offset", (sticky ? toolbar.offsetHeight : 0) + "px");
  }
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(updateStickyOffset).observe(toolbar);
  }
  window.addEventListener("resize", updateStickyOffset);

  /* Marks the contents entry of the section being read: the last one whose top has
     passed a line a third of the way down the window. */
  var current = null;
  var spyQueued = false;

  function updateCurrentSection() {
    spyQueued = false;
    var line = stickyOffset() + window.innerHeight / 3;
    var found = null;
    sections.forEach(function (s) {
      if (!s.el.hidden && s.el.getBoundingClientRect().top <= line) found = s;
    });
    if (found === current) return;
    if (current && current.link) current.link.removeAttribute("aria-current");
    current = found;
    if (current && current.link) current.link.setAttribute("aria-current", "location");
  }

  window.addEventListener("scroll", function () {
    if (!spyQueued) {
      spyQueued = true;
      window.requestAnimationFrame(updateCurrentSection);
    }
  }, { passive: true });

  if (tocDetails && window.matchMedia("(max-width: 63.99rem)").matches) {
    tocDetails.open = false;
  }

  updateThemeToggle();
  updateStickyOffset();
  if (location.hash) followHash();
  applyFilters();
})();
