package io.runnel.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TlsPeerTest {
    @Test
    void theCommonNameOfADistinguishedName() {
        assertThat(TlsPeer.commonName("CN=orders-app,OU=apps,O=Example")).isEqualTo("orders-app");
        assertThat(TlsPeer.commonName("O=Example,CN=a\\,b")).isEqualTo("a,b");
        assertThat(TlsPeer.commonName("O=Example")).isNull();
        assertThat(TlsPeer.commonName("not a name")).isNull();
    }
}
