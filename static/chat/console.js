// The agent's chat workspace: every chat assigned to me, in tabs with unread counts; accept,
// reply, internal notes, canned responses (Alt+R, or "/shortcut" in the reply box), transfer and
// close. Speaks the staff side of docs/chat-protocol.md and reconnects by itself.

import { backoffDelay } from './connection.js';
import { linkify } from './text.js';

const root = document.getElementById('chat-console');
const config = JSON.parse(document.getElementById('chat-console-config').textContent);
const t = JSON.parse(document.getElementById('chat-console-strings').textContent);
const chats = new Map(); // public id -> chat
let active = null;
let socket = null;
let attempt = 0;
let retryTimer = null;
let greeted = false;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'text') node.textContent = value;
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, name) => String(values[name] ?? ''));
}

function clientId() {
  return window.crypto?.randomUUID?.() || `a-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

// --- layout --------------------------------------------------------------------------------

const alertBox = el('div', { class: 'app-console-chat__alert', role: 'alert', hidden: true });
const connectionNotice = el('p', { class: 'govuk-body-s', role: 'status' });
const tabs = el('div', { class: 'app-console-chat__tabs', role: 'tablist', 'aria-label': 'Chats' });
const empty = el('p', { class: 'govuk-body', text: t.noChats });
const panels = el('div', { class: 'app-console-chat__panels' });
const soundToggle = el('input', { class: 'govuk-checkboxes__input', type: 'checkbox', id: 'chat-sound' });
const soundControl = el(
  'div',
  { class: 'govuk-checkboxes govuk-checkboxes--small govuk-!-margin-bottom-4' },
  el(
    'div',
    { class: 'govuk-checkboxes__item' },
    soundToggle,
    el('label', { class: 'govuk-label govuk-checkboxes__label', for: 'chat-sound', text: t.sound }),
  ),
);
root.replaceChildren(connectionNotice, alertBox, soundControl, tabs, empty, panels);

function beep() {
  if (!soundToggle.checked) return;
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.2);
  } catch (error) {
    // no sound available
  }
}

function announce(text) {
  alertBox.textContent = text;
  alertBox.hidden = false;
  beep();
  window.setTimeout(() => {
    alertBox.hidden = true;
  }, 8000);
}

// --- one chat ------------------------------------------------------------------------------

function speaker(frame) {
  if (frame.kind === 'citizen') return t.citizen;
  if (frame.kind === 'bot') return t.assistant;
  if (frame.kind === 'system') return t.system;
  if (frame.kind === 'note') return `${t.noteLabel} (${frame.author || ''})`;
  return frame.author || t.agent;
}

function fillCanned(body, chat) {
  return body
    .replaceAll('{citizen_name}', chat.summary.citizen || '')
    .replaceAll('{agent_name}', config.agentName)
    .replace(/\s+([,.?!])/g, '$1')
    .replace(/ {2,}/g, ' ');
}

function createChat(summary) {
  const id = summary.conversation;
  const tab = el('button', {
    type: 'button',
    role: 'tab',
    class: 'govuk-button govuk-button--secondary app-console-chat__tab',
    id: `tab-${id}`,
    'aria-controls': `panel-${id}`,
    'aria-selected': 'false',
  });
  const log = el('ol', { class: 'app-chat__list' });
  const logRegion = el(
    'div',
    { class: 'app-chat__log', role: 'log', 'aria-live': 'polite', 'aria-label': t.messages, tabindex: '0' },
    log,
  );
  const state = el('p', { class: 'govuk-body app-chat__state' });
  const typing = el('p', { class: 'govuk-body-s app-chat__typing', hidden: true, text: t.typing });
  // What this adviser wrote that the server has not acknowledged yet: kept (and shown) until
  // it is, and sent again after a reconnect with its own client id, so it is stored once.
  const outboxList = el('ul', { class: 'govuk-list app-chat__outbox', 'aria-label': t.sending, hidden: true });
  const acceptButton = el('button', { type: 'button', class: 'govuk-button', text: t.accept });
  const reply = el('textarea', { class: 'govuk-textarea', id: `reply-${id}`, rows: '3' });
  const noteBox = el('input', { class: 'govuk-checkboxes__input', type: 'checkbox', id: `note-${id}` });
  const cannedSearch = el('input', {
    class: 'govuk-input',
    id: `canned-${id}`,
    type: 'search',
    autocomplete: 'off',
  });
  const cannedResults = el('ul', { class: 'govuk-list app-console-chat__canned-results' });
  const composer = el(
    'form',
    { class: 'app-chat__composer', novalidate: true },
    el(
      'div',
      { class: 'govuk-form-group govuk-!-margin-bottom-2' },
      el('label', { class: 'govuk-label', for: `reply-${id}`, text: t.message }),
      reply,
    ),
    el(
      'div',
      { class: 'govuk-checkboxes govuk-checkboxes--small govuk-!-margin-bottom-2' },
      el(
        'div',
        { class: 'govuk-checkboxes__item' },
        noteBox,
        el('label', { class: 'govuk-label govuk-checkboxes__label', for: `note-${id}`, text: t.note }),
      ),
    ),
    el('button', { type: 'submit', class: 'govuk-button', text: t.send }),
    el(
      'details',
      { class: 'govuk-details govuk-!-margin-bottom-2' },
      el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text', text: t.canned })),
      el(
        'div',
        { class: 'govuk-details__text' },
        el('label', { class: 'govuk-label', for: `canned-${id}`, text: t.cannedSearch }),
        cannedSearch,
        cannedResults,
      ),
    ),
  );
  const transferSelect = el('select', { class: 'govuk-select', id: `transfer-${id}` });
  for (const queue of config.queues) {
    transferSelect.append(el('option', { value: `queue:${queue.slug}`, text: `${t.queue}: ${queue.name}` }));
  }
  for (const agent of config.agents) {
    transferSelect.append(el('option', { value: `agent:${agent.id}`, text: `${t.agent}: ${agent.name}` }));
  }
  const transferNote = el('input', { class: 'govuk-input', id: `transfer-note-${id}`, type: 'text' });
  const transferForm = el(
    'form',
    { novalidate: true },
    el(
      'div',
      { class: 'govuk-form-group govuk-!-margin-bottom-2' },
      el('label', { class: 'govuk-label', for: `transfer-${id}`, text: t.transferTo }),
      transferSelect,
    ),
    el(
      'div',
      { class: 'govuk-form-group govuk-!-margin-bottom-2' },
      el('label', { class: 'govuk-label', for: `transfer-note-${id}`, text: t.transferNote }),
      transferNote,
    ),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', text: t.transfer }),
  );
  const outcome = el('select', { class: 'govuk-select', id: `outcome-${id}` });
  for (const option of config.outcomes) outcome.append(el('option', { value: option.value, text: option.label }));
  const wrapUp = el('select', { class: 'govuk-select', id: `wrapup-${id}` });
  for (const option of config.wrapUps) wrapUp.append(el('option', { value: option.value, text: option.label }));
  const closeNote = el('input', { class: 'govuk-input', id: `close-note-${id}`, type: 'text' });
  const closeForm = el(
    'form',
    { novalidate: true },
    el(
      'div',
      { class: 'govuk-form-group govuk-!-margin-bottom-2' },
      el('label', { class: 'govuk-label', for: `outcome-${id}`, text: t.outcome }),
      outcome,
    ),
    el(
      'div',
      { class: 'govuk-form-group govuk-!-margin-bottom-2' },
      el('label', { class: 'govuk-label', for: `wrapup-${id}`, text: t.wrapUp }),
      wrapUp,
    ),
    el(
      'div',
      { class: 'govuk-form-group govuk-!-margin-bottom-2' },
      el('label', { class: 'govuk-label', for: `close-note-${id}`, text: t.closeNote }),
      closeNote,
    ),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--warning', text: t.close }),
  );
  const context = el('div', { class: 'app-console-chat__context-slot' });
  const actionsBox = el(
    'div',
    {},
    el('details', { class: 'govuk-details' }, el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text', text: t.transfer })), el('div', { class: 'govuk-details__text' }, transferForm)),
    el('details', { class: 'govuk-details' }, el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text', text: t.close })), el('div', { class: 'govuk-details__text' }, closeForm)),
  );
  const heading = el('h2', { class: 'govuk-heading-m' });
  const panel = el(
    'section',
    { class: 'govuk-grid-row', role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, hidden: true },
    el(
      'div',
      { class: 'govuk-grid-column-two-thirds' },
      heading,
      state,
      acceptButton,
      logRegion,
      typing,
      outboxList,
      composer,
      actionsBox,
    ),
    el('div', { class: 'govuk-grid-column-one-third' }, context),
  );
  const chat = {
    id, summary, tab, panel, log, logRegion, state, typing, outboxList, acceptButton, composer, reply, noteBox, actionsBox, heading,
    unread: 0, lastSeq: 0, contextLoaded: false,
  };

  const renderCanned = () => {
    const query = cannedSearch.value.trim().toLowerCase();
    const matches = config.canned.filter((c) =>
      `${c.title} ${c.shortcut} ${c.body}`.toLowerCase().includes(query),
    );
    cannedResults.replaceChildren(
      ...matches.slice(0, 20).map((canned) => {
        const button = el('button', {
          type: 'button',
          class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-1',
          text: `/${canned.shortcut}: ${canned.title}`,
        });
        button.addEventListener('click', () => {
          reply.value = fillCanned(canned.body, chat);
          reply.focus();
        });
        return el('li', {}, button);
      }),
    );
  };
  cannedSearch.addEventListener('input', renderCanned);
  cannedSearch.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      cannedResults.querySelector('button')?.click();
    }
  });
  renderCanned();
  reply.addEventListener('keydown', (event) => {
    if (event.altKey && (event.key === 'r' || event.key === 'R')) {
      event.preventDefault();
      cannedSearch.closest('details').open = true;
      cannedSearch.focus();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  reply.addEventListener('input', () => {
    const match = reply.value.match(/^\/([\w-]+)\s$/);
    if (match) {
      const canned = config.canned.find((c) => c.shortcut === match[1]);
      if (canned) reply.value = fillCanned(canned.body, chat);
    }
    if (Date.now() - (chat.typingSent || 0) > 2000) {
      send({ type: 'typing', conversation: id, active: true });
      chat.typingSent = Date.now();
    }
  });
  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = reply.value.trim();
    if (!body) return;
    sendReliably(chat, { type: noteBox.checked ? 'note' : 'message', conversation: id, client_id: clientId(), body });
    reply.value = '';
    noteBox.checked = false;
  });
  acceptButton.addEventListener('click', () => send({ type: 'accept', conversation: id }));
  transferForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const [kind, value] = transferSelect.value.split(':');
    const frame = { type: 'transfer', conversation: id, note: transferNote.value };
    frame[kind] = kind === 'agent' ? Number(value) : value;
    send(frame);
  });
  closeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    send({ type: 'close', conversation: id, outcome: outcome.value, wrap_up: wrapUp.value, note: closeNote.value });
  });
  tab.addEventListener('click', () => select(id));
  tab.addEventListener('keydown', (event) => {
    const order = [...chats.keys()];
    const index = order.indexOf(id);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1 }[event.key];
    if (next !== undefined && order.length) {
      const target = order[(next + order.length) % order.length];
      select(target);
      chats.get(target).tab.focus();
    }
  });
  tabs.append(tab);
  panels.append(panel);
  chats.set(id, chat);
  empty.hidden = true;
  return chat;
}

function updateChat(chat, summary) {
  chat.summary = { ...chat.summary, ...summary };
  const s = chat.summary;
  const name = s.citizen || `${t.citizen} ${chat.id.slice(0, 8)}`;
  chat.heading.textContent = name;
  const badge = chat.unread
    ? el('span', { class: 'app-console-chat__unread', text: String(chat.unread) }, el('span', { class: 'govuk-visually-hidden', text: ` ${t.unread}` }))
    : null;
  chat.tab.replaceChildren(name, badge || '');
  const waiting = s.state === 'assigned' && !s.accepted;
  chat.state.textContent = s.state === 'closed' ? t.closed : waiting ? t.waitingAccept : t.chatting;
  chat.acceptButton.hidden = !waiting;
  chat.composer.hidden = s.state === 'closed';
  chat.actionsBox.hidden = !s.accepted || s.state === 'closed';
}

function select(id) {
  active = id;
  for (const chat of chats.values()) {
    const selected = chat.id === id;
    chat.tab.setAttribute('aria-selected', String(selected));
    chat.tab.tabIndex = selected ? 0 : -1;
    chat.panel.hidden = !selected;
    if (selected) {
      chat.unread = 0;
      updateChat(chat, {});
      if (chat.lastSeq) send({ type: 'seen', conversation: id, seq: chat.lastSeq });
      loadContext(chat);
    }
  }
}

async function loadContext(chat) {
  if (chat.contextLoaded) return;
  chat.contextLoaded = true;
  const response = await fetch(config.contextUrl.replace('{id}', chat.id), { credentials: 'same-origin' });
  if (response.ok) {
    const slot = chat.panel.querySelector('.app-console-chat__context-slot');
    slot.replaceChildren(document.createRange().createContextualFragment(await response.text()));
  }
}

function showMessage(frame) {
  if (frame.client_id) settle(frame.client_id);
  const chat = chats.get(frame.conversation);
  if (!chat || frame.seq <= chat.lastSeq) return;
  chat.lastSeq = frame.seq;
  const item = el(
    'li',
    { class: `app-chat__message app-chat__message--${frame.kind}`, 'data-seq': String(frame.seq) },
    el('span', { class: 'app-chat__speaker', text: `${speaker(frame)}: ` }),
    el('span', { class: 'app-chat__text' }, linkify(frame.body)),
  );
  chat.log.append(item);
  chat.logRegion.scrollTop = chat.logRegion.scrollHeight;
  chat.typing.hidden = true;
  if (active === chat.id && !document.hidden) {
    send({ type: 'seen', conversation: chat.id, seq: frame.seq });
  } else if (frame.kind === 'citizen') {
    chat.unread += 1;
    updateChat(chat, {});
  }
}

// --- the socket ----------------------------------------------------------------------------

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

// Messages and notes written here and not yet acknowledged: client id -> { frame, item }.
const outbox = new Map();
// Errors that say "later", not "no": the same frame is sent again after retry_after.
const RETRY_ERRORS = ['rate_limited', 'busy'];

function sendReliably(chat, frame) {
  const item = el('li', { class: 'govuk-body-s app-chat__pending', text: `${t.sending}: ${frame.body}` });
  chat.outboxList.append(item);
  chat.outboxList.hidden = false;
  outbox.set(frame.client_id, { frame, item, chat });
  send(frame);
}

function settle(clientId, problem) {
  const entry = outbox.get(clientId);
  if (!entry) return;
  outbox.delete(clientId);
  if (problem) {
    entry.item.textContent = `${format(t.notSent, { message: problem })}: ${entry.frame.body}`;
    entry.item.classList.add('app-chat__pending--failed');
    return;
  }
  entry.item.remove();
  entry.chat.outboxList.hidden = entry.chat.outboxList.children.length === 0;
}

function resendLater(clientId, seconds) {
  window.setTimeout(() => {
    const entry = outbox.get(clientId);
    if (entry) send(entry.frame);
  }, Math.max(1000, (seconds || 1) * 1000));
}

function receive(frame) {
  switch (frame.type) {
    case 'welcome':
      greeted = true;
      connectionNotice.textContent = '';
      for (const { frame: pending } of outbox.values()) send(pending);
      break;
    case 'ack':
      settle(frame.client_id);
      break;
    case 'conversation':
    case 'state': {
      const chat = chats.get(frame.conversation) || createChat(frame);
      updateChat(chat, frame);
      if (!active) select(chat.id);
      break;
    }
    case 'assigned':
      announce(t.newChat);
      if (!active) select(frame.conversation);
      break;
    case 'removed': {
      const chat = chats.get(frame.conversation);
      if (chat) updateChat(chat, { state: 'closed' });
      break;
    }
    case 'message':
      showMessage(frame);
      break;
    case 'typing': {
      const chat = chats.get(frame.conversation);
      if (chat && frame.who === 'citizen') chat.typing.hidden = !frame.active;
      break;
    }
    case 'error':
      if (frame.client_id && RETRY_ERRORS.includes(frame.code)) {
        resendLater(frame.client_id, frame.retry_after);
        break;
      }
      if (frame.client_id) settle(frame.client_id, frame.message);
      announce(format(t.error, { message: frame.message }));
      break;
    default:
      break;
  }
}

function connect() {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${window.location.host}${config.socket}`);
  socket = ws;
  let ping;
  ws.addEventListener('open', () => {
    attempt = 0;
    const seen = {};
    for (const chat of chats.values()) seen[chat.id] = chat.lastSeq;
    ws.send(JSON.stringify({ type: 'hello', v: 1, seen }));
    ping = window.setInterval(() => send({ type: 'ping' }), 25000);
  });
  ws.addEventListener('message', (event) => receive(JSON.parse(event.data)));
  ws.addEventListener('close', () => {
    window.clearInterval(ping);
    if (socket !== ws) return; // an older socket, already replaced
    greeted = false;
    connectionNotice.textContent = t.reconnecting;
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(connect, backoffDelay(attempt));
    attempt += 1;
  });
}

// The browser knows before the socket does: drop it when the network goes, and reconnect at
// once (rather than after the back-off) when it comes back.
window.addEventListener('offline', () => socket && socket.close());
window.addEventListener('online', () => {
  if (socket && socket.readyState <= WebSocket.OPEN) return;
  window.clearTimeout(retryTimer);
  attempt = 0;
  connect();
});

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && active) select(active);
});
connect();
window.chatConsole = { chats, isGreeted: () => greeted };
