package io.runnel.discovery.jgroups;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LogEndGossipTest {

    @Test
    void ownReportsTravelToOtherBrokersOnlyWhenTheyChanged() {
        LogEndGossip a = new LogEndGossip(0);
        LogEndGossip b = new LogEndGossip(1);
        assertThat(a.takeOutgoing()).isNull();
        a.reportOwn(2, 500);
        a.reportOwn(0, 7);
        byte[] msg = a.takeOutgoing();
        assertThat(a.takeOutgoing()).isNull();
        a.reportOwn(2, 500);
        assertThat(a.takeOutgoing()).as("unchanged").isNull();

        assertThat(b.receive(msg, 0, msg.length)).isTrue();
        assertThat(b.of(0, 2)).isEqualTo(500);
        assertThat(b.of(0, 0)).isEqualTo(7);
        assertThat(b.of(0, 1)).isEqualTo(-1);
        assertThat(a.of(0, 2)).isEqualTo(500);
    }

    @Test
    void brokersLeavingTheViewAreForgottenAndTheOwnReportsAreSentAgain() {
        LogEndGossip a = new LogEndGossip(0);
        LogEndGossip b = new LogEndGossip(1);
        b.reportOwn(1, 10);
        byte[] msg = b.takeOutgoing();
        a.receive(msg, 0, msg.length);
        a.reportOwn(0, 3);
        a.takeOutgoing();

        a.viewChanged(Set.of(0));
        assertThat(a.of(1, 1)).isEqualTo(-1);
        assertThat(a.of(0, 0)).isEqualTo(3);
        assertThat(a.takeOutgoing()).isNotNull();
    }

    @Test
    void foreignAndOwnMessagesAreIgnored() {
        LogEndGossip a = new LogEndGossip(0);
        a.reportOwn(0, 1);
        byte[] own = a.takeOutgoing();
        assertThat(a.receive(own, 0, own.length)).isFalse();
        assertThat(a.receive(new byte[] {'E', 0, 0, 0, 0, 0, 0, 0, 1}, 0, 9)).isFalse();
        assertThat(a.receive(new byte[] {'L', 0}, 0, 2)).isFalse();
    }
}
