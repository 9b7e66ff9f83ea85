/** Placeholder. */
package io.runnel.broker;
