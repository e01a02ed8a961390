// Chat: rooms are channels chat/<room>. Joining loads the last 50 messages and a cursor from
// /demo/chat/history, then subscribes from that cursor, so nothing falls between history and live.
// The browser publishes with h.publish; the server's handler checks and trims each message.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const list = $('messages');
  let h = null;
  let room = null; // {channel, presence}
  let last = 0; // the newest offset shown for the room
  const forced = Demo.picker('websocket', () => connect(h && h.cursor));

  $('nick').value = localStorage.getItem('herald.demo.nick') || '';
  $('nick').addEventListener('change', () => localStorage.setItem('herald.demo.nick', $('nick').value.trim()));

  function show(offset, data) {
    if (offset <= last) return;
    last = offset;
    const item = Demo.el('li');
    item.dataset.offset = offset;
    item.append(Demo.el('time', null, Demo.clock(data.ts)), Demo.el('b', 'nick', data.nick), Demo.el('span', 'text', data.text));
    if (data.nick === ($('nick').value.trim() || 'anonymous')) item.classList.add('mine');
    list.appendChild(item);
    while (list.children.length > 200) list.firstChild.remove();
    list.scrollTop = list.scrollHeight;
  }

  async function join(name) {
    $('error').textContent = '';
    try {
      const history = await Demo.json('/demo/chat/history?room=' + encodeURIComponent(name));
      room = history;
      last = 0;
      list.replaceChildren();
      history.messages.forEach((m) => show(m.offset, m.data));
      document.title = '#' + history.room + ' · Chat · Herald demo';
      connect(history.cursor);
    } catch (e) {
      $('error').textContent = e.message;
    }
  }

  function connect(cursor) {
    if (h) h.close();
    h = Demo.connect({ first: 'websocket', forced: forced(), cursor });
    h.subscribe(room.channel, (m) => show(m.offset, m.data));
    h.subscribe(room.presence, (m) => ($('presence').textContent = m.data.count + ' here'));
    h.on('reset', (e) => e.channel === room.channel && join(room.room)); // history gone: reload
    h.on('error', (e) => ($('error').textContent = e.message));
    window.chat = h; // for the curious, and for the browser tests
  }

  $('room-form').addEventListener('submit', (e) => {
    e.preventDefault();
    join($('room').value.trim().toLowerCase());
  });

  $('compose').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value;
    if (!text.trim() || !h) return;
    $('send').disabled = true;
    h.publish(room.channel, 'chat', { nick: $('nick').value, text })
      .then(() => {
        $('text').value = '';
        $('error').textContent = '';
      })
      .catch((err) => ($('error').textContent = err.message))
      .finally(() => {
        $('send').disabled = false;
        $('text').focus();
      });
  });

  $('room').value = new URLSearchParams(location.search).get('room') || 'lobby';
  join($('room').value);
})();
