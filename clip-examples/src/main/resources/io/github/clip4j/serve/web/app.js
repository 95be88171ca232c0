// clip4j search page: plain JavaScript, no libraries. Talks to /api/search and shows /api/thumb images.
"use strict";
(function () {
  const form = document.getElementById("search");
  const q = document.getElementById("q");
  const k = document.getElementById("k");
  const file = document.getElementById("file");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  let generation = 0;

  function setStatus(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  function top() {
    const n = parseInt(k.value, 10);
    return Number.isInteger(n) && n >= 1 && n <= 100 ? n : 12;
  }

  async function run(request, label, preview) {
    const mine = ++generation;
    setStatus("Searching " + label + "…", false);
    let response;
    let body;
    try {
      response = await fetch(request.url, request.init);
      body = await response.json();
    } catch (e) {
      if (mine === generation) setStatus("The server did not answer: " + e, true);
      return;
    }
    if (mine !== generation) return; // a newer search started
    if (!response.ok) {
      setStatus((body && body.error) || ("HTTP " + response.status), true);
      return;
    }
    show(body, label, preview);
  }

  function show(hits, label, preview) {
    results.replaceChildren();
    setStatus(hits.length + (hits.length === 1 ? " image" : " images") + " for " + label, false);
    if (preview) {
      const img = document.createElement("img");
      img.src = preview;
      img.alt = "query image";
      status.appendChild(img);
    }
    const best = hits.length > 0 ? hits[0].score : 1;
    hits.forEach(function (hit, i) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.className = "thumb";
      a.href = "api/image?path=" + encodeURIComponent(hit.path);
      a.target = "_blank";
      a.rel = "noopener";
      const img = document.createElement("img");
      img.src = "api/thumb?path=" + encodeURIComponent(hit.path) + "&size=256";
      img.alt = hit.path;
      img.loading = "lazy";
      a.appendChild(img);
      const name = document.createElement("div");
      name.className = "name";
      name.textContent = (i + 1) + ". " + hit.path.split(/[\\/]/).pop();
      name.title = hit.path;
      const ratio = best > 0 ? hit.score / best : 0;
      const score = document.createElement("div");
      score.className = "score";
      score.textContent = "score " + hit.score.toFixed(4) + " · " + (100 * ratio).toFixed(1) + "% of the best";
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.style.width = Math.max(0, Math.min(100, 100 * ratio)) + "%";
      li.append(a, name, score, bar);
      results.appendChild(li);
    });
  }

  function searchText() {
    const text = q.value.trim();
    if (!text) {
      setStatus("Type something to search for.", true);
      return;
    }
    const url = "api/search?q=" + encodeURIComponent(text) + "&k=" + top();
    run({ url: url, init: {} }, "“" + text + "”", null);
  }

  function searchImage(blob) {
    if (!blob || !blob.type.startsWith("image/")) {
      setStatus("That is not an image.", true);
      return;
    }
    const preview = URL.createObjectURL(blob);
    run({ url: "api/search?k=" + top(), init: { method: "POST", body: blob,
      headers: { "Content-Type": blob.type } } }, "the image " + (blob.name || "pasted"), preview);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    searchText();
  });
  file.addEventListener("change", function () {
    if (file.files.length > 0) searchImage(file.files[0]);
    file.value = "";
  });
  document.addEventListener("dragover", function (e) {
    e.preventDefault();
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragleave", function () {
    document.body.classList.remove("dragging");
  });
  document.addEventListener("drop", function (e) {
    e.preventDefault();
    document.body.classList.remove("dragging");
    if (e.dataTransfer.files.length > 0) searchImage(e.dataTransfer.files[0]);
  });
  document.addEventListener("paste", function (e) {
    const items = e.clipboardData ? e.clipboardData.items : [];
    for (const item of items) {
      if (item.kind === "file" && item.type.startsWith("image/")) {
        e.preventDefault();
        searchImage(item.getAsFile());
        return;
      }
    }
  });
})();
