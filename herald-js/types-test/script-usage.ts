// Typed use of the global that `<script src=".../herald.js">` defines, in a script (no imports).
// An application writes `/// <reference types="herald-push" />`; here the package is this folder.
/// <reference path="../herald.d.ts" />

const page = Herald.connect('push', { token: () => fetch('token').then((r) => r.text()) });
const stopListening = page.on('open', (e) => console.log('open over', e.transport));
const unsubscribe = page.subscribe<{ price: number }>('prices/ACME', (m) => console.log(m.data.price.toFixed(2)));
unsubscribe();
stopListening();
page.close();
