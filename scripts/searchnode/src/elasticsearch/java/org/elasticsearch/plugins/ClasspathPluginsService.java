package org.elasticsearch.plugins;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.env.Environment;

/**
 * A PluginsService whose plugins are classes already on the JVM classpath, not bundles in
 * modules/ and plugins/ directories. Maven Central has the module jars (e.g. transport-netty4)
 * but no distribution layout, so this is the only way to load them without unpacking a tarball.
 * Lives in this package because the pieces it needs (loadPlugin, LoadedPlugin, the
 * PluginsLoader constructor) are package-private; on the classpath the split package is allowed.
 */
public class ClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> loaded;

    public ClasspathPluginsService(Environment env, Collection<Class<? extends Plugin>> classes) {
        super(env.settings(), env.configDir(), new PluginsLoader(Set.of(), Set.of(), Map.of()));
        List<LoadedPlugin> list = new ArrayList<>();
        for (Class<? extends Plugin> c : classes) {
            Plugin plugin = loadPlugin(c, env.settings(), env.configDir());
            PluginDescriptor descriptor = new PluginDescriptor(c.getName(), "classpath plugin", "NA",
                    Build.current().version(), Integer.toString(Runtime.version().feature()), c.getName(),
                    null, List.of(), false, false, false, false);
            list.add(new LoadedPlugin(descriptor, plugin, c.getClassLoader()));
        }
        loadExtensions(list);
        this.loaded = List.copyOf(list);
    }

    @Override
    protected final List<LoadedPlugin> plugins() {
        return loaded;
    }

    @Override
    public PluginsAndModules info() {
        // Reported as modules: that is what they are in a distribution.
        return new PluginsAndModules(List.of(), loaded.stream().map(LoadedPlugin::descriptor).toList());
    }
}
