/** Herald's bench module; filled by a later issue. */
package dev.herald.push.bench;
