// Runs before the page is painted (a plain, blocking script at the top of <body>), so styles
// for JavaScript-enhanced components apply without a flash. Kept out of the page itself so a
// strict Content Security Policy (script-src 'self') needs no inline exceptions.
document.body.className +=
  ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
