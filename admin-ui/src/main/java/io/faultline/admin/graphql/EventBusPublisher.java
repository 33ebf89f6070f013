package io.faultline.admin.graphql;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The messages published on one event-bus address, as a Reactive Streams {@link Publisher} (what
 * graphql-java wants from a subscription's data fetcher). Each subscriber gets its own consumer; it is
 * sent what it requested, and up to {@link #BUFFER} further messages wait (the oldest are dropped
 * beyond that, as a slow dashboard only needs the latest states).
 */
final class EventBusPublisher<T> implements Publisher<T> {

  static final int BUFFER = 256;

  private final EventBus bus;
  private final String address;
  private final Function<JsonObject, T> convert;

  EventBusPublisher(EventBus bus, String address, Function<JsonObject, T> convert) {
    this.bus = bus;
    this.address = address;
    this.convert = convert;
  }

  @Override
  public void subscribe(Subscriber<? super T> subscriber) {
    Feed feed = new Feed(subscriber);
    subscriber.onSubscribe(feed);
    MessageConsumer<JsonObject> consumer = bus.consumer(address, message -> feed.offer(convert.apply(message.body())));
    synchronized (feed) {
      feed.consumer = consumer;
      if (feed.cancelled) {
        consumer.unregister();
      }
    }
  }

  private final class Feed implements Subscription {

    private final Subscriber<? super T> subscriber;
    private final ArrayDeque<T> waiting = new ArrayDeque<>();
    private long demand;
    private boolean emitting;
    private boolean cancelled;
    private MessageConsumer<JsonObject> consumer;

    Feed(Subscriber<? super T> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancel();
        subscriber.onError(new IllegalArgumentException("request(" + n + "): demand must be positive (rule 3.9)"));
        return;
      }
      synchronized (this) {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
      drain();
    }

    @Override
    public void cancel() {
      MessageConsumer<JsonObject> registered;
      synchronized (this) {
        cancelled = true;
        waiting.clear();
        registered = consumer;
      }
      if (registered != null) {
        registered.unregister();
      }
    }

    void offer(T item) {
      synchronized (this) {
        if (cancelled) {
          return;
        }
        waiting.add(item);
        if (waiting.size() > BUFFER) {
          waiting.poll();
        }
      }
      drain();
    }

    private void drain() {
      while (true) {
        T next;
        synchronized (this) {
          if (emitting || cancelled || demand == 0 || waiting.isEmpty()) {
            return;
          }
          emitting = true;
          next = waiting.poll();
          demand--;
        }
        try {
          subscriber.onNext(next);
        } finally {
          synchronized (this) {
            emitting = false;
          }
        }
      }
    }
  }
}
