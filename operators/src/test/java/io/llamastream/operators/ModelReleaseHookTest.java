package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.model.ModelRegistry;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * Whether the registry dies with the job: only when the job's class loader defined the engine's
 * classes itself (the engine came in the job jar), not when it got them from its parent.
 */
class ModelReleaseHookTest {
    @Test
    void anEngineFromTheTaskManagersClassPathOutlivesTheJob() throws Exception {
        try (URLClassLoader job = new URLClassLoader(new URL[0], ModelRegistry.class.getClassLoader())) {
            assertFalse(ModelReleaseHook.definedByJob(ModelRegistry.class, job));
        }
    }

    @Test
    void anEngineInTheJobJarIsTheJobsOwn() throws Exception {
        URL engineClasses =
                ModelRegistry.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader job = new URLClassLoader(new URL[] {engineClasses}, ClassLoader.getPlatformClassLoader())) {
            Class<?> jobsRegistry = job.loadClass(ModelRegistry.class.getName());
            assertNotSame(ModelRegistry.class, jobsRegistry);
            assertTrue(ModelReleaseHook.definedByJob(jobsRegistry, job));
        }
    }
}
