/**
 * Public contract of the cookie-consent widget (consent.js + consent.css).
 *
 * Loading: `<link rel="stylesheet" href="consent.css">` and `<script defer src="consent.js">` in <head>.
 * The build replaces the single bare expression `__CONSENT_CONFIG__` in consent.js with the registry as
 * a JSON object literal. Nothing inline: works under `script-src 'self'; style-src 'self'`.
 *
 * Markup conventions:
 * - Gated script: `<script type="text/plain" data-consent="CATEGORY_ID" data-src="URL" ...attrs>`
 *   (or inline code instead of data-src). When CATEGORY_ID is opted in (at load from the stored decision,
 *   or right after the visitor opts in) it is replaced by a real <script> with the other attributes copied,
 *   `src` from data-src and async=false, in document order, at most once per page load. Required categories
 *   count as always opted in; an unknown category never runs. Inline code runs as soon as it is inserted
 *   (not after earlier external ones), and the site's CSP blocks it: prefer data-src.
 * - Settings control: any element with `data-consent-open`, e.g. the footer's
 *   `<a href="/privacy/#cookies" data-consent-open>`; a click opens the settings dialog instead of navigating.
 * - The banner's text ends with a link to the policy's cookie section when the build gives its address
 *   (`policy` in the config, a path from the site root such as `/en/privacy/#cookies`: any origin works).
 */

/** How a decision was made. "gpc": recorded automatically from Global Privacy Control. */
export type ConsentHow = 'accept' | 'reject' | 'settings' | 'gpc';

/** A stored decision; also the JSON (URI-encoded) in the first-party cookie. */
export interface ConsentDecision {
  /** Record format, always 1. */
  v: 1;
  /** Registry revision it was made under; a newer revision asks again. */
  rev: number;
  /** Random consent id (128 random bits), kept across later changes; new after reset(). */
  id: string;
  /** When it was made, ms since the epoch. */
  ts: number;
  how: ConsentHow;
  /** Every category id → opted in. Required categories are always true. */
  cats: Record<string, boolean>;
}

export interface ConsentWidget {
  /** The decision in force, or null while the visitor has not decided. */
  get(): ConsentDecision | null;
  /** Opens the settings dialog. */
  open(): void;
  /** Forgets the decision (cookie deleted, optional vendors' cookies expired, their declared storage keys removed) and shows the banner again. */
  reset(): void;
}

declare global {
  interface Window {
    consentWidget: ConsentWidget;
  }
  interface DocumentEventMap {
    /**
     * Dispatched on document after every decision (in this tab or another tab of the site) and after
     * reset (detail null). Not dispatched at load for a decision that was already stored: use get().
     */
    'consent:change': CustomEvent<ConsentDecision | null>;
  }
}
