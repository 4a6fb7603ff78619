// The class dashboard, live: who is talking to which NPC now, and each new turn and correction.
(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box) return;
  var now = document.getElementById("live-now"), feed = document.getElementById("live-feed"), state = document.getElementById("live-state");
  var talking = {};
  var RECENT_MS = 5 * 60 * 1000; // "right now": a turn in the last five minutes

  function item(text, kind) {
    var li = document.createElement("li");
    li.className = kind;
    li.textContent = new Date().toLocaleTimeString() + " · " + text;
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > 30) feed.removeChild(feed.lastChild);
  }
  function showTalking() {
    var cutoff = Date.now() - RECENT_MS;
    now.innerHTML = "";
    Object.keys(talking).forEach(function (player) {
      if (talking[player].at < cutoff) { delete talking[player]; return; }
      var li = document.createElement("li");
      li.textContent = talking[player].name + " → " + talking[player].npc;
      now.appendChild(li);
    });
    if (!now.children.length) { var none = document.createElement("li"); none.className = "muted"; none.textContent = "Nobody right now."; now.appendChild(none); }
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var socket = new WebSocket(scheme + "//" + location.host + box.dataset.path);
    socket.onopen = function () { state.textContent = "live"; };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "conversation_turn") {
        talking[event.player_id] = { name: event.player_name, npc: event.npc_name, at: Date.now() };
        item(event.player_name + " to " + event.npc_name + ": " + event.text, "turn");
        showTalking();
      } else if (event.type === "grammar_correction") {
        item(event.player_name + ": " + event.original + " → " + event.correction, "bad");
      } else if (event.type === "world_event" && event.event !== "PlayerMoved") {
        // Moves come many times a second: the feed shows what changes the learner's situation.
        item(event.player_name + ": " + event.event + (event.scene_id ? " (" + event.scene_id + ")" : ""), "world");
      }
    };
    socket.onclose = function () { state.textContent = "reconnecting…"; setTimeout(connect, 5000); };
  }
  setInterval(showTalking, 30000);
  connect();
})();
