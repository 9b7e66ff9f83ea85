/**
 * Who is in the cluster and where data lives: the token ring ({@link io.runnel.discovery.TokenRing}),
 * partition placement and replica sets. Membership (JGroups) and metadata consensus (jgroups-raft)
 * join this module with the cluster work.
 */
package io.runnel.discovery;
