// Notifications: each user has the channel user/<name>, which the server's Authorizer lets only
// that user read. Signing in gets a token that herald.js sends with every request; the cursor is
// kept in localStorage, so notifications sent while you were away arrive when you come back.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  let h = null;
  let me = JSON.parse(localStorage.getItem('herald.demo.login') || 'null');
  let unread = 0;
  const forced = Demo.picker('poll', () => me && connect(h && h.cursor));

  function setUnread(n) {
    unread = n;
    $('unread').textContent = String(n);
    $('unread').hidden = n === 0;
    document.title = (n ? '(' + n + ') ' : '') + 'Notifications · Herald demo';
  }

  // Where to resume after a reload: the cursor of the last notification or of the connection.
  function saveCursor() {
    if (h && h.cursor) localStorage.setItem('herald.demo.cursor.' + me.user, h.cursor);
  }

  function receive(m) {
    setTimeout(saveCursor); // after herald.js has taken the cursor of the whole batch
    const item = Demo.el('li', 'unread');
    item.append(Demo.el('b', 'from', m.data.from), Demo.el('span', 'text', m.data.text), Demo.el('time', null, Demo.clock(m.data.ts)));
    $('inbox').prepend(item);
    setUnread(unread + 1);
  }

  function connect(cursor) {
    if (h) h.close();
    h = Demo.connect({ first: 'poll', forced: forced(), cursor, token: me.token });
    h.subscribe(me.channel, receive);
    h.on('open', saveCursor);
    h.on('error', (e) => {
      $('error').textContent = e.message;
      if (e.code === 'unauthorized') signOut(); // the server restarted with a new signing key
    });
    window.notifications = h;
  }

  function signedIn() {
    $('login').hidden = true;
    $('signed-in').hidden = false;
    $('me').textContent = me.user;
    $('channel').textContent = me.channel;
    connect(localStorage.getItem('herald.demo.cursor.' + me.user));
  }

  $('login').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      me = await Demo.json('/demo/notifications/login', { name: $('name').value.trim() });
      localStorage.setItem('herald.demo.login', JSON.stringify(me));
      $('error').textContent = '';
      signedIn();
    } catch (err) {
      $('error').textContent = err.message;
    }
  });

  function signOut() {
    if (h) h.close();
    h = null;
    me = null;
    localStorage.removeItem('herald.demo.login');
    $('login').hidden = false;
    $('signed-in').hidden = true;
    $('inbox').replaceChildren();
    setUnread(0);
    const badge = $('transport');
    badge.textContent = 'signed out';
    badge.dataset.state = 'idle';
  }

  $('logout').addEventListener('click', signOut);

  $('send').addEventListener('submit', async (e) => {
    e.preventDefault();
    const to = $('to').value.trim();
    try {
      await Demo.json('/demo/notifications/send', { to, text: $('text').value }, me.token);
      $('text').value = '';
      $('sent').textContent = 'Sent to ' + to;
      $('error').textContent = '';
    } catch (err) {
      $('error').textContent = err.message;
    }
  });

  $('read').addEventListener('click', () => {
    for (const item of $('inbox').children) item.classList.remove('unread');
    setUnread(0);
  });

  if (me) signedIn();
})();
