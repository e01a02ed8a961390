/**
 * Herald's Spring Boot auto-configuration: add {@code dev.herald:push-spring-boot-starter} to a
 * Spring Boot 4.0 or 3.5 servlet application and Herald serves at {@code /push}. {@link
 * dev.herald.push.spring.boot.HeraldProperties} lists the {@code herald.*} settings; {@link
 * dev.herald.push.spring.boot.HeraldCustomizer} beans configure the rest. {@code
 * docs/spring-boot.md} tells the whole story.
 */
package dev.herald.push.spring.boot;
