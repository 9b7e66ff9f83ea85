package io.runnel.broker.http;

import io.runnel.broker.security.Authenticator;
import io.runnel.broker.security.ServerTls;
import java.util.Objects;

/**
 * What guards the HTTP ports: who may call ({@link Authenticator}, possibly {@linkplain Authenticator#disabled
 * disabled}) and the TLS material ({@code null} for plain HTTP).
 */
public record HttpSecurity(Authenticator authenticator, ServerTls tls) {
    public HttpSecurity {
        Objects.requireNonNull(authenticator, "authenticator");
    }

    /** Plain HTTP, no authentication (tests, a local single broker). */
    public static HttpSecurity none() {
        return new HttpSecurity(Authenticator.disabled(), null);
    }
}
