/* Deskmate agent console: the CSRF header for htmx, live updates over server-sent events that
   reconnect by themselves and catch up from their cursor, typing presence, board drag and drop,
   and local times. All HTML it inserts was rendered (and escaped) by the server. */
(function () {
  "use strict";

  var body = document.body;
  var csrf = body.dataset.csrf || "";
  var SILENCE_MS = 40000; // the server pings every 15 s; longer silence means a dead connection

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrf;
  });

  function showError(text) {
    var flash = document.getElementById("flash");
    if (!flash) return;
    flash.textContent = "";
    var line = document.createElement("p");
    line.className = "alert alert-error";
    line.setAttribute("role", "alert");
    line.textContent = text;
    flash.appendChild(line);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 500) showError("Something went wrong on the server (" + status + "). Please try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showError("The server could not be reached. Check the connection and try again.");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var flash = document.getElementById("flash");
    if (flash) flash.textContent = "";
  });

  function localizeTimes(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("time[datetime]").forEach(function (node) {
      var when = new Date(node.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      node.title = node.getAttribute("datetime");
      node.textContent = when.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    });
  }

  function setStatus(state, text) {
    var node = document.getElementById("live-status");
    if (!node) return;
    node.dataset.state = state;
    node.textContent = text;
  }

  /* A server-sent event stream that reopens itself after errors, sleep or a network blip,
     always from the page's own cursor, so nothing is missed and nothing is shown twice. */
  function liveStream(buildUrl, handlers) {
    var source = null;
    var delay = 1000;
    var timer = null;
    var lastSeen = Date.now();

    function open() {
      clearTimeout(timer);
      if (source) source.close();
      source = new EventSource(buildUrl());
      lastSeen = Date.now();
      source.onopen = function () {
        delay = 1000;
        lastSeen = Date.now();
        setStatus("live", "Live");
      };
      source.onerror = function () {
        setStatus("reconnecting", "Reconnecting…");
        if (source.readyState === EventSource.CLOSED) {
          clearTimeout(timer);
          timer = setTimeout(open, delay);
          delay = Math.min(delay * 2, 30000);
        }
      };
      source.addEventListener("ping", function () { lastSeen = Date.now(); });
      source.addEventListener("gone", function () {
        source.close();
        window.location.reload();
      });
      Object.keys(handlers).forEach(function (name) {
        source.addEventListener(name, function (event) {
          lastSeen = Date.now();
          handlers[name](event.data ? JSON.parse(event.data) : {});
        });
      });
    }

    function check() {
      if (!source || source.readyState === EventSource.CLOSED || Date.now() - lastSeen > SILENCE_MS) open();
    }

    setInterval(check, 10000);
    window.addEventListener("online", open);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) check(); });
    open();
    return { check: check, reopen: open };
  }

  /* Lists, board and queues reload their content when any ticket changed. */
  function watchChanges() {
    var since = Number(body.dataset.since || 0);
    liveStream(function () { return body.dataset.changesUrl + "?since=" + since; }, {
      changed: function (data) {
        since = Math.max(since, data.event || 0);
        htmx.trigger(document.body, "deskmate:changed");
      }
    });
  }

  /* The ticket page: new messages, panel refreshes, who else is typing. */
  function watchTicket() {
    var number = body.dataset.ticket;
    var after = Number(body.dataset.after || 0);
    var events = Number(body.dataset.events || 0);
    var typingNames = [];
    var pendingPanel = false;
    var lastTypingPost = 0;

    function transcript() { return document.getElementById("transcript"); }

    function addMessage(data) {
      var list = transcript();
      after = Math.max(after, data.id);
      if (!list || list.querySelector('[data-message-id="' + data.id + '"]')) return;
      var stick = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      list.insertAdjacentHTML("beforeend", data.html);
      var node = list.lastElementChild;
      node.classList.add("is-new");
      localizeTimes(node);
      if (stick) list.scrollTop = list.scrollHeight;
    }

    function panelBusy() {
      var panel = document.getElementById("ticket-panel");
      var active = document.activeElement;
      return panel && active && panel.contains(active) && active.matches("input, textarea");
    }

    function refreshPanel() {
      if (panelBusy()) { pendingPanel = true; return; }
      pendingPanel = false;
      htmx.ajax("GET", "/console/tickets/" + number + "/panel", { target: "#ticket-panel", swap: "outerHTML" });
    }

    function renderTyping() {
      var line = document.getElementById("typing");
      if (!line) return;
      var text = document.getElementById("reply-text");
      var writing = text && text.value.trim().length > 0;
      if (!typingNames.length) {
        line.textContent = "";
        line.classList.remove("collision");
        return;
      }
      var who = typingNames.join(", ");
      line.textContent = writing ? who + " is also writing a reply. Check before you send."
                                 : who + (typingNames.length > 1 ? " are" : " is") + " typing…";
      line.classList.toggle("collision", Boolean(writing));
    }

    var stream = liveStream(function () {
      return body.dataset.streamUrl + "?after=" + after + "&events=" + events;
    }, {
      message: addMessage,
      ticket: function (data) { events = Math.max(events, data.event || 0); refreshPanel(); },
      typing: function (data) { typingNames = data.names || []; renderTyping(); }
    });

    document.addEventListener("focusout", function () {
      if (pendingPanel) setTimeout(function () { if (pendingPanel && !panelBusy()) refreshPanel(); }, 300);
    });
    document.addEventListener("input", function (event) {
      if (!event.target || event.target.id !== "reply-text") return;
      renderTyping();
      var now = Date.now();
      if (now - lastTypingPost < 2500) return;
      lastTypingPost = now;
      fetch("/console/tickets/" + number + "/typing", {
        method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }
      }).catch(function () { /* presence is best effort */ });
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      var elt = event.detail.elt;
      if (event.detail.successful && elt && elt.closest && elt.closest("#composer")) stream.check();
    });
    htmx.onLoad(function () { renderTyping(); });
    var list = transcript();
    if (list) list.scrollTop = list.scrollHeight;
  }

  /* Board: drag a card to a column; the server applies the lifecycle and answers with the board. */
  function enableBoardDragging() {
    document.addEventListener("dragstart", function (event) {
      var card = event.target.closest && event.target.closest(".ticket-card");
      if (!card) return;
      event.dataTransfer.setData("text/plain", card.dataset.number);
      event.dataTransfer.effectAllowed = "move";
      card.classList.add("dragging");
    });
    document.addEventListener("dragend", function (event) {
      var card = event.target.closest && event.target.closest(".ticket-card");
      if (card) card.classList.remove("dragging");
    });
    document.addEventListener("dragover", function (event) {
      var column = event.target.closest && event.target.closest(".column");
      if (!column) return;
      event.preventDefault();
      column.classList.add("drop-target");
    });
    document.addEventListener("dragleave", function (event) {
      var column = event.target.closest && event.target.closest(".column");
      if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
    });
    document.addEventListener("drop", function (event) {
      var column = event.target.closest && event.target.closest(".column");
      if (!column) return;
      event.preventDefault();
      column.classList.remove("drop-target");
      var number = event.dataTransfer.getData("text/plain");
      var board = document.getElementById("board");
      if (!number || !board) return;
      htmx.ajax("POST", "/console/board/move", {
        target: "#board", swap: "outerHTML",
        values: { number: number, status: column.dataset.state, group: board.dataset.group || "" }
      });
    });
  }

  htmx.onLoad(function (element) { localizeTimes(element); });
  if (body.dataset.streamUrl) watchTicket();
  if (body.dataset.changesUrl) watchChanges();
  if (document.getElementById("board")) enableBoardDragging();
})();
