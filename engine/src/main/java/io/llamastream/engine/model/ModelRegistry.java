package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.weights.MemoryPlan;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loaded models shared by everything in one JVM (one class loader, strictly: the registry is a
 * static of the class loader that defines it), so that loading a model is paid once per process
 * rather than once per user. A model is keyed by its path, weight format and compute threads, and
 * reference counted through {@link Lease}s; when the last lease is released the model stays loaded
 * for a keep-alive period (default {@value #DEFAULT_KEEP_ALIVE_MS} ms, system property
 * {@value #KEEP_ALIVE_PROPERTY}) so that a user coming back soon, such as a Flink task restarted
 * after a failure, finds it still in memory. Each model owns its compute pool; dropping the model
 * (keep-alive expired, or {@link #close}) stops the pool's threads so nothing of it stays reachable.
 * Each model is warmed up once when it is loaded ({@link KernelWarmup}, system property
 * {@value KernelWarmup#PROPERTY}), before any user gets it; a model taken again from memory is not.
 */
public final class ModelRegistry implements AutoCloseable {
    public static final String KEEP_ALIVE_PROPERTY = "llamastream.modelKeepAliveMs";
    public static final long DEFAULT_KEEP_ALIVE_MS = 300_000;

    private static ModelRegistry jvm;

    private static final System.Logger LOG = System.getLogger(ModelRegistry.class.getName());

    private final Duration keepAlive;
    private final KernelWarmup warmup;
    private final Map<Key, Entry> entries = new HashMap<>();
    private final AtomicLong loads = new AtomicLong();
    private ScheduledThreadPoolExecutor evictor;
    private boolean closed;

    /**
     * A registry that keeps released models for {@code keepAlive} (zero: drop at the last release)
     * and warms up each model it loads as the system properties say ({@link KernelWarmup#fromSystemProperties}).
     */
    public ModelRegistry(Duration keepAlive) {
        this(keepAlive, KernelWarmup.fromSystemProperties());
    }

    /** As {@link #ModelRegistry(Duration)}, warming up each model it loads with {@code warmup}. */
    public ModelRegistry(Duration keepAlive, KernelWarmup warmup) {
        if (keepAlive.isNegative()) {
            throw new IllegalArgumentException("keep-alive must not be negative, got " + keepAlive);
        }
        this.keepAlive = keepAlive;
        this.warmup = Objects.requireNonNull(warmup, "warmup");
    }

    /**
     * This JVM's registry, with the keep-alive of {@value #KEEP_ALIVE_PROPERTY}; after
     * {@link #closeJvm()} the next call starts a new, empty one.
     */
    public static synchronized ModelRegistry jvm() {
        if (jvm == null || jvm.isClosed()) {
            jvm = new ModelRegistry(Duration.ofMillis(Long.getLong(KEEP_ALIVE_PROPERTY, DEFAULT_KEEP_ALIVE_MS)));
        }
        return jvm;
    }

    /** Closes this JVM's registry if one was started: every model is dropped and its threads stopped. */
    public static void closeJvm() {
        ModelRegistry current;
        synchronized (ModelRegistry.class) {
            current = jvm;
            jvm = null;
        }
        if (current != null) {
            current.close();
        }
    }

    /** What identifies a loaded model: the same file(s) loaded the same way. */
    public record Key(Path path, WeightFormat format, int threads) {
        public Key {
            path = path.toAbsolutePath().normalize();
            Objects.requireNonNull(format, "format");
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
        }
    }

    /** As {@link #acquire(Key, long)} with the scheduler's default KV budget. */
    public Lease acquire(Key key) {
        return acquire(key, MemoryPlan.DEFAULT_KV_BYTES);
    }

    /**
     * The model for {@code key}, loaded now if this registry does not hold it; pair every call with
     * {@link Lease#close()}. Concurrent callers wait for one load. {@code kvBytes} is the KV budget
     * the caller will run the model with, which the load's memory check counts.
     */
    public synchronized Lease acquire(Key key, long kvBytes) {
        if (closed) {
            throw new IllegalStateException("model registry is closed");
        }
        Entry entry = entries.get(key);
        if (entry == null) {
            ComputePool pool = new ComputePool(key.threads());
            try {
                long start = System.nanoTime();
                Llama4Model model = Llama4Model.load(key.path(), pool, key.format(), kvBytes);
                long loaded = System.nanoTime();
                KernelWarmup.Report warm = warmup.run(model.textModel());
                LOG.log(
                        System.Logger.Level.INFO,
                        String.format(
                                Locale.ROOT,
                                "model %s (%s, %d threads) loaded in %.2f s; %s",
                                key.path(),
                                key.format(),
                                key.threads(),
                                (loaded - start) / 1e9,
                                warm));
                entry = new Entry(model, pool);
            } catch (RuntimeException | Error e) {
                pool.close();
                throw e;
            }
            loads.incrementAndGet();
            entries.put(key, entry);
        }
        if (entry.expiry != null) {
            entry.expiry.cancel(false);
            entry.expiry = null;
        }
        entry.leases++;
        return new Lease(key, entry.model);
    }

    /** Models loaded by this registry since it started, counting a reload after a drop again. */
    public long loads() {
        return loads.get();
    }

    /** Models held now, leased or kept alive. */
    public synchronized int size() {
        return entries.size();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Drops every model, leased or not, and stops their threads and the keep-alive timer. */
    @Override
    public void close() {
        List<Entry> dropped;
        ScheduledThreadPoolExecutor timer;
        synchronized (this) {
            closed = true;
            dropped = new ArrayList<>(entries.values());
            entries.clear();
            timer = evictor;
            evictor = null;
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        dropped.forEach(Entry::drop);
    }

    private synchronized void release(Key key) {
        Entry entry = entries.get(key);
        if (entry == null || --entry.leases > 0) {
            return;
        }
        if (keepAlive.isZero()) {
            entries.remove(key);
            entry.drop();
            return;
        }
        entry.expiry = timer().schedule(() -> expire(key, entry), keepAlive.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void expire(Key key, Entry entry) {
        synchronized (this) {
            if (entries.get(key) != entry || entry.leases > 0) {
                return;
            }
            entries.remove(key);
        }
        entry.drop();
    }

    /**
     * The keep-alive timer: one daemon thread, started when a model is first kept alive and ending
     * a second after its last scheduled drop, created like the compute workers so it never holds
     * a caller's class loader.
     */
    @SuppressWarnings("removal")
    private ScheduledThreadPoolExecutor timer() {
        if (evictor == null) {
            evictor = new ScheduledThreadPoolExecutor(
                    1,
                    r -> AccessController.doPrivileged((PrivilegedAction<Thread>) () -> {
                        Thread t = new Thread(r, "llamastream-model-keepalive");
                        t.setDaemon(true);
                        t.setContextClassLoader(ModelRegistry.class.getClassLoader());
                        return t;
                    }));
            evictor.setKeepAliveTime(1, TimeUnit.SECONDS);
            evictor.allowCoreThreadTimeOut(true);
            evictor.setRemoveOnCancelPolicy(true);
        }
        return evictor;
    }

    /** One use of a loaded model; closing it (once, further calls do nothing) releases the model. */
    public final class Lease implements AutoCloseable {
        private final Key key;
        private final Llama4Model model;
        private boolean released;

        private Lease(Key key, Llama4Model model) {
            this.key = key;
            this.model = model;
        }

        public Llama4Model model() {
            return model;
        }

        public Key key() {
            return key;
        }

        @Override
        public void close() {
            synchronized (ModelRegistry.this) {
                if (released) {
                    return;
                }
                released = true;
            }
            release(key);
        }
    }

    private static final class Entry {
        final Llama4Model model;
        final ComputePool pool;
        int leases;
        ScheduledFuture<?> expiry;

        Entry(Llama4Model model, ComputePool pool) {
            this.model = model;
            this.pool = pool;
        }

        void drop() {
            if (expiry != null) {
                expiry.cancel(false);
            }
            pool.close();
        }
    }
}
