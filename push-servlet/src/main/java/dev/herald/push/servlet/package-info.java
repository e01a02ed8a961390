/** Herald's servlet module; filled by a later issue. */
package dev.herald.push.servlet;
