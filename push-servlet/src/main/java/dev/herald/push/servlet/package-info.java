/**
 * Herald's HTTP transports for any Servlet 6 container: {@link dev.herald.push.servlet.PushServlet}
 * serves Server-Sent Events, NDJSON streaming, long polling and HTTP publish on async, non-blocking
 * I/O. Build it with {@link dev.herald.push.servlet.PushServlet#builder} and mount it with {@link
 * dev.herald.push.servlet.PushServlet#register}, or declare it in {@code web.xml}; the class
 * documentation shows both. Everything else in this package is internal.
 */
package dev.herald.push.servlet;
