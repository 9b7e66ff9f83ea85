package io.runnel.broker.common;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes a broker holds for requests in flight: request bodies received and not yet answered (produce requests
 * from clients and from other brokers) and answers not yet written. A request that does not fit is refused with
 * {@link Errors#TOO_MANY_REQUESTS} before its body is read, so memory stays bounded whatever clients send;
 * replication traffic does not draw on it and is never starved by client load. Thread-safe, lock-free.
 */
public final class InFlightBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** @param limit the bytes that may be held at once; {@code <= 0} for no limit (tests) */
    public InFlightBudget(long limit) {
        this.limit = limit <= 0 ? Long.MAX_VALUE : limit;
    }

    /** No limit. */
    public static InFlightBudget unlimited() {
        return new InFlightBudget(0);
    }

    /** Takes {@code bytes} if they fit; returns whether they did (then {@link #release} them once done). */
    public boolean tryAcquire(long bytes) {
        if (bytes <= 0) {
            return true;
        }
        while (true) {
            long now = used.get();
            // One request bigger than the whole budget is still let through alone, so that a body of the allowed
            // size can always be sent to an idle broker.
            if (now > 0 && now + bytes > limit) {
                refused.incrementAndGet();
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Takes {@code bytes} whether they fit or not (an answer already built must still be written). */
    public void forceAcquire(long bytes) {
        if (bytes > 0) {
            used.addAndGet(bytes);
        }
    }

    public void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    /** The exception for a request of {@code bytes} that did not fit. */
    public RunnelException exhausted(long bytes) {
        return Errors.TOO_MANY_REQUESTS.exception("the broker holds " + used.get() + " bytes of requests in flight (its"
                + " budget is " + limit + " bytes, max-in-flight-mb) and cannot take " + bytes + " more now; retry shortly,"
                + " or on another broker");
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }

    /** How many requests were refused so far. */
    public long refused() {
        return refused.get();
    }

    /** Whether more than {@code fraction} of the budget is in use. */
    public boolean above(double fraction) {
        return limit != Long.MAX_VALUE && used.get() > limit * fraction;
    }
}
