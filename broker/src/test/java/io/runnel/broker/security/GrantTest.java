package io.runnel.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.RunnelException;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrantTest {

    @Test
    void namesAndPrefixesMatch() {
        Grant exact = Grant.parse("produce:orders");
        Grant prefix = Grant.parse("consume:orders*");
        Grant every = Grant.parse("group:*");
        assertThat(exact.allows(Grant.Kind.PRODUCE, "orders")).isTrue();
        assertThat(exact.allows(Grant.Kind.PRODUCE, "orders2")).isFalse();
        assertThat(exact.allows(Grant.Kind.CONSUME, "orders")).isFalse();
        assertThat(prefix.allows(Grant.Kind.CONSUME, "orders-eu")).isTrue();
        assertThat(prefix.allows(Grant.Kind.CONSUME, "order")).isFalse();
        assertThat(every.allows(Grant.Kind.GROUP, "anything")).isTrue();
        assertThat(Grant.parse("admin").allows(Grant.Kind.PRODUCE, "x")).isTrue();
        assertThat(Grant.parse("metrics").allows(Grant.Kind.METRICS, null)).isTrue();
        assertThat(Grant.parse("metrics").allows(Grant.Kind.ADMIN, null)).isFalse();
        assertThat(Grant.parse(" Produce:a* ").toString()).isEqualTo("produce:a*");
    }

    @Test
    void badGrantsSayWhatIsWrong() {
        assertThatThrownBy(() -> Grant.parse("write:x")).hasMessageContaining("is not one of");
        assertThatThrownBy(() -> Grant.parse("produce")).hasMessageContaining("needs a name or prefix*");
        assertThatThrownBy(() -> Grant.parse("produce:")).hasMessageContaining("needs a name or prefix*");
        assertThatThrownBy(() -> Grant.parse("admin:x")).hasMessageContaining("takes no name");
        assertThatThrownBy(() -> Grant.parse("consume:a*b")).hasMessageContaining("'*' may only end a prefix");
    }

    @Test
    void aPrincipalWithoutTheGrantIsForbidden() {
        Principal p = new Principal("app", List.of(Grant.parse("produce:a*")));
        p.require(Grant.Kind.PRODUCE, "a1");
        assertThatThrownBy(() -> p.require(Grant.Kind.PRODUCE, "b"))
                .isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.FORBIDDEN))
                .hasMessageContaining("needs produce:b");
        assertThatThrownBy(() -> p.require(Grant.Kind.CONSUME, "a1")).isInstanceOf(RunnelException.class);
        assertThatThrownBy(() -> Principal.NONE.require(Grant.Kind.METRICS, null)).isInstanceOf(RunnelException.class);
        Principal.ANONYMOUS.require(Grant.Kind.ADMIN, null);
        assertThat(p.owns("app")).isTrue();
        assertThat(p.owns("other")).isFalse();
        assertThat(p.owns(null)).isTrue();
    }
}
