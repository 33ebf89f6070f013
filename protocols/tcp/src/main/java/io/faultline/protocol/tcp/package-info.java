/**
 * The {@code tcp} protocol: a listener that relays bytes both ways to a {@code host:port} upstream
 * ({@link io.faultline.protocol.tcp.TcpProxyVerticle}), through the shared exchange lifecycle with a
 * {@link io.faultline.protocol.tcp.TcpTranslator}, running Toxiproxy's toxics on each direction.
 */
package io.faultline.protocol.tcp;
