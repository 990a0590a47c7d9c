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
  var toc = byId("toc");
  var tocDetails = byId("toc-details");
  var tocButton = byId("toc-button");

  var index = JSON.parse(byId("search-index").textContent);
  var quiz = false;
  var study = null;
  var terms = [];

  function normalize(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  /* The index holds each card's text already normalized (at build time, as normalize()
     does), so opening a page of ten thousand cards costs no pass over their text. A card
     not rendered yet (cards.js) has no element: what it shows is set when it is. */
  var list = cardpressCards(index, {
    prepare: function (made) { made.forEach(prepareCard); },
    rendered: function (made) {
      if (nearWatch) made.forEach(function (card) { nearWatch.observe(card.el); });
      if (terms.length) queueHighlight();
    },
    renderedAll: function () { if (terms.length) highlight(terms); }
  });
  var cards = list.cards;
  var cardOf = function (el) { return list.ofElement(el && el.closest ? el.closest("article.card") : null); };

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
    if (card.el) showOpen(card);
    if (open) queueScrollable();
    if (study && !open) study.hidden(card);
  }

  function showOpen(card) {
    card.el.classList.toggle("is-open", card.open);
    card.toggle.setAttribute("aria-expanded", String(card.open));
    card.toggle.setAttribute("aria-label", card.open ? "Hide the answer" : "Show the answer");
  }

  /* A card just rendered, before it joins the page: as the filters, quiz and study say. */
  function prepareCard(card) {
    if (!card.open) showOpen(card);
    if (!card.visible) card.el.hidden = true;
    if (study) study.show(card);
  }

  var scrollableQueued = false;

  /* Cards near the window: on a page of many cards the browser lays out only those
     (.lazy-cards in style.css), so only those are measured; the others when they come
     near. A smaller page is measured whole. */
  var nearCards = new Set();
  var lazyLayout = byId("main").classList.contains("lazy-cards");
  var nearWatch = lazyLayout && typeof IntersectionObserver === "function"
    ? new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var card = cardOf(entry.target);
        if (!entry.isIntersecting) {
          nearCards.delete(card);
          return;
        }
        nearCards.add(card);
        if (card.open) markScrollable(card.el);
      });
    }, { rootMargin: "100% 0px" })
    : null;

  function queueScrollable() {
    if (scrollableQueued) return;
    scrollableQueued = true;
    window.requestAnimationFrame(function () {
      scrollableQueued = false;
      if (!nearWatch) {
        markScrollable(doc.body);
        return;
      }
      nearCards.forEach(function (card) { markScrollable(card.el); });
    });
  }

  /* Code and tables wider than their card scroll sideways; each that does is made
     focusable, so the keyboard can scroll it too. */
  function markScrollable(within) {
    Array.prototype.forEach.call(within.querySelectorAll(".prose pre, .prose table"), function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
      if (!scrolls && el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
    });
  }

  /* Opens a card the reader asked to see: in quiz mode that is an answer to grade. */
  function reveal(card) {
    setOpen(card, true);
    if (quiz) study.revealed(card);
    updateStatus();
  }

  function visibleCards() {
    return cards.filter(function (card) { return card.visible; });
  }

  function setAllOpen(open) {
    visibleCards().forEach(function (card) { setOpen(card, open); });
    list.layout();
    updateStatus();
  }

  function setQuiz(on) {
    quiz = on;
    root.classList.toggle("quiz", on);
    quizToggle.setAttribute("aria-pressed", String(on));
    cards.forEach(function (card) { setOpen(card, !on); });
    study.quizChanged(on);
    list.layout();
    expandAll.textContent = on ? "Reveal all" : "Expand all";
    collapseAll.textContent = on ? "Hide all" : "Collapse all";
    updateStatus();
    /* The first card on screen takes the focus, so Space reveals it, as in Anki. */
    if (on) focusCard(firstCardInView());
  }

  function focusCard(card) {
    if (!card) return;
    var el = list.ensure(card);
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }

  /* ---- Search and filters ---- */

  function hasTag(card, tag) {
    return card.tags.some(function (t) { return t === tag || t.indexOf(tag + "::") === 0; });
  }

  function searchTerms() {
    return normalize(search.value).split(/\s+/).filter(Boolean);
  }

  /* The last search and filters, to narrow from: one more letter typed can only hide
     cards, so only the cards shown are looked at again. */
  var lastQuery = null;
  var lastKey = null;

  function applyFilters() {
    var query = normalize(search.value);
    terms = query.split(/\s+/).filter(Boolean);
    var tag = tagFilter.value;
    var section = sectionFilter.value;
    var progress = studyFilter.value;
    var key = tag + "\u0000" + section;
    /* Progress changes with time and grades: with that filter, every card is looked at. */
    var narrowing = lastQuery !== null && !progress && key === lastKey &&
      query.indexOf(lastQuery) === 0;
    lastQuery = progress ? null : query;
    lastKey = key;
    var perSection = new Map();
    cards.forEach(function (card) {
      var shown = card.visible || !narrowing;
      card.visible = shown && (!section || card.section === section) &&
        (!tag || hasTag(card, tag)) &&
        (!progress || study.matches(card, progress)) &&
        terms.every(function (term) { return card.text.indexOf(term) !== -1; });
      if (card.visible) perSection.set(card.section, (perSection.get(card.section) || 0) + 1);
    });
    var filtering = terms.length > 0 || tag !== "" || section !== "" || progress !== "";
    var emptied = new Set();
    sections.forEach(function (s) {
      var n = perSection.get(s.key) || 0;
      var empty = filtering && n === 0; /* a section of intro text alone stays */
      if (empty) emptied.add(s.key);
      if (s.el.hidden !== empty) s.el.hidden = empty;
      if (s.count && s.count.textContent !== String(n)) s.count.textContent = String(n);
      if (s.link) s.link.classList.toggle("is-empty", filtering && n === 0);
    });
    /* A hidden section hides its cards: theirs are set when it shows again, so a search
       that empties most sections touches a few hundred elements, not every card. */
    cards.forEach(function (card) {
      if (card.el && card.el.hidden !== !card.visible && !emptied.has(card.section)) {
        card.el.hidden = !card.visible;
      }
    });
    root.classList.toggle("is-filtered", terms.length > 0 || tag !== "" || progress !== "");
    if (intros) fitIntros();
    var none = perSection.size === 0;
    if (noResults.hidden === none) noResults.hidden = !none;
    list.layout();
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

  /* Marks the search terms with the CSS Custom Highlight API, which leaves the DOM alone:
     in the cards rendered, again when more are. */
  function highlight(terms) {
    if (!window.CSS || !CSS.highlights || typeof Highlight !== "function") return;
    CSS.highlights.delete("cardpress-search");
    if (!terms.length) return;
    var ranges = [];
    visibleCards().forEach(function (card) {
      if (!card.el) return;
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

  var highlightQueued = false;
  function queueHighlight() {
    if (highlightQueued) return;
    highlightQueued = true;
    window.requestAnimationFrame(function () {
      highlightQueued = false;
      highlight(terms);
    });
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
    var card = hash ? list.byAnchor(hash) : null;
    if (card && !card.visible) {
      clearFilters();
      replaceHash(hash);
    }
    var target = card ? list.ensure(card) : hash && byId(hash);
    if (!target) return;
    if (target.closest("[hidden]")) {
      clearFilters();
      replaceHash(hash);
    }
    if (card && !quiz && !card.open) setOpen(card, true);
    markTarget(card);
    target.scrollIntoView({ block: "start" });
  }

  /* A card rendered after the address named it is not :target: marked the same way. */
  var marked = null;
  function markTarget(card) {
    if (marked && marked.el) marked.el.classList.remove("is-target");
    marked = card;
    if (card) card.el.classList.add("is-target");
  }

  /* ---- Keyboard ---- */

  function currentCardIndex(shown) {
    var card = cardOf(doc.activeElement);
    return card ? shown.indexOf(card) : -1;
  }

  function stickyOffset() {
    return parseFloat(getComputedStyle(root).getPropertyValue("--sticky-offset")) || 0;
  }

  /* The index of the first card not yet scrolled past, under the bar; -1 if none. The
     cards shown are in the page's order, so their bottoms only grow: a binary search. */
  function firstInViewIndex(shown) {
    var top = stickyOffset() + 1;
    var low = 0;
    var high = shown.length;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (list.box(shown[mid]).bottom > top) high = mid;
      else low = mid + 1;
    }
    return low < shown.length ? low : -1;
  }

  function firstCardInView() {
    var list = visibleCards();
    var at = firstInViewIndex(list);
    return list[at === -1 ? list.length - 1 : at];
  }

  function moveFocus(step) {
    var shown = visibleCards();
    if (!shown.length) return;
    var at = currentCardIndex(shown);
    var next;
    if (at === -1) {
      var first = firstInViewIndex(shown);
      next = first === -1 ? shown.length - 1 : step > 0 ? first : Math.max(first - 1, 0);
    } else {
      next = Math.min(Math.max(at + step, 0), shown.length - 1);
    }
    focusCard(shown[next]);
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
    if (event.key === "Escape" && root.classList.contains("toc-open")) {
      setContentsOpen(false);
      tocButton.focus();
      return;
    }
    if (isTyping(target) || study.handleKey(event)) return;
    var card = target.matches && target.matches("article.card") ? cardOf(target) : null;
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
    if (root.classList.contains("toc-open") && !target.closest("#toc, #toc-button")) {
      setContentsOpen(false);
    }
    var toggle = target.closest(".card-toggle");
    if (toggle) {
      var owner = cardOf(toggle);
      if (owner.open) {
        setOpen(owner, false);
        updateStatus();
      } else {
        reveal(owner);
      }
      return;
    }
    var el = target.closest("article.card");
    if (!el || target.closest("a, button, input, select, summary, label, .type-answer")) return;
    var card = cardOf(el);
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
    focusCard: focusCard,
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
    if (root.classList.contains("toc-open")) placeContents();
    if (!spyQueued) {
      spyQueued = true;
      window.requestAnimationFrame(updateCurrentSection);
    }
  }, { passive: true });

  /* ---- Contents: beside the cards on a wide screen, else a panel opened from the bar ---- */

  function placeContents() {
    root.style.setProperty("--toc-top", Math.max(0, toolbar.getBoundingClientRect().bottom) + 6 + "px");
  }

  function setContentsOpen(open) {
    if (open) {
      tocDetails.open = true;
      placeContents();
    }
    root.classList.toggle("toc-open", open);
    tocButton.setAttribute("aria-expanded", String(open));
  }

  tocButton.addEventListener("click", function () {
    var open = !root.classList.contains("toc-open");
    setContentsOpen(open);
    if (open) {
      var link = toc.querySelector("a[aria-current]") || toc.querySelector("a");
      if (link) link.focus();
    }
  });
  toc.addEventListener("click", function (event) {
    if (event.target.closest("a") && root.classList.contains("toc-open")) setContentsOpen(false);
  });
  /* Focus leaving the panel and its button closes it rather than leaving it over the cards. */
  doc.addEventListener("focusin", function (event) {
    var at = event.target;
    if (root.classList.contains("toc-open") && !toc.contains(at) && at !== tocButton) {
      setContentsOpen(false);
    }
  });

  /* ---- Introductions: long ones show their first lines and a button for the rest ---- */

  var intros = Array.prototype.map.call(doc.querySelectorAll(".intro"), function (el) {
    return { el: el, text: el.querySelector(".intro-text"), button: el.querySelector(".intro-more"), open: false, fitted: false };
  });

  /* Each intro shown is measured once for a width (``again`` after a resize), in passes
     of reads and of writes, so the page is laid out twice, not once an intro. */
  function fitIntros(again) {
    var shown = intros.filter(function (intro) {
      if (again) intro.fitted = false;
      return !intro.open && !intro.fitted && intro.text.offsetParent;
    });
    shown.forEach(function (intro) { intro.el.classList.add("is-clamped"); });
    var clipped = shown.map(function (intro) {
      return intro.text.scrollHeight > intro.text.clientHeight + 1;
    });
    shown.forEach(function (intro, n) {
      intro.fitted = true;
      intro.el.classList.toggle("is-clamped", clipped[n]);
      if (intro.button.hidden !== !clipped[n]) intro.button.hidden = !clipped[n];
    });
  }

  function setIntroOpen(intro, open) {
    intro.open = open;
    intro.el.classList.toggle("is-clamped", !open);
    intro.button.setAttribute("aria-expanded", String(open));
    intro.button.textContent = open ? "Show less" : "Read more";
    if (!open) {
      intro.fitted = false;
      fitIntros();
    }
  }

  intros.forEach(function (intro) {
    intro.button.addEventListener("click", function () { setIntroOpen(intro, !intro.open); });
    /* A link reached by Tab inside the hidden part opens the whole text. */
    intro.text.addEventListener("focusin", function () {
      if (intro.el.classList.contains("is-clamped")) setIntroOpen(intro, true);
    });
  });

  var layoutQueued = false;
  window.addEventListener("resize", function () {
    if (layoutQueued) return;
    layoutQueued = true;
    window.requestAnimationFrame(function () {
      layoutQueued = false;
      fitIntros(true);
      queueScrollable();
      list.layout();
      if (root.classList.contains("toc-open")) placeContents();
    });
  });

  updateThemeToggle();
  fitIntros();
  updateStickyOffset();
  if (nearWatch) {
    list.rendered().forEach(function (card) { nearWatch.observe(card.el); });
    intros.forEach(function (intro) { markScrollable(intro.el); });
  } else {
    markScrollable(doc.body);
  }
  applyFilters();
  if (location.hash) followHash();
})();
