/**
 * Who is in the cluster and where data lives: the token ring ({@link io.runnel.discovery.TokenRing}), partition
 * placement and replica sets, and the {@link io.runnel.discovery.Cluster}: JGroups membership plus the cluster
 * metadata (generations of every range, topics) replicated with jgroups-raft. Implementations live in
 * {@code io.runnel.discovery.jgroups}.
 */
package io.runnel.discovery;
