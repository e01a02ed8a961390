package dev.herald.push.spring.boot;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.web.csrf.CsrfFilter;

/**
 * Herald under Spring Security. The user needs nothing from here: Spring Security's filter chain
 * runs before Herald's servlets, and Herald takes the request's {@code getUserPrincipal()} (the
 * {@code Authentication}'s name, from a session cookie or a bearer token) as the client's user on
 * every transport. What is here is CSRF: Spring Security would refuse herald.js's {@code POST
 * <path>/publish} without a CSRF token, so requests under {@code herald.path} skip the CSRF check
 * unless {@code herald.security.csrf-exempt=false}. Herald's publish endpoint takes only {@code
 * application/json} and refuses pages of origins it does not allow, which is what the token
 * protects against.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.security.web.csrf.CsrfFilter")
@ConditionalOnProperty(
    name = "herald.security.csrf-exempt",
    havingValue = "true",
    matchIfMissing = true)
class HeraldSecurityConfiguration {
  /**
   * Runs ahead of Spring Security's filter chain (order -100 by default) and marks the push
   * requests as ones CSRF protection skips; it checks nothing else and changes nothing else.
   */
  static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

  @Bean
  FilterRegistrationBean<Filter> heraldCsrfExemption(HeraldEndpoints endpoints) {
    FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(new CsrfExemption());
    registration.setName("heraldCsrfExemption");
    registration.addUrlPatterns(endpoints.base() + "/*");
    registration.setOrder(ORDER);
    registration.setAsyncSupported(true);
    return registration;
  }

  /** Marks each request so that Spring Security's {@link CsrfFilter} lets it through. */
  static final class CsrfExemption implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      if (request instanceof HttpServletRequest http) {
        CsrfFilter.skipRequest(http);
      }
      chain.doFilter(request, response);
    }
  }
}
