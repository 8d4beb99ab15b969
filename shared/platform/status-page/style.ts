import { createHash } from 'node:crypto';

/**
 * The page's only styling: one inline stylesheet, allowed by its hash in the Content Security
 * Policy (no inline style attributes, no scripts, nothing fetched). Readable on a phone: tables
 * scroll sideways inside their box, the rest wraps.
 */
export const STATUS_PAGE_CSS = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --run: #0969da; --muted: #6e7781; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; margin: 0 auto; padding: 12px; max-width: 1200px; }
h1 { font-size: 1.35rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 24px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1rem; margin: 16px 0 2px; overflow-wrap: anywhere; }
a { color: var(--run); }
.meta { color: var(--muted); margin: 0 0 8px; overflow-wrap: anywhere; }
.id, code { font-family: ui-monospace, "Liberation Mono", monospace; font-size: 0.88em; }
.counts { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
.pill { border: 1px solid var(--line); border-radius: 999px; padding: 1px 10px; white-space: nowrap; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); white-space: nowrap; }
td.err { max-width: 28em; overflow-wrap: anywhere; }
progress { width: 7em; vertical-align: middle; }
.state { font-weight: 600; white-space: nowrap; }
.s-available .state, .a-Completed { color: var(--ok); }
.s-failed .state, .s-timed_out .state, .a-Failed { color: var(--bad); }
.s-copying .state, .s-dispatching .state, .a-InProgress { color: var(--run); }
.s-queued .state, .s-waiting_for_source .state, .s-cancelled .state, .a-Unknown { color: var(--warn); }
.agg { font-weight: 600; margin-right: 6px; }
.stalled { color: var(--warn); font-weight: 600; }
tr.more td { border-bottom: 1px solid var(--line); padding-top: 0; }
details summary { cursor: pointer; color: var(--run); }
ol.history { margin: 6px 0; padding-left: 1.4em; }
ol.history li { overflow-wrap: anywhere; }
pre { background: rgba(127, 127, 127, 0.1); padding: 8px; overflow-x: auto; max-height: 24em; font-size: 0.8rem; }
.empty { color: var(--muted); font-style: italic; }
`;

/** For `style-src`: the stylesheet is allowed by hash, so an injected one could not be. */
export const STATUS_PAGE_CSS_HASH = `sha256-${createHash('sha256').update(STATUS_PAGE_CSS).digest('base64')}`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src '${STATUS_PAGE_CSS_HASH}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
