/**
 * Keyboard navigation on every page. "g" then a view's letter opens that view of the case (each
 * navigation link carries its letter in `data-key`, from the view's registration); "/" goes to
 * the search field (`data-key-search`) or the search page; "j" and "k" move through the items of
 * a list (`data-key-row`) and Enter opens the focused item's main link (`data-key-open`, else its
 * first); "?" opens the help, a `<dialog>` the page renders in the reader's language. Keys typed
 * into a field, or pressed with Ctrl, Alt or Meta, are left to the page.
 */

const ROW = "[data-key-row]";
/** How long after "g" its second letter is awaited (ms). */
const CHORD_MS = 1500;
let chordAt = 0;

function typing(target: EventTarget | null): boolean {
  const el = target instanceof HTMLElement ? target : null;
  return el !== null && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

function rows(): HTMLElement[] {
  return Array.from(document.querySelectorAll<HTMLElement>(ROW));
}

/** Focus the next (or previous) item of the page's list; false when the page has none. */
function move(step: number): boolean {
  const all = rows();
  if (!all.length) return false;
  const at = all.findIndex((r) => r.contains(document.activeElement));
  const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
  const row = all[next]!;
  if (!row.hasAttribute("tabindex")) row.tabIndex = -1;
  row.focus();
  row.scrollIntoView({ block: "nearest" });
  return true;
}

function go(link: HTMLAnchorElement | null): boolean {
  if (!link) return false;
  link.click();
  return true;
}

document.addEventListener("keydown", (ev) => {
  if (ev.defaultPrevented || ev.ctrlKey || ev.altKey || ev.metaKey || typing(ev.target)) return;
  const help = document.getElementById("keys-help");
  if (help instanceof HTMLDialogElement && help.open) return; // its own keys (Esc closes it)
  if (chordAt && Date.now() - chordAt < CHORD_MS) {
    chordAt = 0;
    if (/^[a-z]$/.test(ev.key) && go(document.querySelector<HTMLAnchorElement>(`a[data-key="${ev.key}"]`))) {
      ev.preventDefault();
    }
    return;
  }
  chordAt = 0;
  let done = false;
  if (ev.key === "g") {
    chordAt = Date.now();
    done = true;
  } else if (ev.key === "?" && help instanceof HTMLDialogElement) {
    help.showModal();
    done = true;
  } else if (ev.key === "/") {
    const field = document.querySelector<HTMLInputElement>("[data-key-search]");
    if (field) {
      field.focus();
      field.select();
      done = true;
    } else done = go(document.querySelector<HTMLAnchorElement>('a[data-key="s"]'));
  } else if (ev.key === "j" || ev.key === "k") {
    done = move(ev.key === "j" ? 1 : -1);
  } else if (ev.key === "Enter" && document.activeElement instanceof HTMLElement && document.activeElement.matches(ROW)) {
    const row = document.activeElement;
    done = go(row.querySelector<HTMLAnchorElement>("a[data-key-open]") ?? row.querySelector<HTMLAnchorElement>("a[href]"));
  }
  if (done) ev.preventDefault();
});
