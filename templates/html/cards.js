/* The cards of the page, from the index, and their elements. A small deck's page has every
   card in the document. A big deck's page holds its cards in chunks, each the markup of a
   run of cards inside a noscript element: without JavaScript that markup is the page;
   with it, the browser keeps it as text, so opening the page builds no element for a
   card. This script renders a chunk when it comes near the window, or when a card in it
   is wanted (a link, a key, a grade), and every chunk before printing. Until then a
   chunk is an empty box of about the height its cards will take. Called by app.js. */
function cardpressCards(index, hooks) {
  "use strict";

  var doc = document;
  var NEAR = 1; /* windows above and below the window whose chunks are rendered */

  var cards = index.cards.map(function (row, i) {
    return {
      i: i,
      id: row[0],
      anchor: "card-" + row[0],
      section: index.sections[row[1]],
      tags: row[2].map(function (n) { return index.tags[n]; }),
      text: row[3],
      fp: row[4],
      expect: row.length > 5 ? row[5] : undefined,
      chunk: null,
      el: null,
      toggle: null,
      open: true,
      visible: true
    };
  });
  var byAnchor = new Map(cards.map(function (card) { return [card.anchor, card]; }));
  var byElement = new Map();
  var chunks = [];
  var waiting = 0; /* chunks not rendered yet */
  var pitch = 0; /* a card's height with the gap after it, as measured on the page */
  var policy = null;

  function attach(card, el) {
    card.el = el;
    card.toggle = el.querySelector(".card-toggle");
    byElement.set(el, card);
  }

  if (index.chunks) {
    var boxes = doc.querySelectorAll(".card-chunk");
    if (boxes.length !== index.chunks.length) throw new Error("the page's card chunks do not match its index");
    var at = 0;
    index.chunks.forEach(function (count, n) {
      var chunk = { el: boxes[n], cards: cards.slice(at, at + count), rendered: false, shown: count, height: "" };
      chunk.cards.forEach(function (card) { card.chunk = chunk; });
      chunks.push(chunk);
      at += count;
    });
    waiting = chunks.length;
    /* The one way a string becomes markup on this page: the text of its own chunks. */
    if (window.trustedTypes) {
      policy = trustedTypes.createPolicy("cardpress-cards", { createHTML: function (text) { return text; } });
    }
  } else {
    cards.forEach(function (card) { attach(card, doc.getElementById(card.anchor)); });
  }

  function render(chunk) {
    if (chunk.rendered) return;
    var source = chunk.el.querySelector("noscript");
    var template = doc.createElement("template");
    template.innerHTML = policy ? policy.createHTML(source.textContent) : source.textContent;
    var made = template.content.children;
    if (made.length !== chunk.cards.length) throw new Error("a card chunk does not match its index");
    chunk.cards.forEach(function (card, n) { attach(card, made[n]); });
    hooks.prepare(chunk.cards);
    source.remove();
    chunk.el.append(template.content);
    chunk.el.style.height = "";
    chunk.el.classList.add("is-rendered");
    chunk.rendered = true;
    waiting -= 1;
    hooks.rendered(chunk.cards);
  }

  /* The card's element, its chunk rendered first if need be. */
  function ensure(card) {
    if (!card.el) render(card.chunk);
    return card.el;
  }

  function renderAll() {
    if (!waiting) return;
    chunks.forEach(render);
    hooks.renderedAll();
  }

  /* The height a card shown takes, with the gap after it, over the chunks rendered. */
  function measurePitch() {
    var height = 0;
    var count = 0;
    chunks.forEach(function (chunk) {
      if (!chunk.rendered || !chunk.shown) return;
      height += chunk.el.getBoundingClientRect().height;
      count += chunk.shown;
    });
    if (!count) return;
    var gap = parseFloat(getComputedStyle(chunks[0].el).rowGap) || 0;
    pitch = height / count + gap;
  }

  /* After the filters, the quiz or the size changed: each chunk shows or hides, and one
     not rendered gets the height of the cards it shows. */
  function layout() {
    if (!chunks.length) return;
    chunks.forEach(function (chunk) { chunk.shown = 0; });
    cards.forEach(function (card) { if (card.visible && card.chunk) card.chunk.shown += 1; });
    chunks.forEach(function (chunk) {
      var empty = chunk.shown === 0;
      if (chunk.el.hidden !== empty) chunk.el.hidden = empty;
    });
    sizeWaiting();
    renderNear();
  }

  function sizeWaiting() {
    if (!waiting) return;
    if (!pitch) measurePitch();
    var each = pitch || 200;
    chunks.forEach(function (chunk) {
      if (chunk.rendered || !chunk.shown) return;
      var height = Math.round(chunk.shown * each) + "px";
      if (chunk.height !== height) {
        chunk.height = height;
        chunk.el.style.height = height;
      }
    });
  }

  /* Renders the chunks in or near the window; again while rendering brought more near
     (a chunk shorter than its estimate). */
  function renderNear() {
    if (!waiting) return;
    for (var pass = 0; pass < 8 && waiting; pass++) {
      var low = -NEAR * window.innerHeight;
      var high = (1 + NEAR) * window.innerHeight;
      var near = chunks.filter(function (chunk) {
        if (chunk.rendered || !chunk.shown) return false;
        var box = chunk.el.getBoundingClientRect();
        return box.bottom >= low && box.top <= high;
      });
      if (!near.length) break;
      near.forEach(render);
      var before = pitch;
      measurePitch();
      if (before && Math.abs(pitch - before) > before / 10) sizeWaiting();
    }
  }

  var nearQueued = false;
  function queueNear() {
    if (nearQueued || !waiting) return;
    nearQueued = true;
    window.requestAnimationFrame(function () {
      nearQueued = false;
      renderNear();
    });
  }

  /* Where a card is on screen, or where it will be: its chunk while not rendered. */
  function box(card) {
    return (card.el || card.chunk.el).getBoundingClientRect();
  }

  if (chunks.length) {
    window.addEventListener("scroll", queueNear, { passive: true });
    window.addEventListener("resize", queueNear);
    /* Printing shows every card the filters show: Ctrl+P fires beforeprint, and a print
       preview or emulation changes the media. */
    window.addEventListener("beforeprint", renderAll);
    var print = window.matchMedia("print");
    print.addEventListener("change", function () { if (print.matches) renderAll(); });
  }

  return {
    cards: cards,
    chunked: chunks.length > 0,
    byAnchor: function (anchor) { return byAnchor.get(anchor) || null; },
    ofElement: function (el) { return el ? byElement.get(el) || null : null; },
    rendered: function () { return cards.filter(function (card) { return card.el; }); },
    ensure: ensure,
    box: box,
    layout: layout
  };
}
