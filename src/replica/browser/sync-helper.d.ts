/**
 * Types of the browser sync helper (sync-helper.js, plain JavaScript served to the page as is).
 * The project compiles without the DOM library, so the badge element is described by the few
 * members the helper uses; a real HTMLElement fits it.
 */

/** 'push': the local process pushes its outbox (and pulls); 'pull': only fresh server data is wanted. */
export type SyncKind = 'push' | 'pull';

/** What the helper asks the local process for: why, and whether it must push. */
export interface SyncRequest {
  readonly reason: string;
  readonly kind: SyncKind;
}

/** The local process's answer to GET `${endpoint}/status` and POST `${endpoint}/sync`. */
export interface SyncStatus {
  /** Local writes not yet acknowledged by the server. */
  readonly pending: number;
  /** When the last successful sync ended (ISO-8601 UTC), or null if never. */
  readonly lastSyncAt: string | null;
  /** Why the last sync failed; null when it succeeded. A non-null error counts as a failed sync. */
  readonly error: string | null;
}

export type BadgeKind = 'synced' | 'pending' | 'offline' | 'error' | 'syncing';

/** What the badge shows. */
export interface BadgeState {
  readonly kind: BadgeKind;
  /** The local process's pending count as last heard. */
  readonly pending: number;
  /** "synced", "pending N", "offline", "error" or "syncing…". */
  readonly text: string;
  /** The last failure's message (also the badge's title), or null. */
  readonly error: string | null;
}

/** The members of an HTMLElement the helper uses to render the badge. */
export interface BadgeElement {
  textContent: string | null;
  title: string;
  readonly dataset: { [key: string]: string | undefined };
  readonly classList: { add(...tokens: string[]): void; toggle(token: string, force?: boolean): boolean };
  hasAttribute(name: string): boolean;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
}

export interface ReplicaSyncOptions {
  /** Base path of the local process (default '/local'): POST `${endpoint}/sync`, GET `${endpoint}/status`. */
  endpoint?: string;
  /** Replaces the POST to `${endpoint}/sync` (and skips the initial GET of the status). */
  sync?: (request: SyncRequest) => Promise<SyncStatus>;
  /** The badge element, or a CSS selector for it; the helper sets its text, `data-state`, `data-pending` and class. */
  badge?: BadgeElement | string;
  /** Minimum time between pull-only syncs (tab visible, focus), from the start or end of the last sync. Default 5000. */
  cooldownMs?: number;
  /** Called whenever the badge state changes. */
  onStatus?: (state: BadgeState) => void;
}

export interface ReplicaSync {
  /**
   * Ask for a sync. 'push' (the default; after a local write) bypasses the cooldown; 'pull' is
   * subject to it. Never syncs while offline; during a sync, one more runs right after it.
   */
  requestSync(reason: string, kind?: SyncKind): void;
  /** Remove the event listeners and the retry timer; a sync in flight finishes without effect. */
  stop(): void;
  /** What the badge shows now. */
  readonly state: BadgeState;
}

/**
 * Start scheduling syncs for the page: one at once (page load, push), then on `online` (push,
 * resets the retry backoff), on the tab becoming visible and on focus (pull, after the cooldown),
 * and whenever the app calls requestSync. Failed syncs retry by themselves (1 s doubling to 60 s,
 * with jitter).
 */
export function startReplicaSync(options?: ReplicaSyncOptions): ReplicaSync;
