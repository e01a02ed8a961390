/** Herald's redis module; filled by a later issue. */
package dev.herald.push.redis;
