// A tiny element builder: h("button", {class: "x", onclick}, "text", child...). No framework.
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

// A table with a caption and column headers; rows are arrays of cells. The explicit roles keep it a
// table for screen readers where a narrow screen restyles the rows as cards (style.css).
export function table(caption: string, headers: string[], rows: Child[][]): HTMLTableElement {
  return h(
    "table",
    { role: "table" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, ...headers.map((text) => h("th", { scope: "col", role: "columnheader" }, text)))),
    // data-label: the column's name, shown beside each cell where a narrow screen stacks the rows.
    h(
      "tbody",
      { role: "rowgroup" },
      ...rows.map((cells) => h("tr", { role: "row" }, ...cells.map((cell, i) => h("td", { role: "cell", "data-label": headers[i] ?? "" }, cell)))),
    ),
  );
}

// A table that may scroll sideways on a narrow screen: the scrolling region is focusable (keyboard
// users can scroll it) and named after the table's caption.
export function wrapTable(tableEl: HTMLTableElement): HTMLElement {
  const label = tableEl.caption?.textContent ?? "";
  return h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": label }, tableEl);
}
