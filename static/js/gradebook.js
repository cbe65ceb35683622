/* The entry grids of learning results: a gradebook (templates/learning/gradebook.html) and a
   class's term reports (templates/learning/term_reports.html).

   A grid is a <table data-gradebook> or <table data-term-reports>; each editable cell is an
   <input data-column="…"> in a row <tr data-student="id">. The script validates as the teacher
   types, saves changed cells as JSON with the CSRF token (the server checks them again and
   answers 200 with the stored values, 422 with an error per cell, 409 when the term is
   locked), and moves between cells with Enter and the arrow keys. Every user-visible text
   comes from the table's data-msg-* attributes, translated by the template. */
"use strict";

(() => {
  const SCORE = /^\d{1,2}(?:[.,]\d+)?$/;
  const WHOLE = /^\d{1,3}$/;

  /* "a:x|b:y" → Map {a → x, b → y}; "a|b" → Set {a, b}. */
  function pairs(text) {
    const map = new Map();
    (text || "").split("|").forEach((item) => {
      const at = item.indexOf(":");
      if (at > 0) map.set(item.slice(0, at), item.slice(at + 1));
    });
    return map;
  }
  function words(text) {
    return new Set((text || "").split("|").filter(Boolean).map((w) => w.toLowerCase()));
  }

  /* A stored decimal ("7.8", "8.0") as Vietnamese writes it: "7,8"; entry cells drop a
     trailing ",0" (the score typed was 8), the term average keeps its one decimal. */
  function decimalText(value, keepTenth) {
    if (value === undefined || value === null || value === "") return "";
    let text = String(value);
    if (!keepTenth && /\.0+$/.test(text)) text = text.replace(/\.0+$/, "");
    return text.replace(".", ",");
  }

  class Grid {
    constructor(table) {
      this.table = table;
      this.data = table.dataset;
      this.status = document.getElementById("gradebook-status");
      this.labels = pairs(this.data.labels);
      this.accept = {
        result: words(this.data.acceptResult),
        level: words(this.data.acceptLevel),
        conduct: words(this.data.acceptConduct),
      };
      this.pending = new Set();
      this.busy = false;
      table.addEventListener("input", (event) => this.onInput(event));
      table.addEventListener("change", (event) => this.onChange(event));
      table.addEventListener("keydown", (event) => this.onKeydown(event));
      table.addEventListener("focusin", (event) => {
        if (event.target instanceof HTMLInputElement) event.target.select();
      });
      table.addEventListener("paste", (event) => this.onPaste(event));
      this.inputs().forEach((input) => {
        input.dataset.saved = input.value;
      });
    }

    inputs() {
      return Array.from(this.table.querySelectorAll("tbody input[data-column]"));
    }

    rows() {
      return Array.from(this.table.querySelectorAll("tbody tr[data-student]"));
    }

    msg(name) {
      return this.data["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
    }

    announce(text) {
      if (this.status) this.status.textContent = text;
    }

    /* The error message of a typed value, or "" when the server would accept it. */
    check(input) {
      const text = input.value.trim();
      const kind = input.dataset.kind;
      if (!text || kind === "text") return "";
      if (kind === "score") {
        if (!SCORE.test(text)) return this.msg("number");
        const number = Number(text.replace(",", "."));
        if (!(number >= 0 && number <= 10)) return this.msg("range");
        const fraction = (text.split(/[.,]/)[1] || "").replace(/0+$/, "");
        const decimals = Number(this.data.decimals || "1");
        if (fraction.length > decimals) return decimals === 0 ? this.msg("whole") : this.msg("decimals");
        if (number === 0 && this.data.allowZero === "0") return this.msg("zero");
        return "";
      }
      if (kind === "count") {
        if (!WHOLE.test(text) || Number(text) > Number(this.data.countMax || "250")) {
          return this.msg("count");
        }
        return "";
      }
      const accepted = this.accept[kind];
      if (accepted && accepted.size && !accepted.has(text.toLowerCase())) return this.msg(kind);
      return "";
    }

    cellOf(input) {
      return input.closest("td");
    }

    setError(input, message) {
      const cell = this.cellOf(input);
      let note = cell.querySelector(".cell-error");
      cell.classList.remove("is-saving", "is-saved");
      if (!message) {
        cell.classList.remove("is-error");
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
        if (note) note.remove();
        return;
      }
      cell.classList.add("is-error");
      input.setAttribute("aria-invalid", "true");
      if (!note) {
        note = document.createElement("span");
        note.className = "cell-error";
        note.id = input.id + "-error";
        cell.appendChild(note);
      }
      note.textContent = message;
      input.setAttribute("aria-describedby", note.id);
    }

    setState(input, state) {
      const cell = this.cellOf(input);
      cell.classList.remove("is-saving", "is-saved", "is-error");
      if (state) cell.classList.add("is-" + state);
    }

    onInput(event) {
      const input = event.target;
      if (!(input instanceof HTMLInputElement)) return;
      // Numbers are checked as they are typed; a level or result only when the cell is left,
      // since "c" is the start of "cđ".
      if (input.dataset.kind === "score" || input.dataset.kind === "count") {
        this.setError(input, this.check(input));
      } else if (this.cellOf(input).classList.contains("is-error")) {
        this.setError(input, "");
      }
    }

    onChange(event) {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.dataset.column) return;
      this.submit([input]);
    }

    /* Validate ``inputs`` and save the valid ones that changed, in one request. */
    submit(inputs) {
      const ready = [];
      let invalid = 0;
      inputs.forEach((input) => {
        const message = this.check(input);
        this.setError(input, message);
        if (message) invalid += 1;
        else if (input.value.trim() !== (input.dataset.saved || "").trim()) ready.push(input);
      });
      if (invalid) this.announce(this.msg("invalid"));
      if (ready.length) this.save(ready);
    }

    payload(inputs) {
      const cells = inputs.map((input) => ({
        student: Number(input.closest("tr").dataset.student),
        column: input.dataset.column,
        value: input.value.trim(),
      }));
      return { cells };
    }

    /* Saves go one request at a time, in the order typed: a cell changed twice is never
       stored in the wrong order, and cells changed while a request is under way leave
       together in the next one. */
    save(inputs) {
      inputs.forEach((input) => {
        this.setState(input, "saving");
        this.pending.add(input);
      });
      this.announce(this.msg("saving"));
      if (!this.busy) this.flush();
    }

    async flush() {
      this.busy = true;
      while (this.pending.size) {
        const batch = Array.from(this.pending);
        this.pending.clear();
        await this.send(batch);
      }
      this.busy = false;
    }

    async send(inputs) {
      inputs.forEach((input) => {
        input.dataset.sending = input.value.trim();
      });
      let response = null;
      let body = null;
      try {
        response = await fetch(this.data.saveUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "X-CSRFToken": this.data.csrf,
            Accept: "application/json",
          },
          body: JSON.stringify(this.payload(inputs)),
        });
        body = await response.json().catch(() => null);
      } catch (error) {
        response = null;
      }
      if (response && response.ok && body && Array.isArray(body.saved)) {
        this.applySaved(inputs, body.saved);
        this.announce(this.msg("saved"));
      } else if (response && response.status === 422 && body && Array.isArray(body.errors)) {
        this.applyErrors(inputs, body.errors);
        this.announce(this.msg("invalid"));
      } else if (response && response.status === 409) {
        const text = (body && body.message) || this.msg("locked");
        inputs.forEach((input) => this.setError(input, text));
        this.announce(text + " " + this.msg("locked"));
      } else {
        inputs.forEach((input) => this.setError(input, this.msg("failed")));
        this.announce(this.msg("failed"));
      }
    }

    /* The row of student ``id``. */
    row(id) {
      return this.table.querySelector('tbody tr[data-student="' + Number(id) + '"]');
    }

    /* Show what the server stored: the cells sent become "saved" and show the stored value
       in the grid's notation, unless the teacher has typed in them again meanwhile (her new
       value is saved by its own request); the term average follows. */
    applySaved(inputs, saved) {
      const stored = new Map(saved.map((item) => [Number(item.student), item.values || {}]));
      inputs.forEach((input) => {
        if (input.value.trim() !== input.dataset.sending) return;
        const values = stored.get(Number(input.closest("tr").dataset.student));
        // A cell equal to what was stored changes nothing, and the server lists no row for it.
        if (values !== undefined) input.value = this.display(input, values);
        input.dataset.saved = input.value;
        this.setError(input, "");
        this.setState(input, "saved");
      });
      stored.forEach((values, id) => {
        const tr = this.row(id);
        const average = tr && tr.querySelector("[data-average]");
        if (average) average.textContent = decimalText(values.average, true);
      });
    }

    /* The stored value of ``input``'s column in ``values`` (a row of the answer), as shown. */
    display(input, values) {
      const column = input.dataset.column;
      const value = column.startsWith("trait:")
        ? (values.traits || {})[column.slice(6)]
        : values[column];
      if (value === undefined || value === null || value === "") return "";
      const kind = input.dataset.kind;
      if (kind === "score") return decimalText(value, false);
      if (kind === "count") return Number(value) ? String(value) : "";
      if (kind === "text") return String(value);
      return this.labels.get(String(value)) || String(value);
    }

    applyErrors(inputs, errors) {
      errors.forEach((error) => {
        const tr = this.row(error.student);
        if (!tr) return;
        const targets = error.column
          ? [tr.querySelector('input[data-column="' + CSS.escape(error.column) + '"]')]
          : inputs.filter((input) => input.closest("tr") === tr);
        targets.forEach((input) => input && this.setError(input, error.message));
      });
      // The server saved nothing: the cells without an error of their own go again in the
      // next request (when the refusal named a cell, so that the next request differs).
      const refused = inputs.filter((input) => this.cellOf(input).classList.contains("is-error"));
      inputs.forEach((input) => {
        if (refused.includes(input)) return;
        if (refused.length) this.pending.add(input);
        else this.setError(input, this.msg("failed"));
      });
    }

    /* Enter and Shift+Enter, ↑ and ↓ move down and up a column; ← and → move along the row
       when the caret is at the edge of the text (or the whole text is selected). */
    onKeydown(event) {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.dataset.column) return;
      let rowStep = 0;
      let colStep = 0;
      if (event.key === "Enter") rowStep = event.shiftKey ? -1 : 1;
      else if (event.key === "ArrowDown") rowStep = 1;
      else if (event.key === "ArrowUp") rowStep = -1;
      else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        const start = input.selectionStart;
        const end = input.selectionEnd;
        const whole = start === 0 && end === input.value.length;
        if (event.key === "ArrowLeft" && (whole || (start === 0 && end === 0))) colStep = -1;
        const atEnd = start === input.value.length && end === input.value.length;
        if (event.key === "ArrowRight" && (whole || atEnd)) colStep = 1;
      }
      if (!rowStep && !colStep) return;
      event.preventDefault();
      const target = this.neighbour(input, rowStep, colStep);
      if (target) target.focus();
      else if (event.key === "Enter") input.blur();
    }

    neighbour(input, rowStep, colStep) {
      const tr = input.closest("tr");
      const inRow = Array.from(tr.querySelectorAll("input[data-column]"));
      if (colStep) return inRow[inRow.indexOf(input) + colStep] || null;
      const rows = this.rows();
      const next = rows[rows.indexOf(tr) + rowStep];
      if (!next) return null;
      return next.querySelector('input[data-column="' + CSS.escape(input.dataset.column) + '"]');
    }

    /* A block copied from a spreadsheet (lines, cells separated by tabs) fills the cells from
       this one down and to the right, and is saved in one request. */
    onPaste(event) {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.dataset.column) return;
      const text = (event.clipboardData && event.clipboardData.getData("text/plain")) || "";
      if (!/[\t\n\r]/.test(text.replace(/[\r\n]+$/, ""))) return;
      event.preventDefault();
      const lines = text.replace(/[\r\n]+$/, "").split(/\r\n|\r|\n/);
      const rows = this.rows();
      const first = rows.indexOf(input.closest("tr"));
      const filled = [];
      lines.forEach((line, down) => {
        const tr = rows[first + down];
        if (!tr) return;
        const inRow = Array.from(tr.querySelectorAll("input[data-column]"));
        const startCol = inRow.findIndex((i) => i.dataset.column === input.dataset.column);
        line.split("\t").forEach((value, right) => {
          const target = inRow[startCol + right];
          if (!target) return;
          target.value = value.trim();
          filled.push(target);
        });
      });
      this.submit(filled);
    }
  }

  /* Term reports: the same grid; a row's fields go as {"rows": [{"student", field: value}]}
     and the answer carries the row's live results. */
  class ReportGrid extends Grid {
    payload(inputs) {
      const rows = new Map();
      inputs.forEach((input) => {
        const id = Number(input.closest("tr").dataset.student);
        if (!rows.has(id)) rows.set(id, { student: id });
        const row = rows.get(id);
        const column = input.dataset.column;
        if (column.startsWith("trait:")) {
          row.traits = row.traits || {};
          row.traits[column.slice(6)] = input.value.trim();
        } else {
          row[column] = input.value.trim();
        }
      });
      return { rows: Array.from(rows.values()) };
    }
  }

  /* The correction request of a locked gradebook: a student, a column, the value, a reason. */
  function correctionForm(form) {
    const result = form.querySelector(".correction-result");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const column = String(data.get("column") || "");
      const body = {
        student: Number(data.get("student")),
        cells: { [column]: String(data.get("value") || "").trim() },
        reason: String(data.get("reason") || ""),
      };
      result.classList.remove("ok", "field-error");
      let response = null;
      let answer = null;
      try {
        response = await fetch(form.dataset.url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "X-CSRFToken": form.dataset.csrf,
            Accept: "application/json",
          },
          body: JSON.stringify(body),
        });
        answer = await response.json().catch(() => null);
      } catch (error) {
        response = null;
      }
      if (response && response.status === 201) {
        result.textContent = form.dataset.msgSent;
        result.classList.add("ok");
        form.reset();
      } else if (response && response.status === 422 && answer && Array.isArray(answer.errors)) {
        result.textContent = answer.errors.map((e) => e.message).join(" ");
        result.classList.add("field-error");
      } else {
        result.textContent = form.dataset.msgFailed;
        result.classList.add("field-error");
      }
    });
  }

  function start() {
    document.querySelectorAll("table[data-gradebook]").forEach((table) => new Grid(table));
    document.querySelectorAll("table[data-term-reports]").forEach((table) => new ReportGrid(table));
    document.querySelectorAll("form[data-correction]").forEach(correctionForm);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
