/*!
 * Deskmate chat widget. Plain JavaScript, no dependencies, no build step.
 *
 * Embed with one tag:
 *   <script src="https://HOST/widget.js" defer></script>
 *
 * The API base URL is the script's own origin; override it with
 * data-deskmate-url="https://api.example.com" on the script tag.
 * The stylesheet widget.css is loaded from the same folder as this script
 * into a Shadow DOM, so the host page's CSS cannot leak in (and ours cannot leak out).
 *
 * Public API: window.Deskmate.open(), window.Deskmate.close().
 */
(function () {
  "use strict";

  if (window.Deskmate && window.Deskmate.__deskmate) return; // embedded twice: keep the first

  // ---------------------------------------------------------------------------
  // Configuration (document.currentScript is only available synchronously)
  // ---------------------------------------------------------------------------
  var script = document.currentScript || findScriptTag();
  var scriptSrc = (script && script.src) || window.location.href;
  var overrideUrl = script && script.getAttribute("data-deskmate-url");
  var API_BASE = stripSlash(overrideUrl ? absoluteUrl(overrideUrl) : new URL(scriptSrc, window.location.href).origin);
  var CSS_URL = new URL("widget.css", scriptSrc).href;
  var TITLE = (script && script.getAttribute("data-deskmate-title")) || "Chat with us";

  var MAX_CHARS = 2000;
  var COUNTER_FROM = 1800; // show the character counter from here on
  var BACKOFF_MS = [1000, 2000, 5000, 10000];
  var KEY_ID = "deskmate.conversation_id";
  var KEY_TOKEN = "deskmate.token";

  var MSG_TOO_LONG = "Your message is too long (max " + MAX_CHARS + " characters)";
  var MSG_OFFLINE = "Can't reach the server. Retrying\u2026";
  var MSG_EMPTY = "Please type a message first.";
  var MSG_GENERIC = "Sorry, something went wrong. Please try again.";
  var MSG_EXPIRED = "Your previous conversation has expired, so we started a new one. Please send your message again.";

  function findScriptTag() {
    var tags = document.getElementsByTagName("script");
    for (var i = tags.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(tags[i].src || "")) return tags[i];
    }
    return null;
  }
  function absoluteUrl(u) {
    try { return new URL(u, window.location.href).href; } catch (e) { return window.location.origin; }
  }
  function stripSlash(u) { return String(u).replace(/\/+$/, ""); }

  // ---------------------------------------------------------------------------
  // Storage (localStorage may be unavailable: private mode, blocked cookies)
  // ---------------------------------------------------------------------------
  var memoryStore = {};
  var store = {
    get: function (k) {
      try { return window.localStorage.getItem(k); } catch (e) { return memoryStore[k] || null; }
    },
    set: function (k, v) {
      try { window.localStorage.setItem(k, v); } catch (e) { memoryStore[k] = v; }
    },
    remove: function (k) {
      try { window.localStorage.removeItem(k); } catch (e) { delete memoryStore[k]; }
    }
  };

  // ---------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------
  var state = {
    conversationId: store.get(KEY_ID),
    token: store.get(KEY_TOKEN),
    mode: "bot",
    ticketNumber: null,
    ready: false,           // conversation created/resumed on the server
    initPromise: null,
    initAttempt: 0,
    initTimer: null,
    rendered: new Map(),    // message id -> { msg, el, buttons: [HTMLButtonElement], used: bool }
    pending: [],            // optimistic customer messages: { key, text, el }
    pendingSeq: 0,
    sending: false,
    open: false,
    unread: 0,
    es: null,
    esAttempt: 0,
    esTimer: null,
    catchUpPromise: null,
    retry: null,            // failed send waiting for the network: { body, kind, text, sinceId }
    retryAttempt: 0,
    retryTimer: null,
    errorIsOffline: false
  };

  // ---------------------------------------------------------------------------
  // DOM helpers (never innerHTML with content)
  // ---------------------------------------------------------------------------
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var v = attrs[name];
        if (v === null || v === undefined || v === false) return;
        if (name === "text") el.textContent = v;
        else if (name === "className") el.className = v;
        else el.setAttribute(name, v === true ? "" : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  // Message text -> DocumentFragment of text nodes and safe links.
  // Markdown links [title](http(s)://...) and bare http(s) URLs become links; anything else stays text.
  var LINK_RE = /\[([^\]\n]+)\]\(\s*(https?:\/\/[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)\s*\)|\bhttps?:\/\/[^\s<>"'`]+/gi;

  function safeHttpUrl(raw) {
    try {
      var u = new URL(raw);
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function trimBareUrl(url) {
    // Trailing punctuation usually belongs to the sentence, not the URL.
    var trailing = "";
    for (;;) {
      var last = url.charAt(url.length - 1);
      if (/[.,;:!?'"*_]/.test(last)) {
        trailing = last + trailing;
        url = url.slice(0, -1);
      } else if ((last === ")" && count(url, "(") < count(url, ")")) ||
                 (last === "]" && count(url, "[") < count(url, "]"))) {
        trailing = last + trailing;
        url = url.slice(0, -1);
      } else {
        break;
      }
    }
    return { url: url, trailing: trailing };
  }
  function count(s, ch) { return s.split(ch).length - 1; }

  function makeLink(href, label) {
    var a = document.createElement("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.textContent = label;
    return a;
  }

  function renderText(text) {
    var frag = document.createDocumentFragment();
    text = String(text == null ? "" : text);
    var last = 0;
    var m;
    LINK_RE.lastIndex = 0;
    while ((m = LINK_RE.exec(text)) !== null) {
      var start = m.index;
      var node = null;
      var consumed = m[0];
      var trailing = "";
      if (m[1] !== undefined) {
        var href = safeHttpUrl(m[2]);
        if (href) node = makeLink(href, m[1]);
      } else {
        var t = trimBareUrl(m[0]);
        consumed = t.url;
        trailing = t.trailing;
        var bare = safeHttpUrl(t.url);
        if (bare && /^https?:\/\/[^/?#]+/i.test(t.url)) node = makeLink(bare, t.url);
      }
      if (!node) continue; // not a safe link: leave it as text
      if (start > last) frag.appendChild(document.createTextNode(text.slice(last, start)));
      frag.appendChild(node);
      last = start + consumed.length;
      if (trailing) LINK_RE.lastIndex = last; // re-scan the punctuation as plain text
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag; // newlines are kept by CSS (white-space: pre-wrap)
  }

  function charCount(s) {
    // Count code points like the server (Python len), not UTF-16 units.
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    try {
      return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    } catch (e) {
      return d.toLocaleString();
    }
  }

  // ---------------------------------------------------------------------------
  // Build the UI inside an open Shadow DOM
  // ---------------------------------------------------------------------------
  var host = h("div", { id: "deskmate-widget", "data-deskmate": "" });
  host.style.setProperty("display", "none", "important"); // until the stylesheet is in (no flash)
  var root = host.attachShadow({ mode: "open" });

  // Minimal critical rules, so hidden things stay hidden even if widget.css fails to load.
  root.appendChild(h("style", { text: "[hidden]{display:none !important}" }));
  var cssLink = h("link", { rel: "stylesheet", href: CSS_URL });
  var showHost = function () { host.style.removeProperty("display"); };
  cssLink.addEventListener("load", showHost);
  cssLink.addEventListener("error", showHost);
  setTimeout(showHost, 4000); // never stay invisible because of a slow stylesheet
  root.appendChild(cssLink);

  var badge = h("span", { className: "dm-badge", hidden: true, "aria-hidden": "true" });
  var launcherSr = h("span", { className: "dm-sr-only" });
  var launcher = h("button", {
    type: "button",
    className: "dm-launcher",
    "data-testid": "deskmate-launcher",
    "aria-controls": "dm-panel",
    "aria-expanded": "false"
  }, [
    h("span", { className: "dm-launcher-icon", "aria-hidden": "true" }, [chatIcon()]),
    h("span", { className: "dm-launcher-label", text: "Chat with us" }),
    launcherSr,
    badge
  ]);

  var titleEl = h("h2", { id: "dm-title", className: "dm-title", text: TITLE });
  var subtitleEl = h("p", { className: "dm-subtitle", text: "We usually reply in a few seconds" });
  var closeBtn = h("button", { type: "button", className: "dm-close", "aria-label": "Close chat", title: "Close chat" }, [closeIcon()]);

  var log = h("ol", {
    className: "dm-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": "Conversation"
  });
  var typing = h("div", { className: "dm-typing", hidden: true, "data-testid": "deskmate-typing" }, [
    h("span", { className: "dm-dot", "aria-hidden": "true" }),
    h("span", { className: "dm-dot", "aria-hidden": "true" }),
    h("span", { className: "dm-dot", "aria-hidden": "true" }),
    h("span", { className: "dm-sr-only", text: "Support is typing\u2026" })
  ]);
  var emptyHint = h("p", { className: "dm-empty", text: "Ask us anything about your account, invoices or billing." });
  var body = h("div", { className: "dm-body" }, [emptyHint, log, typing]);

  var errorEl = h("div", { className: "dm-error", role: "alert", "data-testid": "deskmate-error", hidden: true });
  var input = h("textarea", {
    id: "dm-input",
    className: "dm-input",
    rows: "1",
    placeholder: "Type your message\u2026",
    "data-testid": "deskmate-input",
    "aria-describedby": "dm-counter dm-hint",
    autocomplete: "off"
  });
  var inputLabel = h("label", { className: "dm-sr-only", for: "dm-input", text: "Your message" });
  var counter = h("span", { id: "dm-counter", className: "dm-counter", hidden: true, "aria-live": "polite" });
  var hint = h("span", { id: "dm-hint", className: "dm-sr-only", text: "Press Enter to send, Shift+Enter for a new line." });
  var sendBtn = h("button", { type: "submit", className: "dm-send", "data-testid": "deskmate-send" }, [
    sendIcon(),
    h("span", { className: "dm-sr-only", text: "Send" })
  ]);
  sendBtn.setAttribute("aria-label", "Send message");
  sendBtn.title = "Send (Enter)";
  var form = h("form", { className: "dm-form", novalidate: true }, [
    inputLabel,
    input,
    sendBtn
  ]);
  var footer = h("div", { className: "dm-footer" }, [
    errorEl,
    form,
    h("div", { className: "dm-meta" }, [hint, counter])
  ]);

  var panel = h("section", {
    id: "dm-panel",
    className: "dm-panel",
    role: "dialog",
    "aria-modal": "false",
    "aria-labelledby": "dm-title",
    "data-testid": "deskmate-panel",
    hidden: true
  }, [
    h("header", { className: "dm-header" }, [
      h("div", { className: "dm-heading" }, [titleEl, subtitleEl]),
      closeBtn
    ]),
    body,
    footer
  ]);

  root.appendChild(panel);
  root.appendChild(launcher);

  function svg(pathD, extra) {
    var NS = "http://www.w3.org/2000/svg";
    var s = document.createElementNS(NS, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("width", "20");
    s.setAttribute("height", "20");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    var p = document.createElementNS(NS, "path");
    p.setAttribute("d", pathD);
    p.setAttribute("fill", "none");
    p.setAttribute("stroke", "currentColor");
    p.setAttribute("stroke-width", "2");
    p.setAttribute("stroke-linecap", "round");
    p.setAttribute("stroke-linejoin", "round");
    s.appendChild(p);
    if (extra) s.setAttribute("class", extra);
    return s;
  }
  function chatIcon() { return svg("M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"); }
  function closeIcon() { return svg("M6 6l12 12M18 6L6 18"); }
  function sendIcon() { return svg("M4 12l16-8-6 16-2.5-6.5z", "dm-send-icon"); }

  // ---------------------------------------------------------------------------
  // Open / close
  // ---------------------------------------------------------------------------
  function openPanel() {
    if (state.open) { input.focus(); return; }
    state.open = true;
    panel.hidden = false;
    host.setAttribute("data-open", "");
    launcher.setAttribute("aria-expanded", "true");
    setUnread(0);
    scrollToBottom(true);
    ensureConversation();
    // Focus after the panel is visible (and its transition has started).
    setTimeout(function () { input.focus(); }, 0);
  }

  function closePanel() {
    if (!state.open) return;
    var hadFocus = root.activeElement && panel.contains(root.activeElement);
    state.open = false;
    panel.hidden = true;
    host.removeAttribute("data-open");
    launcher.setAttribute("aria-expanded", "false");
    if (hadFocus) launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (state.open) closePanel(); else openPanel();
  });
  closeBtn.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); closePanel(); }
  });

  function setUnread(n) {
    state.unread = n;
    if (n > 0) {
      badge.textContent = n > 9 ? "9+" : String(n);
      badge.hidden = false;
      launcherSr.textContent = " (" + n + " new " + (n === 1 ? "message" : "messages") + ")";
    } else {
      badge.hidden = true;
      badge.textContent = "";
      launcherSr.textContent = "";
    }
  }

  // ---------------------------------------------------------------------------
  // HTTP
  // ---------------------------------------------------------------------------
  function HttpError(status, detail) {
    this.status = status;
    this.detail = detail;
  }
  function NetworkError(cause) { this.cause = cause; }

  function api(method, path, bodyObj) {
    var headers = { "Accept": "application/json" };
    if (bodyObj !== undefined) headers["Content-Type"] = "application/json";
    if (state.token && path.indexOf("/api/widget/conversations/") === 0) headers["X-Conversation-Token"] = state.token;
    return fetch(API_BASE + path, {
      method: method,
      headers: headers,
      body: bodyObj === undefined ? undefined : JSON.stringify(bodyObj),
      credentials: "omit",
      cache: "no-store"
    }).then(function (res) {
      return res.text().catch(function (err) {
        throw new NetworkError(err); // connection dropped while reading the body
      }).then(function (raw) {
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
        if (!res.ok) {
          var detail = data && typeof data.detail === "string" ? data.detail : null;
          throw new HttpError(res.status, detail);
        }
        if (!data || typeof data !== "object") throw new HttpError(502, null); // not our API answering
        return data;
      });
    }, function (err) {
      throw new NetworkError(err);
    });
  }

  function convPath(suffix) {
    return "/api/widget/conversations/" + encodeURIComponent(state.conversationId) + suffix;
  }

  // ---------------------------------------------------------------------------
  // Conversation lifecycle
  // ---------------------------------------------------------------------------
  function ensureConversation() {
    if (state.ready) return Promise.resolve();
    if (state.initPromise) return state.initPromise;
    clearTimeout(state.initTimer);
    state.initTimer = null;
    state.initPromise = api("POST", "/api/widget/conversations", {
      conversation_id: state.conversationId || null,
      token: state.token || null,
      customer_name: null
    }).then(function (data) {
      state.initPromise = null;
      state.initAttempt = 0;
      if (!data || !data.conversation_id || !data.token) throw new HttpError(500, null);
      if (data.conversation_id !== state.conversationId) clearMessages(); // a new conversation
      state.conversationId = String(data.conversation_id);
      state.token = String(data.token);
      store.set(KEY_ID, state.conversationId);
      store.set(KEY_TOKEN, state.token);
      setMode(data.mode, data.ticket_number);
      state.ready = true;
      if (state.errorIsOffline) clearError();
      addMessages(data.messages || [], { fromInit: true });
      scrollToBottom(true);
      connectEvents();
    }, function (err) {
      state.initPromise = null;
      throw err;
    });
    state.initPromise.catch(function (err) {
      showError(err instanceof NetworkError ? MSG_OFFLINE : "We couldn't start the chat. Retrying\u2026", true);
      var delay = BACKOFF_MS[Math.min(state.initAttempt, BACKOFF_MS.length - 1)];
      state.initAttempt++;
      clearTimeout(state.initTimer);
      state.initTimer = setTimeout(function () {
        state.initTimer = null;
        ensureConversation();
      }, delay);
    });
    return state.initPromise;
  }

  // The server no longer knows our conversation (404): start over with a new one.
  function resetConversation() {
    disconnectEvents();
    store.remove(KEY_ID);
    store.remove(KEY_TOKEN);
    state.conversationId = null;
    state.token = null;
    state.ready = false;
    clearMessages();
    return ensureConversation();
  }

  function setMode(mode, ticketNumber) {
    if (mode === "human" || mode === "bot") state.mode = mode;
    if (ticketNumber !== undefined) state.ticketNumber = ticketNumber;
    var text = state.mode === "human"
      ? "You're chatting with our support team"
      : "We usually reply in a few seconds";
    if (state.ticketNumber) text += " \u00b7 Ticket #" + state.ticketNumber;
    subtitleEl.textContent = text;
  }

  // ---------------------------------------------------------------------------
  // Rendering messages
  // ---------------------------------------------------------------------------
  function lastId() {
    var max = 0;
    state.rendered.forEach(function (_v, id) { if (id > max) max = id; });
    return max;
  }

  function clearMessages() {
    state.rendered.clear();
    state.pending.forEach(function (p) { p.el.remove(); });
    state.pending = [];
    while (log.firstChild) log.removeChild(log.firstChild);
    updateEmpty();
  }

  function updateEmpty() {
    emptyHint.hidden = state.rendered.size > 0 || state.pending.length > 0;
  }

  function isNearBottom() {
    return body.scrollHeight - body.scrollTop - body.clientHeight < 80;
  }
  function scrollToBottom(force) {
    if (force || isNearBottom()) {
      // after layout
      requestAnimationFrame(function () { body.scrollTop = body.scrollHeight; });
    }
  }

  function validMessage(m) {
    return m && typeof m === "object" && Number.isFinite(Number(m.id)) && typeof m.sender === "string";
  }

  // Add server messages; duplicates (by id) are ignored, order is kept by id.
  function addMessages(list, opts) {
    opts = opts || {};
    var nearBottom = isNearBottom();
    var added = 0;
    var sawCustomer = false;
    (Array.isArray(list) ? list : []).forEach(function (m) {
      if (!validMessage(m)) return;
      var id = Number(m.id);
      if (state.rendered.has(id)) return;
      if (m.sender === "customer") {
        sawCustomer = true;
        settlePendingFor(m);
      }
      if (m.sender === "agent" && state.mode !== "human") setMode("human");
      var entry = renderMessage(m, id);
      state.rendered.set(id, entry);
      insertSorted(entry.el, id);
      added++;
      if (opts.live && !state.open && m.sender !== "customer") setUnread(state.unread + 1);
    });
    if (added) {
      refreshButtons();
      updateEmpty();
      scrollToBottom(nearBottom || sawCustomer || opts.fromInit);
    }
    return added;
  }

  function insertSorted(el, id) {
    var children = log.children;
    for (var i = 0; i < children.length; i++) {
      var c = children[i];
      if (c.getAttribute("data-pending") === "true") { log.insertBefore(el, c); return; }
      var cid = Number(c.getAttribute("data-id"));
      if (cid > id) { log.insertBefore(el, c); return; }
    }
    log.appendChild(el);
  }

  var SENDER_LABEL = { customer: "You", bot: "Support bot", system: "Notice" };

  function renderMessage(m, id) {
    var sender = ["customer", "bot", "agent", "system"].indexOf(m.sender) >= 0 ? m.sender : "system";
    var li = h("li", {
      className: "dm-msg dm-msg--" + sender,
      "data-testid": "deskmate-message",
      "data-sender": sender,
      "data-id": id === null ? "" : String(id)
    });
    if (sender === "agent") {
      li.appendChild(h("span", { className: "dm-sender", text: (m.agent_name && String(m.agent_name)) || "Support agent" }));
    } else {
      li.appendChild(h("span", { className: "dm-sr-only", text: SENDER_LABEL[sender] + ": " }));
    }
    var bubble = h("div", { className: "dm-bubble" });
    bubble.appendChild(renderText(m.text));
    if (m.created_at) bubble.title = formatTime(m.created_at);
    li.appendChild(bubble);

    var buttons = [];
    var entry = { msg: m, el: li, buttons: buttons, used: false, id: id };
    if (Array.isArray(m.buttons) && m.buttons.length) {
      var group = h("div", { className: "dm-buttons", role: "group", "aria-label": "Suggested replies" });
      m.buttons.forEach(function (b) {
        if (!b || typeof b.payload !== "string") return;
        var title = typeof b.title === "string" && b.title ? b.title : b.payload;
        var btn = h("button", { type: "button", className: "dm-chip", "data-testid": "deskmate-button", text: title });
        btn.addEventListener("click", function () { pressButton(entry, b.payload, title); });
        buttons.push(btn);
        group.appendChild(btn);
      });
      if (buttons.length) li.appendChild(group);
    }
    return entry;
  }

  // Buttons are usable only on messages with no later customer message and nothing in flight.
  function refreshButtons() {
    var maxCustomer = 0;
    state.rendered.forEach(function (e, id) {
      if (e.msg.sender === "customer" && id > maxCustomer) maxCustomer = id;
    });
    var busy = state.sending || state.pending.length > 0;
    state.rendered.forEach(function (e, id) {
      if (!e.buttons.length) return;
      var disabled = e.used || busy || id < maxCustomer;
      e.buttons.forEach(function (btn) { btn.disabled = disabled; });
      e.el.classList.toggle("dm-msg--answered", e.used || id < maxCustomer);
    });
  }

  // Optimistic customer message shown right away; replaced by the server copy.
  function addPending(text) {
    var key = "pending-" + (++state.pendingSeq);
    var entry = renderMessage({ sender: "customer", text: text, buttons: [] }, null);
    entry.el.setAttribute("data-id", key);
    entry.el.setAttribute("data-pending", "true");
    entry.el.classList.add("dm-msg--pending");
    log.appendChild(entry.el);
    var p = { key: key, text: text, el: entry.el };
    state.pending.push(p);
    updateEmpty();
    scrollToBottom(true);
    return p;
  }

  function removePending(p) {
    var i = state.pending.indexOf(p);
    if (i >= 0) state.pending.splice(i, 1);
    if (p.el.parentNode) p.el.parentNode.removeChild(p.el);
    updateEmpty();
  }

  // A server customer message arrived (maybe via SSE before the POST answered): drop its optimistic copy.
  function settlePendingFor(m) {
    for (var i = 0; i < state.pending.length; i++) {
      if (state.pending[i].text === String(m.text)) {
        var p = state.pending[i];
        p.settled = true;
        removePending(p);
        return;
      }
    }
  }

  // ---------------------------------------------------------------------------
  // Sending
  // ---------------------------------------------------------------------------
  function setSending(on) {
    state.sending = on;
    sendBtn.disabled = on;
    sendBtn.setAttribute("aria-busy", on ? "true" : "false");
    typing.hidden = !on;
    if (on) scrollToBottom(false);
    refreshButtons();
  }

  function submitText() {
    if (state.sending) return;
    var raw = input.value;
    var text = raw.trim();
    if (!text) {
      input.value = "";
      updateCounter();
      input.focus();
      return;
    }
    if (charCount(text) > MAX_CHARS) {
      showError(MSG_TOO_LONG);
      input.focus();
      return;
    }
    input.value = "";
    autoGrow();
    updateCounter();
    send({ text: text }, { kind: "text", text: text, raw: raw });
  }

  function pressButton(entry, payload, title) {
    if (state.sending || entry.used) return;
    entry.used = true;
    send({ payload: payload, title: title }, { kind: "button", text: title, entry: entry });
  }

  function send(bodyObj, info) {
    clearError();
    cancelRetry();
    var sinceId = lastId();
    var p = addPending(info.text);
    setSending(true);
    return ensureConversation().then(function () {
      return api("POST", convPath("/messages"), bodyObj);
    }).then(function (data) {
      removePending(p);
      setSending(false);
      var list = [];
      if (data && data.message) list.push(data.message);
      if (data && Array.isArray(data.replies)) list = list.concat(data.replies);
      addMessages(list);
      scrollToBottom(true);
    }, function (err) {
      removePending(p);
      setSending(false);
      if (p.settled) return; // the server copy already arrived through SSE; the message did get through
      if (info.entry) info.entry.used = false;
      if (info.kind === "text") restoreInput(info.raw);
      refreshButtons();
      handleSendError(err, bodyObj, info, sinceId);
    });
  }

  // Put the unsent text back into the input, without losing anything typed meanwhile.
  function restoreInput(raw) {
    var current = input.value;
    if (current.trim() && current !== raw) input.value = raw.replace(/\s+$/, "") + "\n" + current;
    else input.value = raw;
    autoGrow();
    updateCounter();
  }

  function handleSendError(err, bodyObj, info, sinceId) {
    if (err instanceof NetworkError) {
      showError(MSG_OFFLINE, true);
      state.retry = { body: bodyObj, info: info, sinceId: sinceId, inputValue: input.value };
      state.retryAttempt = 0;
      scheduleRetry();
      return;
    }
    var status = err && err.status;
    if (status === 413) {
      showError(MSG_TOO_LONG);
    } else if (status === 422) {
      showError(MSG_EMPTY);
    } else if (status === 404) {
      showError(MSG_EXPIRED);
      resetConversation().catch(function () { /* ensureConversation shows its own error */ });
    } else if (status === 429) {
      showError((err.detail) || "You're sending messages too quickly. Please wait a moment and try again.");
    } else if (status >= 400 && status < 500 && err.detail) {
      showError(err.detail);
    } else {
      showError(MSG_GENERIC);
    }
    input.focus();
  }

  // After a network failure: wait, check what reached the server, then resend if still wanted.
  function scheduleRetry() {
    clearTimeout(state.retryTimer);
    var delay = BACKOFF_MS[Math.min(state.retryAttempt, BACKOFF_MS.length - 1)];
    state.retryAttempt++;
    state.retryTimer = setTimeout(runRetry, delay);
  }

  function cancelRetry() {
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    state.retry = null;
  }

  function runRetry() {
    state.retryTimer = null;
    var r = state.retry;
    if (!r || state.sending) return;
    var check = state.ready ? catchUp() : ensureConversation();
    check.then(function () {
      if (state.retry !== r) return;
      state.retry = null;
      clearError();
      // Did the message reach the server after all (response lost)? Then don't send it twice.
      var delivered = false;
      state.rendered.forEach(function (e, id) {
        if (id > r.sinceId && e.msg.sender === "customer" && String(e.msg.text) === r.info.text) delivered = true;
      });
      if (r.info.kind === "text") {
        var untouched = input.value === r.inputValue;
        if (delivered) {
          if (untouched) { input.value = ""; autoGrow(); updateCounter(); }
          return;
        }
        if (untouched) {
          input.value = "";
          autoGrow();
          updateCounter();
          send(r.body, r.info);
        }
        // If the user edited the text meanwhile, leave it to them to press Send.
      } else if (!delivered && r.info.entry && !r.info.entry.used) {
        pressButton(r.info.entry, r.body.payload, r.body.title);
      }
    }, function () {
      if (state.retry !== r) return;
      showError(MSG_OFFLINE, true);
      scheduleRetry();
    });
  }

  // ---------------------------------------------------------------------------
  // Errors
  // ---------------------------------------------------------------------------
  function showError(text, offline) {
    errorEl.textContent = text;
    errorEl.hidden = false;
    state.errorIsOffline = !!offline;
  }
  function clearError() {
    errorEl.textContent = "";
    errorEl.hidden = true;
    state.errorIsOffline = false;
  }

  // ---------------------------------------------------------------------------
  // Input behaviour
  // ---------------------------------------------------------------------------
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    submitText();
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submitText();
    }
  });
  input.addEventListener("input", function () {
    autoGrow();
    updateCounter();
    if (!errorEl.hidden && !state.errorIsOffline) {
      var n = charCount(input.value.trim());
      if (errorEl.textContent === MSG_TOO_LONG ? n <= MAX_CHARS : true) clearError();
    }
  });

  function updateCounter() {
    var n = charCount(input.value);
    if (n >= COUNTER_FROM) {
      counter.hidden = false;
      counter.textContent = n + " / " + MAX_CHARS;
      counter.classList.toggle("dm-counter--over", n > MAX_CHARS);
      input.setAttribute("aria-invalid", n > MAX_CHARS ? "true" : "false");
    } else {
      counter.hidden = true;
      counter.textContent = "";
      input.removeAttribute("aria-invalid");
    }
  }

  function autoGrow() {
    input.style.height = "auto";
    var borders = input.offsetHeight - input.clientHeight;
    var wanted = input.scrollHeight + borders;
    input.style.height = Math.min(wanted, 140) + "px";
    input.style.overflowY = wanted > 140 ? "auto" : "hidden";
  }

  // ---------------------------------------------------------------------------
  // Live updates: Server-sent events + catch-up
  // ---------------------------------------------------------------------------
  function catchUp() {
    if (!state.ready || !state.conversationId) return Promise.resolve();
    if (state.catchUpPromise) return state.catchUpPromise;
    state.catchUpPromise = api("GET", convPath("/messages?after=" + lastId())).then(function (data) {
      state.catchUpPromise = null;
      addMessages((data && data.messages) || [], { live: true });
      if (state.errorIsOffline) clearError();
    }, function (err) {
      state.catchUpPromise = null;
      if (err instanceof HttpError && err.status === 404) {
        return resetConversation();
      }
      throw err;
    });
    return state.catchUpPromise;
  }

  function connectEvents() {
    if (!state.ready || typeof window.EventSource !== "function") return;
    disconnectEvents();
    var url = API_BASE + convPath("/events") +
      "?token=" + encodeURIComponent(state.token) + "&after=" + lastId();
    var es;
    try { es = new EventSource(url); } catch (e) { scheduleReconnect(); return; }
    state.es = es;
    es.addEventListener("open", function () {
      if (state.es !== es) return;
      state.esAttempt = 0;
    });
    es.addEventListener("message", function (ev) {
      if (state.es !== es) return;
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      addMessages([m], { live: true });
    });
    es.addEventListener("error", function () {
      if (state.es !== es) return;
      // Take reconnection into our own hands: backoff, then catch up, then reopen.
      disconnectEvents();
      scheduleReconnect();
    });
  }

  function disconnectEvents() {
    clearTimeout(state.esTimer);
    state.esTimer = null;
    if (state.es) {
      var es = state.es;
      state.es = null;
      es.close();
    }
  }

  function scheduleReconnect() {
    clearTimeout(state.esTimer);
    var delay = BACKOFF_MS[Math.min(state.esAttempt, BACKOFF_MS.length - 1)];
    state.esAttempt++;
    state.esTimer = setTimeout(reconnectNow, delay);
  }

  function reconnectNow() {
    clearTimeout(state.esTimer);
    state.esTimer = null;
    if (!state.ready) return;
    catchUp().then(connectEvents, function () { scheduleReconnect(); });
  }

  function resync() {
    if (state.retry) { clearTimeout(state.retryTimer); runRetry(); }
    if (!state.ready) {
      if ((state.open || state.conversationId) && !state.initPromise) ensureConversation();
      return;
    }
    var es = state.es;
    if (!es || es.readyState === 2 /* CLOSED */) {
      state.esAttempt = 0;
      reconnectNow();
    } else {
      catchUp().catch(function () { /* the SSE error path handles reconnecting */ });
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") resync();
  });
  window.addEventListener("online", resync);
  window.addEventListener("pageshow", function (e) { if (e.persisted) resync(); }); // back/forward cache

  // ---------------------------------------------------------------------------
  // Mount
  // ---------------------------------------------------------------------------
  function mount() {
    if (!host.isConnected) document.body.appendChild(host);
    // A stored conversation is resumed right away, so live messages and the unread badge work.
    if (state.conversationId && state.token) ensureConversation();
  }

  window.Deskmate = {
    open: function () { if (host.isConnected) openPanel(); else pendingOpen = true; },
    close: function () { closePanel(); pendingOpen = false; },
    __deskmate: true
  };
  var pendingOpen = false;

  function start() {
    mount();
    if (pendingOpen) { pendingOpen = false; openPanel(); }
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
