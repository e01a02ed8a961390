/** Herald's client module; filled by a later issue. */
package dev.herald.push.client;
