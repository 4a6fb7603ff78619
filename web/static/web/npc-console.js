// The author's NPC console: the stream WebSocket of PROTOCOL.md, from the browser.
// Microphone -> 16 kHz mono PCM16 binary frames; each binary frame back is one WAV clip, played in turn.
(function () {
  "use strict";
  var SPEECH_RATE = 16000;
  var FRAME_SAMPLES = 1600; // 100 ms per binary frame
  var script = document.currentScript;
  var config = JSON.parse(document.getElementById("console-config").textContent);
  var log = document.getElementById("log");
  var partial = document.getElementById("partial");
  var statusBox = document.getElementById("status");
  var metricsBox = document.getElementById("metrics");
  var audioCount = document.getElementById("audio-count");
  var sendButton = document.getElementById("send");
  var micButton = document.getElementById("mic");
  var socket = null, playback = null, playAt = 0, clips = 0, replyLine = null;
  var recorder = null, speaking = false;

  function line(kind, text) {
    var div = document.createElement("div");
    div.className = "line " + kind;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }
  function setStatus(text, state) {
    statusBox.innerHTML = "";
    var dot = document.createElement("span");
    dot.className = "status-dot " + (state || "");
    statusBox.appendChild(dot);
    statusBox.appendChild(document.createTextNode(text));
  }
  function showMetrics(metrics) {
    metricsBox.innerHTML = "";
    Object.keys(metrics).forEach(function (key) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = key;
      dd.textContent = typeof metrics[key] === "object" ? JSON.stringify(metrics[key]) : metrics[key];
      metricsBox.appendChild(dt);
      metricsBox.appendChild(dd);
    });
  }
  // Playback needs a user gesture in most browsers: made on the first click.
  function ensurePlayback() {
    if (!playback) playback = new AudioContext();
    if (playback.state === "suspended") playback.resume();
    return playback;
  }
  function play(buffer) {
    clips += 1;
    audioCount.textContent = String(clips);
    var context = ensurePlayback();
    context.decodeAudioData(buffer).then(function (audio) {
      var source = context.createBufferSource();
      source.buffer = audio;
      source.connect(context.destination);
      playAt = Math.max(playAt, context.currentTime);
      source.start(playAt);
      playAt += audio.duration;
    }, function (error) { line("error", "Could not play a clip: " + error); });
  }

  function onEvent(event) {
    switch (event.type) {
      case "transcription_partial": partial.textContent = event.text + " …"; break;
      case "transcription":
        partial.textContent = "";
        line("you", "You: " + (event.text || "(nothing heard)"));
        replyLine = null;
        break;
      case "npc_text_delta":
        if (!replyLine) replyLine = line("npc", "");
        replyLine.textContent += event.text;
        break;
      case "npc_text":
        if (!replyLine) replyLine = line("npc", "");
        replyLine.textContent = event.text;
        break;
      case "grammar_correction":
        line("correction", "Correction: " + event.data.original + " → " + event.data.correction +
          (event.data.explanation ? " (" + event.data.explanation + ")" : ""));
        break;
      case "speech_started": speaking = true; setStatus("hearing you…", "speaking"); break;
      case "speech_stopped": speaking = false; setStatus("connected", "open"); break;
      case "turn_complete":
        showMetrics(event.metrics || {});
        replyLine = null;
        document.body.dataset.turns = String(Number(document.body.dataset.turns || 0) + 1);
        break;
      case "error": line("error", "Error (" + event.code + "): " + event.text); break;
      default: break;
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + location.host + config.path + "?token=" + encodeURIComponent(config.token));
    socket.binaryType = "arraybuffer";
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "config", events: config.events }));
      setStatus("connected", "open");
      sendButton.disabled = false;
      micButton.disabled = false;
    };
    socket.onmessage = function (message) {
      if (typeof message.data === "string") onEvent(JSON.parse(message.data));
      else play(message.data);
    };
    socket.onclose = function (close) {
      setStatus("closed (" + close.code + (close.reason ? ": " + close.reason : "") + ")", "");
      sendButton.disabled = true;
      micButton.disabled = true;
      stopRecording(false);
    };
  }

  // Box-filter downsampling to 16 kHz, for a browser that gave the microphone another rate.
  function toSpeechRate(samples, rate) {
    if (rate === SPEECH_RATE) return samples;
    var ratio = rate / SPEECH_RATE, out = new Float32Array(Math.floor(samples.length / ratio));
    for (var i = 0; i < out.length; i++) {
      var start = Math.floor(i * ratio), end = Math.min(samples.length, Math.floor((i + 1) * ratio)), sum = 0;
      for (var j = start; j < end; j++) sum += samples[j];
      out[i] = sum / Math.max(1, end - start);
    }
    return out;
  }
  function toPcm16(samples) {
    var pcm = new Int16Array(samples.length);
    for (var i = 0; i < samples.length; i++) {
      var s = Math.max(-1, Math.min(1, samples[i]));
      pcm[i] = s < 0 ? s * 0x8000 : s * 0x7fff;
    }
    return pcm.buffer;
  }

  function startRecording() {
    ensurePlayback();
    navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } })
      .then(function (stream) {
        var context;
        try { context = new AudioContext({ sampleRate: SPEECH_RATE }); } catch (e) { context = new AudioContext(); }
        return context.audioWorklet.addModule(script.dataset.worklet).then(function () {
          var source = context.createMediaStreamSource(stream);
          var node = new AudioWorkletNode(context, "pcm-recorder");
          var pending = [];
          var pendingLength = 0;
          node.port.onmessage = function (message) {
            var samples = toSpeechRate(message.data, context.sampleRate);
            pending.push(samples);
            pendingLength += samples.length;
            if (pendingLength < FRAME_SAMPLES) return;
            var frame = new Float32Array(pendingLength), offset = 0;
            pending.forEach(function (part) { frame.set(part, offset); offset += part.length; });
            pending = [];
            pendingLength = 0;
            if (socket && socket.readyState === WebSocket.OPEN) socket.send(toPcm16(frame));
          };
          source.connect(node);
          recorder = { stream: stream, context: context, node: node };
          micButton.textContent = "■ Stop";
          micButton.classList.add("recording");
        });
      })
      .catch(function (error) { line("error", "Microphone: " + error); });
  }
  function stopRecording(endUtterance) {
    if (!recorder) return;
    recorder.node.disconnect();
    recorder.stream.getTracks().forEach(function (track) { track.stop(); });
    recorder.context.close();
    recorder = null;
    micButton.textContent = "● Start talking";
    micButton.classList.remove("recording");
    // Only mid-speech: after the server heard the end itself, an end_utterance would be an empty turn.
    if (endUtterance && speaking && socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "end_utterance" }));
  }

  document.getElementById("typed").addEventListener("submit", function (submit) {
    submit.preventDefault();
    var input = document.getElementById("typed-text");
    if (!input.value.trim() || !socket || socket.readyState !== WebSocket.OPEN) return;
    ensurePlayback();
    socket.send(JSON.stringify({ type: "text", text: input.value }));
    input.value = "";
  });
  micButton.addEventListener("click", function () { if (recorder) stopRecording(true); else startRecording(); });
  connect();
})();
