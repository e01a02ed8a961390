/** Herald's websocket module; filled by a later issue. */
package dev.herald.push.websocket;
