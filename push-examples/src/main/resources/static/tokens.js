// Token streaming: POST /demo/answers/start starts a server-side generator and returns the
// answer's channel and a cursor from before its first word; the page subscribes from there and
// appends each word as it arrives. Cancel stops the generator on the server.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  let h = null;
  let answer = null; // {id, channel}
  let words = 0;
  const forced = Demo.picker('stream', () => answer && connect(h && h.cursor));

  function connect(cursor) {
    if (h) h.close();
    h = Demo.connect({ first: 'stream', forced: forced(), cursor });
    h.subscribe(answer.channel, (m) => (m.event === 'token' ? token(m.data) : done(m.data)));
    h.on('error', (e) => ($('error').textContent = e.message));
    window.tokens = h;
  }

  function token(data) {
    words++;
    $('answer').append(document.createTextNode(data.text));
    $('status').textContent = 'streaming… ' + words + ' words';
  }

  function done(data) {
    $('answer').classList.remove('streaming');
    $('answer').dataset.done = data.reason;
    $('status').textContent = data.reason === 'cancelled' ? 'cancelled after ' + data.words + ' words' : 'done, ' + data.words + ' words';
    $('cancel').disabled = true;
    $('generate').disabled = false;
  }

  $('ask').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('error').textContent = '';
    $('generate').disabled = true;
    try {
      answer = await Demo.json('/demo/answers/start', { prompt: $('prompt').value });
      words = 0;
      $('answer').replaceChildren();
      $('answer').className = 'answer streaming';
      delete $('answer').dataset.done;
      $('status').textContent = 'waiting for the first word…';
      $('cancel').disabled = false;
      connect(answer.cursor);
    } catch (err) {
      $('error').textContent = err.message;
      $('generate').disabled = false;
    }
  });

  $('cancel').addEventListener('click', () => {
    $('cancel').disabled = true;
    Demo.json('/demo/answers/cancel', { id: answer.id }).catch((err) => ($('error').textContent = err.message));
  });
})();
