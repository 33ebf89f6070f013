/**
 * Toxiproxy's toxics, one file each, registered by type name in {@link io.faultline.protocol.tcp.toxic.Toxics}:
 * what each does to the chunks of one direction of one connection ({@link io.faultline.protocol.tcp.toxic.Toxic}).
 */
package io.faultline.protocol.tcp.toxic;
