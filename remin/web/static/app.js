// remin serve: the page's behaviour. Plain DOM, no libraries, nothing fetched
// from anywhere but this server. Text from files is set with textContent only.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("check-form");
  const maxUploadMb = parseFloat(form.dataset.maxUploadMb);
  const state = { files: [], mapping: null, data: null };

  // ---- number formats: the same as the terminal table of `remin check` ----
  function pct(v) {
    return v === null || v === undefined ? "n/a" : (v * 100).toFixed(4) + " %";
  }
  function fixed3(x) {
    return x.toLocaleString("en-US", { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  }
  function mass(kg) {
    if (kg === null || kg === undefined) return "unknown";
    const a = Math.abs(kg);
    if (a >= 1) return fixed3(kg) + " kg";
    if (a >= 1e-3) return fixed3(kg * 1e3) + " g";
    return fixed3(kg * 1e6) + " mg";
  }
  function isClose(a, b) {
    return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }
  function shareRange(share) {
    if (!share || share.low === null) return "n/a";
    if (share.high === null || isClose(share.low, share.high)) return pct(share.low);
    return pct(share.low) + " – " + pct(share.high);
  }

  function size(bytes) {   // as remin.web.limits.size_text
    return bytes >= 1e5 ? (bytes / 1e6).toFixed(1) + " MB" : (bytes / 1e3).toFixed(1) + " kB";
  }

  // ---- small DOM helpers ----
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const c of children) node.append(c instanceof Node ? c : String(c ?? ""));
    return node;
  }
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }
  function setStatus(message) {
    $("status").textContent = message;
  }

  // ---- choosing files: drop zone, file input, mapping input ----
  function addFiles(list) {
    for (const f of list) {
      if (/\.toml$/i.test(f.name)) state.mapping = f;
      else if (!state.files.some((g) => g.name === f.name && g.size === f.size)) state.files.push(f);
    }
    renderFileList();
  }
  function renderFileList() {
    const ul = $("file-list");
    ul.replaceChildren();
    state.files.forEach((f, i) => {
      const remove = el("button", { type: "button", class: "remove", title: "remove " + f.name }, "×");
      remove.addEventListener("click", () => { state.files.splice(i, 1); renderFileList(); });
      ul.append(el("li", {}, el("span", {}, f.name), el("span", { class: "size" }, size(f.size)), remove));
    });
    if (state.mapping) {
      const remove = el("button", { type: "button", class: "remove", title: "remove the mapping file" }, "×");
      remove.addEventListener("click", () => { state.mapping = null; $("mapping").value = ""; renderFileList(); });
      ul.append(el("li", { class: "mapping" }, el("span", {}, "mapping: " + state.mapping.name), remove));
    }
  }
  const drop = $("dropzone");
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => {
    e.preventDefault();
    drop.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("over")));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files) addFiles(e.dataTransfer.files);
  });
  // A file dropped beside the zone must not make the browser leave the page.
  ["dragover", "drop"].forEach((t) => window.addEventListener(t, (e) => e.preventDefault()));
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("files").click(); }
  });
  $("files").addEventListener("change", (e) => { addFiles(e.target.files); e.target.value = ""; });
  $("mapping").addEventListener("change", (e) => {
    state.mapping = e.target.files[0] || null;
    renderFileList();
  });

  // ---- talking to the server ----
  function formData() {
    const fd = new FormData();
    for (const f of state.files) fd.append("files", f, f.name);
    if (state.mapping) fd.append("mapping", state.mapping, state.mapping.name);
    fd.append("as_of", $("as-of").value);
    fd.append("as_written", $("as-written").checked ? "true" : "false");
    fd.append("all_levels", $("all-levels").checked ? "true" : "false");
    return fd;
  }
  function tooLarge() {
    const total = state.files.reduce((s, f) => s + f.size, 0) + (state.mapping ? state.mapping.size : 0);
    if (total <= maxUploadMb * 1e6) return null;
    return "upload too large (" + size(total) + "): the limit is " + maxUploadMb +
      " MB per check. Split the BOM, leave out sheets that are not needed, or ask whoever runs the " +
      "server to start it with `remin serve --max-upload-mb N`";
  }
  async function post(url) {
    const problem = state.files.length ? tooLarge() : "Choose or drop at least one BOM file first.";
    if (problem) throw new Error(problem);
    let response;
    try {
      response = await fetch(url, { method: "POST", body: formData() });
    } catch (err) {
      throw new Error("the server did not answer (" + err.message + "); is `remin serve` still running?");
    }
    if (!response.ok) {
      let message = response.status + " " + response.statusText;
      try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
      throw new Error(message);
    }
    return response;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError("");
    $("run").disabled = true;
    setStatus("Checking " + state.files.map((f) => f.name).join(", ") + " …");
    try {
      const data = await (await post("/api/results")).json();
      state.data = data;
      render(data);
      setStatus("Checked " + data.check.inputs.map((i) => i.path).join(", ") + " as of " + data.check.rules.as_of + ".");
    } catch (err) {
      setStatus("");
      showError(err.message);
    } finally {
      $("run").disabled = false;
    }
  });

  function save(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  $("download-report").addEventListener("click", async () => {
    showError("");
    setStatus("Writing the Excel report …");
    try {
      const response = await post("/api/report");
      const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      save(await response.blob(), match ? match[1] : "remin-report.xlsx");
      setStatus("Excel report downloaded.");
    } catch (err) {
      setStatus("");
      showError(err.message);
    }
  });
  $("download-json").addEventListener("click", async () => {
    showError("");
    try {   // the JSON of `remin check --format json`, detail included: asked for anew
      const response = await post("/api/check");
      const check = await response.clone().json();
      save(await response.blob(), "remin-check-" + check.rules.as_of + ".json");
    } catch (err) {
      showError(err.message);
    }
  });

  // ---- results ----
  function render(data) {
    const check = data.check;
    renderRules(check.rules);
    renderSkus(check);
    renderFindings(check.findings);
    const select = $("chart-sku");
    select.replaceChildren(...check.skus.map((s) => el("option", { value: s.sku }, s.sku)));
    if (check.skus.length) drawChart(check.skus[0].sku);
    $("results").hidden = false;
  }

  function renderRules(rules) {
    const box = $("rules");
    box.replaceChildren(
      el("p", {}, el("strong", {}, "Rules " + rules.id + " as of " + rules.as_of + (rules.as_written ? " (as written)" : "") + ": "),
        "0.1 % rule " + rules.status + "; controlled: " + (rules.controlled_elements.join(", ") || "none") +
        "; threshold share ≥ " + (rules.threshold * 100) + " %"),
      ...(rules.notes || []).map((n) => el("p", { class: "note" }, "Note: " + n)));
  }

  function verdictCell(verdict, decidedBy) {
    const td = el("td", { class: "verdict v-" + verdict, "data-verdict": verdict }, verdict);
    if (decidedBy) td.append(el("span", { class: "by" }, " (" + decidedBy + ")"));
    return td;
  }

  function renderSkus(check) {
    const body = $("sku-table").tBodies[0];
    body.replaceChildren();
    for (const s of check.skus) {
      const c = s.controlled_mass_kg;
      const row = el("tr", { "data-sku": s.sku },
        el("td", { class: "sku" }, s.sku),
        el("td", { class: "desc" }, s.description || ""),
        el("td", { class: "num mass" }, mass(s.mass_kg)),
        el("td", { class: "num cn" }, c.cn === 0 ? "0" : mass(c.cn)),
        el("td", { class: "num unknown" }, c.unknown === 0 ? "0" : mass(c.unknown)),
        el("td", { class: "num other" }, c.other === 0 ? "0" : mass(c.other)),
        el("td", { class: "num share" }, shareRange(s.mass_share)),
        verdictCell(s.mass_verdict),
        el("td", { class: "num value-share" }, shareRange(s.value_share)),
        verdictCell(s.value_verdict),
        verdictCell(s.verdict, s.decided_by));
      row.classList.add("verdict-row");
      row.querySelector("td:last-child").classList.add("headline");
      row.addEventListener("click", () => { $("chart-sku").value = s.sku; drawChart(s.sku); });
      body.append(row);
    }
  }

  const MAX_FINDINGS = 500;
  function renderFindings(findings) {
    const counts = { error: 0, warning: 0, info: 0 };
    findings.forEach((f) => { counts[f.severity] = (counts[f.severity] || 0) + 1; });
    $("finding-counts").textContent = "(" + counts.error + " errors, " + counts.warning + " warnings, " + counts.info + " notes)";
    const body = $("findings").tBodies[0];
    const showNotes = $("show-notes").checked;
    body.replaceChildren(...findings.slice(0, MAX_FINDINGS).map((f) => el("tr", {
      class: "sev-" + f.severity, hidden: f.severity === "info" && !showNotes },
      el("td", {}, f.severity), el("td", { class: "code" }, f.code), el("td", { class: "part" }, f.part || ""),
      el("td", {}, where(f.source)), el("td", {}, f.message))));
    const more = $("findings-more");
    more.hidden = findings.length <= MAX_FINDINGS;
    more.textContent = (findings.length - MAX_FINDINGS) + " more findings are in the JSON and Excel downloads.";
  }
  // Notes (severity info) are many and routine: shown on request, as the terminal table does.
  $("show-notes").addEventListener("change", (e) => {
    for (const tr of $("findings").tBodies[0].querySelectorAll("tr.sev-info")) tr.hidden = !e.target.checked;
  });
  function where(src) {
    if (!src) return "";
    return [src.file, src.sheet && "sheet " + src.sheet, src.row !== null && src.row !== undefined && "row " + src.row,
      src.column && "column " + src.column].filter(Boolean).join(", ");
  }

  // ---- contributor chart: one stacked bar per part, grams by origin ----
  $("chart-sku").addEventListener("change", (e) => drawChart(e.target.value));
  const ORIGINS = [["cn", "CN origin"], ["unknown", "unknown origin"], ["other", "other origin"]];

  function drawChart(sku) {
    const check = state.data.check;
    const s = check.skus.find((x) => x.sku === sku);
    const contributors = state.data.contributors[sku];
    const holder = $("chart-svg");
    const caption = $("chart-caption");
    holder.replaceChildren();
    for (const tr of $("sku-table").tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.sku === sku);
    if (!contributors) {
      caption.textContent = "Contributors are listed for the first " + state.data.chart_sku_limit +
        " SKUs only; run `remin check --sku " + sku + "` for this one.";
      return;
    }
    const thresholdKg = s.mass_kg === null ? null : check.rules.threshold * s.mass_kg;
    const bars = [{ label: "all parts", part: "", total: true, ...s.controlled_mass_kg }]
      .concat(contributors.rows.map((r) => ({ label: r.part, ...r })));
    if (contributors.others) {
      bars.push({ label: contributors.others.count + " more parts", part: "", ...contributors.others });
    }
    const kg = (b, o) => b[o + "_kg"] ?? b[o] ?? 0;
    const totalOf = (b) => ORIGINS.reduce((t, [o]) => t + (kg(b, o) || 0), 0);
    const scaleMax = Math.max(...bars.map(totalOf), thresholdKg || 0) || 1;
    const W = 980, left = 170, right = 330, rowH = 26, top = 26;
    const barW = W - left - right;
    const H = top + bars.length * rowH + 40;
    const root = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": "controlled rare-earth mass per contributing part of " + sku });
    bars.forEach((b, i) => {
      const y = top + i * rowH;
      const g = svg("g", { class: b.total ? "bar total" : "bar", "data-part": b.part || b.label });
      g.append(svg("text", { x: left - 8, y: y + 16, class: "label", "text-anchor": "end" }, shorten(b.label, 22)));
      let x = left;
      const parts = [];
      for (const [o, name] of ORIGINS) {
        const v = kg(b, o);
        if (!v) continue;
        const w = Math.max(1, (v / scaleMax) * barW);
        const rect = svg("rect", { x: x, y: y + 4, width: w, height: rowH - 8, class: "seg " + o });
        rect.append(svg("title", {}, (b.description ? b.label + " – " + b.description : b.label) + ": " + mass(v) + " " + name));
        g.append(rect);
        x += w;
        parts.push(mass(v) + " " + o);
      }
      g.append(svg("text", { x: x + 6, y: y + 16, class: "value" }, parts.join(" · ") || "0"));
      root.append(g);
    });
    if (thresholdKg !== null) {
      const tx = left + (thresholdKg / scaleMax) * barW;
      root.append(svg("line", { x1: tx, x2: tx, y1: top - 6, y2: top + rowH, class: "threshold" }));
      root.append(svg("text", { x: tx, y: top - 10, class: "threshold-label",
        "text-anchor": tx < left + 90 ? "start" : "middle" }, "0.1 % of mass = " + mass(thresholdKg)));
    }
    const legendY = H - 12;
    ORIGINS.forEach(([o, name], i) => {
      const lx = left + i * 130;
      root.append(svg("rect", { x: lx, y: legendY - 10, width: 12, height: 12, class: "seg " + o }));
      root.append(svg("text", { x: lx + 18, y: legendY, class: "legend" }, name));
    });
    root.append(svg("text", { x: left + 3 * 130 + 20, y: legendY, class: "axis" },
      "controlled rare earths in one " + shorten(sku, 24) + ", by origin"));
    holder.append(root);
    caption.textContent = sku + ": " + contributors.count + " contributing part" + (contributors.count === 1 ? "" : "s") +
      "; " + s.mass_verdict + " on mass (" + shareRange(s.mass_share) + "). The top bar is the whole SKU; the line marks " +
      "the 0.1 % threshold for its Chinese-origin content.";
  }
  function shorten(text, n) {
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }
})();
