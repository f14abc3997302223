// Chat text is plain text: it is put on the page with text nodes only, and just http(s) URLs and
// the service's own paths (/forms/, /help/, /chat/) become links.

const URL_PATTERN = /(https?:\/\/[^\s<>"']+|\/(?:forms|help|chat)\/[^\s<>"']*)/g;

export function linkify(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(/[.,;:!?)]+$/, '');
    if (match.index > last) fragment.append(text.slice(last, match.index));
    const link = document.createElement('a');
    link.className = 'govuk-link';
    link.href = url;
    link.textContent = url;
    if (url.startsWith('http')) link.rel = 'noopener noreferrer';
    fragment.append(link);
    last = match.index + url.length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}
