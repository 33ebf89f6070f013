/**
 * The one lifecycle every listener runs its exchanges through ({@link io.faultline.chaos.exchange.ExchangeRunner}):
 * admit, delay, end with a terminal decision or forward, complete, and the events of each step. A
 * protocol supplies a {@link io.faultline.chaos.exchange.Translator}: what each terminal decision, and an
 * upstream that is down or too slow, looks like in its own terms.
 */
package io.faultline.chaos.exchange;
