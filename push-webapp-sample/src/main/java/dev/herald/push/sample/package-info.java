/**
 * A minimal existing webapp that adds Herald: {@link dev.herald.push.sample.OrderServlet} is the
 * app that was already there, {@link dev.herald.push.sample.HeraldSetup} holds the lines a team
 * copies into its own app, declared in {@code WEB-INF/web.xml}.
 */
package dev.herald.push.sample;
