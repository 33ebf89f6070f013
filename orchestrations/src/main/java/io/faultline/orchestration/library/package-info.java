/**
 * The orchestration library: named orchestrations kept on the node (and, in a cluster, the same on
 * every node), imported from and exported to directories, run on a cron {@code schedule}.
 */
package io.faultline.orchestration.library;
