// The chat protocol, version 1 (docs/chat-protocol.md), for the citizen's widget.
//
// Keeps the socket open by itself: reconnects after any drop with exponential backoff and full
// jitter, says hello with the last sequence number it saw (the server replays what was missed),
// and resends every message not yet acknowledged with its original client id (the server never
// stores one twice). Messages are handed on once each, in sequence order.

const PING_MS = 25000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30000;
const STORE_KEY = 'chat.conversation';

export function backoffDelay(attempt, random = Math.random) {
  // Full jitter: anywhere between 0 and the exponential ceiling.
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(random() * ceiling);
}

function newClientId() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export class ChatConnection {
  constructor({ url, language, handlers, storage = window.sessionStorage }) {
    this.url = url;
    this.language = language;
    this.handlers = handlers;
    this.storage = storage;
    this.socket = null;
    this.attempt = 0;
    this.lastSeq = 0;
    this.pending = new Map(); // client id -> body, until acknowledged
    this.stopped = false;
    this.greeted = false;
    const saved = this.load();
    this.conversation = saved.conversation || null;
    this.token = saved.token || null;
    this.lastSeq = 0; // replayed from the start on each page load, so the log is complete
  }

  load() {
    try {
      return JSON.parse(this.storage.getItem(STORE_KEY) || '{}');
    } catch (error) {
      return {};
    }
  }

  save() {
    try {
      this.storage.setItem(
        STORE_KEY,
        JSON.stringify({ conversation: this.conversation, token: this.token }),
      );
    } catch (error) {
      // Private browsing may refuse storage: the chat still works until the page is left.
    }
  }

  forget() {
    this.conversation = null;
    this.token = null;
    this.lastSeq = 0;
    this.pending.clear();
    try {
      this.storage.removeItem(STORE_KEY);
    } catch (error) {
      // nothing stored
    }
  }

  get hasConversation() {
    return Boolean(this.conversation);
  }

  start() {
    this.stopped = false;
    this.open();
    window.addEventListener('online', () => this.reconnectNow());
    window.addEventListener('offline', () => this.socket && this.socket.close());
  }

  open() {
    if (this.stopped) return;
    this.greeted = false;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      const hello = { type: 'hello', v: 1, language: this.language };
      if (this.conversation) {
        Object.assign(hello, {
          conversation: this.conversation,
          token: this.token,
          last_seq: this.lastSeq,
        });
      }
      this.send(hello);
      this.pingTimer = window.setInterval(() => this.send({ type: 'ping' }), PING_MS);
    });
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', () => this.closed(socket));
  }

  closed(socket) {
    window.clearInterval(this.pingTimer);
    if (socket !== this.socket || this.stopped) return;
    this.socket = null;
    this.handlers.connection?.('reconnecting');
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => this.open(), delay);
  }

  reconnectNow() {
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    window.clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.open();
  }

  stop() {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.pingTimer);
    if (this.socket) this.socket.close();
  }

  send(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  // A message the citizen wrote: kept until acknowledged, sent now or after reconnecting.
  say(body) {
    const clientId = newClientId();
    this.pending.set(clientId, body);
    if (this.greeted) this.send({ type: 'message', client_id: clientId, body });
    return clientId;
  }

  // Tell the server what has been shown, at most once a second (it keeps the highest).
  seenSoon() {
    if (this.seenTimer) return;
    this.seenTimer = window.setTimeout(() => {
      this.seenTimer = null;
      this.send({ type: 'seen', seq: this.lastSeq });
    }, 1000);
  }

  flushPending() {
    for (const [clientId, body] of this.pending) {
      this.send({ type: 'message', client_id: clientId, body });
    }
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (error) {
      return;
    }
    switch (frame.type) {
      case 'welcome':
        this.greeted = true;
        if (frame.conversation === null && this.conversation) {
          // The stored conversation is gone or not ours: start afresh.
          this.forget();
        }
        this.handlers.connection?.('connected');
        this.handlers.welcome?.(frame);
        if (frame.state) this.handlers.state?.(frame.state);
        this.flushPending();
        break;
      case 'conversation':
        this.conversation = frame.conversation;
        this.token = frame.token;
        this.save();
        break;
      case 'ack':
        this.pending.delete(frame.client_id);
        this.handlers.ack?.(frame);
        break;
      case 'message':
        if (frame.seq <= this.lastSeq) return; // already shown
        this.lastSeq = frame.seq;
        if (frame.client_id) this.pending.delete(frame.client_id);
        this.handlers.message?.(frame);
        this.seenSoon();
        break;
      case 'state':
        this.handlers.state?.(frame);
        break;
      case 'typing':
        this.handlers.typing?.(frame);
        break;
      case 'error':
        if (frame.code === 'not_permitted' && !this.greeted) {
          // Our stored conversation was refused: say hello afresh, without it.
          this.forget();
          this.send({ type: 'hello', v: 1, language: this.language });
          return;
        }
        if (frame.client_id && ['too_long', 'empty', 'closed', 'malformed'].includes(frame.code)) {
          this.pending.delete(frame.client_id);
        }
        if (['rate_limited', 'busy'].includes(frame.code) && frame.client_id) {
          const body = this.pending.get(frame.client_id);
          window.setTimeout(
            () => body && this.send({ type: 'message', client_id: frame.client_id, body }),
            Math.max(1000, (frame.retry_after || 1) * 1000),
          );
        }
        this.handlers.error?.(frame);
        break;
      default:
        break;
    }
  }
}
