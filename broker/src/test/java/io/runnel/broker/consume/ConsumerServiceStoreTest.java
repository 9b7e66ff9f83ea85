package io.runnel.broker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consumer groups over the real RocksDB store: the poll answer end to end, and offsets across restarts. */
class ConsumerServiceStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_S = 10;

    @TempDir
    Path dir;

    private final TokenRing ring = new TokenRing(1, 4);
    private Cluster cluster;
    private LogStore store;
    private ConsumerService service;

    @BeforeEach
    void open() {
        store = LogStore.open(StorageConfig.defaults(dir));
        cluster = Cluster.singleNode(4); // a restarted single broker forgets its consumers
        service = new ConsumerService(ConsumerContext.singleBroker(store, cluster, ConsumerConfig.defaults(), Clock.systemUTC()));
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /** Closes and reopens store and service on the same directory, as a broker restart does. */
    private void restart() {
        service.close();
        cluster.close();
        store.close();
        open();
    }

    private TopicInfo topic(String name) {
        return store.ensureTopic(name, TopicConfig.DEFAULT);
    }

    private long produce(String topic, int partition, String... events) throws Exception {
        TopicInfo t = topic(topic);
        ChunkBuilder b = new ChunkBuilder();
        for (String e : events) {
            byte[] v = e.getBytes(StandardCharsets.UTF_8);
            b.add(null, v, 0, v.length, System.currentTimeMillis());
        }
        long next = store.append(t.id(), partition, 1, b.build()).get(WAIT_S, TimeUnit.SECONDS).nextOffset();
        service.onAppend(topic, partition, next);
        return next;
    }

    private void register(String consumer, String group, StartPosition start, String... topics) throws Exception {
        service.register(consumer, group, List.of(topics), start).get(WAIT_S, TimeUnit.SECONDS);
    }

    private PollResult poll(String consumer) throws Exception {
        return service.poll(consumer, 0, 0).get(WAIT_S, TimeUnit.SECONDS);
    }

    private static JsonNode encode(PollResult r) throws Exception {
        ByteBuf buf = PollResponseEncoder.encode(r, PooledByteBufAllocator.DEFAULT);
        try {
            return JSON.readTree(buf.toString(StandardCharsets.UTF_8));
        } finally {
            buf.release();
        }
    }

    @Test
    void aLongPollIsAnsweredWithTheBarcoShapeFromRocksDb() throws Exception {
        register("c1", "g", StartPosition.LATEST, "orders");
        CompletableFuture<PollResult> parked = service.poll("c1", 20_000, 0);

        produce("orders", 3, "{\"id\":1}", "{\"id\":2,\"note\":\"\\u00e9\"}");
        PollResult r = parked.get(WAIT_S, TimeUnit.SECONDS);
        produce("orders", 3, "{\"id\":3}");
        PollResult r2 = poll("c1");

        JsonNode first = encode(r);
        assertThat(first).hasSize(1);
        JsonNode o = first.get(0);
        assertThat(o.get("topic").asText()).isEqualTo("orders");
        assertThat(o.get("token").isTextual()).isTrue();
        assertThat(o.get("token").asText()).isEqualTo(Long.toString(Long.MIN_VALUE)); // one broker: one range
        assertThat(o.get("rangeIndex").asInt()).isEqualTo(3);
        assertThat(o.get("version").asInt()).isEqualTo(1);
        assertThat(o.get("startOffset").asText()).isEqualTo("0");
        assertThat(o.get("values")).containsExactly(JSON.readTree("{\"id\":1}"), JSON.readTree("{\"id\":2,\"note\":\"\u00e9\"}"));

        JsonNode second = encode(r2).get(0);
        assertThat(second.get("startOffset").asText()).isEqualTo("2");
        assertThat(second.get("values")).containsExactly(JSON.readTree("{\"id\":3}"));
        assertThat(store.committedOffset(new OffsetKey("g", topic("orders").id(), 3))).hasValue(2);
    }

    @Test
    void committedPositionsSurviveARestart() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        produce("t", 0, "1", "2");
        produce("t", 1, "3");
        assertThat(Polled.values(poll("c1"))).containsExactlyInAnyOrder("1", "2", "3");
        produce("t", 0, "4");
        service.goodbye("c1").get(WAIT_S, TimeUnit.SECONDS);

        restart();
        register("c1", "g", StartPosition.EARLIEST, "t");
        assertThat(Polled.values(poll("c1"))).containsExactly("4");
        assertThat(service.group("g").get(WAIT_S, TimeUnit.SECONDS).orElseThrow().committed())
                .contains(new GroupView.CommittedOffset("t", 0, 2), new GroupView.CommittedOffset("t", 1, 1));
    }

    @Test
    void whatWasReadButNotCommittedIsDeliveredAgainAfterACrash() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        List<String> produced = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            produce("t", p, "\"e" + p + "\"");
            produced.add("\"e" + p + "\"");
        }
        assertThat(Polled.values(poll("c1"))).containsExactlyInAnyOrderElementsOf(produced);

        restart(); // c1 never polled again: nothing it read was confirmed
        register("c2", "g", StartPosition.LATEST, "t");
        assertThat(Polled.values(poll("c2"))).containsExactlyInAnyOrderElementsOf(produced);
    }
}
