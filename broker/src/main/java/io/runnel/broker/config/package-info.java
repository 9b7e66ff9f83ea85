/**
 * The broker's settings: {@link io.runnel.broker.config.Option} lists every one (flag, environment
 * variable, default, description), {@link io.runnel.broker.config.ConfigLoader} reads them from
 * flags, environment and an optional properties file, and
 * {@link io.runnel.broker.config.BrokerConfig} holds them validated.
 */
package io.runnel.broker.config;
