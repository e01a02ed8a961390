/** Herald's internals: not an API, may change in any release. */
package dev.herald.push.internal;
