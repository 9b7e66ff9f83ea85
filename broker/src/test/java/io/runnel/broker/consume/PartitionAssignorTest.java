package io.runnel.broker.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PartitionAssignorTest {

    @Test
    void everyPartitionGoesToExactlyOneConsumerAndCountsDifferByAtMostOne() {
        for (int consumers = 1; consumers <= 7; consumers++) {
            for (int partitions : new int[] {1, 4, 12}) {
                TreeMap<String, List<String>> subs = new TreeMap<>();
                for (int c = 0; c < consumers; c++) {
                    subs.put("c" + c, List.of("orders", "stock"));
                }
                Map<String, List<TopicPartition>> a = PartitionAssignor.assign(subs, partitions);

                List<TopicPartition> all = new ArrayList<>();
                a.values().forEach(all::addAll);
                assertThat(all).doesNotHaveDuplicates().hasSize(2 * partitions);
                for (String t : List.of("orders", "stock")) {
                    for (int p = 0; p < partitions; p++) {
                        assertThat(all).contains(new TopicPartition(t, p));
                    }
                }
                int min = a.values().stream().mapToInt(List::size).min().orElseThrow();
                int max = a.values().stream().mapToInt(List::size).max().orElseThrow();
                assertThat(max - min).as("%d consumers, %d partitions", consumers, partitions).isLessThanOrEqualTo(1);
                assertThat(a).containsOnlyKeys(subs.keySet());
            }
        }
    }

    @Test
    void sameMembersGiveTheSameAssignmentWhateverTheOrderTheyArrived() {
        List<String> ids = new ArrayList<>(List.of("zeta", "alpha", "mid", "b-2", "b-10"));
        Map<String, List<TopicPartition>> first = null;
        Random random = new Random(7);
        for (int round = 0; round < 10; round++) {
            Collections.shuffle(ids, random);
            TreeMap<String, List<String>> subs = new TreeMap<>();
            for (String id : ids) {
                List<String> topics = new ArrayList<>(List.of("b", "a", "c"));
                Collections.shuffle(topics, random); // topic order inside a subscription does not matter either
                subs.put(id, topics);
            }
            Map<String, List<TopicPartition>> a = PartitionAssignor.assign(subs, 8);
            if (first == null) {
                first = a;
            }
            assertThat(a).isEqualTo(first);
        }
    }

    @Test
    void equalSubscriptionsAreRoundRobinInTopicThenPartitionOrder() {
        TreeMap<String, List<String>> subs = new TreeMap<>(Map.of("b", List.of("t"), "a", List.of("t")));
        Map<String, List<TopicPartition>> a = PartitionAssignor.assign(subs, 4);
        assertThat(a.get("a")).containsExactly(new TopicPartition("t", 0), new TopicPartition("t", 2));
        assertThat(a.get("b")).containsExactly(new TopicPartition("t", 1), new TopicPartition("t", 3));
    }

    @Test
    void aConsumerOnlyGetsPartitionsOfTopicsItSubscribes() {
        TreeMap<String, List<String>> subs = new TreeMap<>();
        subs.put("a", List.of("orders"));
        subs.put("b", List.of("orders", "stock"));
        subs.put("c", List.of("audit"));
        Map<String, List<TopicPartition>> a = PartitionAssignor.assign(subs, 4);

        assertThat(a.get("a")).allMatch(tp -> tp.topic().equals("orders"));
        assertThat(a.get("c")).extracting(TopicPartition::topic).containsOnly("audit").hasSize(4);
        assertThat(a.get("b")).extracting(TopicPartition::topic).contains("stock");
        Set<TopicPartition> all = new HashSet<>();
        a.values().forEach(all::addAll);
        assertThat(all).hasSize(12);
        // stock can only go to b, so the shared topic (orders) goes to a: both end up with four
        assertThat(a.get("a")).hasSize(4);
        assertThat(a.get("b")).hasSize(4);
    }

    @Test
    void moreConsumersThanPartitionsLeavesSomeIdle() {
        TreeMap<String, List<String>> subs = new TreeMap<>();
        for (int c = 0; c < 6; c++) {
            subs.put("c" + c, List.of("t"));
        }
        Map<String, List<TopicPartition>> a = PartitionAssignor.assign(subs, 4);
        assertThat(a.values().stream().filter(List::isEmpty).count()).isEqualTo(2);
        assertThat(a.get("c4")).isEmpty();
        assertThat(a.get("c5")).isEmpty();
    }

    @Test
    void rejectsANonPositivePartitionCount() {
        assertThatThrownBy(() -> PartitionAssignor.assign(new TreeMap<>(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
