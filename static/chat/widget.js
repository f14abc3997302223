// The citizen's chat widget. Two ways in:
//
// - the full-page chat at /chat/, which has <div id="chat" data-chat-mode="page"> and its
//   configuration in <script type="application/json" id="chat-config">;
// - embedded in any page of a service, with one line:
//     <script type="module" src="/static/chat/widget.js"></script>
//   which adds a "Chat with us" button that opens the chat in a panel (not a modal: no focus
//   trap, and the page keeps scroll room so focus is never hidden behind the panel).
//
// Messages are plain text: rendered with textContent, and only http(s) URLs and the service's
// own paths become links. New messages are announced politely (role="log").

import { ChatConnection } from './connection.js';
import { linkify } from './text.js';

const TYPING_IDLE_MS = 3000;

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, name) => String(values[name] ?? ''));
}

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

async function loadConfig() {
  const inline = document.getElementById('chat-config');
  if (inline) return JSON.parse(inline.textContent);
  const response = await fetch('/chat/widget.json', { credentials: 'same-origin' });
  return response.json();
}

class ChatWidget {
  constructor(root, config, mode) {
    this.root = root;
    this.config = config;
    this.t = config.strings;
    this.mode = mode;
    this.state = 'new';
    this.lastActivity = Date.now();
    this.lastKind = null;
    this.inactivity = { after: 1200, warning: 120 };
    this.typingSent = 0;
    this.build();
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    this.connection = new ChatConnection({
      url: `${scheme}://${window.location.host}${config.socket}`,
      language: config.language,
      handlers: {
        welcome: (frame) => this.welcomed(frame),
        message: (frame) => this.showMessage(frame),
        state: (frame) => this.showState(frame),
        typing: (frame) => this.showTyping(frame),
        error: (frame) => this.showError(frame),
        ack: (frame) => this.acknowledged(frame),
        connection: (status) => this.showConnection(status),
      },
    });
    this.connection.start();
    window.setInterval(() => this.checkInactivity(), 1000);
  }

  build() {
    const t = this.t;
    this.status = el('p', { class: 'govuk-body app-chat__state', role: 'status', text: t.stateNew });
    this.connectionNotice = el('p', { class: 'govuk-body-s app-chat__connection', hidden: true });
    this.log = el('ol', { class: 'app-chat__list' });
    this.logRegion = el(
      'div',
      { class: 'app-chat__log', role: 'log', 'aria-live': 'polite', 'aria-label': t.log, tabindex: '0' },
      this.log,
    );
    this.typing = el('p', { class: 'govuk-body-s app-chat__typing', hidden: true });
    this.offers = el('div', { class: 'app-chat__offers', hidden: true });
    this.stayButton = el('button', {
      type: 'button',
      class: 'govuk-button govuk-!-margin-bottom-0',
      'data-module': 'govuk-button',
      text: t.stay,
    });
    this.warningText = el('span', { class: 'govuk-warning-text__text' });
    this.warning = el(
      'div',
      { class: 'app-chat__warning', role: 'alert', hidden: true },
      el(
        'div',
        { class: 'govuk-warning-text' },
        el('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true', text: '!' }),
        this.warningText,
      ),
      this.stayButton,
    );
    this.stayButton.addEventListener('click', () => this.stay());

    const id = `chat-message-${Math.random().toString(36).slice(2, 8)}`;
    this.textarea = el('textarea', {
      class: 'govuk-textarea',
      id,
      name: 'message',
      rows: '3',
      'aria-describedby': `${id}-hint ${id}-count`,
    });
    this.errorMessage = el('p', { class: 'govuk-error-message', id: `${id}-error`, hidden: true });
    this.count = el('div', {
      class: 'govuk-hint govuk-character-count__message app-chat__count',
      id: `${id}-count`,
      'aria-live': 'polite',
    });
    this.formGroup = el(
      'div',
      { class: 'govuk-form-group govuk-!-margin-bottom-3' },
      el('label', { class: 'govuk-label', for: id, text: t.label }),
      el('div', { class: 'govuk-hint', id: `${id}-hint`, text: t.hint }),
      this.errorMessage,
      this.textarea,
      this.count,
    );
    this.sendButton = el('button', { type: 'submit', class: 'govuk-button', text: t.send });
    this.handoffButton = el('button', {
      type: 'button',
      class: 'govuk-button govuk-button--secondary',
      text: t.handoff,
    });
    this.endButton = el('button', {
      type: 'button',
      class: 'govuk-button govuk-button--warning',
      text: t.end,
    });
    this.form = el(
      'form',
      { class: 'app-chat__composer', novalidate: true },
      this.formGroup,
      el('div', { class: 'govuk-button-group' }, this.sendButton, this.handoffButton, this.endButton),
    );
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.sendMessage();
    });
    this.textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.sendMessage();
      }
    });
    this.textarea.addEventListener('input', () => this.typed());
    this.handoffButton.addEventListener('click', () => this.connection.send({ type: 'handoff' }));
    this.endButton.addEventListener('click', () => this.connection.send({ type: 'end' }));
    this.after = this.buildAfter();
    this.body = el(
      'div',
      { class: 'app-chat__body' },
      this.status,
      this.connectionNotice,
      this.logRegion,
      this.typing,
      this.offers,
      this.warning,
      this.form,
      this.after,
    );
    this.updateButtons();
    this.updateCount();
    if (this.mode === 'page') {
      this.root.append(this.body);
      return;
    }
    this.buildPanel();
  }

  buildPanel() {
    const t = this.t;
    const titleId = 'app-chat-panel-title';
    this.launcher = el('button', {
      type: 'button',
      class: 'govuk-button app-chat__launcher',
      'aria-expanded': 'false',
      'aria-controls': 'app-chat-panel',
      text: t.open,
    });
    const minimise = el('button', {
      type: 'button',
      class: 'govuk-button govuk-button--secondary app-chat__minimise',
      text: t.minimise,
    });
    this.panel = el(
      'section',
      { class: 'app-chat__panel', id: 'app-chat-panel', 'aria-labelledby': titleId, hidden: true },
      el(
        'div',
        { class: 'app-chat__panel-header' },
        el('h2', { class: 'govuk-heading-s govuk-!-margin-bottom-0', id: titleId, text: t.title }),
        minimise,
      ),
      this.body,
    );
    this.root.append(this.launcher, this.panel);
    this.launcher.addEventListener('click', () => this.setOpen(true));
    minimise.addEventListener('click', () => this.setOpen(false));
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.setOpen(false);
    });
    this.setOpen(window.sessionStorage.getItem('chat.open') === '1', false);
  }

  setOpen(open, moveFocus = true) {
    if (!this.panel) return;
    this.panel.hidden = !open;
    this.launcher.hidden = open;
    this.launcher.setAttribute('aria-expanded', String(open));
    window.sessionStorage.setItem('chat.open', open ? '1' : '0');
    // Keep room at the foot of the page so nothing focused can sit behind the panel.
    const room = open ? `${this.panel.offsetHeight + 16}px` : '';
    document.documentElement.style.scrollPaddingBottom = room;
    document.body.style.paddingBottom = room;
    if (moveFocus) (open ? this.textarea : this.launcher).focus();
  }

  buildAfter() {
    const t = this.t;
    this.transcriptConversation = el('input', { type: 'hidden', name: 'conversation' });
    this.transcriptToken = el('input', { type: 'hidden', name: 'token' });
    const download = el(
      'form',
      { method: 'post', action: this.config.transcript },
      this.transcriptConversation,
      this.transcriptToken,
      el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', text: t.download }),
    );
    download.addEventListener('submit', () => {
      this.transcriptConversation.value = this.connection.conversation || '';
      this.transcriptToken.value = this.connection.token || '';
    });
    const emailId = `chat-email-${Math.random().toString(36).slice(2, 8)}`;
    this.emailInput = el('input', {
      class: 'govuk-input',
      id: emailId,
      name: 'email',
      type: 'email',
      autocomplete: 'email',
      spellcheck: 'false',
    });
    this.emailResult = el('p', { class: 'govuk-body', role: 'status' });
    const email = el(
      'form',
      { class: 'app-chat__email', novalidate: true },
      el(
        'div',
        { class: 'govuk-form-group' },
        el('label', { class: 'govuk-label', for: emailId, text: t.emailLabel }),
        this.emailInput,
      ),
      el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', text: t.emailSend }),
      this.emailResult,
    );
    email.addEventListener('submit', (event) => {
      event.preventDefault();
      this.emailTranscript();
    });
    this.newChatButton = el('button', { type: 'button', class: 'govuk-button', text: t.newChat });
    this.newChatButton.addEventListener('click', () => this.newChat());
    return el(
      'section',
      { class: 'app-chat__after', hidden: true },
      el('h3', { class: 'govuk-heading-s', text: t.transcriptTitle }),
      download,
      email,
      this.newChatButton,
    );
  }

  async emailTranscript() {
    const body = new URLSearchParams({
      conversation: this.connection.conversation || '',
      token: this.connection.token || '',
      email: this.emailInput.value.trim(),
    });
    const response = await fetch(this.config.email, {
      method: 'POST',
      body,
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    });
    this.emailResult.textContent = response.ok
      ? format(this.t.emailSent, { email: this.emailInput.value.trim() })
      : this.t.emailError;
  }

  newChat() {
    this.connection.stop();
    this.connection.forget();
    this.log.replaceChildren();
    this.state = 'new';
    this.showState({ state: 'new' });
    this.connection.start();
    this.textarea.focus();
  }

  welcomed(frame) {
    if (frame.inactivity) this.inactivity = frame.inactivity;
    if (frame.limits) this.config.maxChars = frame.limits.max_chars;
    if (!frame.conversation) {
      this.log.replaceChildren();
      this.showState({ state: 'new' });
    }
  }

  sendMessage() {
    const body = this.textarea.value.trim();
    this.hideError();
    if (!body) return;
    if (body.length > this.config.maxChars) {
      this.showFieldError(format(this.t.tooLong, { max: this.config.maxChars }));
      return;
    }
    const clientId = this.connection.say(body);
    this.showMessage(
      { kind: 'citizen', body, client_id: clientId, pending: true, seq: null },
      true,
    );
    this.textarea.value = '';
    this.updateCount();
    this.lastActivity = Date.now();
    this.connection.send({ type: 'typing', active: false });
  }

  typed() {
    this.updateCount();
    const now = Date.now();
    if (now - this.typingSent > 2000 && this.connection.hasConversation) {
      this.connection.send({ type: 'typing', active: true });
      this.typingSent = now;
    }
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => {
      if (this.connection.hasConversation) this.connection.send({ type: 'typing', active: false });
      this.typingSent = 0;
    }, TYPING_IDLE_MS);
  }

  updateCount() {
    const left = this.config.maxChars - this.textarea.value.length;
    const over = left < 0;
    this.count.textContent = over
      ? format(this.t.charactersOver, { count: -left })
      : format(this.t.charactersLeft, { count: left });
    this.count.classList.toggle('govuk-error-message', over);
    this.count.classList.toggle('govuk-hint', !over);
  }

  speaker(frame) {
    const t = this.t;
    if (frame.kind === 'citizen') return t.you;
    if (frame.kind === 'bot') return t.assistant;
    if (frame.kind === 'agent') return frame.author || t.adviser;
    return t.system;
  }

  showMessage(frame, local = false) {
    this.lastActivity = Date.now();
    this.lastKind = frame.kind;
    if (frame.client_id) {
      const existing = this.log.querySelector(`[data-client-id="${CSS.escape(frame.client_id)}"]`);
      if (existing) {
        this.markStored(existing, frame.seq);
        return;
      }
    }
    const item = el('li', {
      class: `app-chat__message app-chat__message--${frame.kind}${local ? ' app-chat__message--pending' : ''}`,
      'data-seq': frame.seq ?? false,
      'data-client-id': frame.client_id || false,
    });
    item.append(
      el('span', { class: 'app-chat__speaker', text: `${this.speaker(frame)}: ` }),
      el('span', { class: 'app-chat__text' }, linkify(frame.body)),
    );
    if (local) {
      item.append(el('span', { class: 'app-chat__pending govuk-body-s', text: ` (${this.t.sending})` }));
    }
    this.place(item);
    if (frame.offers && frame.offers.length) this.showOffers(frame.offers);
    this.logRegion.scrollTop = this.logRegion.scrollHeight;
    this.typing.hidden = true;
  }

  acknowledged(frame) {
    const item = this.log.querySelector(`[data-client-id="${CSS.escape(frame.client_id)}"]`);
    if (item) this.markStored(item, frame.seq);
  }

  // Our own message is stored as ``seq``: no longer pending, and in sequence order.
  markStored(item, seq) {
    item.classList.remove('app-chat__message--pending');
    item.querySelector('.app-chat__pending')?.remove();
    if (item.dataset.seq === String(seq)) return;
    item.dataset.seq = seq;
    item.remove();
    this.place(item);
  }

  // Messages in sequence order; ones not yet stored (no seq) stay at the end.
  place(item) {
    const seq = Number(item.dataset.seq || 0);
    const before = seq
      ? [...this.log.children].find((li) => !li.dataset.seq || Number(li.dataset.seq) > seq)
      : null;
    this.log.insertBefore(item, before || null);
  }

  showOffers(offers) {
    this.offers.replaceChildren(
      ...offers.map((offer) =>
        el('a', {
          class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-2',
          href: offer.url,
          text: offer.kind === 'webform' ? this.t.webform : this.t.guidance,
        }),
      ),
    );
    this.offers.hidden = offers.length === 0;
  }

  stateText(frame) {
    const t = this.t;
    switch (frame.state) {
      case 'bot':
        return t.stateBot;
      case 'waiting':
        if (!frame.wait) return t.stateWaiting;
        if (frame.wait.high <= 1) return t.stateWaitingShort;
        if (frame.wait.low === frame.wait.high) return format(t.stateWaitingAbout, frame.wait);
        return format(t.stateWaitingRange, frame.wait);
      case 'assigned':
        return t.stateAssigned;
      case 'agent':
        return format(t.stateAgent, { name: frame.agent || t.adviser });
      case 'closed':
        return t.stateClosed;
      default:
        return t.stateNew;
    }
  }

  showState(frame) {
    this.state = frame.state;
    const text = this.stateText(frame);
    if (this.status.textContent !== text) this.status.textContent = text;
    this.root.dataset.chatState = frame.state;
    if (frame.offers) this.showOffers(frame.offers);
    this.updateButtons();
    if (frame.state === 'closed') this.hideWarning();
  }

  updateButtons() {
    const closed = this.state === 'closed';
    this.form.hidden = closed;
    this.after.hidden = !(closed || this.state === 'agent');
    this.newChatButton.hidden = !closed;
    this.handoffButton.hidden = this.state !== 'bot';
    this.endButton.hidden = this.state === 'new' || closed;
  }

  showTyping(frame) {
    this.typing.textContent = format(this.t.typing, { name: frame.name || this.t.adviser });
    this.typing.hidden = !frame.active;
  }

  showConnection(status) {
    if (status === 'connected') {
      this.connectionNotice.hidden = true;
      this.root.dataset.chatConnection = 'connected';
      return;
    }
    this.root.dataset.chatConnection = 'reconnecting';
    this.connectionNotice.textContent = navigator.onLine ? this.t.reconnecting : this.t.offline;
    this.connectionNotice.hidden = false;
  }

  showError(frame) {
    if (frame.code === 'too_long') {
      this.showFieldError(format(this.t.tooLong, { max: frame.max_chars || this.config.maxChars }));
    } else if (frame.code === 'rate_limited') {
      this.showFieldError(this.t.rateLimited);
    } else if (frame.code !== 'not_permitted') {
      this.showFieldError(this.t.error);
    }
    if (frame.client_id && frame.code !== 'rate_limited') {
      this.log.querySelector(`[data-client-id="${CSS.escape(frame.client_id)}"]`)?.remove();
    }
  }

  showFieldError(text) {
    this.errorMessage.replaceChildren(
      el('span', { class: 'govuk-visually-hidden', text: 'Error: ' }),
      text,
    );
    this.errorMessage.hidden = false;
    this.formGroup.classList.add('govuk-form-group--error');
    this.textarea.classList.add('govuk-textarea--error');
    this.textarea.setAttribute('aria-describedby', `${this.errorMessage.id} ${this.textarea.getAttribute('aria-describedby')}`);
  }

  hideError() {
    this.errorMessage.hidden = true;
    this.formGroup.classList.remove('govuk-form-group--error');
    this.textarea.classList.remove('govuk-textarea--error');
    const ids = this.textarea.getAttribute('aria-describedby').split(' ');
    this.textarea.setAttribute(
      'aria-describedby',
      ids.filter((id) => id !== this.errorMessage.id).join(' '),
    );
  }

  // The server times out a citizen who says nothing after someone answered them; we warn
  // before that, with a way to stay.
  checkInactivity() {
    if (!['bot', 'agent'].includes(this.state) || this.lastKind === 'citizen') {
      this.hideWarning();
      return;
    }
    const idle = (Date.now() - this.lastActivity) / 1000;
    const warnAt = this.inactivity.after - this.inactivity.warning;
    if (idle < warnAt) {
      this.hideWarning();
      return;
    }
    const seconds = Math.max(0, Math.round(this.inactivity.after - idle));
    this.warningText.replaceChildren(
      el('strong', { text: this.t.inactiveTitle }),
      ` ${format(this.t.inactiveBody, { seconds })}`,
    );
    if (this.warning.hidden) this.warning.hidden = false;
  }

  hideWarning() {
    if (!this.warning.hidden) this.warning.hidden = true;
  }

  stay() {
    this.connection.send({ type: 'stay' });
    this.lastActivity = Date.now();
    this.hideWarning();
    this.textarea.focus();
  }
}

async function main() {
  if (document.documentElement.dataset.chatWidget) return; // loaded twice
  document.documentElement.dataset.chatWidget = '1';
  const config = await loadConfig();
  let root = document.getElementById('chat');
  let mode = 'page';
  if (!root) {
    root = el('div', { class: 'app-chat app-chat--embedded', id: 'chat' });
    document.body.append(root);
    mode = 'embedded';
  }
  if (!document.querySelector('link[data-chat-css]')) {
    const css = el('link', { rel: 'stylesheet', href: new URL('chat.css', import.meta.url).href });
    css.dataset.chatCss = '1';
    document.head.append(css);
  }
  window.chatWidget = new ChatWidget(root, config, mode);
}

main();
