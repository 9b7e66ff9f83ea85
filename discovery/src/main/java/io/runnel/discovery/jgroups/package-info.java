/**
 * The JGroups and jgroups-raft implementation of {@link io.runnel.discovery.Cluster}: the protocol stack, the
 * metadata state machine and its commands, the controller that turns views into generation changes, and the
 * single-node variant without JGroups.
 */
package io.runnel.discovery.jgroups;
